import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';

describe('the web app at /app', () => {
  let t: TestApp;
  let unbuilt: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'vw-web-'));

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>Vaultwire</title><div id="root"></div>',
    );
    writeFileSync(
      join(dir, 'assets', 'index-abc123.js'),
      `console.log(${JSON.stringify('x'.repeat(2000))});`,
    );
    writeFileSync(join(dir, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await createTestApp({ VW_WEBAPP_DIR: dir });
    unbuilt = await createTestApp({ VW_WEBAPP_DIR: join(dir, 'missing') });
  });
  afterAll(async () => {
    await t.close();
    await unbuilt.close();
  });

  it('answers a deep link with the app page, so a reload or a shared link opens that page', async () => {
    for (const path of ['/app/', '/app/history?asset=USD', '/app/pay']) {
      const res = await t.request('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toContain('<div id="root">');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    const bare = await t.request('GET', '/app');
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/app/');
  });

  it('allows scripts, styles and API calls from this origin only, and no framing', async () => {
    const res = await t.request('GET', '/app/');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves hashed assets cached for a year, gzipped when the browser accepts it', async () => {
    const res = await t.request('GET', '/app/assets/index-abc123.js', {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const plain = await t.request('GET', '/app/icon.svg');
    expect(plain.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers 404, not the app page, for an asset that does not exist (a stale page)', async () => {
    expect((await t.request('GET', '/app/assets/index-old.js')).status).toBe(404);
    expect((await t.request('GET', '/app/../package.json')).status).not.toBe(200);
  });

  it('says how to build the app when it was not built', async () => {
    const res = await unbuilt.request('GET', '/app/');
    expect(res.status).toBe(503);
    expect(res.text).toContain('npm run build');
  });
});
