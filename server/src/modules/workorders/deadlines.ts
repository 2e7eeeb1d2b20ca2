import type { Logger } from 'pino';
import { CATALOG } from '../../../../shared/requests/catalog';
import type { WorkCalendar } from '../../../../shared/workdays';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import type { Outbox } from '../../jobs/outbox';
import { stateOf, type OrderRow } from './orders';

const WARN_AT_PERMILLE = 800;

interface DeadlineDeps {
  database: Database;
  clock: Clock;
  calendar: WorkCalendar;
  outbox: Outbox;
  log: Logger;
}

/** The time-limit job: a warning at 80 % of a stage's limit, and the overdue mark after it; each once per stage. */
export async function sweepDeadlines(deps: DeadlineDeps): Promise<{ warned: number; overdue: number }> {
  const { database, calendar } = deps;
  const now = deps.clock.now();
  const { rows } = await database.pool.query<OrderRow>(
    `SELECT * FROM work_orders WHERE state IN ('stage', 'awaiting_documents') AND (warned_at IS NULL OR (overdue_at IS NULL AND stage_deadline < $1))`,
    [now],
  );
  let warned = 0;
  let overdue = 0;
  for (const order of rows) {
    const stage = CATALOG[order.type].stages.find((candidate) => candidate.key === order.stage)!;
    const share = calendar.elapsedShare(order.stage_started_at!, order.stage_deadline!, now, stage.limit);
    const late = now > order.stage_deadline!;
    if (!late && share < WARN_AT_PERMILLE) continue;
    await database.transaction(async (tx) => {
      const {
        rows: [updated],
      } = await tx.client.query<OrderRow>(
        `UPDATE work_orders SET warned_at = coalesce(warned_at, $2), overdue_at = CASE WHEN $3 THEN coalesce(overdue_at, $2) ELSE overdue_at END
            WHERE id = $1 AND version = $4 AND (warned_at IS NULL OR ($3 AND overdue_at IS NULL)) RETURNING *`,
        [order.id, now, late, order.version],
      );
      if (!updated) return;
      const action = late && !order.overdue_at ? 'overdue' : 'deadline_warning';
      if (action === 'overdue') overdue += 1;
      else warned += 1;
      await tx.client.query('INSERT INTO work_order_events (work_order_id, action, to_state, actor, note, at) VALUES ($1, $2, $3, $4, $5, $6)', [
        order.id,
        action,
        stateOf(order),
        'system',
        `stage ${stage.key}: ${Math.round(share / 10)}% of its limit used`,
        now,
      ]);
      // The grid manager hears of it through the back office, which routes staff alerts.
      await deps.outbox.write(tx, 'backoffice', {
        type: `workorder.${action}`,
        data: { orderId: order.id, stage: stage.key, grid: order.grid_code, assignee: order.assignee_staff_id, deadline: order.stage_deadline },
      });
    });
  }
  if (warned || overdue) deps.log.info({ warned, overdue }, 'work order deadlines checked');
  return { warned, overdue };
}
