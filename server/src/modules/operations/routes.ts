import Router from '@koa/router';
import { listParkedEvents, replayParkedEvent } from '../../../../shared/contracts/operations';
import type { AppDeps } from '../../app';
import { notFound } from '../../errors';
import { mount } from '../../http/validate';

/** What operators act on by hand: outbox events that gave up after repeated failures. */
export function operationsRoutes(deps: AppDeps): Router {
  const router = new Router();
  mount(router, listParkedEvents, async () => ({ events: await deps.outbox.listParked() }));
  mount(router, replayParkedEvent, async ({ params }) => {
    if (!(await deps.outbox.replay(params.eventId))) throw notFound('Parked event');
    return { queued: true as const };
  });
  return router;
}
