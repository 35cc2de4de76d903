/**
 * `npm run bench:web`: what the web app costs a person opening it.
 *
 * Builds the web app twice from the current source, as `npm run build` does:
 * - split: the real build (route-level code splitting: the first load carries the shell,
 *   log-in, sign-up and balances; every other page is fetched on demand);
 * - baseline, one bundle: the same source with code splitting turned off (every page of
 *   the wallet, the merchant dashboard and the operations console in the first load).
 *
 * For each it reports the JavaScript of the first load (the entry script and the chunks
 * index.html preloads), raw and gzipped as the server sends it, and the time to
 * interactive in Chromium: from navigation start until the log-in form is rendered by
 * React and its button is live, a fresh browser context (cold cache) each run, on an
 * unthrottled loopback and on a simulated phone (4x CPU slowdown, 150 ms round trip,
 * 1.6 Mbit/s down). Medians of BENCH_RUNS runs (default 7; smoke 1).
 *
 * Floor (checked in full and smoke runs, since sizes do not depend on the machine): the
 * first load's JavaScript under 200 KB gzipped. The machine is shared: timings are noisy,
 * compare the two builds within one run, not across runs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { loadWebAssets } from '../../src/webapp/assets.js';
import { findChromium, launchChromium } from '../../test/support/browser.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { round, table } from '../lib/stats.js';

const BUDGET_GZIP = 200 * 1024;
const RUNS = setting('BENCH_RUNS', 7, 1);
const RUN_TIMEOUT_MS = 60_000;

interface Variant {
  name: string;
  dir: string;
  firstLoad: { files: string[]; raw: number; gzip: number };
  allJsGzip: number;
}

async function buildVariant(name: string, codeSplitting: boolean): Promise<Variant> {
  const dir = mkdtempSync(join(tmpdir(), `vw-bench-web-${name}-`));
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      configFile: 'web/vite.config.ts',
      logLevel: 'warn',
      build: {
        outDir: dir,
        emptyOutDir: true,
        ...(codeSplitting ? {} : { rolldownOptions: { output: { codeSplitting: false } } }),
      },
    });
  } finally {
    process.env['NODE_ENV'] = nodeEnv;
  }
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script[^>]+src="\/app\/([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/app\/([^"]+\.js)"/g),
  ].map((m) => m[1] ?? '');
  const assets = loadWebAssets(dir);
  if (!assets) throw new Error(`${name}: no index.html built`);
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const a = assets.get(f);
    if (!a) throw new Error(`${name}: ${f} not built`);
    raw += a.body.length;
    gzip += (a.gzip ?? a.body).length;
  }
  let allJsGzip = 0;
  for (const [path, a] of assets)
    if (path.endsWith('.js')) allJsGzip += (a.gzip ?? gzipSync(a.body)).length;
  return { name, dir, firstLoad: { files, raw, gzip }, allJsGzip };
}

/** The built app as the webapp module serves it (gzip, SPA fallback); /v1 answers 401 (signed out). */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const assets = loadWebAssets(dir);
  if (!assets) throw new Error('not built');
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/v1/')) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        '{"error":{"type":"authentication_error","code":"unauthenticated","message":"Sign in"}}',
      );
      return;
    }
    const rel = path.replace(/^\/app\/?/, '');
    const file = assets.get(rel) ?? assets.get('index.html');
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const gz = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding']));
    res.writeHead(200, {
      'content-type': file.contentType,
      ...(gz ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(gz ? file.gzip : file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

async function timeToInteractive(
  chromiumPath: string,
  url: string,
  phone: boolean,
): Promise<number[]> {
  const browser = await launchChromium(chromiumPath);
  const out: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      if (phone) {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: 150,
          downloadThroughput: (1.6 * 1024 * 1024) / 8,
          uploadThroughput: (750 * 1024) / 8,
        });
      }
      await page.goto(`${url}/app/login`, { waitUntil: 'commit', timeout: RUN_TIMEOUT_MS });
      // Interactive: React rendered the form, and a task queued after it runs (the main
      // thread is free to handle a tap).
      await page.waitForSelector('form button[type="submit"]:not([disabled])', {
        timeout: RUN_TIMEOUT_MS,
      });
      out.push(
        await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              setTimeout(() => {
                resolve(performance.now());
              }, 0);
            }),
        ),
      );
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

const kb = (n: number) => `${round(n / 1024, 1)} KB`;

async function main(): Promise<void> {
  announceSmoke('one run per build and network');
  const started = performance.now();
  const chromiumPath = findChromium();
  const split = await buildVariant('split', true);
  const single = await buildVariant('one-bundle', false);
  const built = performance.now();
  const rows: string[][] = [
    [
      'build',
      'first-load JS files',
      'raw',
      'gzip',
      'all JS gzip',
      'TTI loopback (median)',
      'TTI phone (median)',
    ],
  ];
  const results: Record<string, unknown> = {};
  for (const v of [split, single]) {
    let loop: number[] = [];
    let phone: number[] = [];
    if (chromiumPath) {
      const { url, server } = await serve(v.dir);
      try {
        loop = await timeToInteractive(chromiumPath, url, false);
        phone = await timeToInteractive(chromiumPath, url, true);
      } finally {
        server.close();
      }
    }
    rows.push([
      v.name === 'split' ? 'split (shipped)' : 'baseline: one bundle',
      String(v.firstLoad.files.length),
      kb(v.firstLoad.raw),
      kb(v.firstLoad.gzip),
      kb(v.allJsGzip),
      loop.length ? `${round(median(loop), 0)} ms` : 'no Chromium',
      phone.length ? `${round(median(phone), 0)} ms` : 'no Chromium',
    ]);
    results[v.name] = {
      firstLoadFiles: v.firstLoad.files,
      firstLoadRawBytes: v.firstLoad.raw,
      firstLoadGzipBytes: v.firstLoad.gzip,
      allJsGzipBytes: v.allJsGzip,
      ttiLoopbackMs: loop,
      ttiPhoneMs: phone,
    };
  }
  console.log(table(rows));
  // The whole run is meant to stay under 3 minutes on a quiet machine: the builds once,
  // then RUNS cold loads per build and network. Printed so a slow run is seen, not guessed.
  const done = performance.now();
  console.log(
    `Took ${round((done - started) / 1000, 0)} s: builds ${round((built - started) / 1000, 0)} s, cold loads (${RUNS} per build and network) ${round((done - built) / 1000, 0)} s.`,
  );
  console.log(
    `Budget: the wallet's first load under ${kb(BUDGET_GZIP)} of JavaScript gzipped; shipped ${kb(split.firstLoad.gzip)} (${round((100 * split.firstLoad.gzip) / BUDGET_GZIP, 0)} % of it). Timings on a shared 2-core machine are noisy.`,
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    join('bench/results', resultsFile('web')),
    `${JSON.stringify({ runs: RUNS, smoke: SMOKE, ...results }, null, 2)}\n`,
  );
  if (!chromiumPath && !SMOKE) throw new Error('No Chromium: time to interactive not measured');
  if (split.firstLoad.gzip > BUDGET_GZIP) {
    throw new Error(
      `first load ${kb(split.firstLoad.gzip)} gzipped is over the ${kb(BUDGET_GZIP)} budget`,
    );
  }
}

await main();
