import { BlockList, isIP } from 'node:net';
import type { Terminal } from '../../../../shared/contracts/terminals';
import type { Clock } from '../../app';
import type { Database, Tx } from '../../db/database';
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

interface TerminalRow {
  id: number;
  terminal_id: string;
  organisation_name: string;
  organisation_kind: Terminal['organisation']['kind'];
  channel: Terminal['channel'];
  allowed_ips: string[];
  enabled: boolean;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: Date | null;
  created_at: Date;
  open_day?: string | null;
}

export interface TerminalInput {
  terminalId: string;
  organisation: { name: string; kind: Terminal['organisation']['kind'] };
  channel: Terminal['channel'];
  allowedIps: string[];
  enabled: boolean;
}

const SELECT_TERMINAL = `SELECT t.*, (SELECT to_char(accounting_date, 'YYYY-MM-DD') FROM terminal_days d WHERE d.terminal_pk = t.id AND d.status = 'open') AS open_day FROM terminals t`;

function present(row: TerminalRow, now: Date): Terminal {
  return {
    terminalId: row.terminal_id,
    organisation: { name: row.organisation_name, kind: row.organisation_kind },
    channel: row.channel,
    allowedIps: row.allowed_ips,
    enabled: row.enabled,
    previousSecretValidUntil: row.previous_secret_until && row.previous_secret_until > now ? row.previous_secret_until.toISOString() : null,
    openDay: row.open_day ?? null,
    createdAt: row.created_at.toISOString(),
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
    tx.client.query('INSERT INTO terminal_audit (terminal_pk, action, staff_id, details, at) VALUES ($1, $2, $3, $4, $5)', [
      terminalPk,
      action,
      staffId,
      details,
      clock.now(),
    ]);

  async function load(terminalId: string, tx?: Tx): Promise<TerminalRow> {
    const client = tx?.client ?? database.pool;
    const {
      rows: [row],
    } = await client.query<TerminalRow>(`${SELECT_TERMINAL} WHERE t.terminal_id = $1${tx ? ' FOR UPDATE OF t' : ''}`, [terminalId]);
    if (!row) throw notFound('Terminal');
    return row;
  }

  return {
    async list(): Promise<Terminal[]> {
      const { rows } = await database.pool.query<TerminalRow>(`${SELECT_TERMINAL} ORDER BY t.terminal_id`);
      return rows.map((row) => present(row, clock.now()));
    },

    /** Registers a terminal with a fresh secret, returned this once and stored only sealed. */
    async create(staffId: number | null, input: TerminalInput): Promise<{ terminal: Terminal; secret: string }> {
      const secret = newTerminalSecret();
      return database.transaction(async (tx) => {
        const {
          rows: [row],
        } = await tx.client.query<TerminalRow>(
          `INSERT INTO terminals (terminal_id, organisation_name, organisation_kind, channel, allowed_ips, enabled, secret_enc, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (terminal_id) DO NOTHING RETURNING *`,
          [
            input.terminalId,
            input.organisation.name,
            input.organisation.kind,
            input.channel,
            checkedIps(input.allowedIps),
            input.enabled,
            secrets.seal(secret),
            clock.now(),
          ],
        );
        if (!row) throw new AppError('CONFLICT', `Terminal ${input.terminalId} is already registered`);
        await audit(tx, row.id, 'created', staffId, {
          organisation: input.organisation,
          channel: input.channel,
          allowedIps: row.allowed_ips,
          enabled: input.enabled,
        });
        return { terminal: present(row, clock.now()), secret };
      });
    },

    async update(staffId: number, terminalId: string, changes: Partial<Omit<TerminalInput, 'terminalId'>>): Promise<Terminal> {
      return database.transaction(async (tx) => {
        const current = await load(terminalId, tx);
        const {
          rows: [row],
        } = await tx.client.query<TerminalRow>(
          `UPDATE terminals SET organisation_name = $2, organisation_kind = $3, channel = $4, allowed_ips = $5, enabled = $6, updated_at = $7 WHERE id = $1 RETURNING *`,
          [
            current.id,
            changes.organisation?.name ?? current.organisation_name,
            changes.organisation?.kind ?? current.organisation_kind,
            changes.channel ?? current.channel,
            changes.allowedIps ? checkedIps(changes.allowedIps) : current.allowed_ips,
            changes.enabled ?? current.enabled,
            clock.now(),
          ],
        );
        await audit(tx, current.id, changes.enabled === undefined ? 'updated' : changes.enabled ? 'enabled' : 'disabled', staffId, { changes });
        return present({ ...row!, open_day: current.open_day }, clock.now());
      });
    },

    /** A new secret; the one it replaces keeps verifying for `overlapHours` (an older previous one stops now). */
    async rotate(staffId: number, terminalId: string, overlapHours: number): Promise<{ terminal: Terminal; secret: string }> {
      return database.transaction(async (tx) => {
        const current = await load(terminalId, tx);
        const secret = newTerminalSecret();
        const until = overlapHours > 0 ? new Date(clock.now().getTime() + overlapHours * 3_600_000) : null;
        const {
          rows: [row],
        } = await tx.client.query<TerminalRow>(
          `UPDATE terminals SET secret_enc = $2, previous_secret_enc = $3, previous_secret_until = $4, updated_at = $5 WHERE id = $1 RETURNING *`,
          [current.id, secrets.seal(secret), until ? current.secret_enc : null, until, clock.now()],
        );
        await audit(tx, current.id, 'secret_rotated', staffId, { previousValidUntil: until?.toISOString() ?? null });
        return { terminal: present({ ...row!, open_day: current.open_day }, clock.now()), secret };
      });
    },

    async days(terminalId: string) {
      const terminal = await load(terminalId);
      const { rows } = await database.pool.query(
        `SELECT to_char(d.accounting_date, 'YYYY-MM-DD') AS date, d.status, d.opened_at, d.closed_at, d.pay_count, d.total_fen,
                r.matched, r.mismatches, r.created_at AS reconciled_at
           FROM terminal_days d LEFT JOIN terminal_reconciliations r ON r.terminal_pk = d.terminal_pk AND r.accounting_date = d.accounting_date
          WHERE d.terminal_pk = $1 ORDER BY d.accounting_date DESC LIMIT 90`,
        [terminal.id],
      );
      return rows.map((row) => ({
        accountingDate: row.date as string,
        status: row.status as 'open' | 'closed',
        openedAt: (row.opened_at as Date).toISOString(),
        closedAt: (row.closed_at as Date | null)?.toISOString() ?? null,
        count: row.pay_count as number | null,
        totalFen: row.total_fen as number | null,
        reconciled: row.reconciled_at
          ? { matched: row.matched as number, mismatches: row.mismatches as number, at: (row.reconciled_at as Date).toISOString() }
          : null,
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
      const {
        rows: [row],
      } = await database.pool.query<TerminalRow>('SELECT * FROM terminals WHERE terminal_id = $1', [request.terminalId]);
      if (!row) throw new AppError('TERMINAL_UNKNOWN', 'X-Terminal-Id is missing or not a registered terminal');
      if (!row.enabled) throw new AppError('TERMINAL_DISABLED', 'This terminal is disabled');
      if (!ipAllowed(request.ip, row.allowed_ips))
        throw new AppError('IP_NOT_ALLOWED', 'Requests from this address are not accepted for this terminal', { ip: plainIp(request.ip) });
      if (!/^\d{10}$/.test(request.timestamp)) throw new AppError('SIGNATURE_INVALID', 'X-Timestamp must be Unix time in seconds');
      if (!/^[A-Za-z0-9_-]{16,64}$/.test(request.nonce)) throw new AppError('SIGNATURE_INVALID', 'X-Nonce must be 16–64 letters, digits, _ or -');
      const now = clock.now();
      const keys = [secrets.open(row.secret_enc)];
      if (row.previous_secret_enc && row.previous_secret_until && row.previous_secret_until > now) keys.push(secrets.open(row.previous_secret_enc));
      const text = stringToSign(request.method, request.path, request.timestamp, request.nonce, request.rawBody);
      if (!request.signature || !signatureMatches(keys, text, request.signature))
        throw new AppError('SIGNATURE_INVALID', 'The signature does not match the request');
      if (Math.abs(now.getTime() / 1000 - Number(request.timestamp)) > TIMESTAMP_WINDOW_SECONDS) {
        throw new AppError('TIMESTAMP_STALE', 'X-Timestamp is more than 5 minutes from the server’s time', { serverTime: Math.floor(now.getTime() / 1000) });
      }
      const fresh = await deps.store.set(`terminal-nonce:${row.terminal_id}:${request.nonce}`, '1', { ttlMs: NONCE_TTL_MS, onlyIfAbsent: true });
      if (!fresh) throw new AppError('NONCE_REUSED', 'This X-Nonce was already used');
      return { pk: row.id, terminalId: row.terminal_id };
    },
  };
}

export type TerminalRegistry = ReturnType<typeof createTerminalRegistry>;
