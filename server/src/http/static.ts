import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Middleware } from 'koa';

interface StaticFile {
  mtimeMs: number;
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
  /** Compressed forms, made once per file: built assets never change while the server runs. */
  encoded: Partial<Record<'br' | 'gzip', Buffer>>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);
// Webpack's content hash in the name (`app.1a2b3c4d.js`): the URL changes whenever the bytes do.
const HASHED_NAME = /\.[0-9a-f]{8,}\.\w+$/;
const SERVER_PATHS = /^\/(api|healthz|metrics)(\/|$)/;

function cacheControlFor(relative: string): string {
  if (relative === 'index.html') return 'no-cache';
  if (HASHED_NAME.test(relative)) return 'public, max-age=31536000, immutable';
  return 'public, max-age=3600';
}

/**
 * Serves the built H5 page: hashed assets cached for a year, index.html revalidated on every load,
 * br/gzip negotiated, and any other page path answered with index.html (the browser router).
 */
export function h5Static(distDir: string): Middleware {
  const root = path.resolve(distDir);
  const cache = new Map<string, StaticFile>();

  async function load(relative: string): Promise<StaticFile | undefined> {
    const absolute = path.join(root, relative);
    if (!absolute.startsWith(root + path.sep)) return undefined;
    const cached = cache.get(relative);
    // Hashed assets never change; index.html is replaced by a new build, so check it each time.
    if (cached && relative !== 'index.html') return cached;
    let body: Buffer;
    let mtimeMs: number;
    try {
      mtimeMs = (await fs.stat(absolute)).mtimeMs;
      if (cached && cached.mtimeMs === mtimeMs) return cached;
      body = await fs.readFile(absolute);
    } catch {
      return undefined;
    }
    const ext = path.extname(relative);
    const file: StaticFile = {
      mtimeMs,
      body,
      type: TYPES[ext] ?? 'application/octet-stream',
      etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
      cacheControl: cacheControlFor(relative),
      encoded: {},
    };
    if (COMPRESSIBLE.has(ext) && body.length > 512) {
      file.encoded.br = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
      file.encoded.gzip = zlib.gzipSync(body, { level: 9 });
    }
    cache.set(relative, file);
    return file;
  }

  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || SERVER_PATHS.test(ctx.path)) return next();
    let relative: string;
    try {
      relative = decodeURIComponent(ctx.path).replace(/^\/+/, '');
    } catch {
      return next();
    }
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    let file = await load(path.normalize(relative));
    if (!file && !path.extname(relative) && ctx.accepts('html')) file = await load('index.html');
    if (!file) return next();

    ctx.compress = false;
    ctx.state.routeLabel = 'h5-static';
    ctx.set('Cache-Control', file.cacheControl);
    ctx.set('ETag', file.etag);
    ctx.type = file.type;
    if (Object.keys(file.encoded).length) ctx.vary('Accept-Encoding');
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    // Our preference (br is smaller), among what the client accepts; browsers list gzip first.
    const accepted = ctx.acceptsEncodings() as string[];
    const encoding = (['br', 'gzip'] as const).find((name) => accepted.includes(name) && file.encoded[name]);
    if (encoding) ctx.set('Content-Encoding', encoding);
    ctx.body = encoding ? file.encoded[encoding] : file.body;
  };
}
