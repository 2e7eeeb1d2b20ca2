import type { ElectronicReceipt } from '../../../../../shared/contracts/payments';
import { headRows, itemRows, RECEIPT_NOTE, RECEIPT_TITLE, sealText, totalRows, type ReceiptRow } from './rows';

/** The 2D context calls used here: the same on an H5 canvas and a mini-program `type="2d"` canvas. */
export type Context2D = Pick<
  CanvasRenderingContext2D,
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'font'
  | 'textAlign'
  | 'textBaseline'
  | 'fillRect'
  | 'strokeRect'
  | 'fillText'
  | 'beginPath'
  | 'arc'
  | 'stroke'
  | 'moveTo'
  | 'lineTo'
  | 'measureText'
  | 'save'
  | 'restore'
  | 'translate'
  | 'rotate'
  | 'scale'
>;

/** Logical width of the image; the caller scales the canvas for the screen's pixel ratio. */
export const RECEIPT_WIDTH = 750;
const MARGIN = 40;
const LABEL_X = MARGIN + 32;
const VALUE_X = 220;
const VALUE_WIDTH = RECEIPT_WIDTH - MARGIN - 16 - VALUE_X;
const LINE = 44;
const FONT = 'sans-serif';
const PRIMARY = '#0b6e4f';
const SEAL = '#c62828';

/** Splits a value into lines no wider than the value column (character by character: Chinese has no spaces). */
function wrap(ctx: Context2D, text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const char of text) {
    if (line && ctx.measureText(line + char).width > VALUE_WIDTH) {
      lines.push(line);
      line = char;
    } else line += char;
  }
  return [...lines, line];
}

const sections = (receipt: ElectronicReceipt) => [headRows(receipt), itemRows(receipt), totalRows(receipt)];

/** Draws the rows from `y` on; returns where the next section starts. With `measureOnly`, draws nothing. */
function drawRows(ctx: Context2D, rows: ReceiptRow[], y: number, measureOnly: boolean): number {
  for (const row of rows) {
    ctx.font = `26px ${FONT}`;
    const lines = wrap(ctx, row.value);
    if (!measureOnly) {
      ctx.fillStyle = '#5b6b65';
      ctx.fillText(row.label, LABEL_X, y);
      ctx.fillStyle = '#1d2a25';
      lines.forEach((line, index) => ctx.fillText(line, VALUE_X, y + index * 34));
    }
    y += LINE + (lines.length - 1) * 34;
  }
  return y;
}

/** The height the receipt needs at RECEIPT_WIDTH, measured with the context's own fonts. */
export function receiptHeight(ctx: Context2D, receipt: ElectronicReceipt): number {
  let y = 200;
  for (const rows of sections(receipt)) y = drawRows(ctx, rows, y, true) + 28;
  return y + 120;
}

/**
 * The receipt as an image: title, payee, the rows of the page in three ruled sections, a round
 * seal-like mark and the note. Coordinates are logical pixels; scale the context first.
 */
export function drawReceipt(ctx: Context2D, receipt: ElectronicReceipt, height: number): void {
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, RECEIPT_WIDTH, height);
  ctx.strokeStyle = PRIMARY;
  ctx.lineWidth = 3;
  ctx.strokeRect(MARGIN / 2, MARGIN / 2, RECEIPT_WIDTH - MARGIN, height - MARGIN);
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  ctx.fillStyle = PRIMARY;
  ctx.font = `bold 40px ${FONT}`;
  ctx.fillText(RECEIPT_TITLE, RECEIPT_WIDTH / 2, 90);
  ctx.fillStyle = '#1d2a25';
  ctx.font = `28px ${FONT}`;
  ctx.fillText(receipt.payee, RECEIPT_WIDTH / 2, 142);
  ctx.textAlign = 'left';
  let y = 200;
  for (const rows of sections(receipt)) {
    ctx.strokeStyle = '#e3e9e6';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(MARGIN + 16, y - 28);
    ctx.lineTo(RECEIPT_WIDTH - MARGIN - 16, y - 28);
    ctx.stroke();
    y = drawRows(ctx, rows, y, false) + 28;
  }
  drawSeal(ctx, sealText(receipt), RECEIPT_WIDTH - 150, height - 190);
  ctx.textAlign = 'center';
  ctx.fillStyle = '#5b6b65';
  ctx.font = `22px ${FONT}`;
  ctx.fillText(RECEIPT_NOTE, RECEIPT_WIDTH / 2, height - 70);
}

/** A round red mark with its words, tilted as a hand stamp would be. */
function drawSeal(ctx: Context2D, text: string, x: number, y: number): void {
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(-0.2);
  ctx.strokeStyle = SEAL;
  ctx.fillStyle = SEAL;
  ctx.lineWidth = 4;
  ctx.beginPath();
  ctx.arc(0, 0, 74, 0, Math.PI * 2);
  ctx.stroke();
  ctx.textAlign = 'center';
  ctx.font = `bold 24px ${FONT}`;
  ctx.fillText(text, 0, 0);
  ctx.restore();
}
