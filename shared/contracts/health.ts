import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

const ComponentStatus = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
});

/**
 * Whether the working-day calendar knows the holidays of the next `horizonDays` days. Degraded does
 * not stop serving (the top-level status and the 503 are for dependencies that are down), but
 * work-order limits past `coveredThrough` count holidays as working days until the year is added.
 */
const CalendarStatus = z.object({
  status: z.enum(['ok', 'degraded']),
  coveredThrough: z.string().nullable(),
  firstUncoveredDate: z.string(),
  horizonDays: z.number().int().positive(),
  detail: z.string(),
});

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'degraded']),
    uptimeSeconds: z.number().int().nonnegative(),
    database: ComponentStatus,
    redis: ComponentStatus.extend({ kind: z.enum(['redis', 'in-process']) }),
    calendar: CalendarStatus,
  })
  .meta({ id: 'Health' });

export const getHealth = defineEndpoint({
  ...routes.getHealth,
  summary: 'Liveness and dependency status (503 when the database or store is down; a short working-day calendar is reported, not a 503)',
  tag: 'operations',
  auth: 'none',
  response: HealthResponse,
  statuses: { 503: 'a dependency is down' },
});
