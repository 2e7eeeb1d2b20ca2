import Router from '@koa/router';
import type { Middleware } from 'koa';
import {
  createTerminal,
  listTerminalDays,
  listTerminalMismatches,
  listTerminals,
  resolveTerminalMismatch,
  rotateTerminalSecret,
  terminalPay,
  terminalQuery,
  terminalReconcile,
  terminalReverse,
  terminalSignin,
  terminalSignout,
  updateTerminal,
} from '../../../../shared/contracts/terminals';
import type { AppDeps } from '../../app';
import { mount } from '../../http/validate';
import type { TerminalIdentity } from './registry';

declare module 'koa' {
  interface DefaultState {
    terminal?: TerminalIdentity;
  }
}

/** Authenticates a terminal's request before its message is read (signature over the raw bytes). */
function signedByTerminal(deps: AppDeps): Middleware {
  return async (ctx, next) => {
    ctx.state.terminal = await deps.terminals.registry.authenticate({
      terminalId: ctx.get('X-Terminal-Id'),
      timestamp: ctx.get('X-Timestamp'),
      nonce: ctx.get('X-Nonce'),
      signature: ctx.get('X-Signature'),
      method: ctx.method,
      path: ctx.originalUrl,
      rawBody: ctx.request.rawBody,
      ip: ctx.ip,
    });
    await next();
  };
}

export function terminalRoutes(deps: AppDeps): Router {
  const router = new Router();
  const { registry, protocol, reconciliation } = deps.terminals;

  // Staff: the registry and reconciliation mismatches (fixed paths before `/{terminalId}`).
  mount(router, listTerminals, async () => ({ terminals: await registry.list() }));
  mount(router, createTerminal, async ({ body, principal }, ctx) => {
    ctx.status = 201;
    return registry.create(principal!.id, body);
  });
  mount(router, listTerminalMismatches, async ({ query }) => ({ mismatches: await reconciliation.listMismatches(query) }));
  mount(router, resolveTerminalMismatch, async ({ params, body, principal }) => ({
    mismatch: await reconciliation.resolve(params.mismatchId, principal!.id, body.accept, body.reason),
  }));
  mount(router, updateTerminal, async ({ params, body, principal }) => ({ terminal: await registry.update(principal!.id, params.terminalId, body) }));
  mount(router, rotateTerminalSecret, async ({ params, body, principal }) => registry.rotate(principal!.id, params.terminalId, body.overlapHours));
  mount(router, listTerminalDays, async ({ params }) => ({ days: await registry.days(params.terminalId) }));

  // Terminals: signed messages. A replayed pay or reversal gets its first reply, marked by a header.
  const signed = signedByTerminal(deps);
  const terminal = (ctx: { state: { terminal?: TerminalIdentity } }) => ctx.state.terminal!;
  const replayable = <T>(ctx: Parameters<Middleware>[0], outcome: { result: T; replayed: boolean }) => {
    if (outcome.replayed) ctx.set('Idempotent-Replayed', 'true');
    return outcome.result;
  };
  mount(router, terminalSignin, signed, ({ body }, ctx) => protocol.signin(terminal(ctx), body.accountingDate));
  mount(router, terminalQuery, signed, ({ body }, ctx) => protocol.query(terminal(ctx), body.accountNo));
  mount(router, terminalPay, signed, async ({ body }, ctx) => replayable(ctx, await protocol.pay(terminal(ctx), body)));
  mount(router, terminalReverse, signed, async ({ body }, ctx) => replayable(ctx, await protocol.reverse(terminal(ctx), body)));
  mount(router, terminalSignout, signed, ({ body }, ctx) => protocol.signout(terminal(ctx), body.accountingDate));
  mount(router, terminalReconcile, signed, ({ body }, ctx) => reconciliation.reconcile(terminal(ctx), body.accountingDate, body.file));
  return router;
}
