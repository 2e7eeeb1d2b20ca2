import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

const ComponentStatus = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
});

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'degraded']),
    uptimeSeconds: z.number().int().nonnegative(),
    database: ComponentStatus,
    redis: ComponentStatus.extend({ kind: z.enum(['redis', 'in-process']) }),
  })
  .meta({ id: 'Health' });

export const getHealth = defineEndpoint({
  ...routes.getHealth,
  summary: 'Liveness and dependency status (503 when the database is down)',
  tag: 'operations',
  auth: 'none',
  response: HealthResponse,
  statuses: { 503: 'a dependency is down' },
});
