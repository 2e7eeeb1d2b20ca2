import { z } from 'zod';
import type { Route } from '../routes';

export type HttpMethod = Route['method'];

/**
 * One endpoint's contract: what the server validates, what the client is typed against, and what
 * the OpenAPI document says. Method and path come from `shared/routes.ts`.
 */
export interface Endpoint<
  Body extends z.ZodType | undefined = z.ZodType | undefined,
  Query extends z.ZodType | undefined = z.ZodType | undefined,
  Params extends z.ZodType | undefined = z.ZodType | undefined,
  Response extends z.ZodType = z.ZodType,
> extends Route {
  summary: string;
  tag: string;
  /** `terminal`: a payment terminal's signed request (docs/terminal-api.md); `signature`: other signed peers. */
  auth: 'none' | 'customer' | 'staff' | 'signature' | 'terminal';
  /** Staff endpoints: the roles allowed (any one suffices). */
  roles?: string[];
  /** `account`: the path's `{accountId}` must be bound to the calling customer, checked before the handler. */
  scope?: 'account';
  body?: Body;
  query?: Query;
  params?: Params;
  /** Request headers the endpoint requires (documentation only: signature middleware checks them). */
  headers?: z.ZodObject;
  response: Response;
  /** Statuses other than 200 that this endpoint documents, e.g. `{ 201: 'created' }`. */
  statuses?: Record<number, string>;
}

export function defineEndpoint<
  Body extends z.ZodType | undefined = undefined,
  Query extends z.ZodType | undefined = undefined,
  Params extends z.ZodType | undefined = undefined,
  Response extends z.ZodType = z.ZodType,
>(endpoint: Endpoint<Body, Query, Params, Response>): Endpoint<Body, Query, Params, Response> {
  return endpoint;
}

export type ResponseOf<E extends Endpoint> = z.infer<E['response']>;
type InputPart<S> = [S] extends [undefined] ? undefined : z.input<Exclude<S, undefined>>;
/** What a client sends: body, query and path parameters, each typed from the contract. */
export interface RequestOf<E extends Endpoint> {
  body: InputPart<E['body']>;
  query: InputPart<E['query']>;
  params: InputPart<E['params']>;
}

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code' }),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });
