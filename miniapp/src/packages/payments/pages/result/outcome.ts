import type { PaymentOrder } from '../../../../../../shared/contracts/payments';

/** What the customer is told about an order; `unknown` once the bounded wait is over and it is still open. */
export type Outcome = 'paid' | 'cancelled' | 'closed' | 'failed' | 'checking' | 'unknown';

export function outcomeOf(order: Pick<PaymentOrder, 'state' | 'cancelled'>, waitedEnough: boolean): Outcome {
  if (order.state === 'PAID') return 'paid';
  if (order.state === 'CLOSED') return order.cancelled ? 'cancelled' : 'closed';
  if (order.state === 'FAILED') return 'failed';
  return waitedEnough ? 'unknown' : 'checking';
}
