import path from 'node:path';
import { defineConfig } from 'vitest/config';

const here = (relative: string) => path.resolve(import.meta.dirname, relative);

export default defineConfig({
  test: {
    // Two workers keep a 2-core machine busy without thrashing; each integration file has its own database.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        // Taro pages rendered in jsdom, with Taro's modules replaced by plain stand-ins.
        define: { 'process.env.TARO_ENV': JSON.stringify('h5'), API_BASE: JSON.stringify('') },
        resolve: {
          alias: {
            '@tarojs/components': here('test/support/taro/components.tsx'),
            '@tarojs/taro': here('test/support/taro/taro.ts'),
          },
          extensions: ['.h5.tsx', '.h5.ts', '.tsx', '.ts', '.js'],
        },
        test: {
          name: 'components',
          include: ['test/components/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/build/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The built mini-program run in miniprogram-simulate's WeChat runtime against the real server.
        test: {
          name: 'weapp',
          include: ['test/weapp/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/weapp-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
