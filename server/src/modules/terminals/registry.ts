import { BlockList, isIP } from 'node:net';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Terminal } from '../../../../shared/contracts/terminals';
import type { Clock } from '../../app';
import type { Database, Db, Tx } from '../../db/database';
import { terminalAudit, terminalDays, terminalReconciliations, terminals } from '../../db/schema';
import { AppError, notFound } from '../../errors';
import type { KeyValueStore } from '../../redis';
import { newTerminalSecret, type SecretBox } from './secrets';
import { NONCE_TTL_MS, signatureMatches, stringToSign, TIMESTAMP_WINDOW_SECONDS } from './signing';

/** The terminal a verified request came from. */
export interface TerminalIdentity {
  pk: number;
  terminalId: string;
}

export interface SignedRequest {
  terminalId: string;
  timestamp: string;
  nonce: string;
  signature: string;
  method: string;
  /** The request target as sent: path and query string. */
  path: string;
  rawBody: Buffer;
  /** The caller's address as the server's proxy configuration sees it. */
  ip: string;
}

type TerminalRow = typeof terminals.$inferSelect;
type DayRow = typeof terminalDays.$inferSelect;

export interface TerminalInput {
  terminalId: string;
  organisation: { name: string; kind: Terminal['organisation']['kind'] };
  channel: Terminal['channel'];
  allowedIps: string[];
  enabled: boolean;
}

/** A terminal with the accounting day it has open, if any (at most one: terminal_days_one_open). */
const selectTerminals = (db: Db) =>
  db
    .select({
      terminal: terminals,
      openDay: sql<DayRow['accountingDate'] | null>`(SELECT ${terminalDays.accountingDate} FROM ${terminalDays} WHERE ${and(
        eq(terminalDays.terminalPk, terminals.id),
        eq(terminalDays.status, 'open'),
      )})`,
    })
    .from(terminals);

function present(row: TerminalRow, openDay: string | null, now: Date): Terminal {
  return {
    terminalId: row.terminalId,
    organisation: { name: row.organisationName, kind: row.organisationKind },
    channel: row.channel,
    allowedIps: row.allowedIps,
    enabled: row.enabled,
    previousSecretValidUntil: row.previousSecretUntil && row.previousSecretUntil > now ? row.previousSecretUntil.toISOString() : null,
    openDay,
    createdAt: row.createdAt.toISOString(),
  };
}

/** IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; allow-lists are written in plain IPv4. */
const plainIp = (ip: string) => (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

function checkedIps(entries: string[]): string[] {
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    if (!family || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)))) {
      throw new AppError('VALIDATION_FAILED', `"${entry}" is not an IP address or CIDR range`, {
        issues: [{ path: 'body.allowedIps', message: `${entry} is not an IP address or CIDR range` }],
      });
    }
  }
  return [...new Set(entries)];
}

export function ipAllowed(ip: string, allowed: readonly string[]): boolean {
  const list = new BlockList();
  for (const entry of allowed) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  const caller = plainIp(ip);
  const family = isIP(caller);
  return family !== 0 && list.check(caller, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The terminal registry: staff register terminals, enable or disable them, limit their source
 * addresses and rotate their secrets (every change audited); and every protocol request is
 * authenticated here before its message is read.
 */
export function createTerminalRegistry(deps: { database: Database; store: KeyValueStore; clock: Clock; secrets: SecretBox }) {
  const { database, clock, secrets } = deps;

  const audit = (tx: Tx, terminalPk: number, action: string, staffId: number | null, details: Record<string, unknown>) =>
    tx.db.insert(terminalAudit).values({ terminalPk, action, staffId, details, at: clock.now() });

  /** The terminal and its open day; inside a transaction, with the terminal's row locked. */
  async function load(terminalId: string, tx?: Tx) {
    const query = selectTerminals(tx?.db ?? database.db).where(eq(terminals.terminalId, terminalId));
    const [row] = await (tx ? query.for('update', { of: terminals }) : query);
    if (!row) throw notFound('Terminal');
    return row;
  }

  return {
    async list(): Promise<Terminal[]> {
      const rows = await selectTerminals(database.db).orderBy(asc(terminals.terminalId));
      return rows.map((row) => present(row.terminal, row.openDay, clock.now()));
    },

    /** Registers a terminal with a fresh secret, returned this once and stored only sealed. */
    async create(staffId: number | null, input: TerminalInput): Promise<{ terminal: Terminal; secret: string }> {
      const secret = newTerminalSecret();
      return database.transaction(async (tx) => {
        const [row] = await tx.db
          .insert(terminals)
          .values({
            terminalId: input.terminalId,
            organisationName: input.organisation.name,
            organisationKind: input.organisation.kind,
            channel: input.channel,
            allowedIps: checkedIps(input.allowedIps),
            enabled: input.enabled,
            secretEnc: secrets.seal(secret),
            createdAt: clock.now(),
            updatedAt: clock.now(),
          })
          .onConflictDoNothing({ target: terminals.terminalId })
          .returning();
        if (!row) throw new AppError('CONFLICT', `Terminal ${input.terminalId} is already registered`);
        await audit(tx, row.id, 'created', staffId, {
          organisation: input.organisation,
          channel: input.channel,
          allowedIps: row.allowedIps,
          enabled: input.enabled,
        });
        return { terminal: present(row, null, clock.now()), secret };
      });
    },

    async update(staffId: number, terminalId: string, changes: Partial<Omit<TerminalInput, 'terminalId'>>): Promise<Terminal> {
      return database.transaction(async (tx) => {
        const { terminal: current, openDay } = await load(terminalId, tx);
        const [row] = await tx.db
          .update(terminals)
          .set({
            organisationName: changes.organisation?.name ?? current.organisationName,
            organisationKind: changes.organisation?.kind ?? current.organisationKind,
            channel: changes.channel ?? current.channel,
            allowedIps: changes.allowedIps ? checkedIps(changes.allowedIps) : current.allowedIps,
            enabled: changes.enabled ?? current.enabled,
            updatedAt: clock.now(),
          })
          .where(eq(terminals.id, current.id))
          .returning();
        await audit(tx, current.id, changes.enabled === undefined ? 'updated' : changes.enabled ? 'enabled' : 'disabled', staffId, { changes });
        return present(row!, openDay, clock.now());
      });
    },

    /** A new secret; the one it replaces keeps verifying for `overlapHours` (an older previous one stops now). */
    async rotate(staffId: number, terminalId: string, overlapHours: number): Promise<{ terminal: Terminal; secret: string }> {
      return database.transaction(async (tx) => {
        const { terminal: current, openDay } = await load(terminalId, tx);
        const secret = newTerminalSecret();
        const until = overlapHours > 0 ? new Date(clock.now().getTime() + overlapHours * 3_600_000) : null;
        const [row] = await tx.db
          .update(terminals)
          .set({ secretEnc: secrets.seal(secret), previousSecretEnc: until ? current.secretEnc : null, previousSecretUntil: until, updatedAt: clock.now() })
          .where(eq(terminals.id, current.id))
          .returning();
        await audit(tx, current.id, 'secret_rotated', staffId, { previousValidUntil: until?.toISOString() ?? null });
        return { terminal: present(row!, openDay, clock.now()), secret };
      });
    },

    async days(terminalId: string) {
      const { terminal } = await load(terminalId);
      const rows = await database.db
        .select({
          day: terminalDays,
          reconciled: {
            matched: terminalReconciliations.matched,
            mismatches: terminalReconciliations.mismatches,
            at: terminalReconciliations.createdAt,
          },
        })
        .from(terminalDays)
        .leftJoin(
          terminalReconciliations,
          and(eq(terminalReconciliations.terminalPk, terminalDays.terminalPk), eq(terminalReconciliations.accountingDate, terminalDays.accountingDate)),
        )
        .where(eq(terminalDays.terminalPk, terminal.id))
        .orderBy(desc(terminalDays.accountingDate))
        .limit(90);
      return rows.map(({ day, reconciled }) => ({
        accountingDate: day.accountingDate,
        status: day.status,
        openedAt: day.openedAt.toISOString(),
        closedAt: day.closedAt?.toISOString() ?? null,
        count: day.payCount,
        totalFen: day.totalFen,
        reconciled: reconciled ? { ...reconciled, at: reconciled.at.toISOString() } : null,
      }));
    },

    /**
     * Who is calling, proven: a registered, enabled terminal, from an allowed address, with a valid
     * signature (current secret, or the previous one during its overlap), a fresh timestamp and a
     * nonce never seen before. The nonce is recorded only once everything else has passed.
     */
    async authenticate(request: SignedRequest): Promise<TerminalIdentity> {
      if (!/^[A-Z0-9][A-Z0-9-]{2,31}$/.test(request.terminalId))
        throw new AppError('TERMINAL_UNKNOWN', 'X-Terminal-Id is missing or not a registered terminal');
      const [row] = await database.db.select().from(terminals).where(eq(terminals.terminalId, request.terminalId));
      if (!row) throw new AppError('TERMINAL_UNKNOWN', 'X-Terminal-Id is missing or not a registered terminal');
      if (!row.enabled) throw new AppError('TERMINAL_DISABLED', 'This terminal is disabled');
      if (!ipAllowed(request.ip, row.allowedIps))
        throw new AppError('IP_NOT_ALLOWED', 'Requests from this address are not accepted for this terminal', { ip: plainIp(request.ip) });
      if (!/^\d{10}$/.test(request.timestamp)) throw new AppError('SIGNATURE_INVALID', 'X-Timestamp must be Unix time in seconds');
      if (!/^[A-Za-z0-9_-]{16,64}$/.test(request.nonce)) throw new AppError('SIGNATURE_INVALID', 'X-Nonce must be 16–64 letters, digits, _ or -');
      const now = clock.now();
      const keys = [secrets.open(row.secretEnc)];
      if (row.previousSecretEnc && row.previousSecretUntil && row.previousSecretUntil > now) keys.push(secrets.open(row.previousSecretEnc));
      const text = stringToSign(request.method, request.path, request.timestamp, request.nonce, request.rawBody);
      if (!request.signature || !signatureMatches(keys, text, request.signature))
        throw new AppError('SIGNATURE_INVALID', 'The signature does not match the request');
      if (Math.abs(now.getTime() / 1000 - Number(request.timestamp)) > TIMESTAMP_WINDOW_SECONDS) {
        throw new AppError('TIMESTAMP_STALE', 'X-Timestamp is more than 5 minutes from the server’s time', { serverTime: Math.floor(now.getTime() / 1000) });
      }
      const fresh = await deps.store.set(`terminal-nonce:${row.terminalId}:${request.nonce}`, '1', { ttlMs: NONCE_TTL_MS, onlyIfAbsent: true });
      if (!fresh) throw new AppError('NONCE_REUSED', 'This X-Nonce was already used');
      return { pk: row.id, terminalId: row.terminalId };
    },
  };
}

export type TerminalRegistry = ReturnType<typeof createTerminalRegistry>;
