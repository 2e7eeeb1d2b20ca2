import Router from '@koa/router';
import { getProfile, linkPhone, loginSms, loginWechat, logout, refreshSession, sendSmsCode, staffLogin, staffProfile, staffRefresh } from '../../../../shared/contracts/auth';
import { maskPhone } from '../../../../shared/mask';
import { eq } from 'drizzle-orm';
import type { AppDeps } from '../../app';
import { customers, staffUsers } from '../../db/schema';
import { notFound } from '../../errors';
import { mount } from '../../http/validate';

export function authRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { auth } = deps;

  mount(router, loginWechat, ({ body }, ctx) => auth.loginWithWechat(body.code, ctx.ip));
  mount(router, sendSmsCode, async ({ body }, ctx) => ({
    sent: true as const,
    ...(await deps.smsCodes.send({ phone: body.phone, purpose: body.purpose, ip: ctx.ip })),
  }));
  mount(router, loginSms, ({ body }) => auth.loginWithSms(body.phone, body.code));
  mount(router, refreshSession, ({ body }) => auth.refresh(body.refreshToken));
  mount(router, logout, async ({ body }) => {
    await auth.logout(body.refreshToken);
    return { ok: true as const };
  });
  mount(router, getProfile, async ({ principal }) => {
    const [customer] = await deps.database.db.select().from(customers).where(eq(customers.id, principal!.id));
    if (!customer) throw notFound('Customer');
    return {
      id: customer.id,
      phoneMasked: customer.phone ? maskPhone(customer.phone) : null,
      hasWechat: customer.wechatOpenid !== null,
      accountCount: await deps.accounts.countBound(customer.id),
    };
  });
  mount(router, linkPhone, async ({ body, principal }) => {
    await auth.linkPhone(principal!.id, body.phone, body.code);
    return { ok: true as const };
  });

  mount(router, staffLogin, ({ body }, ctx) => auth.staffLogin(body.username, body.password, ctx.ip));
  mount(router, staffRefresh, ({ body }) => auth.refresh(body.refreshToken));
  mount(router, staffProfile, async ({ principal }) => {
    const [staff] = await deps.database.db.select().from(staffUsers).where(eq(staffUsers.id, principal!.id));
    if (!staff) throw notFound('Staff user');
    return { id: staff.id, username: staff.username, displayName: staff.displayName, roles: staff.roles };
  });
  return router;
}
