import Router from '@koa/router';
import { getNotificationPreferences, recordWechatConsent, setSmsOptIn } from '../../../../shared/contracts/notifications';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';

export function notificationRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { preferences } = deps.notifications;
  mount(router, getNotificationPreferences, async ({ principal }) => ({ preferences: await preferences.read(principal!.id) }));
  mount(router, recordWechatConsent, async ({ principal, body }) => ({ preferences: await preferences.recordWechatConsent(principal!.id, body.results) }));
  mount(router, setSmsOptIn, async ({ principal, body }) => ({ preferences: await preferences.setSmsOptIn(principal!.id, body.topic, body.enabled) }));
  return router;
}
