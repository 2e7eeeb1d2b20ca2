import Router from '@koa/router';
import { getMeta as getMetaEndpoint } from '../../../../shared/contracts/meta';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';
import { getMeta } from './service';

export function metaRoutes(deps: AppDeps): Router {
  const router = new Router();
  mount(router, getMetaEndpoint, async (_input, ctx) => {
    // Public and the same for everyone: let browsers and CDNs keep it briefly.
    ctx.set('Cache-Control', 'public, max-age=60');
    return getMeta(deps.database.db, deps.clock.now());
  });
  return router;
}
