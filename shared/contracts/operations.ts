import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

const ParkedEvent = z
  .object({
    id: z.number().int(),
    topic: z.string(),
    type: z.string().nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
    parkedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'ParkedEvent' });

export const listParkedEvents = defineEndpoint({
  ...routes.listParkedEvents,
  summary: 'Outbox events (e.g. work-order webhooks to the back office) parked after repeated delivery failures',
  tag: 'staff-operations',
  auth: 'staff',
  roles: ['back_office', 'admin'],
  response: z.object({ events: z.array(ParkedEvent) }),
});

export const replayParkedEvent = defineEndpoint({
  ...routes.replayParkedEvent,
  summary: 'Send a parked event again; the receiver drops a repeat of an id it already has',
  tag: 'staff-operations',
  auth: 'staff',
  roles: ['back_office', 'admin'],
  params: z.object({ eventId: z.coerce.number().int().positive() }),
  response: z.object({ queued: z.literal(true) }),
  statuses: { 404: 'no parked event with that id' },
});
