import type { Fen } from '../money';
import type { PowerFactorStandard } from './types';

/*
 * 力调电费: the power-factor adjustment of 《功率因数调整电费办法》((83)水电财字第215号), in integers.
 * The factor is read in hundredths (0.92 → 92) and the adjustment in hundredths of a per cent
 * (basis points, 0.15 % → 15); positive is a surcharge, negative a reduction.
 */

/**
 * cos φ = P / √(P² + Q²) rounded half-up to two decimals, exactly: the largest h with
 * (2h − 1)² (P² + Q²) ≤ (200 P)², i.e. cos φ ≥ (h − 0.5) / 100. Null when nothing was measured.
 */
export function powerFactorHundredths(activeKwh: number, reactiveKvarh: number): number | null {
  if (activeKwh === 0 && reactiveKvarh === 0) return null;
  const p = BigInt(activeKwh);
  const q = BigInt(reactiveKvarh);
  const apparent = p * p + q * q;
  const bound = 40_000n * p * p;
  let h = 0;
  while (h < 100 && BigInt(2 * (h + 1) - 1) ** 2n * apparent <= bound) h += 1;
  return h;
}

/** Reductions above the standard, per 0.01 step above it (the tables' 减收 columns), capped at the last entry. */
const REDUCTIONS: Record<PowerFactorStandard, number[]> = {
  90: [15, 30, 45, 60, 75],
  85: [10, 20, 30, 40, 50, 65, 80, 95, 110],
  80: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 115, 130],
};

/**
 * The adjustment for `factor` under `standard`, from the national tables. Below the standard: +0.5 %
 * per 0.01 for 20 steps (to +10 %), then +1 % per 0.01 for 5 steps (to +15 %), then +2 % per 0.01.
 */
export function powerFactorAdjustmentBp(standard: PowerFactorStandard, factor: number): number {
  if (factor >= standard) {
    const steps = factor - standard;
    if (steps === 0) return 0;
    const table = REDUCTIONS[standard];
    return -table[Math.min(steps, table.length) - 1]!;
  }
  const below = standard - factor;
  if (below <= 20) return 50 * below;
  if (below <= 25) return 1000 + 100 * (below - 20);
  return 1500 + 200 * (below - 25);
}

/** `baseFen` × `bp` / 10 000, rounded half away from zero to the fen (so a reduction rounds like a surcharge). */
export function adjustmentFen(baseFen: Fen, bp: number): Fen {
  const magnitude = Math.floor((baseFen * Math.abs(bp) + 5_000) / 10_000);
  return bp < 0 ? -magnitude : magnitude;
}
