import type { Anomaly } from '../../../../shared/contracts/billing';
import type { BillComputation } from '../../../../shared/tariff/engine';

/**
 * The parts of a bill kept as a document: its priced lines, the tier split and the readings it was
 * computed from. Everything derivable (period dates, time-of-use split, tariff name) is derived on
 * read, which keeps a million-bill run's writes small.
 */
export interface StoredBillDetail {
  lines: BillComputation['lines'];
  /** kWh of this bill in each tier, tier 1 first. */
  tierKwh: number[];
  readings: { meterNo: string; multiplier: number; start: number; end: number }[];
  /** Highest tier reached by the end of the bill (1 when untiered). */
  tierReached: number;
  /** Sharp + peak kWh per mille of the bill's kWh; null for single-rate tariffs. */
  peakSharePermille: number | null;
  adjusted?: { reason: string };
}

export interface BillReviewRecord {
  action: 'approve' | 'adjust' | 'reread' | 'reread_received';
  staffId?: number;
  at: string;
  reason?: string;
  anomalies?: Anomaly[];
}

/** One reading as the bill run reads it: registers in hundredths of a kWh. */
export interface ReadingValues {
  total: number;
  sharp: number | null;
  peak: number | null;
  flat: number | null;
  valley: number | null;
  reverse: number;
  /** Reactive register, hundredths of a kvarh, and the month's maximum demand, hundredths of a raw kW; null without. */
  reactive?: number | null;
  maxDemand?: number | null;
  quality: 'actual' | 'estimated';
}

export interface MeterInput {
  meterNo: string;
  multiplier: number;
  registers: 'single' | 'peak_valley' | 'four';
  registerDigits: number;
  start: ReadingValues | null;
  end: ReadingValues | null;
}

export interface PreviousBill {
  month: string;
  status: 'held' | 'rereading' | 'published';
  kwh: number;
  tierCountedKwh: number;
  history: (number | null)[];
}
