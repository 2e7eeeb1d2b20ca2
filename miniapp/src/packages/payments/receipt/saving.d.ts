// Resolved per target to saving.weapp.tsx or saving.h5.tsx; this declares what both provide.
export * from './saving-types';
export declare const receiptSaving: import('./saving-types').ReceiptSaving;
