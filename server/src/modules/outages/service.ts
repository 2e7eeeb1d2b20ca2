import type { Logger } from 'pino';
import { PublishOutage, type MyOutage, type Outage, type OutageStatus } from '../../../../shared/contracts/outages';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
import { AppError, notFound } from '../../errors';
import type { JobQueue } from '../../jobs/queue';
import type { Notifications } from '../notifications/service';
import { parseCsv } from './csv';
import { outageMessage, type OutageEvent } from './messages';

interface OutageRow {
  id: number;
  kind: Outage['kind'];
  status: OutageStatus;
  title: string;
  reason: string;
  district: string;
  areas: string[];
  feeder: string | null;
  scheduled_start: Date;
  scheduled_end: Date;
  restored_at: Date | null;
  version: number;
  updated_at: Date;
}

export function present(row: OutageRow): Outage {
  const restoredAt = row.restored_at?.toISOString() ?? null;
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    title: row.title,
    reason: row.reason,
    district: row.district,
    areas: row.areas,
    feeder: row.feeder,
    scheduledStart: row.scheduled_start.toISOString(),
    scheduledEnd: row.scheduled_end.toISOString(),
    restoredAt,
    expectedBackAt: restoredAt ?? row.scheduled_end.toISOString(),
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
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

  // Customers bound to any account in the areas; one row per customer however many accounts they hold there.
  notifications.registerAudience(OUTAGE_AUDIENCE, ([areas]) => ({
    sql: `SELECT b.customer_id FROM account_bindings b JOIN electricity_accounts a ON a.id = b.account_id WHERE a.transformer_area = ANY($1::text[])`,
    values: [areas],
  }));

  async function record(tx: Tx, row: OutageRow, event: OutageEvent | 'started', changes: Record<string, unknown>, staffId: number | null) {
    await tx.client.query('INSERT INTO outage_changes (outage_id, event, changes, staff_id, at) VALUES ($1, $2, $3, $4, $5)', [
      row.id,
      event,
      changes,
      staffId,
      deps.clock.now(),
    ]);
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
    const {
      rows: [feeder],
    } = await tx.client.query<{ areas: string[] }>('SELECT areas FROM feeders WHERE code = $1', [body.feeder]);
    if (!feeder) throw new AppError('FEEDER_UNKNOWN', `No feeder ${body.feeder}`);
    return [...new Set([...(body.areas ?? []), ...feeder.areas])];
  }

  async function insert(tx: Tx, body: PublishOutage, staffId: number | null, importRef: string | null): Promise<OutageRow | undefined> {
    const areas = await resolveAreas(tx, body);
    const status: OutageStatus = body.kind === 'planned' ? 'scheduled' : 'in_progress';
    const {
      rows: [row],
    } = await tx.client.query<OutageRow>(
      `INSERT INTO outages (kind, status, title, reason, district, areas, feeder, scheduled_start, scheduled_end, import_ref, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
       ON CONFLICT (import_ref) DO NOTHING RETURNING *`,
      [
        body.kind,
        status,
        body.title,
        body.reason,
        body.district,
        areas,
        body.feeder ?? null,
        body.scheduledStart,
        body.scheduledEnd,
        importRef,
        staffId,
        deps.clock.now(),
      ],
    );
    if (row) await record(tx, row, 'published', { status, areas }, staffId);
    return row;
  }

  /** Moves one outage if it is in an allowed status (and at the expected version); 404 or 409 otherwise. */
  async function transition(
    outageId: number,
    action: keyof typeof ALLOWED_FROM,
    set: (row: OutageRow) => { columns: Record<string, unknown>; changes: Record<string, unknown>; event: OutageEvent | 'started'; bump: boolean },
    staffId: number,
    expectedVersion?: number,
  ): Promise<Outage> {
    return database.transaction(async (tx) => {
      const {
        rows: [current],
      } = await tx.client.query<OutageRow>('SELECT * FROM outages WHERE id = $1 FOR UPDATE', [outageId]);
      if (!current) throw notFound('Outage');
      if (!ALLOWED_FROM[action].includes(current.status))
        throw new AppError('OUTAGE_NOT_ALLOWED', `A ${current.status} outage cannot be ${action === 'update' ? 'changed' : `${action}ed`}`);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new AppError('OUTAGE_CHANGED', `The outage changed since version ${expectedVersion}; it is at version ${current.version}`);
      }
      const { columns, changes, event, bump } = set(current);
      const names = Object.keys(columns);
      const {
        rows: [row],
      } = await tx.client.query<OutageRow>(
        `UPDATE outages SET ${names.map((name, index) => `${name} = $${index + 3}`).join(', ')}, version = version + $2, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [outageId, bump ? 1 : 0, ...Object.values(columns)],
      );
      await record(tx, row!, event, changes, staffId);
      return present(row!);
    });
  }

  const affectedCount = async (areas: string[]) =>
    (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM electricity_accounts WHERE transformer_area = ANY($1::text[])', [areas])).rows[0]!
      .n;

  return {
    async publish(staffId: number, body: PublishOutage): Promise<Outage> {
      return database.transaction(async (tx) => present((await insert(tx, body, staffId, null))!));
    },

    update(outageId: number, staffId: number, body: { expectedVersion: number; scheduledStart?: string; scheduledEnd?: string; reason?: string }) {
      return transition(
        outageId,
        'update',
        (row) => {
          const start = body.scheduledStart ? new Date(body.scheduledStart) : row.scheduled_start;
          const end = body.scheduledEnd ? new Date(body.scheduledEnd) : row.scheduled_end;
          if (end <= start) throw new AppError('VALIDATION_FAILED', 'An outage must end after it starts');
          const columns = { scheduled_start: start, scheduled_end: end, reason: body.reason ?? row.reason };
          const changes = {
            ...(body.scheduledStart ? { scheduledStart: { from: row.scheduled_start.toISOString(), to: start.toISOString() } } : {}),
            ...(body.scheduledEnd ? { scheduledEnd: { from: row.scheduled_end.toISOString(), to: end.toISOString() } } : {}),
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
            columns: { status: 'restored', restored_at: at },
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
      const { rows } = await database.pool.query<OutageRow>(`SELECT * FROM outages WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT 200`, [
        status ?? null,
      ]);
      return Promise.all(rows.map(async (row) => ({ ...present(row), affectedAccounts: await affectedCount(row.areas) })));
    },

    /** Outages on the customer's bound accounts: now, coming, and restored in the last few days. */
    async listMine(customerId: number): Promise<{ current: MyOutage[]; upcoming: MyOutage[]; recentlyRestored: MyOutage[] }> {
      const { rows } = await database.pool.query<OutageRow & { accounts: { accountId: number; accountNo: string }[] }>(
        `SELECT o.*, json_agg(json_build_object('accountId', a.id, 'accountNo', a.account_no) ORDER BY a.account_no) AS accounts
           FROM account_bindings b
           JOIN electricity_accounts a ON a.id = b.account_id
           JOIN outages o ON a.transformer_area = ANY(o.areas)
          WHERE b.customer_id = $1
            AND (o.status IN ('scheduled', 'in_progress') OR (o.status = 'restored' AND o.restored_at > $2::timestamptz - interval '${RECENTLY_RESTORED_DAYS} days'))
          GROUP BY o.id ORDER BY o.scheduled_start`,
        [customerId, deps.clock.now()],
      );
      const now = deps.clock.now();
      const mine = rows.map((row) => ({ ...present(row), accounts: row.accounts }));
      return {
        current: mine.filter((outage) => outage.status === 'in_progress' || (outage.status === 'scheduled' && new Date(outage.scheduledStart) <= now)),
        upcoming: mine.filter((outage) => outage.status === 'scheduled' && new Date(outage.scheduledStart) > now),
        recentlyRestored: mine.filter((outage) => outage.status === 'restored').reverse(),
      };
    },

    async listPublic(district?: string) {
      const { rows } = await database.pool.query<OutageRow>(
        `SELECT * FROM outages WHERE status IN ('scheduled', 'in_progress') ORDER BY scheduled_start LIMIT 500`,
      );
      return {
        districts: [...new Set(rows.map((row) => row.district))].sort(),
        outages: rows.filter((row) => !district || row.district === district).map(present),
      };
    },

    async get(outageId: number) {
      const {
        rows: [row],
      } = await database.pool.query<OutageRow>('SELECT * FROM outages WHERE id = $1', [outageId]);
      if (!row) throw notFound('Outage');
      const { rows: history } = await database.pool.query<{ event: string; at: Date; changes: Record<string, unknown> }>(
        'SELECT event, at, changes FROM outage_changes WHERE outage_id = $1 ORDER BY id',
        [outageId],
      );
      return {
        outage: present(row),
        history: history.map((change) => ({ event: change.event as 'published', at: change.at.toISOString(), changes: change.changes })),
      };
    },

    /** A fault report from a transformer area (service requests call this); it feeds the outage signal. */
    async recordFaultReport(executor: Tx | undefined, report: { transformerArea: string; accountId?: number; source: string }): Promise<void> {
      const client = executor?.client ?? database.pool;
      await client.query('INSERT INTO fault_reports (transformer_area, account_id, source, reported_at) VALUES ($1, $2, $3, $4)', [
        report.transformerArea,
        report.accountId ?? null,
        report.source,
        deps.clock.now(),
      ]);
    },

    /** Areas with at least `reports` fault reports in the window and no outage published on them. */
    async suggestions() {
      const { rows } = await database.pool.query(
        `SELECT f.transformer_area, count(*)::int AS reports, min(f.reported_at) AS first_at, max(f.reported_at) AS last_at,
                (SELECT district FROM outages o WHERE f.transformer_area = ANY(o.areas) ORDER BY id DESC LIMIT 1) AS district
           FROM fault_reports f
          WHERE f.reported_at > $1::timestamptz - make_interval(mins => $2)
            AND NOT EXISTS (SELECT 1 FROM outages o WHERE f.transformer_area = ANY(o.areas) AND o.status IN ('scheduled', 'in_progress'))
          GROUP BY f.transformer_area HAVING count(*) >= $3 ORDER BY count(*) DESC`,
        [deps.clock.now(), deps.signal.windowMinutes, deps.signal.reports],
      );
      return rows.map((row) => ({
        transformerArea: row.transformer_area,
        district: row.district,
        reports: row.reports,
        firstAt: row.first_at.toISOString(),
        lastAt: row.last_at.toISOString(),
      }));
    },

    /** Scheduled outages whose start time has come are in progress (customers were told at publication). */
    async startDue(): Promise<number> {
      const { rows } = await database.pool.query<{ id: number }>(`SELECT id FROM outages WHERE status = 'scheduled' AND scheduled_start <= $1`, [
        deps.clock.now(),
      ]);
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
