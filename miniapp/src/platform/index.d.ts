// Resolved per target to index.weapp.ts or index.h5.ts; this declares what both provide.
export * from './types';
export declare const platform: import('./types').Platform;
