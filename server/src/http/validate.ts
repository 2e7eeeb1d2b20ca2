import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import type { Endpoint } from '../../../shared/contracts/endpoint';
import { AppError } from '../errors';
import type { Principal } from '../modules/auth/tokens';
import { enforceContract } from './security';

type Parsed<S> = [S] extends [undefined] ? undefined : z.output<Exclude<S, undefined>>;

export interface Input<E extends Endpoint> {
  body: Parsed<E['body']>;
  query: Parsed<E['query']>;
  params: Parsed<E['params']>;
  /** The caller, for endpoints whose contract requires a customer or staff token. */
  principal?: Principal;
}

export type Handler<E extends Endpoint> = (input: Input<E>, ctx: Context) => Promise<z.input<E['response']> | void> | z.input<E['response']> | void;

// PostgreSQL text cannot hold U+0000, and jsonb refuses a surrogate half without its partner.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string (value or key) in `value` that no text column could store. Iterative: input depth is the caller's. */
function unstorableText(value: unknown): Array<string | number> | undefined {
  const stack: Array<{ node: unknown; path: Array<string | number> }> = [{ node: value, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) return path;
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (UNSTORABLE.test(key)) return [...path, key];
        stack.push({ node: child, path: [...path, Array.isArray(node) ? Number(key) : key] });
      }
    }
  }
  return undefined;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? {});
  const issues = result.success ? [] : result.error.issues.map((issue) => ({ path: [where, ...issue.path].join('.'), message: issue.message }));
  // Checked on what the schema kept, so the refusal names a field the endpoint actually takes.
  const unstorable = result.success ? unstorableText(result.data) : undefined;
  if (unstorable) issues.push({ path: [where, ...unstorable].join('.'), message: 'must not contain NUL or unpaired surrogate characters' });
  if (issues.length === 0) return result.data;
  throw new AppError('VALIDATION_FAILED', `Invalid ${where}`, { issues });
}

/** `/api/bills/{id}` (OpenAPI form, as written in contracts) → `/api/bills/:id` (router form). */
export const routerPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * Mounts an endpoint from its shared contract: the chain reads left to right as
 * guards (rate limit, …) → the contract's security (token, roles, account binding) → validate →
 * handler, and the handler gets typed input. A returned value becomes the JSON body.
 */
export function mount<E extends Endpoint>(router: Router, endpoint: E, ...chain: [...Middleware[], Handler<E>]): void {
  const handler = chain.pop() as Handler<E>;
  const guards = chain as Middleware[];
  const run: Middleware = async (ctx) => {
    // Path parameters are parsed first: the account policy needs them, and a malformed id is a 404 like any other.
    let params: unknown;
    try {
      params = parsePart(endpoint.params, ctx.params, 'params');
    } catch {
      throw new AppError('NOT_FOUND', 'Not found');
    }
    const principal = await enforceContract(ctx, endpoint, params);
    const input = {
      body: parsePart(endpoint.body, ctx.request.body, 'body'),
      query: parsePart(endpoint.query, ctx.query, 'query'),
      params,
      principal,
    } as Input<E>;
    const result = await handler(input, ctx);
    if (result !== undefined) ctx.body = result;
  };
  router.register(routerPath(endpoint.path), [endpoint.method.toUpperCase()], [...guards, run]);
}
