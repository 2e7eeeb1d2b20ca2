import Router from '@koa/router';
import { getHealth } from '../../../../shared/contracts/health';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';
import { calendarCoverage } from '../workorders/calendar';

async function probe(check: () => Promise<number>) {
  try {
    return { status: 'up' as const, latencyMs: await check() };
  } catch (err) {
    return { status: 'down' as const, error: (err as Error).message };
  }
}

function calendarDetail(deps: AppDeps) {
  const { status, coveredThrough, firstUncoveredDate, horizonDays, horizonEnd } = calendarCoverage(deps.calendar, deps.clock.now());
  // The file's path stays in the logs: this endpoint answers anyone.
  const detail =
    status === 'ok'
      ? `holidays known through ${coveredThrough}`
      : `not covered through ${horizonEnd}: holidays from ${firstUncoveredDate} on are unknown; add that year to the holiday file (WORK_CALENDAR_FILE)`;
  return { status, coveredThrough, firstUncoveredDate, horizonDays, detail };
}

export function healthRoutes(deps: AppDeps): Router {
  const router = new Router();
  const startedAt = deps.clock.now().getTime();
  mount(router, getHealth, async (_input, ctx) => {
    const [database, redis] = await Promise.all([probe(() => deps.database.ping()), probe(() => deps.store.ping())]);
    const healthy = database.status === 'up' && redis.status === 'up';
    ctx.status = healthy ? 200 : 503;
    return {
      status: healthy ? ('ok' as const) : ('degraded' as const),
      uptimeSeconds: Math.floor((deps.clock.now().getTime() - startedAt) / 1000),
      database,
      redis: { ...redis, kind: deps.store.kind },
      calendar: calendarDetail(deps),
    };
  });
  return router;
}
