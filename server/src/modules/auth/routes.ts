import Router from '@koa/router';
import {
  getProfile,
  linkPhone,
  loginSms,
  loginWechat,
  logout,
  refreshSession,
  sendSmsCode,
  staffLogin,
  staffProfile,
  staffRefresh,
} from '../../../../shared/contracts/auth';
import { maskPhone } from '../../../../shared/mask';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';

export function authRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { auth } = deps;

  mount(router, loginWechat, ({ body }, ctx) => auth.loginWithWechat(body.code, body.consentVersion, ctx.ip));
  mount(router, sendSmsCode, async ({ body }, ctx) => ({
    sent: true as const,
    ...(await deps.smsCodes.send({ phone: body.phone, purpose: body.purpose, ip: ctx.ip })),
  }));
  mount(router, loginSms, ({ body }) => auth.loginWithSms(body.phone, body.code, body.consentVersion));
  mount(router, refreshSession, ({ body }) => auth.refresh(body.refreshToken, 'customer'));
  mount(router, logout, async ({ body }) => {
    await auth.logout(body.refreshToken);
    return { ok: true as const };
  });
  mount(router, getProfile, async ({ principal }) => {
    const [customer, accountCount] = await Promise.all([auth.customerProfile(principal!.id), deps.accounts.countBound(principal!.id)]);
    return {
      id: customer.id,
      phoneMasked: customer.phone ? maskPhone(customer.phone) : null,
      phone: customer.phone ?? null,
      hasWechat: customer.hasWechat,
      accountCount,
    };
  });
  mount(router, linkPhone, async ({ body, principal }) => {
    await auth.linkPhone(principal!.id, body.phone, body.code);
    return { ok: true as const };
  });

  mount(router, staffLogin, ({ body }, ctx) => auth.staffLogin(body.username, body.password, ctx.ip));
  mount(router, staffRefresh, ({ body }) => auth.refresh(body.refreshToken, 'staff'));
  mount(router, staffProfile, ({ principal }) => auth.staffProfile(principal!.id));
  return router;
}
