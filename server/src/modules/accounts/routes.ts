import Router from '@koa/router';
import { bindAccount, getAccount, listAccounts, sendBindCode, setDefaultAccount, unbindAccount } from '../../../../shared/contracts/accounts';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';
import { MAX_ACCOUNTS_PER_CUSTOMER } from './service';

export function accountRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { accounts } = deps;
  mount(router, listAccounts, async ({ principal }) => ({ accounts: await accounts.list(principal!.id), limit: MAX_ACCOUNTS_PER_CUSTOMER }));
  mount(router, sendBindCode, async ({ body, principal }, ctx) => ({
    sent: true as const,
    ...(await accounts.sendBindCode(principal!.id, body.accountNo, ctx.ip)),
  }));
  mount(router, bindAccount, async ({ body, principal }) => ({ account: await accounts.bind(principal!.id, body) }));
  mount(router, getAccount, async ({ params, principal }) => ({ account: await accounts.get(principal!.id, params.accountId) }));
  mount(router, unbindAccount, async ({ params, principal }) => {
    await accounts.unbind(principal!.id, params.accountId);
    return { ok: true as const };
  });
  mount(router, setDefaultAccount, async ({ params, principal }) => ({ account: await accounts.setDefault(principal!.id, params.accountId) }));
  return router;
}
