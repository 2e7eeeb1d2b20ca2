import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

/*
 * Payment terminals (banks, store chains, collection agents): the staff registry, and the signed
 * machine-to-machine protocol under /api/terminal/v1. Money is integer fen; dates are Shanghai
 * calendar dates (YYYY-MM-DD). docs/terminal-api.md is the integrator's guide.
 */

export const TerminalIdField = z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,31}$/, 'must be 3–32 capital letters, digits or -');
const AccountingDate = z.iso.date().meta({ description: 'The terminal’s accounting day (Shanghai calendar date)' });
const Serial = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, _ or -')
  .meta({ description: 'The terminal’s own transaction serial number, unique per accounting day' });
const AccountNo = z.string().regex(/^\d{6,20}$/, 'must be 6–20 digits');
const Fen = z.number().int();
/** The largest single payment a terminal may post: ¥1,000,000. */
export const MAX_TERMINAL_PAY_FEN = 100_000_000;
const PayFen = z
  .number()
  .int()
  .meta({ description: `Amount in fen, 1 to ${MAX_TERMINAL_PAY_FEN}` });
const Instant = z.iso.datetime({ offset: true });
const IpOrCidr = z
  .string()
  .regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an IP address or CIDR range')
  .meta({ description: 'An IPv4/IPv6 address or CIDR range, e.g. 203.0.113.7 or 203.0.113.0/24' });

export const OrganisationKind = z.enum(['bank', 'store_chain', 'agent']);
export const TerminalChannel = z.enum(['counter', 'self_service', 'pos', 'online']);

export const Terminal = z
  .object({
    terminalId: TerminalIdField,
    organisation: z.object({ name: z.string(), kind: OrganisationKind }),
    channel: TerminalChannel,
    allowedIps: z.array(z.string()),
    enabled: z.boolean(),
    /** While a rotated-out secret still verifies: until then both secrets are accepted. */
    previousSecretValidUntil: Instant.nullable(),
    openDay: AccountingDate.nullable(),
    createdAt: Instant,
  })
  .meta({ id: 'Terminal' });
export type Terminal = z.infer<typeof Terminal>;

const STAFF_REGISTRY = ['admin'];
const STAFF_RECONCILIATION = ['back_office', 'admin'];
const TerminalParams = z.object({ terminalId: TerminalIdField });

export const listTerminals = defineEndpoint({
  ...routes.listTerminals,
  summary: 'Registered payment terminals (secrets are never shown again after creation or rotation)',
  tag: 'staff-terminals',
  auth: 'staff',
  roles: STAFF_RECONCILIATION,
  response: z.object({ terminals: z.array(Terminal) }),
});

export const createTerminal = defineEndpoint({
  ...routes.createTerminal,
  summary: 'Register a terminal; the reply carries its signing secret, shown this once',
  tag: 'staff-terminals',
  auth: 'staff',
  roles: STAFF_REGISTRY,
  body: z.object({
    terminalId: TerminalIdField,
    organisation: z.object({ name: z.string().trim().min(1).max(100), kind: OrganisationKind }),
    channel: TerminalChannel,
    allowedIps: z.array(IpOrCidr).min(1).max(50),
    enabled: z.boolean().default(true),
  }),
  response: z.object({ terminal: Terminal, secret: z.string() }),
  statuses: { 201: 'registered', 409: 'a terminal with that id exists' },
});

export const updateTerminal = defineEndpoint({
  ...routes.updateTerminal,
  summary: 'Enable or disable a terminal, or change its organisation, channel or allowed source IPs',
  tag: 'staff-terminals',
  auth: 'staff',
  roles: STAFF_REGISTRY,
  params: TerminalParams,
  body: z
    .object({
      enabled: z.boolean(),
      organisation: z.object({ name: z.string().trim().min(1).max(100), kind: OrganisationKind }),
      channel: TerminalChannel,
      allowedIps: z.array(IpOrCidr).min(1).max(50),
    })
    .partial()
    .refine((body) => Object.keys(body).length > 0, 'change at least one field'),
  response: z.object({ terminal: Terminal }),
  statuses: { 404: 'no such terminal' },
});

export const rotateTerminalSecret = defineEndpoint({
  ...routes.rotateTerminalSecret,
  summary: 'Issue a new secret (shown this once); the old one keeps verifying for the overlap period so the terminal can switch without downtime',
  tag: 'staff-terminals',
  auth: 'staff',
  roles: STAFF_REGISTRY,
  params: TerminalParams,
  body: z.object({ overlapHours: z.number().int().min(0).max(168).default(24) }),
  response: z.object({ terminal: Terminal, secret: z.string() }),
  statuses: { 404: 'no such terminal' },
});

export const TerminalDay = z
  .object({
    accountingDate: AccountingDate,
    status: z.enum(['open', 'closed']),
    openedAt: Instant,
    closedAt: Instant.nullable(),
    count: z.number().int().nullable(),
    totalFen: Fen.nullable(),
    reconciled: z.object({ matched: z.number().int(), mismatches: z.number().int(), at: Instant }).nullable(),
  })
  .meta({ id: 'TerminalDay' });

export const listTerminalDays = defineEndpoint({
  ...routes.listTerminalDays,
  summary: "A terminal's accounting days, newest first: totals at sign-out and the reconciliation outcome",
  tag: 'staff-terminals',
  auth: 'staff',
  roles: STAFF_RECONCILIATION,
  params: TerminalParams,
  response: z.object({ days: z.array(TerminalDay) }),
  statuses: { 404: 'no such terminal' },
});

export const MismatchKind = z.enum(['long', 'short', 'amount', 'account']).meta({
  description:
    'long: we recorded the payment, the terminal did not; short: the terminal has it, we do not; amount / account: both have the serial with a different amount / account',
});

export const TerminalMismatch = z
  .object({
    id: z.number().int(),
    terminalId: TerminalIdField,
    accountingDate: AccountingDate,
    serial: Serial,
    kind: MismatchKind,
    ours: z.object({ accountNo: z.string(), amountFen: Fen }).nullable(),
    theirs: z.object({ accountNo: z.string(), amountFen: Fen }).nullable(),
    status: z.enum(['open', 'accepted_ours', 'accepted_theirs']),
    resolution: z.object({ reason: z.string(), by: z.string(), at: Instant }).nullable(),
  })
  .meta({ id: 'TerminalMismatch' });
export type TerminalMismatch = z.infer<typeof TerminalMismatch>;

export const listTerminalMismatches = defineEndpoint({
  ...routes.listTerminalMismatches,
  summary: 'Reconciliation mismatches (open ones by default), oldest first',
  tag: 'staff-terminals',
  auth: 'staff',
  roles: STAFF_RECONCILIATION,
  query: z.object({ status: z.enum(['open', 'resolved', 'all']).default('open'), terminalId: TerminalIdField.optional() }),
  response: z.object({ mismatches: z.array(TerminalMismatch) }),
});

export const resolveTerminalMismatch = defineEndpoint({
  ...routes.resolveTerminalMismatch,
  summary:
    "Settle a mismatch: accept ours (our record stands, no money moves) or accept theirs (our posting is undone and/or the terminal's line is posted), with a reason; audited",
  tag: 'staff-terminals',
  auth: 'staff',
  roles: STAFF_RECONCILIATION,
  params: z.object({ mismatchId: z.coerce.number().int().positive() }),
  body: z.object({ accept: z.enum(['ours', 'theirs']), reason: z.string().trim().min(4).max(500) }),
  response: z.object({ mismatch: TerminalMismatch }),
  statuses: { 404: 'no such mismatch, or (accepting theirs) an account number we do not know', 409: 'already resolved' },
});

// --- the terminal protocol ---------------------------------------------------------------------

const SignedHeaders = z.object({
  'X-Terminal-Id': TerminalIdField,
  'X-Timestamp': z
    .string()
    .regex(/^\d{10}$/)
    .meta({ description: 'Unix time in seconds; refused more than 5 minutes from ours' }),
  'X-Nonce': z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/)
    .meta({ description: '16–64 random letters, digits, _ or -; never reused' }),
  'X-Signature': z.string().meta({ description: 'base64 HMAC-SHA256 of METHOD\\nPATH\\nX-Timestamp\\nX-Nonce\\nhex(sha256(body))\\n' }),
});
const SIGNED_STATUSES = { 401: 'unknown terminal, bad signature, stale timestamp or reused nonce', 403: 'terminal disabled, or source IP not allowed' };
const terminalEndpoint = { tag: 'terminal-protocol', auth: 'terminal' as const, headers: SignedHeaders };

export const terminalSignin = defineEndpoint({
  ...routes.terminalSignin,
  ...terminalEndpoint,
  summary: "Sign in: open the terminal's accounting day (today, yesterday or tomorrow in Shanghai); repeating it for the open day changes nothing",
  body: z.object({ accountingDate: AccountingDate }),
  response: z.object({ terminalId: TerminalIdField, accountingDate: AccountingDate, status: z.literal('open'), openedAt: Instant }),
  statuses: { ...SIGNED_STATUSES, 409: 'DAY_STILL_OPEN (another day is not signed out) or DAY_CLOSED (that day was signed out)' },
});

export const TerminalReceivable = z.object({
  receivableId: z.number().int(),
  month: z.string(),
  dueDate: z.iso.date(),
  principalFen: Fen.meta({ description: 'The bill’s principal' }),
  principalOwedFen: Fen.meta({ description: 'Principal still unpaid' }),
  lateFeeFen: Fen.meta({ description: 'Late fee still unpaid' }),
});

export const terminalQuery = defineEndpoint({
  ...routes.terminalQuery,
  ...terminalEndpoint,
  summary: 'What an account owes: masked holder and address, open receivables oldest first, and its prepayment',
  body: z.object({ accountNo: AccountNo }),
  response: z.object({
    accountNo: z.string(),
    holderName: z.string().meta({ description: 'masked, e.g. 张*' }),
    address: z.string().meta({ description: 'masked after the district' }),
    billingMode: z.enum(['postpaid', 'prepaid']),
    receivables: z.array(TerminalReceivable),
    totalOwedFen: Fen,
    prepaymentFen: Fen.meta({ description: 'Money held for the account (prepaid balance or prepayment)' }),
  }),
  statuses: { ...SIGNED_STATUSES, 404: 'ACCOUNT_UNKNOWN', 409: 'NOT_SIGNED_IN' },
});

export const AllocationLine = z.object({ receivableId: z.number().int(), month: z.string(), lateFeeFen: Fen, principalFen: Fen });

export const TerminalPayResult = z
  .object({
    serial: Serial,
    accountingDate: AccountingDate,
    accountNo: z.string(),
    amountFen: Fen,
    status: z.literal('accepted'),
    allocation: z.object({ lines: z.array(AllocationLine), prepaymentFen: Fen }),
    acceptedAt: Instant,
  })
  .meta({ id: 'TerminalPayResult' });

export const terminalPay = defineEndpoint({
  ...routes.terminalPay,
  ...terminalEndpoint,
  summary:
    'Pay: late fee before principal, oldest receivable first (or only the listed ones), anything left becomes prepayment. Idempotent on (terminal, accounting date, serial): a repeat returns the first reply with Idempotent-Replayed: true',
  body: z.object({
    serial: Serial,
    accountingDate: AccountingDate,
    accountNo: AccountNo,
    amountFen: PayFen,
    receivableIds: z.array(z.number().int().positive()).max(36).optional(),
  }),
  response: TerminalPayResult,
  statuses: {
    ...SIGNED_STATUSES,
    400: 'AMOUNT_INVALID',
    404: 'ACCOUNT_UNKNOWN',
    409: 'NOT_SIGNED_IN, DAY_CLOSED, RECEIVABLE_NOT_OPEN',
    422: 'SERIAL_REUSED: the serial was used for different content',
  },
});

export const terminalReverse = defineEndpoint({
  ...routes.terminalReverse,
  ...terminalEndpoint,
  summary: 'Reverse (冲正) a payment of the same open accounting day, for its full amount; undoes exactly what the payment did',
  body: z.object({ serial: Serial, accountingDate: AccountingDate, originalSerial: Serial, amountFen: PayFen }),
  response: z.object({
    serial: Serial,
    originalSerial: Serial,
    accountingDate: AccountingDate,
    amountFen: Fen,
    status: z.literal('reversed'),
    reversedAt: Instant,
  }),
  statuses: {
    ...SIGNED_STATUSES,
    400: 'AMOUNT_INVALID: not the original’s full amount',
    404: 'ORIGINAL_UNKNOWN',
    409: 'NOT_SIGNED_IN, DAY_CLOSED, ALREADY_REVERSED',
    422: 'SERIAL_REUSED',
  },
});

export const terminalSignout = defineEndpoint({
  ...routes.terminalSignout,
  ...terminalEndpoint,
  summary:
    'Sign out: close the accounting day; returns the count and total of its payments that stand (reversed ones excluded). Repeating it returns the same figures',
  body: z.object({ accountingDate: AccountingDate }),
  response: z.object({ accountingDate: AccountingDate, status: z.literal('closed'), count: z.number().int(), totalFen: Fen, closedAt: Instant }),
  statuses: { ...SIGNED_STATUSES, 409: 'NOT_SIGNED_IN' },
});

export const ReconcileResult = z
  .object({
    accountingDate: AccountingDate,
    ours: z.object({ count: z.number().int(), totalFen: Fen }),
    theirs: z.object({ count: z.number().int(), totalFen: Fen }),
    matched: z.number().int(),
    long: z.number().int(),
    short: z.number().int(),
    amountMismatch: z.number().int(),
    accountMismatch: z.number().int(),
    mismatches: z.array(z.object({ serial: Serial, kind: MismatchKind, ourAmountFen: Fen.nullable(), theirAmountFen: Fen.nullable() })),
  })
  .meta({ id: 'ReconcileResult' });

export const terminalReconcile = defineEndpoint({
  ...routes.terminalReconcile,
  ...terminalEndpoint,
  summary:
    "Reconcile a signed-out day against the terminal's file (header H|date|count|totalFen, then D|serial|accountNo|amountFen per payment that stands); the same file again returns the same result",
  body: z.object({ accountingDate: AccountingDate, file: z.string().min(1).max(900_000) }),
  response: ReconcileResult,
  statuses: {
    ...SIGNED_STATUSES,
    400: 'RECONCILE_FILE_INVALID',
    409: 'NOT_SIGNED_IN, DAY_NOT_CLOSED, ALREADY_RECONCILED (a different file was reconciled for that day)',
  },
});
