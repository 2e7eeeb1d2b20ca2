import Router from '@koa/router';
import {
  adjustReview,
  approveReview,
  getBill,
  getBillingOverview,
  getBillingSettings,
  getBillRun,
  importReadings,
  listReviews,
  rereadReview,
  setBalanceAlert,
  startBillRun,
  updateBillingSettings,
} from '../../../../shared/contracts/billing';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';

export function billingRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { billing } = deps;

  mount(router, getBillingOverview, ({ params }) => billing.views.overview(params.accountId));
  mount(router, getBill, async ({ params }) => ({ bill: await billing.views.detail(params.accountId, params.month) }));
  mount(router, setBalanceAlert, async ({ params, body }) => ({ thresholdFen: await billing.views.setBalanceAlert(params.accountId, body.thresholdFen) }));

  mount(router, startBillRun, async ({ body }, ctx) => {
    ctx.status = 202;
    return { run: await billing.startRun(body.month) };
  });
  mount(router, getBillRun, async ({ params }) => ({ run: await billing.getRun(params.runId) }));
  mount(router, importReadings, async ({ body }, ctx) => {
    ctx.status = 202;
    return { queued: true as const, jobId: await billing.queueImport(body) };
  });
  mount(router, listReviews, async ({ query }) => ({ reviews: await billing.reviews.list(query) }));
  mount(router, approveReview, async ({ params, body, principal }) => ({ bill: await billing.reviews.approve(params.billId, principal!.id, body.note) }));
  mount(router, adjustReview, async ({ params, body, principal }) => ({ bill: await billing.reviews.adjust(params.billId, principal!.id, body) }));
  mount(router, rereadReview, async ({ params, body, principal }, ctx) => {
    await billing.reviews.requestReread(params.billId, principal!.id, body.reason);
    ctx.status = 202;
    return { queued: true as const };
  });
  mount(router, getBillingSettings, async () => ({ settings: await billing.getSettings() }));
  mount(router, updateBillingSettings, async ({ body }) => ({ settings: await billing.updateSettings(body) }));
  return router;
}
