/** Every endpoint contract by name; the OpenAPI document and the typed client come from this map. */
import type { RouteName } from '../routes';
import type { Endpoint } from './endpoint';
import * as accounts from './accounts';
import * as auth from './auth';
import * as billing from './billing';
import { getHealth } from './health';
import { getMeta } from './meta';

export * from './accounts';
export * from './auth';
export * from './billing';
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
} satisfies Record<RouteName, Endpoint>;

export type Contracts = typeof contracts;
export const endpoints: readonly Endpoint[] = Object.values(contracts);
