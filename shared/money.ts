/**
 * Money is integer fen everywhere inside the product. Yuan strings exist only at the edges
 * (Alipay, terminals, display) and are converted here without floating point.
 */
export type Fen = number;

export class MoneyFormatError extends Error {
  override name = 'MoneyFormatError';
}

export function assertFen(value: number): Fen {
  if (!Number.isSafeInteger(value)) throw new MoneyFormatError(`not an integer amount of fen: ${value}`);
  return value;
}

const YUAN_PATTERN = /^(-)?(\d{1,13})(?:\.(\d{1,2}))?$/;

/** Parses "12.3" or "12.30" or "12" yuan to 1230 fen; rejects more than two decimals. */
export function yuanToFen(yuan: string): Fen {
  const match = YUAN_PATTERN.exec(yuan.trim());
  if (!match) throw new MoneyFormatError(`not a yuan amount: "${yuan}"`);
  const [, sign, whole, decimals = ''] = match;
  const fen = Number(whole) * 100 + Number(decimals.padEnd(2, '0'));
  return sign ? -fen : fen;
}

/** An integer in hundredths as decimal text, 123456 → "1234.56", without floating point (registers, factors, percentages). */
export function formatHundredths(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 1230 → "12.30": the form Alipay and the terminals expect. */
export function fenToYuan(fen: Fen): string {
  assertFen(fen);
  return formatHundredths(fen);
}

/** 123456 → "¥1,234.56" for people to read. */
export function formatFen(fen: Fen): string {
  const [whole, decimals] = fenToYuan(Math.abs(fen)).split('.') as [string, string];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fen < 0 ? '-' : ''}¥${grouped}.${decimals}`;
}

/** Sums fen amounts, refusing anything that is not a safe integer. */
export function sumFen(amounts: readonly Fen[]): Fen {
  return assertFen(amounts.reduce((total, amount) => total + assertFen(amount), 0));
}
