import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AmiReading } from '../../server/src/integrations/ami/client';
import { parseRegister, validateReading } from '../../server/src/modules/billing/readings';

/** The 2-decimal form the metering system sends for `hundredths`: 1234567 → "12345.67". */
const asRegister = (hundredths: number) => `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;

describe('parseRegister', () => {
  it('reads a register in exact hundredths of a kWh', () => {
    expect(parseRegister('12345.67')).toBe(1_234_567);
    expect(parseRegister('0.00')).toBe(0);
    expect(parseRegister('0.05')).toBe(5);
    expect(parseRegister('0.10')).toBe(10);
    expect(parseRegister('999999.99')).toBe(99_999_999);
    expect(parseRegister('999999999.99')).toBe(99_999_999_999);
    // Decimal values that binary floating point cannot hold come out exact.
    expect(parseRegister('0.29')).toBe(29);
    expect(parseRegister('1.15')).toBe(115);
    expect(parseRegister('4.35')).toBe(435);
  });

  it.each([
    ['1.2', 'one decimal'],
    ['1.234', 'three decimals'],
    ['1', 'no decimals'],
    ['1.', 'a bare point'],
    ['.50', 'no whole part'],
    ['-1.00', 'a sign'],
    ['+1.00', 'a plus sign'],
    ['abc', 'letters'],
    ['', 'nothing'],
    [' 1.00', 'a leading space'],
    ['1.00 ', 'a trailing space'],
    ['1,00', 'a decimal comma'],
    ['1e3.00', 'an exponent'],
    ['1000000000.00', 'more than 9 whole digits'],
  ])('refuses %j (%s)', (value) => {
    expect(parseRegister(value)).toBeNull();
  });

  it('refuses undefined', () => {
    expect(parseRegister(undefined)).toBeNull();
  });

  it('reads back every whole number of hundredths from its 2-decimal form (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (hundredths) => parseRegister(asRegister(hundredths)) === hundredths));
    // The edges, whatever fast-check happened to draw.
    for (const hundredths of [0, 1, 99, 100, 101, 99_999_999_999]) expect(parseRegister(asRegister(hundredths))).toBe(hundredths);
  });
});

describe('validateReading', () => {
  const now = new Date('2026-08-01T02:00:00Z');
  const single = { id: 11, registers: 'single' as const };
  const peakValley = { id: 12, registers: 'peak_valley' as const };
  const four = { id: 13, registers: 'four' as const };
  const base: AmiReading = { meterNo: 'ZJ-330106-000001', readAt: '2026-08-01T00:00:00+08:00', total: '12345.67', quality: 'actual' };
  const withRegisters = (registers: Partial<AmiReading>): AmiReading => ({ ...base, ...registers });

  it('parses a valid single-register reading exactly', () => {
    expect(validateReading(base, single, now)).toEqual({
      meterId: 11,
      readAt: new Date('2026-07-31T16:00:00Z'),
      total: 1_234_567,
      reverse: 0,
      reactive: null,
      maxDemand: null,
      quality: 'actual',
      sharp: null,
      peak: null,
      flat: null,
      valley: null,
    });
  });

  it('parses a valid four-register reading with a reverse register exactly', () => {
    const reading = withRegisters({
      total: '1000.10',
      sharp: '100.01',
      peak: '300.02',
      flat: '400.03',
      valley: '200.04',
      reverse: '3.21',
      reactive: '426.04',
      maxDemand: '14.07',
      quality: 'estimated',
    });
    expect(validateReading(reading, four, now)).toEqual({
      meterId: 13,
      readAt: new Date('2026-07-31T16:00:00Z'),
      total: 100_010,
      sharp: 10_001,
      peak: 30_002,
      flat: 40_003,
      valley: 20_004,
      reverse: 321,
      reactive: 42_604,
      maxDemand: 1_407,
      quality: 'estimated',
    });
    expect(validateReading({ ...reading, reactive: '-1.00' }, four, now)).toEqual({ reason: 'BAD_REACTIVE_REGISTER' });
    expect(validateReading({ ...reading, maxDemand: '14.0' }, four, now)).toEqual({ reason: 'BAD_MAX_DEMAND_REGISTER' });
  });

  it('parses a peak/valley reading and leaves the registers the meter lacks null', () => {
    const parsed = validateReading(withRegisters({ peak: '8000.00', valley: '4345.67', sharp: '1.00' }), peakValley, now);
    expect(parsed).toMatchObject({ meterId: 12, total: 1_234_567, peak: 800_000, valley: 434_567, sharp: null, flat: null });
  });

  it('ignores period registers sent for a single-register meter', () => {
    expect(validateReading(withRegisters({ peak: 'garbage' }), single, now)).toMatchObject({ total: 1_234_567, peak: null });
  });

  it('refuses a reading for an unknown meter', () => {
    expect(validateReading(base, undefined, now)).toEqual({ reason: 'UNKNOWN_METER' });
  });

  it.each([
    ['yesterday'],
    ['2026-08-01'],
    ['2026/08/01T00:00:00+08:00'],
    ['2026-13-01T00:00:00+08:00'],
    ['2026-08-01T25:00:00+08:00'],
    ['2026-08-01Tnoon'],
    [''],
  ])('refuses the timestamp %j', (readAt) => {
    expect(validateReading({ ...base, readAt }, single, now)).toEqual({ reason: 'BAD_TIMESTAMP' });
  });

  it('refuses a missing timestamp', () => {
    const reading = { ...base, readAt: undefined } as unknown as AmiReading;
    expect(validateReading(reading, single, now)).toEqual({ reason: 'BAD_TIMESTAMP' });
  });

  it('refuses a calendar date that does not exist (30 February)', () => {
    // `new Date` rolls 2026-02-30 over to 2 March; the reading would be stored at the wrong instant.
    expect(validateReading({ ...base, readAt: '2026-02-30T00:00:00+08:00' }, single, now)).toEqual({ reason: 'BAD_TIMESTAMP' });
  });

  it('refuses a reading from the future, and accepts one taken exactly now', () => {
    expect(validateReading({ ...base, readAt: '2026-08-01T02:00:01Z' }, single, now)).toEqual({ reason: 'IN_THE_FUTURE' });
    expect(validateReading({ ...base, readAt: '2026-08-01T10:00:01+08:00' }, single, now)).toEqual({ reason: 'IN_THE_FUTURE' });
    expect(validateReading({ ...base, readAt: '2026-08-01T10:00:00+08:00' }, single, now)).toMatchObject({ readAt: now });
  });

  it.each([['ACTUAL'], ['manual'], [''], ['estimate']])('refuses the quality %j', (quality) => {
    expect(validateReading({ ...base, quality }, single, now)).toEqual({ reason: 'BAD_QUALITY' });
  });

  it.each([['12345.6'], ['12345.678'], ['-1.00'], ['abc']])('refuses the total register %j', (total) => {
    expect(validateReading({ ...base, total }, single, now)).toEqual({ reason: 'BAD_TOTAL_REGISTER' });
  });

  it('refuses a missing total register', () => {
    const reading = { ...base, total: undefined } as unknown as AmiReading;
    expect(validateReading(reading, single, now)).toEqual({ reason: 'BAD_TOTAL_REGISTER' });
  });

  it('refuses an ill-formed reverse register', () => {
    expect(validateReading(withRegisters({ reverse: '-0.50' }), single, now)).toEqual({ reason: 'BAD_REVERSE_REGISTER' });
    expect(validateReading(withRegisters({ reverse: '0.5' }), single, now)).toEqual({ reason: 'BAD_REVERSE_REGISTER' });
  });

  it('requires both registers of a peak/valley meter', () => {
    expect(validateReading(withRegisters({ peak: '8000.00' }), peakValley, now)).toEqual({ reason: 'BAD_VALLEY_REGISTER' });
    expect(validateReading(withRegisters({ valley: '4345.67' }), peakValley, now)).toEqual({ reason: 'BAD_PEAK_REGISTER' });
    expect(validateReading(withRegisters({ peak: '8000.0', valley: '4345.67' }), peakValley, now)).toEqual({ reason: 'BAD_PEAK_REGISTER' });
    expect(validateReading(withRegisters({ peak: '8000.00', valley: 'n/a' }), peakValley, now)).toEqual({ reason: 'BAD_VALLEY_REGISTER' });
  });

  it('requires all four registers of a four-register meter, well formed', () => {
    const full = { sharp: '100.01', peak: '300.02', flat: '400.03', valley: '200.04' };
    expect(validateReading(withRegisters({ ...full, sharp: undefined }), four, now)).toEqual({ reason: 'BAD_SHARP_REGISTER' });
    expect(validateReading(withRegisters({ ...full, flat: '400.034' }), four, now)).toEqual({ reason: 'BAD_FLAT_REGISTER' });
    expect(validateReading(withRegisters({ ...full, valley: '-200.04' }), four, now)).toEqual({ reason: 'BAD_VALLEY_REGISTER' });
    expect(validateReading(withRegisters({ sharp: '100.01', peak: '300.02', flat: '400.03' }), four, now)).toEqual({ reason: 'BAD_VALLEY_REGISTER' });
    // A peak/valley-shaped reading is not enough for a four-register meter.
    expect(validateReading(withRegisters({ peak: '300.02', valley: '200.04' }), four, now)).toEqual({ reason: 'BAD_SHARP_REGISTER' });
  });
});
