/**
 * One line per headline figure, for `npm run bench`'s summary table: each benchmark prints its own
 * readable lines, and then, for every figure that has a same-run baseline, a `@@bench` line with
 * JSON that scripts/bench.mjs collects. `ratio` is how many times better or worse than the baseline
 * in the figure's own sense (`higherIsBetter` false for durations), and `target` the goal for it.
 */
export interface BenchFigure {
  /** What was measured, e.g. "WeChat Pay notification over HTTP". */
  name: string;
  /** The figure as read, e.g. 1450, with its unit, e.g. "/s" or "s". */
  value: number;
  unit: string;
  /** The same-run baseline, what it is, and its value in the same unit (a soak has none: it passes or fails). */
  baselineName?: string;
  baseline?: number;
  /** For rates true (more is better), for durations false. */
  higherIsBetter: boolean;
  /** A figure with no baseline says whether it passed its own bounds. */
  passed?: boolean;
  /** The ratio the issue or design asks for, in the same sense as `ratio`: "≥ 0.5" or "≤ 1.3". */
  target?: { atLeast?: number; atMost?: number };
  /** Anything else a reader needs beside the figure: p99, RSS… */
  note?: string;
}

export const BENCH_LINE_PREFIX = '@@bench ';

/** value ÷ baseline: above 1 the figure is bigger than its baseline. */
export const ratioOf = (figure: Pick<BenchFigure, 'value' | 'baseline'>) => (figure.baseline ? figure.value / figure.baseline : null);

export function reportFigure(figure: BenchFigure): void {
  process.stdout.write(`${BENCH_LINE_PREFIX}${JSON.stringify({ ...figure, ratio: ratioOf(figure) })}\n`);
}
