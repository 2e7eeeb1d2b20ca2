import type { ElectronicReceipt } from '../../../../../shared/contracts/payments';
import { drawReceipt, receiptHeight, RECEIPT_WIDTH } from './draw';
import './print.scss';
import { ReceiptSaveError, type ReceiptSaving } from './saving-types';

export * from './saving-types';

/** Device pixels per logical pixel of the image: sharp on phone screens and in print. */
const SCALE = 2;

/** The receipt drawn on an offscreen canvas, as PNG bytes. */
async function receiptPng(receipt: ElectronicReceipt): Promise<Blob> {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new ReceiptSaveError('当前浏览器无法生成图片，请使用“打印/存为PDF”');
  const height = receiptHeight(ctx, receipt);
  // Sizing the canvas resets the context, so it is measured first and scaled after.
  canvas.width = RECEIPT_WIDTH * SCALE;
  canvas.height = height * SCALE;
  ctx.scale(SCALE, SCALE);
  drawReceipt(ctx, receipt, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new ReceiptSaveError('生成图片失败，请重试');
  return blob;
}

export const receiptSaving: ReceiptSaving = {
  kinds: ['image', 'print'],
  async save(kind, receipt) {
    if (kind === 'print') {
      // The print stylesheet shows only the receipt; "save as PDF" is one of the dialog's printers.
      window.print();
      return '';
    }
    const url = URL.createObjectURL(await receiptPng(receipt));
    const link = document.createElement('a');
    link.href = url;
    link.download = `电子收费凭证-${receipt.receiptNo}.png`;
    link.style.display = 'none';
    document.body.appendChild(link);
    link.click();
    link.remove();
    // The download has started from the URL by now; keep it a while for slow browsers.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return '图片已保存到下载目录';
  },
  Canvas: () => null,
};
