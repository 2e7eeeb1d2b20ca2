import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import { customers, refreshTokens, staffUsers } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import type { WechatClient } from '../../integrations/wechat/client';
import { consume, failureBudget } from '../../rate-limit';
import type { KeyValueStore } from '../../redis';
import { verifyPassword } from './password';
import type { SmsCodes } from './sms-codes';
import { hashRefreshToken, newFamilyId, newRefreshToken, type AccessTokens, type Principal } from './tokens';

export interface Session {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

export interface AuthDeps {
  database: Database;
  store: KeyValueStore;
  clock: Clock;
  tokens: AccessTokens;
  smsCodes: SmsCodes;
  wechat: WechatClient;
  refreshTtlDays: number;
}

const DAY_MS = 86_400_000;
const STAFF_LOGIN_FAILURES = { name: 'staff-login', limit: 5, windowMs: 15 * 60_000 };
const WECHAT_LOGINS_PER_IP = { name: 'wechat-login-ip', limit: 60, windowMs: 60 * 60_000 };

export function createAuthService(deps: AuthDeps) {
  const { clock } = deps;

  /** A new token family: one access token and the first refresh token of the family. */
  async function openSession(tx: Tx, principal: Principal, familyId = newFamilyId()): Promise<Session> {
    const refreshToken = newRefreshToken();
    const expiresAt = new Date(clock.now().getTime() + deps.refreshTtlDays * DAY_MS);
    await tx.db.insert(refreshTokens).values({
      familyId,
      subjectType: principal.audience,
      subjectId: principal.id,
      tokenHash: hashRefreshToken(refreshToken),
      createdAt: clock.now(),
      expiresAt,
    });
    return {
      tokenType: 'Bearer',
      accessToken: deps.tokens.issue(principal),
      expiresIn: deps.tokens.ttlSeconds,
      refreshToken,
      refreshExpiresAt: expiresAt.toISOString(),
    };
  }

  /** Every login records the agreement version the customer just consented to, with the login. */
  async function customerSession(tx: Tx, customerId: number, consentVersion: string): Promise<Session> {
    const now = clock.now();
    await tx.db.update(customers).set({ lastLoginAt: now, consentVersion, consentedAt: now }).where(eq(customers.id, customerId));
    return openSession(tx, { audience: 'customer', id: customerId, roles: ['customer'] });
  }

  async function staffPrincipal(tx: Tx, staffId: number): Promise<Principal> {
    const [staff] = await tx.db.select().from(staffUsers).where(eq(staffUsers.id, staffId));
    if (!staff || staff.disabledAt) throw new AppError('REFRESH_TOKEN_INVALID', 'Please log in again');
    return { audience: 'staff', id: staff.id, roles: staff.roles };
  }

  return {
    /** Mini-program login: the code from `wx.login`, exchanged with WeChat; the customer is created on first login. */
    async loginWithWechat(code: string, consentVersion: string, ip: string): Promise<Session> {
      await consume(deps.store, clock, WECHAT_LOGINS_PER_IP, ip);
      let result;
      try {
        result = await deps.wechat.code2session(code);
      } catch {
        throw new AppError('UPSTREAM_FAILED', 'WeChat login is unavailable; try again shortly');
      }
      if (!result.ok) {
        if (result.errcode === 40163) throw new AppError('WECHAT_CODE_USED', 'This login code was already used');
        if (result.errcode === 40029) throw new AppError('WECHAT_CODE_INVALID', 'The login code is invalid or expired');
        throw new AppError('UPSTREAM_FAILED', `WeChat refused the login (${result.errcode})`);
      }
      const { openid, sessionKey, unionid } = result;
      return deps.database.transaction(async (tx) => {
        const [customer] = await tx.db
          .insert(customers)
          .values({ wechatOpenid: openid, wechatUnionid: unionid, wechatSessionKey: sessionKey })
          .onConflictDoUpdate({ target: customers.wechatOpenid, set: { wechatSessionKey: sessionKey, wechatUnionid: unionid } })
          .returning({ id: customers.id });
        return customerSession(tx, customer!.id, consentVersion);
      });
    },

    /** H5 login: a phone number proven by an SMS code; the customer is created on first login. */
    async loginWithSms(phone: string, code: string, consentVersion: string): Promise<Session> {
      await deps.smsCodes.verify({ phone, purpose: 'login', code });
      return deps.database.transaction(async (tx) => {
        const [customer] = await tx.db
          .insert(customers)
          .values({ phone })
          .onConflictDoUpdate({ target: customers.phone, set: { phone: sql`excluded.${sql.identifier(customers.phone.name)}` } })
          .returning({ id: customers.id });
        return customerSession(tx, customer!.id, consentVersion);
      });
    },

    /** A WeChat customer adds a phone number (proven by SMS), so H5 logins reach the same customer. */
    async linkPhone(customerId: number, phone: string, code: string): Promise<void> {
      await deps.smsCodes.verify({ phone, purpose: 'link', code });
      await deps.database.transaction(async (tx) => {
        const [owner] = await tx.db.select({ id: customers.id }).from(customers).where(eq(customers.phone, phone));
        if (owner && owner.id !== customerId) throw new AppError('PHONE_IN_USE', 'This phone number belongs to another customer');
        await tx.db.update(customers).set({ phone }).where(eq(customers.id, customerId));
      });
    },

    /**
     * Exchanges a refresh token for a new pair. A token that was already rotated is a stolen copy
     * (or the thief already used it): the whole family is revoked and both parties must log in again.
     */
    /** `audience` is the endpoint's: a staff refresh token is not accepted on the customer endpoint, nor the reverse. */
    async refresh(refreshToken: string, audience: Principal['audience']): Promise<Session> {
      const outcome = await deps.database.transaction(async (tx) => {
        const [row] = await tx.db
          .select()
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, hashRefreshToken(refreshToken)))
          .for('update');
        if (!row || row.subjectType !== audience || row.revokedAt || row.expiresAt <= clock.now()) {
          return { error: 'REFRESH_TOKEN_INVALID' as const };
        }
        if (row.rotatedAt) {
          await tx.db
            .update(refreshTokens)
            .set({ revokedAt: clock.now() })
            .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
          return { error: 'REFRESH_TOKEN_REUSED' as const };
        }
        await tx.db.update(refreshTokens).set({ rotatedAt: clock.now() }).where(eq(refreshTokens.id, row.id));
        const principal: Principal =
          row.subjectType === 'staff' ? await staffPrincipal(tx, row.subjectId) : { audience: 'customer', id: row.subjectId, roles: ['customer'] };
        return { session: await openSession(tx, principal, row.familyId) };
      });
      // The revocation above must commit, so the error is raised after the transaction.
      if (outcome.error === 'REFRESH_TOKEN_REUSED') throw new AppError('REFRESH_TOKEN_REUSED', 'This session was ended for safety; please log in again');
      if (outcome.error) throw new AppError('REFRESH_TOKEN_INVALID', 'Please log in again');
      return outcome.session;
    },

    /** Ends the session the refresh token belongs to (every token of its family). */
    async logout(refreshToken: string): Promise<void> {
      const family = deps.database.db
        .select({ familyId: refreshTokens.familyId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashRefreshToken(refreshToken)));
      await deps.database.db
        .update(refreshTokens)
        .set({ revokedAt: clock.now() })
        .where(and(isNull(refreshTokens.revokedAt), eq(refreshTokens.familyId, family)));
    },

    async customerProfile(customerId: number) {
      const [customer] = await deps.database.db.select().from(customers).where(eq(customers.id, customerId));
      if (!customer) throw notFound('Customer');
      return { id: customer.id, phone: customer.phone, hasWechat: customer.wechatOpenid !== null };
    },

    async staffProfile(staffId: number) {
      const [staff] = await deps.database.db.select().from(staffUsers).where(eq(staffUsers.id, staffId));
      if (!staff) throw notFound('Staff user');
      return { id: staff.id, username: staff.username, displayName: staff.displayName, roles: staff.roles };
    },

    async staffLogin(username: string, password: string, ip: string): Promise<Session> {
      const failures = failureBudget(deps.store, STAFF_LOGIN_FAILURES, `${username}:${ip}`);
      await failures.check();
      const [staff] = await deps.database.db.select().from(staffUsers).where(eq(staffUsers.username, username));
      // The hash is checked even for unknown users so timing does not tell which usernames exist.
      const valid = await verifyPassword(password, staff?.passwordHash ?? DUMMY_HASH);
      if (!staff || !valid || staff.disabledAt) {
        await failures.record();
        throw new AppError('INVALID_CREDENTIALS', 'Wrong username or password');
      }
      return deps.database.transaction((tx) => openSession(tx, { audience: 'staff', id: staff.id, roles: staff.roles }));
    },
  };
}

// A valid scrypt hash of a random password, so unknown usernames cost the same as known ones.
const DUMMY_HASH = 'scrypt$32768$8$1$vkG7P6GHKQPJOIdEXK0zyA$GA95mk9Rf4iV1waUnx1Jx_HvhSQGwINWoZQX8QtitOQ';

export type AuthService = ReturnType<typeof createAuthService>;
