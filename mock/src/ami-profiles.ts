/** The demo meters the mock metering system (AMI / MDMS) reads: one per demo electricity account. */

export type RegisterLayout = 'single' | 'peak_valley' | 'four';
export type TouPeriod = 'sharp' | 'peak' | 'flat' | 'valley';

export interface MeterProfile {
  meterNo: string;
  accountNo: string;
  /** CT/PT multiplier: billed kWh = register difference × multiplier. Readings are always the raw register. */
  multiplier: number;
  registers: RegisterLayout;
  /** Typical raw register kWh per day, before the multiplier, the season and the noise. */
  dailyKwh: number;
  /** Total register, in hundredths of a kWh, at the epoch 2024-01-01 00:00 +08:00. */
  startHundredths: number;
  /** 'residential' is the heating/cooling curve (Dec–Feb ×1.25, Jul–Aug ×1.35); 'irrigation' doubles Jun–Sep. */
  season: 'residential' | 'irrigation';
  /** Share (0..1) of each day's usage on the peak register of a peak_valley meter; valley takes the rest. */
  peakShare?: number;
  /** Shares of a four-register meter; valley takes whatever sharp, peak and flat leave, so they always add up. */
  touShares?: { sharp: number; peak: number; flat: number; valley: number };
  /** Business meters: reactive kvarh per kWh, in per mille (426 ≈ cos φ 0.92); the meter then has a reactive register. */
  reactivePermille?: number;
  /** Business meters: typical monthly maximum demand in raw kW (before the multiplier); the meter then has a demand register. */
  maxDemandKw?: number;
}

export const DEMO_METERS: readonly MeterProfile[] = [
  {
    meterNo: 'M3301000001',
    accountNo: '3301000001',
    multiplier: 1,
    registers: 'peak_valley',
    dailyKwh: 11,
    startHundredths: 800_000,
    season: 'residential',
    peakShare: 0.6,
  },
  { meterNo: 'M3301000002', accountNo: '3301000002', multiplier: 1, registers: 'single', dailyKwh: 6, startHundredths: 523_417, season: 'residential' },
  { meterNo: 'M3301000003', accountNo: '3301000003', multiplier: 1, registers: 'single', dailyKwh: 7, startHundredths: 1_289_050, season: 'residential' },
  { meterNo: 'M3301000004', accountNo: '3301000004', multiplier: 1, registers: 'single', dailyKwh: 40, startHundredths: 4_210_033, season: 'residential' },
  {
    meterNo: 'M3301000005',
    accountNo: '3301000005',
    multiplier: 40,
    registers: 'four',
    dailyKwh: 250,
    startHundredths: 1_832_440,
    season: 'residential',
    touShares: { sharp: 0.1, peak: 0.35, flat: 0.3, valley: 0.25 },
    reactivePermille: 426,
    maxDemandKw: 14,
  },
  { meterNo: 'M3301000006', accountNo: '3301000006', multiplier: 1, registers: 'single', dailyKwh: 15, startHundredths: 2_675_010, season: 'irrigation' },
];
