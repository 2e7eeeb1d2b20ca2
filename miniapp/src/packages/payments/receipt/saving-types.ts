import type { ReactElement } from 'react';
import type { ElectronicReceipt } from '../../../../../shared/contracts/payments';

/** `image`: a PNG (downloaded on H5, saved to the album in the mini-program); `print`: the browser's print dialog, which also saves a PDF. */
export type SaveKind = 'image' | 'print';

/** Saving did not happen, with the sentence to show the customer. */
export class ReceiptSaveError extends Error {
  override name = 'ReceiptSaveError';
}

export interface ReceiptSaving {
  /** What this platform offers, in button order. */
  kinds: readonly SaveKind[];
  /** Saves the receipt; resolves to the sentence to show once done (empty: nothing to say). */
  save(kind: SaveKind, receipt: ElectronicReceipt): Promise<string>;
  /** What the page renders for drawing (the mini-program's canvas), or nothing. */
  Canvas(): ReactElement | null;
}
