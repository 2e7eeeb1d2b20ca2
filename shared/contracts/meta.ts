import { z } from 'zod';
import { routes } from '../routes';
import { defineEndpoint } from './endpoint';

export const NoticeLevel = z.enum(['info', 'important', 'urgent']);

export const Notice = z
  .object({
    id: z.number().int().positive(),
    title: z.string(),
    summary: z.string(),
    level: NoticeLevel,
    publishedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Notice' });

export const MetaResponse = z
  .object({
    utility: z.object({
      name: z.string(),
      shortName: z.string(),
      hotline: z.string(),
      serviceHours: z.string(),
    }),
    notices: z.array(Notice),
  })
  .meta({ id: 'Meta' });

export type Meta = z.infer<typeof MetaResponse>;

export const getMeta = defineEndpoint({
  ...routes.getMeta,
  summary: "The utility's name and service hotline, and the notices currently published",
  tag: 'meta',
  auth: 'none',
  response: MetaResponse,
});
