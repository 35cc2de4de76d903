import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';
import { z } from 'zod';
import { setting } from '../platform/config/config.js';
import type { AppEnv } from '../platform/http/context.js';
import { defineModule } from '../platform/modules/descriptor.js';
import { loadWebAssets, type WebAsset } from './assets.js';

/** Where `npm run build` puts the web app: `dist/web/`, from `src/webapp` as from `dist/webapp`. */
const BUILT_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export const WEBAPP_SETTINGS = {
  webappDir: setting<string | undefined>({
    env: 'VW_WEBAPP_DIR',
    kind: 'string',
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'Folder of the built web app the `api` role serves at `/app` (its `index.html` and `assets/`). Unset: `dist/web` of this installation, which `npm run build` writes.',
  }),
} as const;

/**
 * Only this origin: scripts, styles, images, API calls. No inline script, no eval, not
 * framed by another site. Images may be `data:` (icons the bundler inlines).
 */
export const WEBAPP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Vaultwire</title>
<p>The web app is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it), then reload.</p></html>`;

/**
 * The web app at `/app`: the wallet for people, built by Vite into static files. Files
 * under `assets/` carry a content hash in their name and are cached for a year; every
 * other path under `/app/` that is not a file is a page of the app (`/app/pay`,
 * `/app/history?asset=USD`) and gets `index.html`, so deep links and reloads work.
 */
export const webappModule = defineModule()({
  name: 'webapp',
  dependsOn: [],
  settings: WEBAPP_SETTINGS,
  build: ({ settings }) => {
    const dir = settings.webappDir ?? BUILT_DIR;
    let assets: Map<string, WebAsset> | undefined;
    // Read on first use, so a build made after the server started is picked up by a
    // request rather than a restart, and processes without the api role read nothing.
    return {
      dir,
      assets: () => (assets ??= loadWebAssets(dir)),
    };
  },
  routes: (http, { service }) => {
    http.get('/app', (c) => c.redirect('/app/', 308));
    http.get('/app/*', (c) => {
      const assets = service.assets();
      setSecurityHeaders(c);
      if (!assets) {
        c.header('cache-control', 'no-store');
        return c.html(NOT_BUILT, 503);
      }
      const path = safeDecode(c.req.path.slice('/app/'.length));
      const file = path === '' ? undefined : assets.get(path);
      if (file) {
        c.header(
          'cache-control',
          path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        return send(c, file);
      }
      // A missing hashed file is a stale page asking for an old build: a 404, not the app.
      if (path.startsWith('assets/') || /\.[a-z0-9]{1,12}$/i.test(path)) {
        c.header('cache-control', 'no-store');
        return c.text('Not found', 404);
      }
      const index = assets.get('index.html');
      if (!index) return c.text('Not found', 404);
      c.header('cache-control', 'no-cache');
      return send(c, index);
    });
  },
});

function setSecurityHeaders(c: Context<AppEnv>): void {
  c.header('content-security-policy', WEBAPP_CSP);
  c.header('referrer-policy', 'no-referrer');
  c.header('x-frame-options', 'DENY');
  c.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
}

function send(c: Context<AppEnv>, file: WebAsset) {
  c.header('content-type', file.contentType);
  c.header('vary', 'accept-encoding');
  if (file.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
    c.header('content-encoding', 'gzip');
    return c.body(new Uint8Array(file.gzip));
  }
  return c.body(new Uint8Array(file.body));
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
