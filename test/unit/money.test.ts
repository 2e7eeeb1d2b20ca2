import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fenToYuan, formatFen, MoneyFormatError, sumFen, yuanToFen } from '../../shared/money';

const fen = fc.integer({ min: -1e12, max: 1e12 });

describe('money in fen', () => {
  it('round-trips every amount through the yuan string form', () => {
    fc.assert(fc.property(fen, (amount) => yuanToFen(fenToYuan(amount)) === amount));
  });

  it('parses the yuan forms gateways send', () => {
    expect(yuanToFen('12')).toBe(1200);
    expect(yuanToFen('12.3')).toBe(1230);
    expect(yuanToFen('0.01')).toBe(1);
    expect(yuanToFen('-5.50')).toBe(-550);
  });

  it('refuses amounts that would need rounding or are not numbers', () => {
    for (const bad of ['1.234', 'abc', '', '1e3', '0x10', '1,000.00', '.5']) {
      expect(() => yuanToFen(bad), bad).toThrow(MoneyFormatError);
    }
    expect(() => fenToYuan(1.5)).toThrow(MoneyFormatError);
  });

  it('formats for people with grouping and two decimals', () => {
    expect(formatFen(123456)).toBe('¥1,234.56');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(-100000000)).toBe('-¥1,000,000.00');
  });

  it('sums exactly, conserving every fen', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e9, max: 1e9 })), (amounts) => {
        const total = sumFen(amounts);
        const back = amounts.reduce((rest, amount) => rest - amount, total);
        return back === 0;
      }),
    );
    expect(() => sumFen([1, 0.5])).toThrow(MoneyFormatError);
  });
});
