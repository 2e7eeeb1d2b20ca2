import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

// This file is compiled on its own by the Taro CLI: it must not import project TypeScript.
const repoRoot = path.resolve(__dirname, '../..');
const isH5 = process.env.TARO_ENV === 'h5';

export default defineConfig<'webpack5'>(async (merge) => {
  const base: UserConfigExport<'webpack5'> = {
    projectName: 'power-customer-channel',
    date: '2026-11-28',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: isH5 ? path.join(repoRoot, 'h5/dist') : path.join(__dirname, '../dist/weapp'),
    plugins: [],
    defineConstants: {
      // Mini-programs need an absolute HTTPS origin on the whitelist; H5 calls its own origin.
      API_BASE: JSON.stringify(isH5 ? '' : process.env.TARO_APP_API_BASE ?? 'https://api.power.example'),
    },
    alias: { '@shared': path.join(repoRoot, 'shared') },
    copy: {
      patterns: isH5 ? [{ from: path.join(repoRoot, 'h5/public'), to: path.join(repoRoot, 'h5/dist') }] : [],
      options: {},
    },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: [path.join(repoRoot, 'shared')] },
      postcss: { pxtransform: { enable: true, config: {} }, cssModules: { enable: false } },
      optimizeMainPackage: { enable: true },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'browser' },
      compile: { include: [path.join(repoRoot, 'shared')] },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: { autoprefixer: { enable: true, config: {} }, cssModules: { enable: false } },
    },
  };
  return merge({}, base, { logger: { quiet: true, stats: false } });
});
