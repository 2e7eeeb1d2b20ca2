import { assertFen, MoneyFormatError, type Fen } from './money';

/**
 * An amount in Chinese capital numerals (大写金额), as receipts and cheques print it after 人民币,
 * following the rules of 《支付结算办法》 附件一: 拾 always has its digit (壹拾), a run of zeros
 * inside the number reads as one 零, 整 closes an amount ending at 元, and 元零 precedes 角 or
 * 分 when the units digit is zero so nothing can be written in between.
 */
const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const PLACES = ['', '拾', '佰', '仟'];
// Safe integers of fen stop below 100 万亿 元, so 万亿 is the largest group needed.
const GROUPS = ['', '万', '亿', '万亿'];

/** 0 … 9999 without a leading 零 (the caller adds the 零 that joins groups). */
function group(value: number): string {
  let text = '';
  let zeros = false;
  for (let place = 3; place >= 0; place -= 1) {
    const digit = Math.floor(value / 10 ** place) % 10;
    if (digit === 0) {
      zeros = text !== '';
      continue;
    }
    if (zeros) text += '零';
    zeros = false;
    text += DIGITS[digit]! + PLACES[place]!;
  }
  return text;
}

function yuanText(yuan: number): string {
  const groups: number[] = [];
  for (let rest = yuan; rest > 0; rest = Math.floor(rest / 10_000)) groups.push(rest % 10_000);
  let text = '';
  let gap = false;
  for (let index = groups.length - 1; index >= 0; index -= 1) {
    const value = groups[index]!;
    if (value === 0) {
      gap = true;
      continue;
    }
    // A group under 1000 after higher groups reads with 零: 壹万零伍拾; a skipped group likewise.
    if (text && (gap || value < 1000)) text += '零';
    gap = false;
    text += group(value) + GROUPS[index]!;
  }
  return text;
}

/** 1680_32 → 壹仟陆佰捌拾元零叁角贰分; 5 → 伍分; 1000 → 壹拾元整; 0 → 零元整. */
export function fenToCapital(fen: Fen): string {
  assertFen(fen);
  if (fen < 0) throw new MoneyFormatError(`no capital numerals for ${fen} fen`);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cents = fen % 10;
  if (fen === 0) return '零元整';
  let text = yuan > 0 ? `${yuanText(yuan)}元` : '';
  if (jiao === 0 && cents === 0) return `${text}整`;
  if (yuan > 0 && (jiao === 0 || yuan % 10 === 0)) text += '零';
  if (jiao > 0) text += `${DIGITS[jiao]}角`;
  if (cents > 0) text += `${DIGITS[cents]}分`;
  return text;
}
