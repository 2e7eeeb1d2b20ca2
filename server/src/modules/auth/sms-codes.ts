import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import { smsCodes } from '../../db/schema';
import { AppError } from '../../errors';
import type { SmsClient } from '../../integrations/sms/client';
import type { KeyValueStore } from '../../redis';
import { consume } from '../../rate-limit';

export type SmsPurpose = 'login' | 'link' | 'bind';

export const SMS_CODE_TTL_MS = 5 * 60_000;
export const SMS_MAX_ATTEMPTS = 5;
const MINUTE = 60_000;
export const SMS_LIMITS = {
  perPhoneMinute: { name: 'sms-phone-1m', limit: 1, windowMs: MINUTE },
  perPhoneHour: { name: 'sms-phone-1h', limit: 5, windowMs: 60 * MINUTE },
  perIpHour: { name: 'sms-ip-1h', limit: 20, windowMs: 60 * MINUTE },
};

const hashCode = (phone: string, code: string) => createHash('sha256').update(`${phone}:${code}`).digest();

export function createSmsCodes(deps: { database: Database; store: KeyValueStore; clock: Clock; sms: SmsClient }) {
  return {
    /**
     * Sends a 6-digit code valid for five minutes, within the per-phone and per-IP limits.
     * A new code replaces any earlier one for the same phone and purpose.
     */
    async send(input: { phone: string; purpose: SmsPurpose; subject?: string; ip: string }): Promise<{ expiresInSeconds: number }> {
      await consume(deps.store, deps.clock, SMS_LIMITS.perIpHour, input.ip);
      await consume(deps.store, deps.clock, SMS_LIMITS.perPhoneMinute, input.phone);
      await consume(deps.store, deps.clock, SMS_LIMITS.perPhoneHour, input.phone);
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const now = deps.clock.now();
      await deps.database.db.insert(smsCodes).values({
        phone: input.phone,
        purpose: input.purpose,
        subject: input.subject ?? '',
        codeHash: hashCode(input.phone, code).toString('hex'),
        createdAt: now,
        expiresAt: new Date(now.getTime() + SMS_CODE_TTL_MS),
      });
      try {
        await deps.sms.send({ phone: input.phone, template: 'verification_code', params: { code, minutes: '5' } });
      } catch {
        throw new AppError('SMS_SEND_FAILED', 'The text message could not be sent; try again shortly');
      }
      return { expiresInSeconds: SMS_CODE_TTL_MS / 1000 };
    },

    /**
     * Consumes the newest live code for (phone, purpose, subject). A wrong code costs one of five
     * tries and the fifth wrong try locks the code; the count is committed even though the caller's
     * request fails, which is why this runs in its own short transaction.
     */
    async verify(input: { phone: string; purpose: SmsPurpose; subject?: string; code: string }): Promise<void> {
      const now = deps.clock.now();
      let sentAt = now;
      const outcome = await deps.database.transaction(async (tx): Promise<'ok' | 'wrong' | 'locked' | 'none'> => {
        const [row] = await tx.db
          .select()
          .from(smsCodes)
          .where(
            and(
              eq(smsCodes.phone, input.phone),
              eq(smsCodes.purpose, input.purpose),
              eq(smsCodes.subject, input.subject ?? ''),
              isNull(smsCodes.consumedAt),
              gt(smsCodes.expiresAt, now),
            ),
          )
          .orderBy(desc(smsCodes.createdAt), desc(smsCodes.id))
          .limit(1)
          .for('update');
        if (!row) return 'none';
        sentAt = row.createdAt;
        if (row.attempts >= SMS_MAX_ATTEMPTS) return 'locked';
        if (!timingSafeEqual(hashCode(input.phone, input.code), Buffer.from(row.codeHash, 'hex'))) {
          await tx.db
            .update(smsCodes)
            .set({ attempts: sql`${smsCodes.attempts} + 1` })
            .where(eq(smsCodes.id, row.id));
          return row.attempts + 1 >= SMS_MAX_ATTEMPTS ? 'locked' : 'wrong';
        }
        await tx.db.update(smsCodes).set({ consumedAt: now }).where(eq(smsCodes.id, row.id));
        return 'ok';
      });
      if (outcome === 'locked') {
        // A new code can be sent once the per-phone minute since this one's sending has passed.
        const retryAfterSeconds = Math.max(0, Math.ceil((sentAt.getTime() + SMS_LIMITS.perPhoneMinute.windowMs - now.getTime()) / 1000));
        throw new AppError('SMS_CODE_LOCKED', 'Too many wrong tries; request a new code', { retryAfterSeconds });
      }
      if (outcome !== 'ok') throw new AppError('SMS_CODE_INVALID', 'The code is wrong or has expired');
    },
  };
}

export type SmsCodes = ReturnType<typeof createSmsCodes>;
