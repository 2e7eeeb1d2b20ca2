/**
 * API throughput on loopback with autocannon: /healthz and /api/meta on the real server (embedded
 * PostgreSQL, request logging on), against a bare Node HTTP server sending the same bytes in the
 * same run, so the figure that matters is the ratio.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { startBenchServer } from './environment';
import { reportFigure } from './report';

const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 20;

async function measure(url: string) {
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

const server = await startBenchServer();
const metaBody = Buffer.from(await (await fetch(`${server.url}/api/meta`)).arrayBuffer());
const baseline = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': metaBody.length });
  res.end(metaBody);
});
await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/`;

try {
  const base = await measure(baselineUrl);
  const rows = [
    ['baseline: bare node:http, same bytes', base],
    ['GET /healthz (database + store ping)', await measure(`${server.url}/healthz`)],
    ['GET /api/meta (memoised 5 s, JSON)', await measure(`${server.url}/api/meta`)],
  ] as const;
  process.stdout.write(`\nAPI throughput, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each\n`);
  for (const [name, r] of rows) {
    process.stdout.write(
      `  ${name.padEnd(40)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  ` +
        `${(r.rps / base.rps).toFixed(3)} × baseline${r.errors ? `  (${r.errors} errors)` : ''}\n`,
    );
  }
  for (const [name, r] of rows.slice(1))
    reportFigure({
      name: name.replace(/ \(.*\)$/, ''),
      value: r.rps,
      unit: 'req/s',
      baselineName: 'bare node:http, same bytes',
      baseline: base.rps,
      higherIsBetter: true,
      note: `p99 ${r.p99} ms${r.errors ? `, ${r.errors} errors` : ''}`,
    });
} finally {
  baseline.close();
  await server.stop();
}
