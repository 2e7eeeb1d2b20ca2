import { and, asc, desc, eq, inArray, lte, notExists, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { PublishOutage, type MyOutage, type Outage, type OutageStatus } from '../../../../shared/contracts/outages';
import type { Clock } from '../../app';
import type { Database, Db, Tx } from '../../db/database';
import { faultReports, feeders, outageChanges, outages } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import type { JobQueue } from '../../jobs/queue';
import { boundAccountsQuery, countAccountsInAreas, customersInAreasQuery } from '../accounts/published';
import type { AudienceQuery, Notifications } from '../notifications/service';
import { parseCsv } from './csv';
import { outageMessage, type OutageEvent } from './messages';

type OutageRow = typeof outages.$inferSelect;

export function present(row: OutageRow): Outage {
  const restoredAt = row.restoredAt?.toISOString() ?? null;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    title: row.title,
    reason: row.reason,
    district: row.district,
    areas: row.areas,
    feeder: row.feeder,
    scheduledStart: row.scheduledStart.toISOString(),
    scheduledEnd: row.scheduledEnd.toISOString(),
    restoredAt,
    expectedBackAt: restoredAt ?? row.scheduledEnd.toISOString(),
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Which statuses each action may leave; anything else is refused (409), never half-applied. */
const ALLOWED_FROM: Record<'update' | 'start' | 'restore' | 'cancel', OutageStatus[]> = {
  update: ['scheduled', 'in_progress'],
  start: ['scheduled'],
  restore: ['scheduled', 'in_progress'],
  cancel: ['scheduled'],
};

export const OUTAGE_AUDIENCE = 'outage-areas';
const OPEN: OutageStatus[] = ['scheduled', 'in_progress'];

/**
 * Who hears of an outage on these areas: customers bound to any account there, one row per customer
 * however many accounts they hold (the fan-out takes DISTINCT). Set-based, from accounts' published
 * query; the composition root registers it with notifications.
 */
export const outageAudience =
  (db: Db): AudienceQuery =>
  ([areas]) =>
    customersInAreasQuery(db, areas as string[]);
const RECENTLY_RESTORED_DAYS = 3;
const CSV_COLUMNS = ['ref', 'title', 'reason', 'district', 'areas', 'scheduled_start', 'scheduled_end'];

/**
 * Outage notices: published on transformer areas (or a feeder's areas), moved through
 * scheduled → in progress → restored (or cancelled), each change recorded and, when customers
 * must hear of it, handed to notifications in the same transaction.
 */
export function createOutages(deps: {
  database: Database;
  clock: Clock;
  jobs: JobQueue;
  notifications: Notifications;
  log: Logger;
  signal: { reports: number; windowMinutes: number };
}) {
  const { database, notifications } = deps;
  const log = deps.log.child({ module: 'outages' });

  async function record(tx: Tx, row: OutageRow, event: OutageEvent | 'started', changes: Record<string, unknown>, staffId: number | null) {
    await tx.db.insert(outageChanges).values({ outageId: row.id, event, changes, staffId, at: deps.clock.now() });
    if (event === 'started') return;
    const outage = present(row);
    await notifications.publish(tx, {
      eventKey: `outage:${row.id}:${event}:${row.version}`,
      topic: 'outage',
      audience: { name: OUTAGE_AUDIENCE, params: [row.areas] },
      payload: outageMessage(outage, event),
    });
  }

  async function resolveAreas(tx: Tx, body: PublishOutage): Promise<string[]> {
    if (!body.feeder) return [...new Set(body.areas)];
    const [feeder] = await tx.db.select({ areas: feeders.areas }).from(feeders).where(eq(feeders.code, body.feeder));
    if (!feeder) throw new AppError('FEEDER_UNKNOWN', `No feeder ${body.feeder}`);
    return [...new Set([...(body.areas ?? []), ...feeder.areas])];
  }

  async function insert(tx: Tx, body: PublishOutage, staffId: number | null, importRef: string | null): Promise<OutageRow | undefined> {
    const areas = await resolveAreas(tx, body);
    const status: OutageStatus = body.kind === 'planned' ? 'scheduled' : 'in_progress';
    const now = deps.clock.now();
    const [row] = await tx.db
      .insert(outages)
      .values({
        kind: body.kind,
        status,
        title: body.title,
        reason: body.reason,
        district: body.district,
        areas,
        feeder: body.feeder ?? null,
        scheduledStart: new Date(body.scheduledStart),
        scheduledEnd: new Date(body.scheduledEnd),
        importRef,
        createdBy: staffId,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: outages.importRef })
      .returning();
    if (row) await record(tx, row, 'published', { status, areas }, staffId);
    return row;
  }

  /** Moves one outage if it is in an allowed status (and at the expected version); 404 or 409 otherwise. */
  async function transition(
    outageId: number,
    action: keyof typeof ALLOWED_FROM,
    set: (row: OutageRow) => {
      columns: Partial<Pick<OutageRow, 'status' | 'reason' | 'scheduledStart' | 'scheduledEnd' | 'restoredAt'>>;
      changes: Record<string, unknown>;
      event: OutageEvent | 'started';
      bump: boolean;
    },
    staffId: number,
    expectedVersion?: number,
  ): Promise<Outage> {
    return database.transaction(async (tx) => {
      const [current] = await tx.db.select().from(outages).where(eq(outages.id, outageId)).for('update');
      if (!current) throw notFound('Outage');
      if (!ALLOWED_FROM[action].includes(current.status))
        throw new AppError('OUTAGE_NOT_ALLOWED', `A ${current.status} outage cannot be ${action === 'update' ? 'changed' : `${action}ed`}`);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new AppError('OUTAGE_CHANGED', `The outage changed since version ${expectedVersion}; it is at version ${current.version}`);
      }
      const { columns, changes, event, bump } = set(current);
      const [row] = await tx.db
        .update(outages)
        .set({ ...columns, version: sql`${outages.version} + ${bump ? 1 : 0}`, updatedAt: sql`now()` })
        .where(eq(outages.id, outageId))
        .returning();
      await record(tx, row!, event, changes, staffId);
      return present(row!);
    });
  }

  return {
    async publish(staffId: number, body: PublishOutage): Promise<Outage> {
      return database.transaction(async (tx) => present((await insert(tx, body, staffId, null))!));
    },

    update(outageId: number, staffId: number, body: { expectedVersion: number; scheduledStart?: string; scheduledEnd?: string; reason?: string }) {
      return transition(
        outageId,
        'update',
        (row) => {
          const start = body.scheduledStart ? new Date(body.scheduledStart) : row.scheduledStart;
          const end = body.scheduledEnd ? new Date(body.scheduledEnd) : row.scheduledEnd;
          if (end <= start) throw new AppError('VALIDATION_FAILED', 'An outage must end after it starts');
          const columns = { scheduledStart: start, scheduledEnd: end, reason: body.reason ?? row.reason };
          const changes = {
            ...(body.scheduledStart ? { scheduledStart: { from: row.scheduledStart.toISOString(), to: start.toISOString() } } : {}),
            ...(body.scheduledEnd ? { scheduledEnd: { from: row.scheduledEnd.toISOString(), to: end.toISOString() } } : {}),
            ...(body.reason ? { reason: { from: row.reason, to: body.reason } } : {}),
          };
          return { columns, changes, event: 'updated', bump: true };
        },
        staffId,
        body.expectedVersion,
      );
    },

    start: (outageId: number, staffId: number) =>
      transition(outageId, 'start', () => ({ columns: { status: 'in_progress' }, changes: { status: 'in_progress' }, event: 'started', bump: false }), staffId),

    restore: (outageId: number, staffId: number, restoredAt?: string) =>
      transition(
        outageId,
        'restore',
        () => {
          const at = restoredAt ? new Date(restoredAt) : deps.clock.now();
          return {
            columns: { status: 'restored', restoredAt: at },
            changes: { status: 'restored', restoredAt: at.toISOString() },
            event: 'restored',
            bump: true,
          };
        },
        staffId,
      ),

    cancel: (outageId: number, staffId: number, reason: string) =>
      transition(
        outageId,
        'cancel',
        () => ({ columns: { status: 'cancelled', reason }, changes: { status: 'cancelled', reason }, event: 'cancelled', bump: true }),
        staffId,
      ),

    /** A schedule file: each good line is published once (by its ref), each bad line reported with why. */
    async importCsv(staffId: number, csv: string) {
      const [header, ...lines] = parseCsv(csv);
      const errors: { line: number; ref: string | null; message: string }[] = [];
      if (!header || header.fields.map((field) => field.trim().toLowerCase()).join(',') !== CSV_COLUMNS.join(',')) {
        return { published: 0, alreadyImported: 0, errors: [{ line: header?.line ?? 1, ref: null, message: `the header must be ${CSV_COLUMNS.join(',')}` }] };
      }
      let published = 0;
      let alreadyImported = 0;
      const seen = new Set<string>();
      for (const { line, fields } of lines) {
        const [ref, title, reason, district, areas, start, end] = fields.map((field) => field.trim());
        const fail = (message: string) => errors.push({ line, ref: ref || null, message });
        if (fields.length !== CSV_COLUMNS.length) {
          fail(`expected ${CSV_COLUMNS.length} fields, found ${fields.length}`);
          continue;
        }
        if (!ref || !/^[\w.-]{1,64}$/.test(ref)) {
          fail('ref must be 1–64 letters, digits, dots, dashes or underscores');
          continue;
        }
        if (seen.has(ref)) {
          fail('this ref appears earlier in the file');
          continue;
        }
        seen.add(ref);
        const parsed = PublishOutage.safeParse({
          kind: 'planned',
          title,
          reason,
          district,
          areas: areas!
            .split('|')
            .map((area) => area.trim())
            .filter(Boolean),
          scheduledStart: start,
          scheduledEnd: end,
        });
        if (!parsed.success) {
          fail(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`).join('; '));
          continue;
        }
        if (new Date(parsed.data.scheduledStart) < deps.clock.now()) {
          fail('scheduled_start is in the past');
          continue;
        }
        const row = await database.transaction((tx) => insert(tx, parsed.data, staffId, ref));
        if (row) published += 1;
        else alreadyImported += 1;
      }
      log.info({ published, alreadyImported, errors: errors.length }, 'outage schedule imported');
      return { published, alreadyImported, errors };
    },

    async listForStaff(status?: OutageStatus) {
      const rows = await database.db
        .select()
        .from(outages)
        .where(status !== undefined ? eq(outages.status, status) : undefined)
        .orderBy(desc(outages.id))
        .limit(200);
      return Promise.all(rows.map(async (row) => ({ ...present(row), affectedAccounts: await countAccountsInAreas(database.db, row.areas) })));
    },

    /** Outages on the customer's bound accounts: now, coming, and restored in the last few days. */
    async listMine(customerId: number): Promise<{ current: MyOutage[]; upcoming: MyOutage[]; recentlyRestored: MyOutage[] }> {
      const now = deps.clock.now();
      // The customer's accounts come from their owner (accounts) as a subquery: still one statement.
      const bound = boundAccountsQuery(database.db, customerId).as('bound');
      const rows = await database.db
        .select({
          outage: outages,
          accounts: sql<
            MyOutage['accounts']
          >`json_agg(json_build_object('accountId', ${bound.accountId}, 'accountNo', ${bound.accountNo}) ORDER BY ${bound.accountNo})`,
        })
        .from(bound)
        .innerJoin(outages, sql`${bound.transformerArea} = ANY(${outages.areas})`)
        .where(
          or(
            inArray(outages.status, OPEN),
            and(eq(outages.status, 'restored'), sql`${outages.restoredAt} > ${now}::timestamptz - make_interval(days => ${RECENTLY_RESTORED_DAYS})`),
          ),
        )
        .groupBy(outages.id)
        .orderBy(asc(outages.scheduledStart));
      const mine = rows.map((row) => ({ ...present(row.outage), accounts: row.accounts }));
      return {
        current: mine.filter((outage) => outage.status === 'in_progress' || (outage.status === 'scheduled' && new Date(outage.scheduledStart) <= now)),
        upcoming: mine.filter((outage) => outage.status === 'scheduled' && new Date(outage.scheduledStart) > now),
        recentlyRestored: mine.filter((outage) => outage.status === 'restored').reverse(),
      };
    },

    async listPublic(district?: string) {
      const rows = await database.db.select().from(outages).where(inArray(outages.status, OPEN)).orderBy(asc(outages.scheduledStart)).limit(500);
      return {
        districts: [...new Set(rows.map((row) => row.district))].sort(),
        outages: rows.filter((row) => !district || row.district === district).map(present),
      };
    },

    async get(outageId: number) {
      const [row] = await database.db.select().from(outages).where(eq(outages.id, outageId));
      if (!row) throw notFound('Outage');
      const history = await database.db
        .select({ event: outageChanges.event, at: outageChanges.at, changes: outageChanges.changes })
        .from(outageChanges)
        .where(eq(outageChanges.outageId, outageId))
        .orderBy(asc(outageChanges.id));
      return {
        outage: present(row),
        history: history.map((change) => ({ event: change.event as 'published', at: change.at.toISOString(), changes: change.changes })),
      };
    },

    /** A fault report from a transformer area (service requests call this); it feeds the outage signal. */
    async recordFaultReport(db: Db | undefined, report: { transformerArea: string; accountId?: number; source: string }): Promise<void> {
      await (db ?? database.db).insert(faultReports).values({
        transformerArea: report.transformerArea,
        accountId: report.accountId ?? null,
        source: report.source,
        reportedAt: deps.clock.now(),
      });
    },

    /** Areas with at least `reports` fault reports in the window and no outage published on them. */
    async suggestions() {
      const onArea = sql`${faultReports.transformerArea} = ANY(${outages.areas})`;
      const rows = await database.db
        .select({
          transformerArea: faultReports.transformerArea,
          // The district of the latest outage ever published on the area, if any.
          district: sql<
            OutageRow['district'] | null
          >`${database.db.select({ district: outages.district }).from(outages).where(onArea).orderBy(desc(outages.id)).limit(1)}`,
          reports: sql<number>`count(*)::int`,
          firstAt: sql<Date>`min(${faultReports.reportedAt})`.mapWith(faultReports.reportedAt),
          lastAt: sql<Date>`max(${faultReports.reportedAt})`.mapWith(faultReports.reportedAt),
        })
        .from(faultReports)
        .where(
          and(
            sql`${faultReports.reportedAt} > ${deps.clock.now()}::timestamptz - make_interval(mins => ${deps.signal.windowMinutes})`,
            notExists(
              database.db
                .select({ one: sql`1` })
                .from(outages)
                .where(and(onArea, inArray(outages.status, OPEN))),
            ),
          ),
        )
        .groupBy(faultReports.transformerArea)
        .having(sql`count(*) >= ${deps.signal.reports}`)
        .orderBy(sql`count(*) DESC`);
      return rows.map((row) => ({ ...row, firstAt: row.firstAt.toISOString(), lastAt: row.lastAt.toISOString() }));
    },

    /** Scheduled outages whose start time has come are in progress (customers were told at publication). */
    async startDue(): Promise<number> {
      const rows = await database.db
        .select({ id: outages.id })
        .from(outages)
        .where(and(eq(outages.status, 'scheduled'), lte(outages.scheduledStart, deps.clock.now())));
      for (const { id } of rows) {
        await transition(
          id,
          'start',
          () => ({ columns: { status: 'in_progress' }, changes: { status: 'in_progress', by: 'schedule' }, event: 'started', bump: false }),
          0,
        ).catch(() => undefined);
      }
      return rows.length;
    },
  };
}

export type Outages = ReturnType<typeof createOutages>;
