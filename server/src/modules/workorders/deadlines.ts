import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { CATALOG } from '../../../../shared/requests/catalog';
import type { WorkCalendar } from '../../../../shared/workdays';
import type { Clock } from '../../app';
import type { Database } from '../../db/database';
import { workOrderEvents, workOrders } from '../../db/schema';
import type { Outbox } from '../../jobs/outbox';
import { OPEN_STATES, stateOf } from './orders';

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
  const rows = await database.db
    .select()
    .from(workOrders)
    .where(and(inArray(workOrders.state, OPEN_STATES), or(isNull(workOrders.warnedAt), and(isNull(workOrders.overdueAt), lt(workOrders.stageDeadline, now)))));
  let warned = 0;
  let overdue = 0;
  for (const order of rows) {
    const stage = CATALOG[order.type].stages.find((candidate) => candidate.key === order.stage)!;
    const share = calendar.elapsedShare(order.stageStartedAt!, order.stageDeadline!, now, stage.limit);
    const late = now > order.stageDeadline!;
    if (!late && share < WARN_AT_PERMILLE) continue;
    await database.transaction(async (tx) => {
      // Conditional on the version read and on the mark still missing: a concurrent sweep or move wins, once.
      const [updated] = await tx.db
        .update(workOrders)
        .set({
          warnedAt: sql`coalesce(${workOrders.warnedAt}, ${now})`,
          ...(late ? { overdueAt: sql`coalesce(${workOrders.overdueAt}, ${now})` } : {}),
        })
        .where(
          and(
            eq(workOrders.id, order.id),
            eq(workOrders.version, order.version),
            late ? or(isNull(workOrders.warnedAt), isNull(workOrders.overdueAt)) : isNull(workOrders.warnedAt),
          ),
        )
        .returning({ id: workOrders.id });
      if (!updated) return;
      const action = late && !order.overdueAt ? 'overdue' : 'deadline_warning';
      if (action === 'overdue') overdue += 1;
      else warned += 1;
      await tx.db.insert(workOrderEvents).values({
        workOrderId: order.id,
        action,
        toState: stateOf(order),
        actor: 'system',
        note: `stage ${stage.key}: ${Math.round(share / 10)}% of its limit used`,
        at: now,
      });
      // The grid manager hears of it through the back office, which routes staff alerts.
      await deps.outbox.write(
        tx,
        'backoffice',
        {
          type: `workorder.${action}`,
          data: { orderId: order.id, stage: stage.key, grid: order.gridCode, assignee: order.assigneeStaffId, deadline: order.stageDeadline },
        },
        `workorder:${order.id}`,
      );
    });
  }
  if (warned || overdue) deps.log.info({ warned, overdue }, 'work order deadlines checked');
  return { warned, overdue };
}
