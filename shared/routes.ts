/**
 * Every endpoint's method and path, with no runtime dependencies, so the mini-program's main
 * package can call the API without bundling the zod schemas. The contracts in `contracts/` add
 * the schemas to these same entries, and a type check keeps the two lists in step.
 */
export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form: `/api/bills/{id}`. */
  path: string;
}

export const routes = {
  getHealth: { method: 'get', path: '/healthz' },
  getMeta: { method: 'get', path: '/api/meta' },
  loginWechat: { method: 'post', path: '/api/auth/wechat' },
  sendSmsCode: { method: 'post', path: '/api/auth/sms/send' },
  loginSms: { method: 'post', path: '/api/auth/sms/verify' },
  refreshSession: { method: 'post', path: '/api/auth/refresh' },
  logout: { method: 'post', path: '/api/auth/logout' },
  getProfile: { method: 'get', path: '/api/me' },
  linkPhone: { method: 'post', path: '/api/me/phone' },
  listAccounts: { method: 'get', path: '/api/accounts' },
  sendBindCode: { method: 'post', path: '/api/accounts/bind/sms' },
  bindAccount: { method: 'post', path: '/api/accounts/bind' },
  getAccount: { method: 'get', path: '/api/accounts/{accountId}' },
  unbindAccount: { method: 'delete', path: '/api/accounts/{accountId}' },
  setDefaultAccount: { method: 'post', path: '/api/accounts/{accountId}/default' },
  staffLogin: { method: 'post', path: '/api/staff/auth/login' },
  staffRefresh: { method: 'post', path: '/api/staff/auth/refresh' },
  staffProfile: { method: 'get', path: '/api/staff/me' },
  getBillingOverview: { method: 'get', path: '/api/bills/{accountId}' },
  getBill: { method: 'get', path: '/api/bills/{accountId}/{month}' },
  setBalanceAlert: { method: 'put', path: '/api/accounts/{accountId}/balance-alert' },
  startBillRun: { method: 'post', path: '/api/staff/billing/runs' },
  getBillRun: { method: 'get', path: '/api/staff/billing/runs/{runId}' },
  importReadings: { method: 'post', path: '/api/staff/billing/imports' },
  listReviews: { method: 'get', path: '/api/staff/billing/reviews' },
  approveReview: { method: 'post', path: '/api/staff/billing/reviews/{billId}/approve' },
  adjustReview: { method: 'post', path: '/api/staff/billing/reviews/{billId}/adjust' },
  rereadReview: { method: 'post', path: '/api/staff/billing/reviews/{billId}/reread' },
  getBillingSettings: { method: 'get', path: '/api/staff/billing/settings' },
  updateBillingSettings: { method: 'put', path: '/api/staff/billing/settings' },
  listMyOutages: { method: 'get', path: '/api/outages/mine' },
  listPublicOutages: { method: 'get', path: '/api/outages' },
  getOutage: { method: 'get', path: '/api/outages/{outageId}' },
  listStaffOutages: { method: 'get', path: '/api/staff/outages' },
  publishOutage: { method: 'post', path: '/api/staff/outages' },
  updateOutage: { method: 'patch', path: '/api/staff/outages/{outageId}' },
  startOutage: { method: 'post', path: '/api/staff/outages/{outageId}/start' },
  restoreOutage: { method: 'post', path: '/api/staff/outages/{outageId}/restore' },
  cancelOutage: { method: 'post', path: '/api/staff/outages/{outageId}/cancel' },
  importOutages: { method: 'post', path: '/api/staff/outages/import' },
  listOutageSuggestions: { method: 'get', path: '/api/staff/outages/suggestions' },
  getNotificationPreferences: { method: 'get', path: '/api/notifications/preferences' },
  recordWechatConsent: { method: 'post', path: '/api/notifications/wechat-consent' },
  setSmsOptIn: { method: 'put', path: '/api/notifications/sms' },
  listRequestTypes: { method: 'get', path: '/api/service-requests/types' },
  uploadDocument: { method: 'post', path: '/api/service-requests/documents' },
  supplyDocuments: { method: 'post', path: '/api/service-requests/{orderId}/documents' },
  getMyDocument: { method: 'get', path: '/api/service-requests/{orderId}/documents/{documentId}' },
  getOrderDocument: { method: 'get', path: '/api/staff/workorders/{orderId}/documents/{documentId}' },
  submitRequest: { method: 'post', path: '/api/service-requests' },
  listMyRequests: { method: 'get', path: '/api/service-requests' },
  getMyRequest: { method: 'get', path: '/api/service-requests/{orderId}' },
  cancelMyRequest: { method: 'post', path: '/api/service-requests/{orderId}/cancel' },
  rateMyRequest: { method: 'post', path: '/api/service-requests/{orderId}/rating' },
  listStaffOrders: { method: 'get', path: '/api/staff/workorders' },
  actOnOrder: { method: 'post', path: '/api/staff/workorders/{orderId}/actions' },
  reassignOrder: { method: 'post', path: '/api/staff/workorders/{orderId}/assignee' },
  backofficeCallback: { method: 'post', path: '/api/staff/workorders/callbacks' },
  listParkedEvents: { method: 'get', path: '/api/staff/outbox/parked' },
  replayParkedEvent: { method: 'post', path: '/api/staff/outbox/{eventId}/replay' },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof routes;
