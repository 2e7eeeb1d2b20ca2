import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

const STAFF_OUTAGES = ['back_office', 'grid_manager', 'admin'];
const Instant = z.iso.datetime({ offset: true });
const OutageParams = z.object({ outageId: z.coerce.number().int().positive() });
const TransformerArea = z.string().regex(/^TA-[A-Z0-9-]{2,30}$/, 'must be a transformer area code such as TA-XH-001');

export const OutageStatus = z.enum(['scheduled', 'in_progress', 'restored', 'cancelled']);
export type OutageStatus = z.infer<typeof OutageStatus>;
export const OutageKind = z.enum(['planned', 'unplanned']);

export const Outage = z
  .object({
    id: z.number().int(),
    kind: OutageKind,
    status: OutageStatus,
    title: z.string(),
    reason: z.string(),
    district: z.string(),
    areas: z.array(z.string()),
    feeder: z.string().nullable(),
    scheduledStart: Instant,
    scheduledEnd: Instant,
    restoredAt: Instant.nullable(),
    /** When power is expected back: the restoration time once restored, else the scheduled end. */
    expectedBackAt: Instant,
    version: z.number().int(),
    updatedAt: Instant,
  })
  .meta({ id: 'Outage' });
export type Outage = z.infer<typeof Outage>;

export const OutageChange = z.object({
  event: z.enum(['published', 'updated', 'started', 'restored', 'cancelled']),
  at: Instant,
  changes: z.record(z.string(), z.unknown()),
});

export const MyOutage = Outage.extend({
  accounts: z.array(z.object({ accountId: z.number().int(), accountNo: z.string() })),
}).meta({ id: 'MyOutage' });
export type MyOutage = z.infer<typeof MyOutage>;

export const listMyOutages = defineEndpoint({
  ...routes.listMyOutages,
  summary: "Outages touching the caller's bound accounts: happening now, coming up, and restored in the last 3 days",
  tag: 'outages',
  auth: 'customer',
  response: z.object({ current: z.array(MyOutage), upcoming: z.array(MyOutage), recentlyRestored: z.array(MyOutage) }),
});

export const listPublicOutages = defineEndpoint({
  ...routes.listPublicOutages,
  summary: 'Current and upcoming outages, optionally for one district; no login needed',
  tag: 'outages',
  auth: 'none',
  query: z.object({ district: z.string().max(40).optional() }),
  response: z.object({ districts: z.array(z.string()), outages: z.array(Outage) }),
});

export const getOutage = defineEndpoint({
  ...routes.getOutage,
  summary: 'One outage with its change history; no login needed',
  tag: 'outages',
  auth: 'none',
  params: OutageParams,
  response: z.object({ outage: Outage, history: z.array(OutageChange) }),
  statuses: { 404: 'no such outage' },
});

// Staff.

export const PublishOutage = z
  .object({
    kind: OutageKind,
    title: z.string().trim().min(2).max(60),
    reason: z.string().trim().min(2).max(500),
    district: z.string().trim().min(2).max(40),
    areas: z.array(TransformerArea).min(1).max(500).optional(),
    feeder: z.string().trim().min(1).max(40).optional(),
    scheduledStart: Instant,
    scheduledEnd: Instant,
  })
  .refine((body) => body.areas?.length || body.feeder, { message: 'give the transformer areas or a feeder', path: ['areas'] })
  .refine((body) => body.scheduledEnd > body.scheduledStart, { message: 'must end after it starts', path: ['scheduledEnd'] });
export type PublishOutage = z.infer<typeof PublishOutage>;

export const listStaffOutages = defineEndpoint({
  ...routes.listStaffOutages,
  summary: 'Outages, newest first, optionally by status',
  tag: 'staff-outages',
  auth: 'staff',
  roles: STAFF_OUTAGES,
  query: z.object({ status: OutageStatus.optional() }),
  response: z.object({ outages: z.array(Outage.extend({ affectedAccounts: z.number().int() })) }),
});

export const publishOutage = defineEndpoint({
  ...routes.publishOutage,
  summary: 'Publish an outage (planned ones start scheduled, unplanned ones in progress); affected customers are notified',
  tag: 'staff-outages',
  auth: 'staff',
  roles: STAFF_OUTAGES,
  body: PublishOutage,
  response: z.object({ outage: Outage }),
  statuses: { 201: 'published', 400: 'unknown feeder or invalid times' },
});

export const updateOutage = defineEndpoint({
  ...routes.updateOutage,
  summary: "Change an outage's times or reason; refused if someone changed it since `expectedVersion`",
  tag: 'staff-outages',
  auth: 'staff',
  roles: STAFF_OUTAGES,
  params: OutageParams,
  body: z
    .object({
      expectedVersion: z.number().int().positive(),
      scheduledStart: Instant.optional(),
      scheduledEnd: Instant.optional(),
      reason: z.string().trim().min(2).max(500).optional(),
    })
    .refine((body) => body.scheduledStart || body.scheduledEnd || body.reason, 'change at least one of the times or the reason'),
  response: z.object({ outage: Outage }),
  statuses: { 404: 'no such outage', 409: 'changed by someone else, or already restored or cancelled' },
});

const transition = <Body extends z.ZodType>(route: (typeof routes)['startOutage' | 'restoreOutage' | 'cancelOutage'], summary: string, body: Body) =>
  defineEndpoint({
    ...route,
    summary,
    tag: 'staff-outages',
    auth: 'staff',
    roles: STAFF_OUTAGES,
    params: OutageParams,
    body,
    response: z.object({ outage: Outage }),
    statuses: { 404: 'no such outage', 409: 'not allowed from its current status' },
  });

export const startOutage = transition(routes.startOutage, 'Mark a scheduled outage as in progress', z.object({}));
export const restoreOutage = transition(routes.restoreOutage, 'Mark power restored (now, or at the time given)', z.object({ restoredAt: Instant.optional() }));
export const cancelOutage = transition(
  routes.cancelOutage,
  'Cancel a scheduled outage, with the reason customers will read',
  z.object({ reason: z.string().trim().min(2).max(500) }),
);

export const importOutages = defineEndpoint({
  ...routes.importOutages,
  summary:
    'Import a planned-outage schedule. CSV with a header: ref,title,reason,district,areas,scheduled_start,scheduled_end (areas separated by |; times ISO 8601 with offset). Good lines are published, each ref once; bad lines are reported.',
  tag: 'staff-outages',
  auth: 'staff',
  roles: STAFF_OUTAGES,
  body: z.object({ csv: z.string().min(1).max(1_000_000) }),
  response: z.object({
    published: z.number().int(),
    alreadyImported: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), ref: z.string().nullable(), message: z.string() })),
  }),
});

export const listOutageSuggestions = defineEndpoint({
  ...routes.listOutageSuggestions,
  summary: 'Transformer areas with a burst of fault reports and no outage published: likely unplanned outages',
  tag: 'staff-outages',
  auth: 'staff',
  roles: STAFF_OUTAGES,
  response: z.object({
    suggestions: z.array(
      z.object({ transformerArea: z.string(), district: z.string().nullable(), reports: z.number().int(), firstAt: Instant, lastAt: Instant }),
    ),
  }),
});
