/**
 * Every endpoint's method and path, with no runtime dependencies, so the mini-program's main
 * package can call the API without bundling the zod schemas. The contracts in `contracts/` add
 * the schemas to these same entries, and a type check keeps the two lists in step.
 */
export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form: `/api/bills/{id}`. */
  path: string;
}

export const routes = {
  getHealth: { method: 'get', path: '/healthz' },
  getMeta: { method: 'get', path: '/api/meta' },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof routes;
