/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.svg';
declare module '*.scss';

/** Injected at build time (config/index.ts): '' on H5 (same origin), the API origin on mini-programs. */
declare const API_BASE: string;

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV?: 'weapp' | 'h5';
    TARO_APP_ID?: string;
  }
}
