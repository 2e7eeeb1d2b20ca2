#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark in test/bench, one after the other, printing their figures as
 * they come, then one summary table of the headline figures each reported (`@@bench` lines, see
 * test/bench/report.ts): figure, same-run baseline, ratio and target. `npm run bench -- payment`
 * runs only the benchmarks whose file name contains "payment".
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { ensureBuild } from './ensure-build.mjs';

const PREFIX = '@@bench ';
const ALL = [
  'test/bench/api.ts',
  'test/bench/h5-load.ts',
  'test/bench/terminal-pay.ts',
  'test/bench/bill-run.ts',
  'test/bench/fanout.ts',
  'test/bench/requests.ts',
  'test/bench/payment-notify.ts',
  'test/bench/soak.ts',
];
const filters = process.argv.slice(2);
const benches = filters.length ? ALL.filter((file) => filters.some((part) => file.includes(part))) : ALL;

function run(bench) {
  return new Promise((resolve) => {
    const figures = [];
    const child = spawn(process.execPath, ['--import', 'tsx', bench], { stdio: ['ignore', 'pipe', 'inherit'] });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(PREFIX)) figures.push({ bench, ...JSON.parse(line.slice(PREFIX.length)) });
      else process.stdout.write(`${line}\n`);
    });
    child.once('close', (code) => resolve({ code: code ?? 1, figures }));
  });
}

const fmt = (value) => (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en') : Number(value.toPrecision(3)).toString());
const targetText = ({ target }) => (target?.atLeast !== undefined ? `≥ ${target.atLeast} ×` : target?.atMost !== undefined ? `≤ ${target.atMost} ×` : '—');
const verdict = ({ target, ratio, passed }) =>
  passed !== undefined
    ? passed
      ? 'pass'
      : 'FAIL'
    : target?.atLeast !== undefined
      ? ratio >= target.atLeast
        ? 'met'
        : 'MISSED'
      : target?.atMost !== undefined
        ? ratio <= target.atMost
          ? 'met'
          : 'MISSED'
        : '';

if (benches.some((bench) => bench.includes('h5-load'))) ensureBuild('h5');
const figures = [];
let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n== ${bench}\n`);
  const result = await run(bench);
  figures.push(...result.figures);
  if (result.code !== 0) {
    failed += 1;
    process.stdout.write(`!! ${bench} exited with ${result.code}\n`);
  }
}

const rows = figures.map((figure) => [
  figure.name,
  `${fmt(figure.value)} ${figure.unit}`,
  figure.baseline === undefined ? '—' : `${figure.baselineName}: ${fmt(figure.baseline)} ${figure.unit}`,
  figure.ratio === null ? '—' : `${figure.ratio.toFixed(2)} ×`,
  targetText(figure),
  verdict(figure),
  figure.note ?? '',
]);
const header = ['figure', 'value', 'same-run baseline', 'ratio', 'target', '', 'note'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
process.stdout.write(`\n== Summary (${benches.length} benchmarks, ${failed} failed)\n${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
for (const row of rows) process.stdout.write(`${line(row)}\n`);
process.exit(failed ? 1 : 0);
