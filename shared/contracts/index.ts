/** Every endpoint contract by name; the OpenAPI document and the typed client come from this map. */
import type { RouteName } from '../routes';
import type { Endpoint } from './endpoint';
import * as accounts from './accounts';
import * as auth from './auth';
import * as billing from './billing';
import * as notifications from './notifications';
import * as operations from './operations';
import * as outages from './outages';
import * as payments from './payments';
import * as requests from './requests';
import * as terminals from './terminals';
import { getHealth } from './health';
import { getMeta } from './meta';

export * from './accounts';
export * from './auth';
export * from './billing';
export * from './notifications';
export * from './operations';
export * from './outages';
export * from './payments';
export * from './requests';
export * from './terminals';
export * from './endpoint';
export * from './health';
export * from './meta';

export const contracts = {
  getHealth,
  getMeta,
  loginWechat: auth.loginWechat,
  sendSmsCode: auth.sendSmsCode,
  loginSms: auth.loginSms,
  refreshSession: auth.refreshSession,
  logout: auth.logout,
  getProfile: auth.getProfile,
  linkPhone: auth.linkPhone,
  listAccounts: accounts.listAccounts,
  sendBindCode: accounts.sendBindCode,
  bindAccount: accounts.bindAccount,
  getAccount: accounts.getAccount,
  unbindAccount: accounts.unbindAccount,
  setDefaultAccount: accounts.setDefaultAccount,
  staffLogin: auth.staffLogin,
  staffRefresh: auth.staffRefresh,
  staffProfile: auth.staffProfile,
  getBillingOverview: billing.getBillingOverview,
  getBill: billing.getBill,
  setBalanceAlert: billing.setBalanceAlert,
  startBillRun: billing.startBillRun,
  getBillRun: billing.getBillRun,
  importReadings: billing.importReadings,
  listReviews: billing.listReviews,
  approveReview: billing.approveReview,
  adjustReview: billing.adjustReview,
  rereadReview: billing.rereadReview,
  getBillingSettings: billing.getBillingSettings,
  updateBillingSettings: billing.updateBillingSettings,
  listMyOutages: outages.listMyOutages,
  listPublicOutages: outages.listPublicOutages,
  getOutage: outages.getOutage,
  listStaffOutages: outages.listStaffOutages,
  publishOutage: outages.publishOutage,
  updateOutage: outages.updateOutage,
  startOutage: outages.startOutage,
  restoreOutage: outages.restoreOutage,
  cancelOutage: outages.cancelOutage,
  importOutages: outages.importOutages,
  listOutageSuggestions: outages.listOutageSuggestions,
  getNotificationPreferences: notifications.getNotificationPreferences,
  recordWechatConsent: notifications.recordWechatConsent,
  setSmsOptIn: notifications.setSmsOptIn,
  listRequestTypes: requests.listRequestTypes,
  uploadDocument: requests.uploadDocument,
  supplyDocuments: requests.supplyDocuments,
  getMyDocument: requests.getMyDocument,
  getOrderDocument: requests.getOrderDocument,
  submitRequest: requests.submitRequest,
  listMyRequests: requests.listMyRequests,
  getMyRequest: requests.getMyRequest,
  cancelMyRequest: requests.cancelMyRequest,
  rateMyRequest: requests.rateMyRequest,
  listStaffOrders: requests.listStaffOrders,
  actOnOrder: requests.actOnOrder,
  reassignOrder: requests.reassignOrder,
  backofficeCallback: requests.backofficeCallback,
  listParkedEvents: operations.listParkedEvents,
  replayParkedEvent: operations.replayParkedEvent,
  listTerminals: terminals.listTerminals,
  createTerminal: terminals.createTerminal,
  listTerminalMismatches: terminals.listTerminalMismatches,
  resolveTerminalMismatch: terminals.resolveTerminalMismatch,
  updateTerminal: terminals.updateTerminal,
  rotateTerminalSecret: terminals.rotateTerminalSecret,
  listTerminalDays: terminals.listTerminalDays,
  createPayment: payments.createPayment,
  getPayment: payments.getPayment,
  closePayment: payments.closePayment,
  listPayments: payments.listPayments,
  wechatPayNotify: payments.wechatPayNotify,
  alipayNotify: payments.alipayNotify,
  refundPayment: payments.refundPayment,
  listPaymentReviews: payments.listPaymentReviews,
  getPaymentReceipt: payments.getPaymentReceipt,
  terminalSignin: terminals.terminalSignin,
  terminalQuery: terminals.terminalQuery,
  terminalPay: terminals.terminalPay,
  terminalReverse: terminals.terminalReverse,
  terminalSignout: terminals.terminalSignout,
  terminalReconcile: terminals.terminalReconcile,
} satisfies Record<RouteName, Endpoint>;

export type Contracts = typeof contracts;
export const endpoints: readonly Endpoint[] = Object.values(contracts);
