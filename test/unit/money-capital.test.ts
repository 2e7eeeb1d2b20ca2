import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MoneyFormatError } from '../../shared/money';
import { fenToCapital } from '../../shared/money-capital';

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const PLACES: Record<string, number> = { 拾: 10, 佰: 100, 仟: 1000 };
const GROUPS: Record<string, number> = { 兆: 1e12, 亿: 1e8, 万: 1e4 };

/** Reads capital numerals back to fen, independently of how they were written, to check the round trip. */
function capitalToFen(text: string): number {
  const [whole, fraction] = text.includes('元') ? (text.split('元') as [string, string]) : ['', text];
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const char of whole.replace('万亿', '兆')) {
    if (DIGITS.includes(char)) digit = DIGITS.indexOf(char);
    else if (char in PLACES) [section, digit] = [section + digit * PLACES[char]!, 0];
    else if (char in GROUPS) [total, section, digit] = [total + (section + digit) * GROUPS[char]!, 0, 0];
    else throw new Error(`unexpected ${char} in ${text}`);
  }
  let fen = (total + section + digit) * 100;
  for (const char of fraction.replace('整', '')) {
    if (DIGITS.includes(char)) digit = DIGITS.indexOf(char);
    else if (char === '角') fen += digit * 10;
    else if (char === '分') fen += digit;
    else throw new Error(`unexpected ${char} in ${text}`);
  }
  return fen;
}

describe('amounts in capital numerals', () => {
  it('writes the forms the payment settlement rules give as examples', () => {
    const cases: Array<[number, string]> = [
      [5, '伍分'],
      [50, '伍角'],
      [0, '零元整'],
      [1_000, '壹拾元整'],
      [1_600, '壹拾陆元整'],
      [32_504, '叁佰贰拾伍元零肆分'],
      [140_950, '壹仟肆佰零玖元伍角'],
      [168_032, '壹仟陆佰捌拾元零叁角贰分'],
      [600_714, '陆仟零柒元壹角肆分'],
      [10_700_053, '壹拾万柒仟元零伍角叁分'],
      [10_000_050, '壹拾万元零伍角'],
      [100_000_000, '壹佰万元整'],
      [1_000_500_000, '壹仟万伍仟元整'],
      [10_001_000_000, '壹亿零壹万元整'],
      [10_000_000_100, '壹亿零壹元整'],
      [16_354, '壹佰陆拾叁元伍角肆分'],
    ];
    for (const [fen, text] of cases) expect(fenToCapital(fen), String(fen)).toBe(text);
  });

  it('reads back to the same amount for every amount, with one 零 per run of zeros and 整 only after 元', () => {
    const amount = fc.oneof(fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(amount, (fen) => {
        const text = fenToCapital(fen);
        expect(capitalToFen(text)).toBe(fen);
        if (fen === 0) return;
        expect(text).not.toMatch(/零零|零[拾佰仟万亿元角分整]|^零/);
        // 拾, 佰 and 仟 always follow their digit (壹拾, never a bare 拾).
        expect(text).not.toMatch(/(^|[^壹贰叁肆伍陆柒捌玖])[拾佰仟]/);
        expect(text.endsWith('整')).toBe(fen % 100 === 0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses negative and fractional amounts', () => {
    expect(() => fenToCapital(-1)).toThrow(MoneyFormatError);
    expect(() => fenToCapital(1.5)).toThrow(MoneyFormatError);
  });
});
