import type { OrderState, RequestType } from '../../../../shared/requests/catalog';

/** A work_orders row as the service reads it. */
export interface OrderRow {
  id: number;
  ticket_no: string;
  customer_id: number;
  account_id: number | null;
  type: RequestType;
  form: Record<string, unknown>;
  idempotency_key: string;
  state: OrderState['kind'];
  stage: string | null;
  stage_started_at: Date | null;
  stage_deadline: Date | null;
  warned_at: Date | null;
  overdue_at: Date | null;
  grid_code: string | null;
  assignee_staff_id: number | null;
  version: number;
  rating: number | null;
  created_at: Date;
}

/** The order's place in its type's stage machine, from its row. */
export const stateOf = (row: Pick<OrderRow, 'state' | 'stage'>): OrderState =>
  row.state === 'stage' || row.state === 'awaiting_documents' ? { kind: row.state, stage: row.stage! } : { kind: row.state };
