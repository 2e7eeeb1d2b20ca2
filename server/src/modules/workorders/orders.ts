import type { OrderState } from '../../../../shared/requests/catalog';
import type { workOrders } from '../../db/schema';

/** A work_orders row as the schema types it. */
export type OrderRow = typeof workOrders.$inferSelect;

/** The order's place in its type's stage machine, from its row. */
export const stateOf = (row: Pick<OrderRow, 'state' | 'stage'>): OrderState =>
  row.state === 'stage' || row.state === 'awaiting_documents' ? { kind: row.state, stage: row.stage! } : { kind: row.state };

/** The states whose stage clock runs: deadlines, warnings and the staff's open list. */
export const OPEN_STATES: OrderRow['state'][] = ['stage', 'awaiting_documents'];
