/**
 * What the soak records: per route a latency histogram and errors by status; per minute the
 * requests, errors, the server's RSS and heap (means of samples every few seconds) and the load
 * average. Everything is a fixed set of counters, so the load generator's memory stays flat.
 */
import os from 'node:os';
import { createHistogram, type Histogram } from './histogram';

interface RouteStats {
  latency: Histogram;
  errors: Map<string, number>;
}

interface Minute {
  requests: number;
  errors: number;
  rss: number[];
  heap: number[];
  /** The load generator's own RSS, to show it stays bounded too. */
  generator: number;
  load1: number;
}

const MB = 1_048_576;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / (values.length || 1);

export function createSoakStats(startedAt: number) {
  const routes = new Map<string, RouteStats>();
  const minutes: Minute[] = [];
  const samples: string[] = [];
  const minute = () => {
    const index = Math.floor((performance.now() - startedAt) / 60_000);
    while (minutes.length <= index) minutes.push({ requests: 0, errors: 0, rss: [], heap: [], generator: 0, load1: 0 });
    return minutes[index]!;
  };
  const route = (name: string) => {
    let stats = routes.get(name);
    if (!stats) routes.set(name, (stats = { latency: createHistogram(), errors: new Map() }));
    return stats;
  };

  return {
    ok(name: string, ms: number) {
      route(name).latency.record(ms);
      minute().requests += 1;
    },
    /** `status` is the HTTP status, `bad body` for a reply of the right status that does not say what it should, or `network`. */
    error(name: string, ms: number, status: string, detail: string) {
      const stats = route(name);
      stats.latency.record(ms);
      stats.errors.set(status, (stats.errors.get(status) ?? 0) + 1);
      const current = minute();
      current.requests += 1;
      current.errors += 1;
      if (samples.length < 12) samples.push(`${name} → ${status}: ${detail.slice(0, 240)}`);
    },
    memory(rssBytes: number, heapBytes: number) {
      const current = minute();
      current.rss.push(rssBytes);
      current.heap.push(heapBytes);
      current.generator = process.memoryUsage().rss;
      current.load1 = os.loadavg()[0]!;
    },
    /** The minute just finished, as one progress line. */
    minuteLine(index: number): string {
      const m = minutes[index];
      if (!m) return '';
      return `  minute ${String(index + 1).padStart(2)}: ${String(m.requests).padStart(6)} requests (${(m.requests / 60).toFixed(0)}/s), ${m.errors} errors, server RSS ${(mean(m.rss) / MB).toFixed(1)} MB, heap ${(mean(m.heap) / MB).toFixed(1)} MB, load ${m.load1.toFixed(2)}, generator RSS ${(m.generator / MB).toFixed(0)} MB`;
    },

    report(out: (line: string) => void, fullMinutes: number): { errors: number; drift: { rss: number; heap: number } } {
      let total = 0;
      let errors = 0;
      const byStatus = new Map<string, number>();
      out(`\n  ${'route'.padEnd(44)} ${'requests'.padStart(8)} ${'errors'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}`);
      for (const [name, stats] of [...routes].sort(([a], [b]) => a.localeCompare(b))) {
        const routeErrors = [...stats.errors.values()].reduce((sum, n) => sum + n, 0);
        total += stats.latency.count;
        errors += routeErrors;
        for (const [status, n] of stats.errors) byStatus.set(status, (byStatus.get(status) ?? 0) + n);
        const detail = routeErrors ? `  (${[...stats.errors].map(([status, n]) => `${status}: ${n}`).join(', ')})` : '';
        out(`  ${name.padEnd(44)} ${String(stats.latency.count).padStart(8)} ${String(routeErrors).padStart(6)} ${stats.latency.percentile(0.5).toFixed(1).padStart(7)} ${stats.latency.percentile(0.99).toFixed(1).padStart(7)} ${stats.latency.max.toFixed(0).padStart(7)}${detail}`);
      }
      out(`\n  requests: ${total.toLocaleString('en')}; errors: ${errors}${errors ? ` (by status: ${[...byStatus].map(([status, n]) => `${status} ${n}`).join(', ')})` : ''}`);
      for (const sample of samples) out(`    ${sample}`);

      out(`\n  ${'minute'.padEnd(7)} ${'requests'.padStart(8)} ${'errors'.padStart(6)} ${'RSS MB'.padStart(7)} ${'heap MB'.padStart(8)} ${'load'.padStart(5)} ${'generator RSS MB'.padStart(17)}`);
      const kept = minutes.slice(0, fullMinutes);
      kept.forEach((m, index) =>
        out(`  ${String(index + 1).padEnd(7)} ${String(m.requests).padStart(8)} ${String(m.errors).padStart(6)} ${(mean(m.rss) / MB).toFixed(1).padStart(7)} ${(mean(m.heap) / MB).toFixed(1).padStart(8)} ${m.load1.toFixed(2).padStart(5)} ${(m.generator / MB).toFixed(0).padStart(17)}`),
      );
      // Flat after warm-up: every minute from the second on within the bound of the second's mean.
      const worst = (pick: (m: Minute) => number[]) => {
        const after = kept.slice(1).map((m) => mean(pick(m)));
        if (after.length === 0) return 0;
        return after.reduce((far, value) => (Math.abs((value - after[0]!) / after[0]!) > Math.abs(far) ? (value - after[0]!) / after[0]! : far), 0) * 100;
      };
      const drift = { rss: worst((m) => m.rss), heap: worst((m) => m.heap) };
      const last = kept.at(-1);
      const second = kept[1];
      if (second && last) {
        const change = (pick: (m: Minute) => number[]) => ((mean(pick(last)) - mean(pick(second))) / mean(pick(second))) * 100;
        out(`\n  after warm-up (minute 2 → ${kept.length}): RSS ${change((m) => m.rss).toFixed(1)} %, heap ${change((m) => m.heap).toFixed(1)} %;` +
          ` largest departure from minute 2: RSS ${drift.rss.toFixed(1)} %, heap ${drift.heap.toFixed(1)} % (bound ±10 %)`);
      }
      return { errors, drift };
    },
  };
}

export type SoakStats = ReturnType<typeof createSoakStats>;
