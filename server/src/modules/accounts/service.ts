import { and, asc, count, eq } from 'drizzle-orm';
import type { Account } from '../../../../shared/contracts/accounts';
import { maskAddress, maskName } from '../../../../shared/mask';
import type { Clock } from '../../app';
import { advisoryXactLock, type Database, type Tx } from '../../db/database';
import { accountBindings, electricityAccounts } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import { failureBudget } from '../../rate-limit';
import type { KeyValueStore } from '../../redis';
import { SMS_CODE_TTL_MS, type SmsCodes } from '../auth/sms-codes';
import { isAccountBound } from './published';

export const MAX_ACCOUNTS_PER_CUSTOMER = 10;
const HOUR = 3_600_000;
/** Wrong answers allowed before binding is refused for a while: per customer, and per account number. */
export const BIND_FAILURES = {
  perCustomer: { name: 'bind-customer', limit: 5, windowMs: HOUR },
  perAccount: { name: 'bind-account', limit: 10, windowMs: 24 * HOUR },
};

type BindRequest = { method: 'holder'; accountNo: string; holderName: string; phoneLast4: string } | { method: 'sms'; accountNo: string; code: string };

type AccountRow = typeof electricityAccounts.$inferSelect;

function present(row: AccountRow, isDefault: boolean): Account {
  return {
    id: row.id,
    accountNo: row.accountNo,
    holderNameMasked: maskName(row.holderName),
    addressMasked: maskAddress(row.address),
    customerClass: row.customerClass,
    isDefault,
  };
}

const normaliseName = (name: string) => name.replace(/\s+/g, '').toLowerCase();

export function createAccountsService(deps: { database: Database; store: KeyValueStore; clock: Clock; smsCodes: SmsCodes }) {
  const { database } = deps;

  async function boundAccount(tx: Tx | { db: Database['db'] }, customerId: number, accountId: number) {
    const [row] = await tx.db
      .select({ account: electricityAccounts, isDefault: accountBindings.isDefault })
      .from(accountBindings)
      .innerJoin(electricityAccounts, eq(electricityAccounts.id, accountBindings.accountId))
      .where(and(eq(accountBindings.customerId, customerId), eq(accountBindings.accountId, accountId)));
    return row;
  }

  return {
    /**
     * The one authorisation check for account-scoped routes: someone else's account and a missing
     * one get the same 404, so ids cannot be probed.
     */
    async requireBound(customerId: number, accountId: number): Promise<void> {
      if (!(await isAccountBound(database.db, customerId, accountId))) throw notFound('Account');
    },

    async list(customerId: number): Promise<Account[]> {
      const rows = await database.db
        .select({ account: electricityAccounts, isDefault: accountBindings.isDefault })
        .from(accountBindings)
        .innerJoin(electricityAccounts, eq(electricityAccounts.id, accountBindings.accountId))
        .where(eq(accountBindings.customerId, customerId))
        .orderBy(asc(accountBindings.createdAt), asc(electricityAccounts.id));
      return rows.map((row) => present(row.account, row.isDefault));
    },

    async get(customerId: number, accountId: number): Promise<Account> {
      const row = await boundAccount(database, customerId, accountId);
      if (!row) throw notFound('Account');
      return present(row.account, row.isDefault);
    },

    /** Sends a code to the phone on file; answers the same for unknown accounts so numbers cannot be tested. */
    async sendBindCode(customerId: number, accountNo: string, ip: string): Promise<{ expiresInSeconds: number }> {
      const budget = failureBudget(deps.store, BIND_FAILURES.perCustomer, String(customerId));
      await budget.check();
      const [account] = await database.db.select().from(electricityAccounts).where(eq(electricityAccounts.accountNo, accountNo));
      if (!account) {
        await budget.record();
        return { expiresInSeconds: SMS_CODE_TTL_MS / 1000 };
      }
      return deps.smsCodes.send({ phone: account.phoneOnFile, purpose: 'bind', subject: accountNo, ip });
    },

    /**
     * Binds after proof of ownership. Every failure — unknown account, wrong name, wrong digits,
     * wrong code — gives the same answer and counts against the customer and the account number.
     */
    async bind(customerId: number, request: BindRequest): Promise<Account> {
      const perCustomer = failureBudget(deps.store, BIND_FAILURES.perCustomer, String(customerId));
      const perAccount = failureBudget(deps.store, BIND_FAILURES.perAccount, request.accountNo);
      await perCustomer.check();
      await perAccount.check();
      const fail = async (): Promise<never> => {
        await Promise.all([perCustomer.record(), perAccount.record()]);
        throw new AppError('BIND_VERIFICATION_FAILED', 'The account number and the details given do not match our records');
      };

      const [account] = await database.db.select().from(electricityAccounts).where(eq(electricityAccounts.accountNo, request.accountNo));
      if (!account) return fail();
      if (request.method === 'holder') {
        const matches = normaliseName(request.holderName) === normaliseName(account.holderName) && account.phoneOnFile.endsWith(request.phoneLast4);
        if (!matches) return fail();
      } else {
        try {
          await deps.smsCodes.verify({ phone: account.phoneOnFile, purpose: 'bind', subject: account.accountNo, code: request.code });
        } catch (err) {
          if (err instanceof AppError && err.code === 'SMS_CODE_LOCKED') throw err;
          return fail();
        }
      }

      return database.transaction(async (tx) => {
        // Serialises concurrent binds by one customer so the limit of ten holds.
        await advisoryXactLock(tx.db, 7250100, customerId % 2_147_483_647);
        const existing = await boundAccount(tx, customerId, account.id);
        if (existing) return present(existing.account, existing.isDefault);
        const [{ bound } = { bound: 0 }] = await tx.db.select({ bound: count() }).from(accountBindings).where(eq(accountBindings.customerId, customerId));
        if (bound >= MAX_ACCOUNTS_PER_CUSTOMER) throw new AppError('ACCOUNT_LIMIT_REACHED', `At most ${MAX_ACCOUNTS_PER_CUSTOMER} accounts can be bound`);
        const isDefault = bound === 0;
        await tx.db.insert(accountBindings).values({ customerId, accountId: account.id, isDefault, createdAt: deps.clock.now() });
        return present(account, isDefault);
      });
    },

    async unbind(customerId: number, accountId: number): Promise<void> {
      await database.transaction(async (tx) => {
        const [removed] = await tx.db
          .delete(accountBindings)
          .where(and(eq(accountBindings.customerId, customerId), eq(accountBindings.accountId, accountId)))
          .returning();
        if (!removed) throw notFound('Account');
        if (!removed.isDefault) return;
        // The oldest remaining binding becomes the default.
        const oldest = tx.db
          .select({ accountId: accountBindings.accountId })
          .from(accountBindings)
          .where(eq(accountBindings.customerId, customerId))
          .orderBy(asc(accountBindings.createdAt), asc(accountBindings.accountId))
          .limit(1);
        await tx.db
          .update(accountBindings)
          .set({ isDefault: true })
          .where(and(eq(accountBindings.customerId, customerId), eq(accountBindings.accountId, oldest)));
      });
    },

    async setDefault(customerId: number, accountId: number): Promise<Account> {
      return database.transaction(async (tx) => {
        const row = await boundAccount(tx, customerId, accountId);
        if (!row) throw notFound('Account');
        await tx.db
          .update(accountBindings)
          .set({ isDefault: false })
          .where(and(eq(accountBindings.customerId, customerId), eq(accountBindings.isDefault, true)));
        await tx.db
          .update(accountBindings)
          .set({ isDefault: true })
          .where(and(eq(accountBindings.customerId, customerId), eq(accountBindings.accountId, accountId)));
        return present(row.account, true);
      });
    },

    async countBound(customerId: number): Promise<number> {
      const [{ bound } = { bound: 0 }] = await database.db.select({ bound: count() }).from(accountBindings).where(eq(accountBindings.customerId, customerId));
      return bound;
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
