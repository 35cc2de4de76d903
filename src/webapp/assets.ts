import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One built file of the web app, read and compressed once. */
export interface WebAsset {
  body: Buffer;
  /** Gzipped body, for text types worth compressing. */
  gzip?: Buffer;
  contentType: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.txt']);

/**
 * Every file of the built web app (`vite build` output) by its path under `/app/`, held
 * in memory: the whole app is a few hundred kilobytes, and serving from memory keeps the
 * file system out of the request path (no traversal to guard, no read per request).
 * Undefined when the directory has no `index.html` (the web app was not built).
 */
export function loadWebAssets(dir: string): Map<string, WebAsset> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, WebAsset>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const ext = extname(name).toLowerCase();
      const body = readFileSync(path);
      assets.set(relative(dir, path).split(sep).join('/'), {
        body,
        contentType: TYPES[ext] ?? 'application/octet-stream',
        ...(COMPRESSIBLE.has(ext) && body.length > 512 ? { gzip: gzipSync(body) } : {}),
      });
    }
  };
  walk(dir);
  return assets;
}
