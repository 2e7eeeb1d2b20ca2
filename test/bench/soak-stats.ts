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
  /** The server's samples: RSS, V8 heap used, memory outside the heap (Buffers, native objects). */
  rss: number[];
  heap: number[];
  external: number[];
  /** Most operations in progress at a sample: a starved machine shows as more at once. */
  inFlight: number;
  /** The load generator's own heap, to show it stays bounded too. */
  generatorHeap: number;
  load1: number;
}

export interface MemorySample {
  rss: number;
  heap: number;
  external: number;
  inFlight: number;
}

const MB = 1_048_576;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / (values.length || 1);
/** The lowest heap sample of a minute: the heap just after a collection, what a leak would raise. */
const floor = (values: number[]) => Math.min(...values);
const percent = (value: number, base: number) => ((value - base) / base) * 100;

export function createSoakStats(startedAt: number) {
  const routes = new Map<string, RouteStats>();
  const minutes: Minute[] = [];
  const samples: string[] = [];
  const minute = () => {
    const index = Math.floor((performance.now() - startedAt) / 60_000);
    while (minutes.length <= index) minutes.push({ requests: 0, errors: 0, rss: [], heap: [], external: [], inFlight: 0, generatorHeap: 0, load1: 0 });
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
    memory(sample: MemorySample) {
      const current = minute();
      current.rss.push(sample.rss);
      current.heap.push(sample.heap);
      current.external.push(sample.external);
      current.inFlight = Math.max(current.inFlight, sample.inFlight);
      current.generatorHeap = process.memoryUsage().heapUsed;
      current.load1 = os.loadavg()[0]!;
    },
    /** The minute just finished, as one progress line. */
    minuteLine(index: number): string {
      const m = minutes[index];
      if (!m) return '';
      return `  minute ${String(index + 1).padStart(2)}: ${String(m.requests).padStart(6)} requests (${(m.requests / 60).toFixed(0)}/s), ${m.errors} errors, server RSS ${(mean(m.rss) / MB).toFixed(1)} MB, heap ${(mean(m.heap) / MB).toFixed(1)} MB, load ${m.load1.toFixed(2)}`;
    },

    report(out: (line: string) => void, fullMinutes: number): { errors: number; drift: { rss: number; heap: number } } {
      let total = 0;
      let errors = 0;
      const byStatus = new Map<string, number>();
      out(
        `\n  ${'route'.padEnd(44)} ${'requests'.padStart(8)} ${'errors'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}`,
      );
      for (const [name, stats] of [...routes].sort(([a], [b]) => a.localeCompare(b))) {
        const routeErrors = [...stats.errors.values()].reduce((sum, n) => sum + n, 0);
        total += stats.latency.count;
        errors += routeErrors;
        for (const [status, n] of stats.errors) byStatus.set(status, (byStatus.get(status) ?? 0) + n);
        const detail = routeErrors ? `  (${[...stats.errors].map(([status, n]) => `${status}: ${n}`).join(', ')})` : '';
        out(
          `  ${name.padEnd(44)} ${String(stats.latency.count).padStart(8)} ${String(routeErrors).padStart(6)} ${stats.latency.percentile(0.5).toFixed(1).padStart(7)} ${stats.latency.percentile(0.99).toFixed(1).padStart(7)} ${stats.latency.max.toFixed(0).padStart(7)}${detail}`,
        );
      }
      out(
        `\n  requests: ${total.toLocaleString('en')}; errors: ${errors}${errors ? ` (by status: ${[...byStatus].map(([status, n]) => `${status} ${n}`).join(', ')})` : ''}`,
      );
      for (const sample of samples) out(`    ${sample}`);

      out(
        `\n  ${'minute'.padEnd(7)} ${'requests'.padStart(8)} ${'errors'.padStart(6)} ${'RSS MB'.padStart(7)} ${'heap MB'.padStart(8)} ${'heap floor'.padStart(10)} ${'external'.padStart(8)} ${'in flight'.padStart(9)} ${'load'.padStart(5)} ${'generator heap'.padStart(14)}`,
      );
      const kept = minutes.slice(0, fullMinutes);
      kept.forEach((m, index) =>
        out(
          `  ${String(index + 1).padEnd(7)} ${String(m.requests).padStart(8)} ${String(m.errors).padStart(6)} ${(mean(m.rss) / MB).toFixed(1).padStart(7)} ${(mean(m.heap) / MB).toFixed(1).padStart(8)} ${(floor(m.heap) / MB).toFixed(1).padStart(10)} ${(mean(m.external) / MB).toFixed(1).padStart(8)} ${String(m.inFlight).padStart(9)} ${m.load1.toFixed(2).padStart(5)} ${(m.generatorHeap / MB).toFixed(1).padStart(14)}`,
        ),
      );
      out('  (MB; RSS, heap and external are means of samples every 5 s, the heap floor the lowest; in flight the most operations under way at a sample)');
      // After warm-up: RSS must stay within the bound of minute 2 in every later minute; the heap
      // swings with the collector's phase within a minute, so its floor is compared, last minute to minute 2.
      const drift = { rss: 0, rssEnd: 0, heap: 0 };
      const second = kept[1];
      const last = kept.at(-1)!;
      if (second) {
        for (const m of kept.slice(1)) {
          const change = percent(mean(m.rss), mean(second.rss));
          if (Math.abs(change) > Math.abs(drift.rss)) drift.rss = change;
        }
        drift.rssEnd = percent(mean(last.rss), mean(second.rss));
        drift.heap = percent(floor(last.heap), floor(second.heap));
        out(
          `\n  after warm-up (minute 2 → ${kept.length}): RSS ${drift.rssEnd.toFixed(1)} % (largest departure from minute 2 in any minute: ${drift.rss.toFixed(1)} %), heap floor ${drift.heap.toFixed(1)} %` +
            `, heap mean ${percent(mean(last.heap), mean(second.heap)).toFixed(1)} %; bound ±10 %`,
        );
      }
      return { errors, drift };
    },
  };
}

export type SoakStats = ReturnType<typeof createSoakStats>;
