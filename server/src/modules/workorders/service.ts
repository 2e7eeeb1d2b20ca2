import type { Logger } from 'pino';
import { CATALOG, transition, TransitionRefused, type OrderAction, type OrderState, type RequestType } from '../../../../shared/requests/catalog';
import { RequestSubmission } from '../../../../shared/requests/forms';
import type { WorkCalendar } from '../../../../shared/workdays';
import type { WorkOrderDetail, WorkOrderSummary } from '../../../../shared/contracts/requests';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import { AppError, notFound } from '../../errors';
import type { Outbox } from '../../jobs/outbox';
import type { AccountsService } from '../accounts/service';
import type { Notifications } from '../notifications/service';
import type { Outages } from '../outages/service';
import { documentStatus, type Documents } from './documents';
import { sweepDeadlines } from './deadlines';
import { stateOf, type OrderRow } from './orders';
import { nextTicketNo } from './tickets';

export type Actor = { kind: 'customer'; id: number } | { kind: 'staff'; id: number } | { kind: 'backoffice'; id: string } | { kind: 'system' };

export const CUSTOMER_AUDIENCE = 'customer';

/** How customers and staff see an order. */
export function presentOrder(row: OrderRow, now: Date): WorkOrderSummary {
  const stage = row.stage ? CATALOG[row.type].stages.find((candidate) => candidate.key === row.stage) : undefined;
  return {
    id: row.id,
    ticketNo: row.ticket_no,
    type: row.type,
    typeName: CATALOG[row.type].name,
    state: row.state,
    stage: row.stage,
    stageName: stage?.name ?? null,
    stageDeadline: row.stage_deadline?.toISOString() ?? null,
    overdue: Boolean(row.stage_deadline && (row.state === 'stage' || row.state === 'awaiting_documents') && now > row.stage_deadline),
    createdAt: row.created_at.toISOString(),
    rating: row.rating,
  };
}

/**
 * Service requests as work orders: one order per submission (idempotent on the client's key),
 * dispatched to the grid of the account's transformer area, moved through its type's stages by
 * conditional transitions with an audit trail; every change goes to the back office through the
 * outbox and to the customer through notifications.
 */
export function createWorkOrders(deps: {
  database: Database;
  clock: Clock;
  calendar: WorkCalendar;
  outbox: Outbox;
  notifications: Notifications;
  accounts: AccountsService;
  outages: Outages;
  documents: Documents;
  log: Logger;
}) {
  const { database, calendar } = deps;
  deps.notifications.registerAudience(CUSTOMER_AUDIENCE, ([customerId]) => ({ sql: 'SELECT $1::bigint AS customer_id', values: [customerId] }));

  function stageTimes(type: RequestType, state: OrderState, now: Date) {
    if (state.kind !== 'stage' && state.kind !== 'awaiting_documents') return { stage: null, started: null, deadline: null };
    const stage = CATALOG[type].stages.find((candidate) => candidate.key === state.stage)!;
    return { stage: stage.key, started: now, deadline: calendar.deadline(now, stage.limit) };
  }

  async function record(tx: Tx, order: OrderRow, action: string, from: OrderState | null, to: OrderState, actor: Actor, note?: string) {
    const now = deps.clock.now();
    await tx.client.query(
      'INSERT INTO work_order_events (work_order_id, action, from_state, to_state, actor, actor_id, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [order.id, action, from, to, actor.kind, 'id' in actor ? String(actor.id) : null, note ?? null, now],
    );
    await deps.outbox.write(tx, 'backoffice', {
      type: action === 'submitted' ? 'workorder.created' : 'workorder.changed',
      data: {
        orderId: order.id,
        type: order.type,
        action,
        state: to,
        grid: order.grid_code,
        assignee: order.assignee_staff_id,
        version: order.version,
        ...(action === 'submitted' ? { form: order.form } : {}),
      },
    });
    if (action !== 'submitted' && actor.kind !== 'customer') {
      const stageName =
        to.kind === 'stage' || to.kind === 'awaiting_documents'
          ? CATALOG[order.type].stages.find((stage) => stage.key === to.stage)!.name
          : { completed: '已办结', cancelled: '已取消', closed: '已关闭' }[to.kind];
      await deps.notifications.publish(tx, {
        eventKey: `workorder:${order.id}:${order.version}`,
        topic: 'workorder',
        audience: { name: CUSTOMER_AUDIENCE, params: [order.customer_id] },
        payload: {
          page: `packages/requests/pages/detail/index?id=${order.id}`,
          wechat: {
            character_string1: order.ticket_no,
            phrase2: to.kind === 'awaiting_documents' ? '待补资料' : '进度更新',
            time3: new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '),
            thing4: `${CATALOG[order.type].name}：${stageName}`.slice(0, 20),
          },
          sms: { template: 'workorder_progress', params: { order: order.ticket_no, type: CATALOG[order.type].name, stage: stageName, note: note ?? '' } },
        },
      });
    }
  }

  async function gridFor(tx: Tx, accountId: number | null): Promise<{ grid: string | null; manager: number | null; area: string | null }> {
    if (!accountId) return { grid: null, manager: null, area: null };
    const {
      rows: [row],
    } = await tx.client.query<{ area: string; grid: string | null; manager: number | null }>(
      `SELECT a.transformer_area AS area, g.code AS grid, g.manager_staff_id AS manager
         FROM electricity_accounts a LEFT JOIN grid_areas ga ON ga.transformer_area = a.transformer_area LEFT JOIN service_grids g ON g.code = ga.grid_code
        WHERE a.id = $1`,
      [accountId],
    );
    return { grid: row?.grid ?? null, manager: row?.manager ?? null, area: row?.area ?? null };
  }

  async function actInTx(tx: Tx, orderId: number, actor: Actor, action: OrderAction, note?: string, expectedCustomer?: number): Promise<OrderRow> {
    const {
      rows: [current],
    } = await tx.client.query<OrderRow>('SELECT * FROM work_orders WHERE id = $1 FOR UPDATE', [orderId]);
    if (!current || (expectedCustomer !== undefined && current.customer_id !== expectedCustomer)) throw notFound('Work order');
    const from = stateOf(current);
    let to: OrderState;
    try {
      to = transition(current.type, from, action);
    } catch (err) {
      if (err instanceof TransitionRefused) throw new AppError('TRANSITION_REFUSED', err.message);
      throw err;
    }
    const now = deps.clock.now();
    // Waiting for documents keeps the stage's clock; any other move starts the next stage's.
    const keepClock = to.kind === 'awaiting_documents' || action.action === 'documents_supplied';
    const times = keepClock
      ? {
          stage: to.kind === 'stage' || to.kind === 'awaiting_documents' ? to.stage : null,
          started: current.stage_started_at,
          deadline: current.stage_deadline,
        }
      : stageTimes(current.type, to, now);
    const {
      rows: [order],
    } = await tx.client.query<OrderRow>(
      `UPDATE work_orders SET state = $2, stage = $3, stage_started_at = $4, stage_deadline = $5, version = version + 1, updated_at = $6,
              warned_at = CASE WHEN $7 THEN warned_at END, overdue_at = CASE WHEN $7 THEN overdue_at END
        WHERE id = $1 AND version = $8 RETURNING *`,
      [orderId, to.kind, times.stage, times.started, times.deadline, now, keepClock, current.version],
    );
    await record(tx, order!, action.action, from, to, actor, note);
    return order!;
  }

  return {
    /** Files a request; the same key again returns the first order, a different request under it is refused. */
    async submit(customerId: number, idempotencyKey: string, input: unknown): Promise<{ order: OrderRow; created: boolean }> {
      const submission = RequestSubmission.parse(input);
      const accountId = 'accountId' in submission.form ? (submission.form.accountId ?? null) : null;
      if (accountId) await deps.accounts.requireBound(customerId, accountId);
      return database.transaction(async (tx) => {
        const now = deps.clock.now();
        const first: OrderState = { kind: 'stage', stage: CATALOG[submission.type].stages[0]!.key };
        const times = stageTimes(submission.type, first, now);
        const dispatch = await gridFor(tx, accountId);
        const ticket = await nextTicketNo(tx, now);
        const {
          rows: [order],
        } = await tx.client.query<OrderRow>(
          `INSERT INTO work_orders (customer_id, account_id, type, form, idempotency_key, state, stage, stage_started_at, stage_deadline, grid_code, assignee_staff_id, created_at, updated_at, ticket_no)
           VALUES ($1, $2, $3, $4, $5, 'stage', $6, $7, $8, $9, $10, $7, $7, $11)
           ON CONFLICT (customer_id, idempotency_key) DO NOTHING RETURNING *`,
          [
            customerId,
            accountId,
            submission.type,
            submission.form,
            idempotencyKey,
            times.stage,
            times.started,
            times.deadline,
            dispatch.grid,
            dispatch.manager,
            ticket.ticketNo,
          ],
        );
        if (!order) {
          await ticket.release();
          // jsonb equality ignores key order: the same form sent again matches however it was serialised.
          const {
            rows: [existing],
          } = await tx.client.query<OrderRow & { same: boolean }>(
            'SELECT *, (type = $3 AND form = $4::jsonb) AS same FROM work_orders WHERE customer_id = $1 AND idempotency_key = $2',
            [customerId, idempotencyKey, submission.type, JSON.stringify(submission.form)],
          );
          if (!existing!.same) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
          return { order: existing!, created: false };
        }
        await deps.documents.link(tx, customerId, order.id, submission.documents ?? [], now);
        await record(tx, order, 'submitted', null, first, { kind: 'customer', id: customerId });
        if (submission.type === 'fault_repair' && dispatch.area) {
          await deps.outages.recordFaultReport(tx, { transformerArea: dispatch.area, accountId: accountId ?? undefined, source: `workorder:${order.id}` });
        }
        return { order, created: true };
      });
    },

    /** One transition from the order's current state, refused (409) when the stage machine says no. */
    act(orderId: number, actor: Actor, action: OrderAction, note?: string, expectedCustomer?: number): Promise<OrderRow> {
      return database.transaction((tx) => actInTx(tx, orderId, actor, action, note, expectedCustomer));
    },

    /** The customer supplies documents staff asked for: they are attached and the stage resumes. */
    supplyDocuments(orderId: number, customerId: number, documentIds: number[]): Promise<OrderRow> {
      return database.transaction(async (tx) => {
        const order = await actInTx(
          tx,
          orderId,
          { kind: 'customer', id: customerId },
          { action: 'documents_supplied' },
          `${documentIds.length} document(s)`,
          customerId,
        );
        await deps.documents.link(tx, customerId, orderId, documentIds, deps.clock.now());
        return order;
      });
    },

    async rate(orderId: number, customerId: number, rating: number, comment?: string): Promise<void> {
      const { rowCount } = await database.pool.query(
        `UPDATE work_orders SET rating = $3, rating_comment = $4, updated_at = now() WHERE id = $1 AND customer_id = $2 AND state = 'completed' AND rating IS NULL`,
        [orderId, customerId, rating, comment ?? null],
      );
      if (!rowCount) throw new AppError('TRANSITION_REFUSED', 'Only a completed request can be rated, once');
    },

    async reassign(orderId: number, staffId: number, assignee: number): Promise<void> {
      await database.transaction(async (tx) => {
        // Checked here, not left to the foreign key: a missing or disabled colleague is the caller's mistake, not a 500.
        const { rowCount } = await tx.client.query('SELECT 1 FROM staff_users WHERE id = $1 AND disabled_at IS NULL', [assignee]);
        if (!rowCount) {
          throw new AppError('VALIDATION_FAILED', 'No active staff member has this id', {
            issues: [{ path: 'body.staffId', message: 'no active staff member with this id' }],
          });
        }
        const {
          rows: [order],
        } = await tx.client.query<OrderRow>(
          'UPDATE work_orders SET assignee_staff_id = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *',
          [orderId, assignee],
        );
        if (!order) throw notFound('Work order');
        await record(tx, order, 'reassigned', stateOf(order), stateOf(order), { kind: 'staff', id: staffId }, `assigned to ${assignee}`);
      });
    },

    async listMine(customerId: number): Promise<WorkOrderSummary[]> {
      const { rows } = await database.pool.query<OrderRow>('SELECT * FROM work_orders WHERE customer_id = $1 ORDER BY id DESC LIMIT 100', [customerId]);
      return rows.map((row) => presentOrder(row, deps.clock.now()));
    },

    async listForStaff(filter: { overdue?: boolean; grid?: string }) {
      const { rows } = await database.pool.query<OrderRow>(
        `SELECT * FROM work_orders WHERE state IN ('stage', 'awaiting_documents')
            AND ($1::boolean IS NOT TRUE OR stage_deadline < $2) AND ($3::text IS NULL OR grid_code = $3)
          ORDER BY stage_deadline LIMIT 500`,
        [filter.overdue ?? null, deps.clock.now(), filter.grid ?? null],
      );
      return rows.map((row) => ({ ...presentOrder(row, deps.clock.now()), grid: row.grid_code, assigneeStaffId: row.assignee_staff_id }));
    },

    async detail(orderId: number, customerId: number): Promise<WorkOrderDetail> {
      const { order, events, upcoming } = await this.timeline(orderId, customerId);
      const documents = await deps.documents.listForOrder(order.id);
      return {
        ...presentOrder(order, deps.clock.now()),
        form: order.form,
        events: events.map((event: { action: string; to_state: OrderState; actor: string; note: string | null; at: Date }) => ({
          action: event.action,
          state: event.to_state.kind,
          stage: 'stage' in event.to_state ? event.to_state.stage : null,
          actor: event.actor,
          note: event.note,
          at: event.at.toISOString(),
        })),
        upcoming,
        documents: documents.map(({ attachedAt, ...document }) => ({ ...document, status: documentStatus(attachedAt, order, events) })),
        canCancel: order.state === 'stage' && order.stage === CATALOG[order.type].stages[0]!.key,
      };
    },

    /**
     * A back-office callback, already authenticated: applied once per event id. A replay returns the
     * first result; the same id for another order or action is refused.
     */
    async applyCallback(eventId: string, body: { orderId: number; action: 'advance' | 'request_documents' | 'complete' | 'close'; note?: string }) {
      return database.transaction(async (tx) => {
        // A concurrent replay waits here on the event id, then finds the first delivery's record.
        const { rowCount } = await tx.client.query(
          'INSERT INTO backoffice_callbacks (event_id, work_order_id, result) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING',
          [eventId, body.orderId, { action: body.action }],
        );
        if (!rowCount) {
          const {
            rows: [seen],
          } = await tx.client.query<{ work_order_id: number; result: { action: string } }>(
            'SELECT work_order_id, result FROM backoffice_callbacks WHERE event_id = $1',
            [eventId],
          );
          if (seen!.work_order_id !== body.orderId || seen!.result.action !== body.action)
            throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This event id was used for another change');
          const {
            rows: [row],
          } = await tx.client.query<OrderRow>('SELECT * FROM work_orders WHERE id = $1', [body.orderId]);
          return { order: presentOrder(row!, deps.clock.now()), replayed: true };
        }
        const row = await actInTx(tx, body.orderId, { kind: 'backoffice', id: eventId }, { action: body.action }, body.note);
        return { order: presentOrder(row, deps.clock.now()), replayed: false };
      });
    },

    /** A customer's order with its timeline: what happened, then each remaining stage's expected date. */
    async timeline(orderId: number, customerId: number) {
      const {
        rows: [order],
      } = await database.pool.query<OrderRow>('SELECT * FROM work_orders WHERE id = $1 AND customer_id = $2', [orderId, customerId]);
      if (!order) throw notFound('Work order');
      const { rows: events } = await database.pool.query(
        'SELECT action, to_state, actor, note, at FROM work_order_events WHERE work_order_id = $1 ORDER BY id',
        [orderId],
      );
      const stages = CATALOG[order.type].stages;
      const index = order.stage ? stages.findIndex((stage) => stage.key === order.stage) : stages.length;
      let expected = order.stage_deadline;
      const upcoming = order.stage
        ? stages.slice(index + 1).map((stage) => {
            expected = calendar.deadline(expected!, stage.limit);
            return { stage: stage.key, name: stage.name, expectedBy: expected.toISOString() };
          })
        : [];
      return {
        order,
        events,
        current: order.stage ? { stage: order.stage, name: stages[index]!.name, deadline: order.stage_deadline?.toISOString() ?? null } : null,
        upcoming,
      };
    },

    sweepDeadlines: () => sweepDeadlines(deps),
  };
}

export type WorkOrders = ReturnType<typeof createWorkOrders>;
