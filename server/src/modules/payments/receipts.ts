import { and, desc, eq, inArray } from 'drizzle-orm';
import { CHANNEL_NAMES, type ElectronicReceipt } from '../../../../shared/contracts/payments';
import { maskAddress, maskName } from '../../../../shared/mask';
import { fenToCapital } from '../../../../shared/money-capital';
import type { Db } from '../../db/database';
import { paymentOrders, paymentReceipts, paymentRefunds } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import { accountOnFile } from '../accounts/published';
import { allocationLines } from '../billing/published';
import { getMeta } from '../meta/service';

/** The receipt number: the order's own number (unique, never reused) with R for P, so the two are told apart yet traceable. */
export const receiptNoOf = (outTradeNo: string) => `R${outTradeNo.replace(/^P/, '')}`;

/**
 * The electronic receipt (电子收费凭证) of one of the customer's paid orders, built from what was
 * written when it became PAID: the receipt row, the allocation it points to (billing's), the
 * account (accounts') and the utility's name (meta's). Someone else's order and a missing one
 * answer the same 404; an order not paid has no receipt yet.
 */
export async function paymentReceipt(db: Db, now: Date, customerId: number, orderId: number): Promise<ElectronicReceipt> {
  const [found] = await db
    .select({ order: paymentOrders, receipt: paymentReceipts })
    .from(paymentOrders)
    .leftJoin(paymentReceipts, eq(paymentReceipts.orderId, paymentOrders.id))
    .where(and(eq(paymentOrders.id, orderId), eq(paymentOrders.customerId, customerId)));
  if (!found) throw notFound('Payment');
  const { order, receipt } = found;
  // PAID and its receipt row are written in one transaction; the trade number comes with PAID.
  if (order.state !== 'PAID' || !receipt || !order.gatewayTradeNo || !order.paidAt) {
    throw new AppError('PAYMENT_NOT_PAID', `Order ${order.outTradeNo} is ${order.state}: a receipt exists only once it is paid`);
  }
  const [allocations, account, meta, [refund]] = await Promise.all([
    allocationLines(db, [receipt.allocationRef]),
    accountOnFile(db, order.accountId),
    getMeta(db, now),
    db
      .select({ state: paymentRefunds.state })
      .from(paymentRefunds)
      .where(and(eq(paymentRefunds.orderId, order.id), inArray(paymentRefunds.state, ['REFUNDING', 'REFUNDED'])))
      .orderBy(desc(paymentRefunds.id))
      .limit(1),
  ]);
  if (!account) throw notFound('Account');
  return {
    receiptNo: receiptNoOf(order.outTradeNo),
    orderId: order.id,
    outTradeNo: order.outTradeNo,
    payee: meta.utility.name,
    paidAt: order.paidAt.toISOString(),
    channel: order.channel,
    channelName: CHANNEL_NAMES[order.channel],
    gatewayTradeNo: order.gatewayTradeNo,
    purpose: order.purpose,
    account: { accountNo: account.accountNo, holderNameMasked: maskName(account.holderName), addressMasked: maskAddress(account.address) },
    bills: (allocations.get(receipt.allocationRef) ?? []).map((line) => ({
      month: line.month,
      principalFen: line.principalFen,
      lateFeeFen: line.lateFeeFen,
      amountFen: line.principalFen + line.lateFeeFen,
    })),
    prepaymentFen: receipt.prepaymentFen,
    totalFen: receipt.amountFen,
    totalInWords: fenToCapital(receipt.amountFen),
    refund: refund?.state === 'REFUNDING' || refund?.state === 'REFUNDED' ? refund.state : null,
  };
}
