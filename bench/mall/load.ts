/**
 * `npm run bench:mall`: how much the mall downloads and how soon it shows, in Chromium.
 *
 * Builds the mall (and, as the size baseline, the web app at /app) from the current
 * source, serves it from a real server (embedded database) with two stores of three
 * products, and opens `/mall/` BENCH_LOADS times in fresh browser contexts, with WebGL on
 * SwiftShader (CPU). Each load reports, from the page's `performance` marks:
 * - `mall-stores`: the store list drawn in HTML (what a browser without WebGL gets);
 * - `mall-first-frame`: the first frame of the 3D mall (three.js loaded after the shell).
 * The baseline in the same run is the same page with `?view=list` (no 3D at all).
 *
 * Figures on a shared machine without a GPU are noisy, and SwiftShader draws on the CPU:
 * read them against the baseline, not as absolutes. BENCH_SMOKE=1 loads once.
 * Results go to stdout and bench/results/mall.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { createTestApp } from '../../test/support/app.js';
import { findChromium, launchChromiumWithWebGl } from '../../test/support/browser.js';
import { percentile, round, table } from '../lib/stats.js';
import { merchantOf } from '../../test/fixtures/commerce/setup.js';

const SMOKE = process.env['BENCH_SMOKE'] === '1';
const LOADS = Number(process.env['BENCH_LOADS'] ?? (SMOKE ? 1 : 5));
const PAGE_TIMEOUT_MS = 120_000;

async function buildInto(configFile: string): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'vw-bench-mall-'));
  process.env['NODE_ENV'] = 'production';
  await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** Gzipped bytes of the entry (script and CSS the page asks for first) and of lazy chunks. */
function sizes(dir: string, entry: RegExp): { entry: number; lazy: number } {
  let first = 0;
  let lazy = 0;
  for (const name of readdirSync(join(dir, 'assets'))) {
    const gz = gzipSync(readFileSync(join(dir, 'assets', name))).length;
    if (entry.test(name)) first += gz;
    else if (name.endsWith('.js')) lazy += gz;
  }
  return { entry: first, lazy };
}

const mallDir = await buildInto('mall/vite.config.ts');
const webDir = await buildInto('web/vite.config.ts');
const mallSize = sizes(mallDir, /^index-.*\.(js|css)$/);
const webSize = sizes(webDir, /^index-.*\.(js|css)$/);

const t = await createTestApp({ VW_MALL_DIR: mallDir, PORT: '0', HOST: '127.0.0.1' });
const chromiumPath = findChromium();
try {
  const started = await t.vw.start(['api']);
  const base = `http://127.0.0.1:${started.port}`;
  const user = await t.request('POST', '/v1/users', {
    body: { email: 'bench@example.com', password: 'bench-password-123' },
  });
  const login = await t.request('POST', '/v1/sessions', {
    body: { email: 'bench@example.com', password: 'bench-password-123' },
  });
  if (user.status !== 201 || login.status !== 201) throw new Error(`user: ${login.text}`);
  const token = (login.body as { token: string }).token;
  // Stores belong to a merchant tenant (whose owner must have TOTP on).
  const tenant = await merchantOf(t, (user.body as { id: string }).id, 'Bench mall');
  for (const [i, name] of ['Tea House', 'Cricket Corner'].entries()) {
    const store = await t.request('POST', '/v1/stores', {
      token,
      body: { merchant: tenant.id, name, position: { x: i, y: 0 } },
    });
    if (store.status !== 201) throw new Error(`store: ${store.text}`);
    const storeId = (store.body as { id: string }).id;
    for (const p of ['One', 'Two', 'Three']) {
      await t.request('POST', `/v1/stores/${storeId}/products`, {
        token,
        body: {
          name: `${name} ${p}`,
          variants: [{ sku: p, name: p, prices: { USD: '10.00' }, stock: 5 }],
        },
      });
    }
  }
  if (!chromiumPath) throw new Error('No Chromium: set CHROMIUM_PATH');
  const browser = await launchChromiumWithWebGl(chromiumPath);
  const marks = async (path: string, ready: string) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${base}${path}`);
    await page.locator(ready).first().waitFor({ timeout: PAGE_TIMEOUT_MS });
    const m = await page.evaluate(() =>
      Object.fromEntries(
        ['mall-shell', 'mall-stores', 'mall-first-frame'].map((n) => [
          n,
          performance.getEntriesByName(n)[0]?.startTime ?? NaN,
        ]),
      ),
    );
    await context.close();
    return m;
  };
  const list: number[] = [];
  const stores: number[] = [];
  const frame: number[] = [];
  // Once unmeasured, so both sides see a warm server and browser.
  await marks('/mall/', '#view3d[data-ready="true"]');
  for (let i = 0; i < LOADS; i++) {
    list.push((await marks('/mall/?view=list', '.store'))['mall-stores'] ?? NaN);
    const m = await marks('/mall/', '#view3d[data-ready="true"]');
    stores.push(m['mall-stores'] ?? NaN);
    frame.push(m['mall-first-frame'] ?? NaN);
  }
  await browser.close();
  const median = (xs: number[]) =>
    round(
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      ),
      0,
    );
  const result = {
    bundle_gzip_bytes: {
      mall_shell: mallSize.entry,
      mall_3d_chunk: mallSize.lazy,
      baseline_web_app_entry: webSize.entry,
    },
    load_ms_median: {
      baseline_list_view_stores: median(list),
      mall_stores: median(stores),
      mall_first_3d_frame: median(frame),
    },
    loads: LOADS,
    note: 'ms after navigation start, Chromium headless, WebGL on SwiftShader (CPU), shared machine',
  };
  console.log(
    table([
      ['figure', 'mall', 'baseline'],
      ['entry bundle, gzip', `${mallSize.entry} B`, `${webSize.entry} B (web app /app)`],
      ['lazy 3D chunk (three.js + scene), gzip', `${mallSize.lazy} B`, '—'],
      ['store list drawn (median)', `${median(stores)} ms`, `${median(list)} ms (?view=list)`],
      ['first 3D frame (median)', `${median(frame)} ms`, '—'],
    ]),
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/mall.json', `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await t.close();
}
