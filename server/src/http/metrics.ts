import type { Middleware } from 'koa';
import client from 'prom-client';
import { processFaults } from '../process-guard';

export interface HttpMetrics {
  registry: client.Registry;
  middleware: Middleware;
}

/** One registry per app (tests build several apps in one process), with request counts and latency by route. */
export function createHttpMetrics(): HttpMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new client.Gauge({
    name: 'process_guard_faults',
    help: 'Errors that escaped every handler and were caught by the process guard since start, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      for (const [kind, count] of Object.entries(processFaults)) this.set({ kind }, count);
    },
  });
  const middleware: Middleware = async (ctx, next) => {
    const stop = duration.startTimer();
    try {
      await next();
    } finally {
      // The route template or a fixed name, never the raw path, so ids and asset hashes do not explode the label set.
      const route =
        (ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.state.routeLabel ?? (ctx.status === 404 ? 'unmatched' : 'other');
      stop({ method: ctx.method, route: String(route) });
      requests.inc({ method: ctx.method, route: String(route), status: String(ctx.status) });
    }
  };
  return { registry, middleware };
}
