import { eq } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { electricityAccounts } from '../../db/schema';

/**
 * Functions other modules call to read the accounts' tables (see the module ownership table in
 * docs): plain functions over the caller's `Db`, typed by the schema.
 */

/** Payments' electronic receipt: the account number, holder and address printed on it (masked by the caller). */
export async function accountOnFile(db: Db, accountId: number) {
  const [row] = await db
    .select({ accountNo: electricityAccounts.accountNo, holderName: electricityAccounts.holderName, address: electricityAccounts.address })
    .from(electricityAccounts)
    .where(eq(electricityAccounts.id, accountId));
  return row;
}
