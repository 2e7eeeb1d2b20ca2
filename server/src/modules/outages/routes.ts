import Router from '@koa/router';
import {
  cancelOutage,
  getOutage,
  importOutages,
  listMyOutages,
  listOutageSuggestions,
  listPublicOutages,
  listStaffOutages,
  publishOutage,
  restoreOutage,
  startOutage,
  updateOutage,
} from '../../../../shared/contracts/outages';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';

export function outageRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { outages } = deps;
  // `/api/outages/mine` before `/api/outages/{outageId}`.
  mount(router, listMyOutages, ({ principal }) => outages.listMine(principal!.id));
  mount(router, listPublicOutages, ({ query }) => outages.listPublic(query.district));
  mount(router, getOutage, ({ params }) => outages.get(params.outageId));

  mount(router, listStaffOutages, async ({ query }) => ({ outages: await outages.listForStaff(query.status) }));
  mount(router, listOutageSuggestions, async () => ({ suggestions: await outages.suggestions() }));
  mount(router, importOutages, ({ body, principal }) => outages.importCsv(principal!.id, body.csv));
  mount(router, publishOutage, async ({ body, principal }, ctx) => {
    ctx.status = 201;
    return { outage: await outages.publish(principal!.id, body) };
  });
  mount(router, updateOutage, async ({ params, body, principal }) => ({ outage: await outages.update(params.outageId, principal!.id, body) }));
  mount(router, startOutage, async ({ params, principal }) => ({ outage: await outages.start(params.outageId, principal!.id) }));
  mount(router, restoreOutage, async ({ params, body, principal }) => ({ outage: await outages.restore(params.outageId, principal!.id, body.restoredAt) }));
  mount(router, cancelOutage, async ({ params, body, principal }) => ({ outage: await outages.cancel(params.outageId, principal!.id, body.reason) }));
  return router;
}
