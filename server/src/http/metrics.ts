import type { Middleware } from 'koa';
import client from 'prom-client';
import { processFaults } from '../process-guard';

export interface HttpMetrics {
  registry: client.Registry;
  middleware: Middleware;
}

export interface MetricSources {
  /** How far ahead the working-day calendar knows the holidays, read at each scrape. */
  calendarCoverage(): { status: 'ok' | 'degraded'; daysAhead: number };
}

/**
 * One registry per app (tests build several apps in one process): request counts and latency by
 * route, and the gauges an operator alerts on.
 */
export function createHttpMetrics(sources: MetricSources): HttpMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  new client.Gauge({
    name: 'work_calendar_covered_days_ahead',
    help: 'Days from today (inclusive) whose holidays the working-day calendar knows; work-order limits past them follow the weekend rule only',
    registers: [registry],
    collect() {
      this.set(sources.calendarCoverage().daysAhead);
    },
  });
  new client.Gauge({
    name: 'work_calendar_covered',
    help: '1 when the working-day calendar knows the holidays of the next 90 days, else 0',
    registers: [registry],
    collect() {
      this.set(sources.calendarCoverage().status === 'ok' ? 1 : 0);
    },
  });
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
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.state.routeLabel ?? (ctx.status === 404 ? 'unmatched' : 'other');
      stop({ method: ctx.method, route: String(route) });
      requests.inc({ method: ctx.method, route: String(route), status: String(ctx.status) });
    }
  };
  return { registry, middleware };
}
