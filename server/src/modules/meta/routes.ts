import Router from '@koa/router';
import { getMeta as getMetaEndpoint } from '../../../../shared/contracts/meta';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';
import { memoize } from '../../memo';
import { getMeta } from './service';

// The same for every caller and read on every app launch: each instance keeps it a few seconds.
const META_TTL_MS = 5_000;

export function metaRoutes(deps: AppDeps): Router {
  const router = new Router();
  const currentMeta = memoize(() => getMeta(deps.database.db, deps.clock.now()), META_TTL_MS, deps.clock);
  mount(router, getMetaEndpoint, async (_input, ctx) => {
    // Public and the same for everyone: let browsers and CDNs keep it briefly.
    ctx.set('Cache-Control', 'public, max-age=60');
    return currentMeta();
  });
  return router;
}
