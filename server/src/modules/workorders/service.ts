import { and, asc, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { CATALOG, transition, TransitionRefused, type OrderAction, type OrderState, type RequestType } from '../../../../shared/requests/catalog';
import { RequestSubmission } from '../../../../shared/requests/forms';
import type { WorkCalendar } from '../../../../shared/workdays';
import type { WorkOrderDetail, WorkOrderSummary } from '../../../../shared/contracts/requests';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import { backofficeCallbacks, gridAreas, serviceGrids, workOrderEvents, workOrders } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import type { Outbox } from '../../jobs/outbox';
import { accountAreaQuery } from '../accounts/published';
import type { AccountsService } from '../accounts/service';
import { isActiveStaff } from '../auth/published';
import { CUSTOMER_AUDIENCE } from '../notifications/published';
import type { Notifications } from '../notifications/service';
import type { Outages } from '../outages/service';
import { documentStatus, type Documents } from './documents';
import { sweepDeadlines } from './deadlines';
import { OPEN_STATES, stateOf, type OrderRow } from './orders';
import { nextTicketNo } from './tickets';
import { shanghaiMinute } from '../../../../shared/dates';

export type Actor = { kind: 'customer'; id: number } | { kind: 'staff'; id: number } | { kind: 'backoffice'; id: string } | { kind: 'system' };

/** How customers and staff see an order. */
export function presentOrder(row: OrderRow, now: Date): WorkOrderSummary {
  const stage = row.stage ? CATALOG[row.type].stages.find((candidate) => candidate.key === row.stage) : undefined;
  return {
    id: row.id,
    ticketNo: row.ticketNo,
    type: row.type,
    typeName: CATALOG[row.type].name,
    state: row.state,
    stage: row.stage,
    stageName: stage?.name ?? null,
    stageDeadline: row.stageDeadline?.toISOString() ?? null,
    overdue: Boolean(row.stageDeadline && OPEN_STATES.includes(row.state) && now > row.stageDeadline),
    createdAt: row.createdAt.toISOString(),
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

  function stageTimes(type: RequestType, state: OrderState, now: Date) {
    if (state.kind !== 'stage' && state.kind !== 'awaiting_documents') return { stage: null, started: null, deadline: null };
    const stage = CATALOG[type].stages.find((candidate) => candidate.key === state.stage)!;
    return { stage: stage.key, started: now, deadline: calendar.deadline(now, stage.limit) };
  }

  async function record(tx: Tx, order: OrderRow, action: string, from: OrderState | null, to: OrderState, actor: Actor, note?: string) {
    const now = deps.clock.now();
    await tx.db.insert(workOrderEvents).values({
      workOrderId: order.id,
      action,
      fromState: from,
      toState: to,
      actor: actor.kind,
      actorId: 'id' in actor ? String(actor.id) : null,
      note: note ?? null,
      at: now,
    });
    await deps.outbox.write(
      tx,
      'backoffice',
      {
        type: action === 'submitted' ? 'workorder.created' : 'workorder.changed',
        data: {
          orderId: order.id,
          type: order.type,
          action,
          state: to,
          grid: order.gridCode,
          assignee: order.assigneeStaffId,
          version: order.version,
          ...(action === 'submitted' ? { form: order.form } : {}),
        },
      },
      `workorder:${order.id}`,
    );
    if (action !== 'submitted' && actor.kind !== 'customer') {
      const stageName =
        to.kind === 'stage' || to.kind === 'awaiting_documents'
          ? CATALOG[order.type].stages.find((stage) => stage.key === to.stage)!.name
          : { completed: '已办结', cancelled: '已取消', closed: '已关闭' }[to.kind];
      await deps.notifications.publish(tx, {
        eventKey: `workorder:${order.id}:${order.version}`,
        topic: 'workorder',
        audience: { name: CUSTOMER_AUDIENCE, params: [order.customerId] },
        payload: {
          page: `packages/requests/pages/detail/index?id=${order.id}`,
          wechat: {
            character_string1: order.ticketNo,
            phrase2: to.kind === 'awaiting_documents' ? '待补资料' : '进度更新',
            time3: shanghaiMinute(now),
            thing4: `${CATALOG[order.type].name}：${stageName}`.slice(0, 20),
          },
          sms: { template: 'workorder_progress', params: { order: order.ticketNo, type: CATALOG[order.type].name, stage: stageName, note: note ?? '' } },
        },
      });
    }
  }

  async function gridFor(tx: Tx, accountId: number | null): Promise<{ grid: string | null; manager: number | null; area: string | null }> {
    if (!accountId) return { grid: null, manager: null, area: null };
    // The account's area comes from its owner (accounts) as a subquery: still one statement.
    const account = accountAreaQuery(tx.db, accountId).as('account');
    const [row] = await tx.db
      .select({ area: account.transformerArea, grid: serviceGrids.code, manager: serviceGrids.managerStaffId })
      .from(account)
      .leftJoin(gridAreas, eq(gridAreas.transformerArea, account.transformerArea))
      .leftJoin(serviceGrids, eq(serviceGrids.code, gridAreas.gridCode));
    return { grid: row?.grid ?? null, manager: row?.manager ?? null, area: row?.area ?? null };
  }

  async function actInTx(tx: Tx, orderId: number, actor: Actor, action: OrderAction, note?: string, expectedCustomer?: number): Promise<OrderRow> {
    const [current] = await tx.db.select().from(workOrders).where(eq(workOrders.id, orderId)).for('update');
    if (!current || (expectedCustomer !== undefined && current.customerId !== expectedCustomer)) throw notFound('Work order');
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
          started: current.stageStartedAt,
          deadline: current.stageDeadline,
        }
      : stageTimes(current.type, to, now);
    const [order] = await tx.db
      .update(workOrders)
      .set({
        state: to.kind,
        stage: times.stage,
        stageStartedAt: times.started,
        stageDeadline: times.deadline,
        version: sql`${workOrders.version} + 1`,
        updatedAt: now,
        // A new stage clock starts with no warning or overdue mark.
        ...(keepClock ? {} : { warnedAt: null, overdueAt: null }),
      })
      .where(and(eq(workOrders.id, orderId), eq(workOrders.version, current.version)))
      .returning();
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
        const ticket = await nextTicketNo(tx.db, now);
        const [order] = await tx.db
          .insert(workOrders)
          .values({
            customerId,
            accountId,
            type: submission.type,
            form: submission.form,
            idempotencyKey,
            state: 'stage',
            stage: times.stage,
            stageStartedAt: times.started,
            stageDeadline: times.deadline,
            gridCode: dispatch.grid,
            assigneeStaffId: dispatch.manager,
            createdAt: now,
            updatedAt: now,
            ticketNo: ticket.ticketNo,
          })
          .onConflictDoNothing({ target: [workOrders.customerId, workOrders.idempotencyKey] })
          .returning();
        if (!order) {
          await ticket.release();
          // jsonb equality ignores key order: the same form sent again matches however it was serialised.
          const [existing] = await tx.db
            .select({
              order: workOrders,
              same: sql<boolean>`${workOrders.type} = ${submission.type} AND ${workOrders.form} = ${JSON.stringify(submission.form)}::jsonb`,
            })
            .from(workOrders)
            .where(and(eq(workOrders.customerId, customerId), eq(workOrders.idempotencyKey, idempotencyKey)));
          if (!existing!.same) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
          return { order: existing!.order, created: false };
        }
        await deps.documents.link(tx.db, customerId, order.id, submission.documents ?? [], now);
        await record(tx, order, 'submitted', null, first, { kind: 'customer', id: customerId });
        if (submission.type === 'fault_repair' && dispatch.area) {
          await deps.outages.recordFaultReport(tx.db, { transformerArea: dispatch.area, accountId: accountId ?? undefined, source: `workorder:${order.id}` });
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
        await deps.documents.link(tx.db, customerId, orderId, documentIds, deps.clock.now());
        return order;
      });
    },

    async rate(orderId: number, customerId: number, rating: number, comment?: string): Promise<void> {
      const rated = await database.db
        .update(workOrders)
        .set({ rating, ratingComment: comment ?? null, updatedAt: sql`now()` })
        .where(and(eq(workOrders.id, orderId), eq(workOrders.customerId, customerId), eq(workOrders.state, 'completed'), isNull(workOrders.rating)))
        .returning({ id: workOrders.id });
      if (!rated.length) throw new AppError('TRANSITION_REFUSED', 'Only a completed request can be rated, once');
    },

    async reassign(orderId: number, staffId: number, assignee: number): Promise<void> {
      await database.transaction(async (tx) => {
        // Checked here, not left to the foreign key: a missing or disabled colleague is the caller's mistake, not a 500.
        if (!(await isActiveStaff(tx.db, assignee))) {
          throw new AppError('VALIDATION_FAILED', 'No active staff member has this id', {
            issues: [{ path: 'body.staffId', message: 'no active staff member with this id' }],
          });
        }
        const [order] = await tx.db
          .update(workOrders)
          .set({ assigneeStaffId: assignee, version: sql`${workOrders.version} + 1`, updatedAt: sql`now()` })
          .where(eq(workOrders.id, orderId))
          .returning();
        if (!order) throw notFound('Work order');
        await record(tx, order, 'reassigned', stateOf(order), stateOf(order), { kind: 'staff', id: staffId }, `assigned to ${assignee}`);
      });
    },

    async listMine(customerId: number): Promise<WorkOrderSummary[]> {
      const rows = await database.db.select().from(workOrders).where(eq(workOrders.customerId, customerId)).orderBy(desc(workOrders.id)).limit(100);
      return rows.map((row) => presentOrder(row, deps.clock.now()));
    },

    async listForStaff(filter: { overdue?: boolean; grid?: string }) {
      const rows = await database.db
        .select()
        .from(workOrders)
        .where(
          and(
            inArray(workOrders.state, OPEN_STATES),
            filter.overdue ? lt(workOrders.stageDeadline, deps.clock.now()) : undefined,
            filter.grid !== undefined ? eq(workOrders.gridCode, filter.grid) : undefined,
          ),
        )
        .orderBy(workOrders.stageDeadline)
        .limit(500);
      return rows.map((row) => ({ ...presentOrder(row, deps.clock.now()), grid: row.gridCode, assigneeStaffId: row.assigneeStaffId }));
    },

    async detail(orderId: number, customerId: number): Promise<WorkOrderDetail> {
      const { order, events, upcoming } = await this.timeline(orderId, customerId);
      const documents = await deps.documents.listForOrder(order.id);
      return {
        ...presentOrder(order, deps.clock.now()),
        form: order.form,
        events: events.map((event) => ({
          action: event.action,
          state: event.toState.kind,
          stage: 'stage' in event.toState ? event.toState.stage : null,
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
        const inserted = await tx.db
          .insert(backofficeCallbacks)
          .values({ eventId, workOrderId: body.orderId, result: { action: body.action } })
          .onConflictDoNothing({ target: backofficeCallbacks.eventId })
          .returning({ eventId: backofficeCallbacks.eventId });
        if (!inserted.length) {
          const [seen] = await tx.db
            .select({ workOrderId: backofficeCallbacks.workOrderId, result: backofficeCallbacks.result })
            .from(backofficeCallbacks)
            .where(eq(backofficeCallbacks.eventId, eventId));
          if (seen!.workOrderId !== body.orderId || seen!.result.action !== body.action)
            throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This event id was used for another change');
          const [row] = await tx.db.select().from(workOrders).where(eq(workOrders.id, body.orderId));
          return { order: presentOrder(row!, deps.clock.now()), replayed: true };
        }
        const row = await actInTx(tx, body.orderId, { kind: 'backoffice', id: eventId }, { action: body.action }, body.note);
        return { order: presentOrder(row, deps.clock.now()), replayed: false };
      });
    },

    /** A customer's order with its timeline: what happened, then each remaining stage's expected date. */
    async timeline(orderId: number, customerId: number) {
      const [order] = await database.db
        .select()
        .from(workOrders)
        .where(and(eq(workOrders.id, orderId), eq(workOrders.customerId, customerId)));
      if (!order) throw notFound('Work order');
      const events = await database.db
        .select({
          action: workOrderEvents.action,
          toState: workOrderEvents.toState,
          actor: workOrderEvents.actor,
          note: workOrderEvents.note,
          at: workOrderEvents.at,
        })
        .from(workOrderEvents)
        .where(eq(workOrderEvents.workOrderId, orderId))
        .orderBy(asc(workOrderEvents.id));
      const stages = CATALOG[order.type].stages;
      const index = order.stage ? stages.findIndex((stage) => stage.key === order.stage) : stages.length;
      let expected = order.stageDeadline;
      const upcoming = order.stage
        ? stages.slice(index + 1).map((stage) => {
            expected = calendar.deadline(expected!, stage.limit);
            return { stage: stage.key, name: stage.name, expectedBy: expected.toISOString() };
          })
        : [];
      return {
        order,
        events,
        current: order.stage ? { stage: order.stage, name: stages[index]!.name, deadline: order.stageDeadline?.toISOString() ?? null } : null,
        upcoming,
      };
    },

    sweepDeadlines: () => sweepDeadlines(deps),
  };
}

export type WorkOrders = ReturnType<typeof createWorkOrders>;
