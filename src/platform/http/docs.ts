import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';
import type { AppEnv } from './context.js';

/**
 * The API reference at `/docs`: Scalar's renderer (schemas, examples, tag groups, search
 * and "try it") over `/openapi.json`, its browser bundle served from the installed npm
 * package, so the page works offline and loads nothing from a CDN. The page has no
 * inline script: the settings live in `/docs/init.js`.
 */
export function mountApiReference(app: Hono<AppEnv>, title: string): void {
  app.get('/docs', (c) => c.html(PAGE(title)));
  app.get('/docs/init.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(INIT);
  });
  app.get(BUNDLE_PATH, (c) => {
    const bundle = loadBundle();
    c.header('content-type', 'text/javascript; charset=utf-8');
    // The path names the renderer's version, so a browser may keep it.
    c.header('cache-control', 'public, max-age=604800, immutable');
    c.header('vary', 'accept-encoding');
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      c.header('content-encoding', 'gzip');
      return c.body(new Uint8Array(bundle.gzip));
    }
    return c.body(new Uint8Array(bundle.raw));
  });
}

const require = createRequire(import.meta.url);
// The package exports no subpath for its browser build; find it beside the main entry.
const packageDist = dirname(require.resolve('@scalar/api-reference'));
const scalarVersion = (
  JSON.parse(readFileSync(join(packageDist, '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** Where the page loads the renderer from; exported for the test. */
export const BUNDLE_PATH = `/docs/scalar-api-reference-${scalarVersion}.js`;

let bundle: { raw: Buffer; gzip: Buffer } | undefined;

/** Read (3.5 MB) and compressed once, on the first visit, not at every start. */
function loadBundle(): { raw: Buffer; gzip: Buffer } {
  if (!bundle) {
    const raw = readFileSync(join(packageDist, 'browser', 'standalone.js'));
    bundle = { raw, gzip: gzipSync(raw) };
  }
  return bundle;
}

const INIT = `Scalar.createApiReference('#api-reference', ${JSON.stringify({
  url: '/openapi.json',
  // Everything the page needs comes from this server: no web fonts, no telemetry, no
  // hosted agent or proxy ("try it" calls this same origin directly).
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  showDeveloperTools: 'never',
  defaultOpenFirstTag: true,
  tagsSorter: 'alpha',
})});
`;

const PAGE = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)}</title>
<style>body{margin:0;font-family:system-ui,sans-serif}</style>
</head>
<body>
<noscript>The reference needs JavaScript; the specification itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="api-reference"></div>
<script src="${BUNDLE_PATH}"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
