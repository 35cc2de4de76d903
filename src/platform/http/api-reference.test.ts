import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.js';
import { BUNDLE_PATH } from './docs.js';

/**
 * The published API description of the whole platform (every module mounted) and the
 * reference page rendered from it.
 */

let t: TestApp;
type Operation = { operationId?: string };
let spec: { info: { license?: unknown }; paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  t = await createTestApp();
  spec = (await t.request('GET', '/openapi.json')).body;
});
afterAll(() => t.close());

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, id: op.operationId })),
  );

describe('the OpenAPI document', () => {
  it('gives every operation a unique, readable operationId', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(50);
    const missing = ops.filter((o) => o.id === undefined).map((o) => `${o.method} ${o.path}`);
    expect(missing).toEqual([]);
    for (const o of ops) expect(o.id).toMatch(/^[a-z]+[A-Z][A-Za-z]*$/);
    const ids = ops.map((o) => o.id);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
    expect(spec.paths['/v1/webhook_endpoints']?.['get']?.operationId).toBe('listWebhookEndpoints');
    expect(spec.paths['/v1/users/{id}/role']?.['post']?.operationId).toBe('setUserRole');
  });

  it('passes redocly lint with the recommended rules, warnings included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vw-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(spec));
      const r = spawnSync(
        join('node_modules', '.bin', 'redocly'),
        ['lint', '--extends=recommended', '--format=json', file],
        {
          encoding: 'utf8',
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      );
      const report = JSON.parse(r.stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('/docs', () => {
  it('renders with Scalar loaded from this server, not from a CDN', async () => {
    const page = await t.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const scripts = [...page.text.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual([BUNDLE_PATH, '/docs/init.js']);
    expect(page.text).not.toMatch(/https?:\/\//);

    const init = await t.request('GET', '/docs/init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('Scalar.createApiReference');
    expect(init.text).toContain('"url":"/openapi.json"');
  });

  it('serves the renderer bundle from the installed package, gzipped when asked', async () => {
    const plain = await t.vw.http.request(BUNDLE_PATH);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/javascript/);
    const raw = Buffer.from(await plain.arrayBuffer());
    expect(raw.toString('utf8')).toContain('createApiReference');

    const zipped = await t.vw.http.request(BUNDLE_PATH, {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const body = Buffer.from(await zipped.arrayBuffer());
    expect(body.length).toBeLessThan(raw.length / 2);
    expect(gunzipSync(body).equals(raw)).toBe(true);
  });
});
