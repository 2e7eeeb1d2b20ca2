import type { Context, Middleware } from 'koa';
import type { Endpoint } from '../../../shared/contracts/endpoint';
import { AppError } from '../errors';
import type { AccountsService } from '../modules/accounts/service';
import type { AccessTokens, Principal } from '../modules/auth/tokens';

declare module 'koa' {
  interface DefaultState {
    security: Security;
    principal?: Principal;
  }
}

interface Security {
  authenticate(ctx: Context, audience: 'customer' | 'staff'): Principal;
  requireAccount(principal: Principal, accountId: number): Promise<void>;
}

/**
 * Who may call what, in one place. `mount` applies it from each endpoint's contract: the token's
 * audience must match the endpoint's, staff roles must include one the contract lists, and an
 * account in the path must be bound to the calling customer.
 */
export function securityContext(deps: { tokens: AccessTokens; accounts: AccountsService }): Middleware {
  const security: Security = {
    authenticate(ctx, audience) {
      const match = /^Bearer ([\w.-]+)$/.exec(ctx.get('Authorization'));
      if (!match) throw new AppError('UNAUTHENTICATED', 'Log in to continue', undefined, { 'WWW-Authenticate': 'Bearer' });
      return deps.tokens.verify(match[1]!, audience);
    },
    requireAccount: (principal, accountId) => deps.accounts.requireBound(principal.id, accountId),
  };
  return async (ctx, next) => {
    ctx.state.security = security;
    await next();
  };
}

/** Runs the contract's checks; returns the principal for authenticated endpoints. */
export async function enforceContract(ctx: Context, endpoint: Endpoint, params: unknown): Promise<Principal | undefined> {
  if (endpoint.auth !== 'customer' && endpoint.auth !== 'staff') return undefined;
  const principal = ctx.state.security.authenticate(ctx, endpoint.auth);
  if (endpoint.roles && !endpoint.roles.some((role) => principal.roles.includes(role))) {
    throw new AppError('FORBIDDEN', 'Your role does not allow this');
  }
  if (endpoint.scope === 'account') {
    await ctx.state.security.requireAccount(principal, (params as { accountId: number }).accountId);
  }
  ctx.state.principal = principal;
  return principal;
}
