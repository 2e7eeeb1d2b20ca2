import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

// This file is compiled on its own by the Taro CLI: it must not import project TypeScript.
const repoRoot = path.resolve(__dirname, '../..');
const isH5 = process.env.TARO_ENV === 'h5';
const FIRST_PAGE = /src[\\/]pages[\\/]home[\\/]index\.tsx(\?|$)/;

/**
 * Taro loads every H5 page as an async chunk, which the browser only discovers after the app
 * bundle runs: one more round trip before the home page can render. This adds `<link rel=preload>`
 * for the home page's chunks to index.html so they download alongside the app bundle.
 */
class PreloadFirstPage {
  apply(compiler: any) {
    compiler.hooks.compilation.tap('PreloadFirstPage', (compilation: any) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const HtmlWebpackPlugin = require('html-webpack-plugin');
      HtmlWebpackPlugin.getHooks(compilation).alterAssetTagGroups.tap('PreloadFirstPage', (data: any) => {
        const files = new Set<string>();
        for (const group of compilation.chunkGroups) {
          const hasFirstPage = group.chunks.some((chunk: any) =>
            // Concatenated modules keep the page's path in their root module.
            compilation.chunkGraph.getChunkModules(chunk).some((module: any) => FIRST_PAGE.test(module.resource ?? module.rootModule?.resource ?? '')),
          );
          if (!hasFirstPage || group.isInitial()) continue;
          for (const chunk of group.chunks) for (const file of chunk.files) files.add(file);
        }
        const publicPath = compilation.outputOptions.publicPath ?? '/';
        for (const file of files) {
          const as = file.endsWith('.css') ? 'style' : file.endsWith('.js') ? 'script' : undefined;
          if (!as) continue;
          data.headTags.push({
            tagName: 'link',
            voidTag: true,
            meta: { plugin: 'PreloadFirstPage' },
            attributes: { rel: 'preload', as, href: publicPath + file },
          });
        }
        return data;
      });
    });
  }
}

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
      API_BASE: JSON.stringify(isH5 ? '' : (process.env.TARO_APP_API_BASE ?? 'https://api.power.example')),
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
      webpackChain(chain: any) {
        chain.plugin('preload-first-page').use(PreloadFirstPage);
      },
    },
  };
  return merge({}, base, { logger: { quiet: true, stats: false } });
});
