import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../src/platform/failure.js';
import { listen } from '../../src/platform/http/server.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * A table-driven fuzz over every operation in the OpenAPI document: arbitrary bodies,
 * path parameters, query strings and credentials. Whatever arrives, the answer is never
 * a 5xx, and every error has the one typed shape. Then, per operation that takes a
 * body, the classes of hostile input that once got through or answered 500 (huge
 * integers, deep nesting, lone surrogates, bytes that are not UTF-8, duplicate keys,
 * truncated and abandoned bodies): each is refused, and nothing is written.
 */

let t: TestApp;
let operations: { method: string; path: string }[] = [];
/** A real admin session, so the fuzz reaches handlers and not only the auth gate. */
let adminAuth = '';

beforeAll(async () => {
  t = await createTestApp();
  const password = 'fuzzing admin password';
  const admin = await t.vw.identity.createAdmin(
    { email: 'fuzz-admin@example.com', password },
    { type: 'system', id: 'test' },
  );
  if (!isFailure(admin)) {
    const login = await t.request('POST', '/v1/sessions', {
      body: { email: 'fuzz-admin@example.com', password },
    });
    adminAuth = `Bearer ${login.body.token as string}`;
  }
  const doc = (await t.request('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
});

afterAll(async () => {
  await t.close();
});

const jsonish = fc.oneof(
  fc.json(),
  fc.string(),
  fc.constantFrom(
    '',
    '{',
    '{"a":',
    'null',
    '[]',
    '{"__proto__":{"x":1}}',
    '\u0000',
    '{"amount":"1e400"}',
  ),
);
const segment = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('usr_01ABCDEFGHJKMNPQRSTVWXYZ0', '..', '%00', 'key_', "' OR 1=1 --", '💸'),
);
const credential = fc.constantFrom(
  'admin',
  'admin',
  undefined,
  'Bearer ',
  'Bearer vwk_forged0000000000000000000000000000000',
  'Bearer vws_forged',
  'Basic dXNlcjpwYXNz',
  'Bearer ' + 'x'.repeat(600),
);
const query = fc.constantFrom(
  '',
  '?limit=-1',
  '?limit=abc',
  '?starting_after=%27',
  '?limit=1e9&x=1',
);

function expectTypedError(status: number, body: unknown): void {
  expect(status).toBeLessThan(500);
  if (status >= 400) {
    expect(body).toMatchObject({
      error: { type: expect.any(String), code: expect.any(String), message: expect.any(String) },
    });
  }
}

describe('fuzz over every route', () => {
  it('finds the routes to fuzz, with an admin session to reach them', () => {
    expect(operations.length).toBeGreaterThan(3);
    expect(adminAuth).toMatch(/^Bearer vws_/);
  });

  it('never answers 5xx, and every error is typed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        jsonish,
        segment,
        credential,
        query,
        fc.boolean(),
        async (pick, body, seg, auth, q, idempotent) => {
          const op = operations[pick % operations.length];
          if (!op) return;
          const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(seg)) + q;
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          const authorization = auth === 'admin' ? adminAuth : auth;
          if (authorization !== undefined) headers['authorization'] = authorization;
          if (idempotent) headers['idempotency-key'] = `fuzz-${pick}`;
          const r = await t.request(op.method, path, {
            headers,
            ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { rawBody: body }),
          });
          expectTypedError(r.status, r.body);
        },
      ),
      { numRuns: 600 },
    );
  });
});

/** A JSON Schema as the OpenAPI document writes it (the parts read here). */
interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  example?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  pattern?: string;
  minimum?: number;
}

interface BodyOperation {
  method: string;
  path: string;
  /** A body shaped by the schema, every property present. */
  sample: unknown;
  /** Where the sample has an integer (or a decimal-string integer), and a string. */
  integers: string[][];
  strings: string[][];
  objects: string[][];
}

/** Builds a sample body from a schema, noting where its integers and strings are. */
function sampleOf(
  schema: Schema | undefined,
  components: Record<string, Schema>,
  at: string[],
  found: { integers: string[][]; strings: string[][]; objects: string[][] },
  depth = 0,
): unknown {
  let s = schema;
  while (s?.$ref) s = components[s.$ref.replace('#/components/schemas/', '')];
  if (!s || depth > 6) return null;
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.[0]) return sampleOf(alt[0], components, at, found, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === 'integer') found.integers.push(at);
  if (type === 'string') {
    if (s.pattern?.includes('\\d')) found.integers.push(at);
    else found.strings.push(at);
  }
  if (s.example !== undefined && type !== 'object' && type !== 'array') return s.example;
  if (s.enum?.[0] !== undefined) return s.enum[0];
  if (s.const !== undefined) return s.const;
  switch (type) {
    case 'object': {
      found.objects.push(at);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        out[k] = sampleOf(v, components, [...at, k], found, depth + 1);
      }
      return out;
    }
    case 'array':
      return [sampleOf(s.items, components, [...at, '0'], found, depth + 1)];
    case 'integer':
      return s.minimum ?? 1;
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      return 'fuzz';
    default:
      return null;
  }
}

/** `value` with the leaf at `path` replaced by `leaf`. */
function withLeaf(value: unknown, path: readonly string[], leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[Number(head)] = withLeaf(copy[Number(head)], rest, leaf);
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    return { ...obj, [head]: withLeaf(obj[head], rest, leaf) };
  }
  return value;
}

/** JSON text of `value` whose object at `dupAt` names its first key twice. */
function withDuplicateKey(value: unknown, dupAt: readonly string[], at: string[] = []): string {
  if (Array.isArray(value)) {
    return `[${value.map((v, i) => withDuplicateKey(v, dupAt, [...at, String(i)])).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(
      ([k, v]) => `${JSON.stringify(k)}:${withDuplicateKey(v, dupAt, [...at, k])}`,
    );
    if (at.join('.') === dupAt.join('.')) {
      const first = Object.keys(value)[0];
      entries.push(`${JSON.stringify(first ?? 'k')}:null`);
      if (first === undefined) entries.push('"k":null');
    }
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

const MARK = '\u2063fuzz-mark\u2063';
const markText = JSON.stringify(MARK);

/** Every way these bodies were once let through (or answered 500), per operation. */
function hostileBodies(op: BodyOperation): { name: string; body: string | Buffer }[] {
  const text = (leaf: unknown, path: string[]) => JSON.stringify(withLeaf(op.sample, path, leaf));
  const marked = (path: string[]) => text(MARK, path);
  const out: { name: string; body: string | Buffer }[] = [];
  for (const p of op.integers) {
    for (const huge of [
      '99999999999999999999999',
      '-9223372036854775809',
      '1e400',
      '"99999999999999999999"',
      '"9223372036854775808"',
    ]) {
      out.push({ name: `${p.join('.')} = ${huge}`, body: marked(p).replace(markText, huge) });
    }
  }
  for (const p of [...op.strings, ...op.integers]) {
    out.push({ name: `${p.join('.')} has a lone surrogate`, body: text('a\ud800b', p) });
    out.push({ name: `${p.join('.')} has a lone low surrogate`, body: text('\udc00', p) });
    const [before, after] = marked(p).split(markText) as [string, string];
    out.push({
      name: `${p.join('.')} is not UTF-8`,
      body: Buffer.concat([
        Buffer.from(`${before}"`),
        Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]),
        Buffer.from(`"${after}`),
      ]),
    });
  }
  for (const p of [...op.strings, ...op.integers, ...op.objects.filter((o) => o.length > 0)]) {
    const deep = '['.repeat(40) + '1' + ']'.repeat(40);
    out.push({ name: `${p.join('.')} nested 40 deep`, body: marked(p).replace(markText, deep) });
  }
  for (const p of op.objects) {
    out.push({
      name: `duplicate key in ${p.join('.') || '(body)'}`,
      body: withDuplicateKey(op.sample, p),
    });
  }
  const whole = JSON.stringify(op.sample);
  for (const cut of [1, Math.floor(whole.length / 2), whole.length - 1]) {
    out.push({ name: `truncated at ${cut}`, body: whole.slice(0, cut) });
  }
  return out;
}

/** Row count of every table, so a run can show it wrote nothing. */
async function rowCounts(): Promise<Record<string, number>> {
  const { rows: tables } = await t.vw.db.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()
      AND tablename NOT LIKE '%rate_limit%' ORDER BY tablename`,
  );
  const { rows } = await t.vw.db.query<Record<string, bigint>>(
    `SELECT ${tables.map((x) => `(SELECT count(*) FROM "${x.name}") AS "${x.name}"`).join(', ')}`,
  );
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}

describe('hostile bodies for every operation with one (from the OpenAPI document)', () => {
  const bodyOps: BodyOperation[] = [];

  beforeAll(async () => {
    const doc = (await t.request('GET', '/openapi.json')).body as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>
      >;
      components?: { schemas?: Record<string, Schema> };
    };
    const components = doc.components?.schemas ?? {};
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        if (!schema) continue;
        const found = { integers: [], strings: [], objects: [] };
        const sample = sampleOf(schema, components, [], found);
        bodyOps.push({
          method: method.toUpperCase(),
          path: path.replace(/\{[^}]+\}/g, 'x_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
          sample,
          ...found,
        });
      }
    }
  });

  it('finds the operations that take a body and the fields in them', () => {
    expect(bodyOps.length).toBeGreaterThan(20);
    expect(bodyOps.some((o) => o.integers.length > 0)).toBe(true);
    expect(bodyOps.every((o) => o.objects.length > 0)).toBe(true);
  });

  it('refuses each with a typed 4xx and writes nothing', async () => {
    const before = await rowCounts();
    const failures: string[] = [];
    let sent = 0;
    for (const op of bodyOps) {
      for (const hostile of hostileBodies(op)) {
        const res = await t.vw.http.request(op.path, {
          method: op.method,
          headers: {
            authorization: adminAuth,
            'content-type': 'application/json',
            ...(sent % 2 === 0 ? { 'idempotency-key': `hostile-${sent}` } : {}),
          },
          body: hostile.body,
        });
        sent++;
        const text = await res.text();
        let typed = false;
        try {
          const parsed = JSON.parse(text) as { error?: { type?: string; code?: string } };
          typed = typeof parsed.error?.code === 'string' && typeof parsed.error.type === 'string';
        } catch {
          // not JSON: not typed
        }
        if (res.status < 400 || res.status >= 500 || !typed) {
          failures.push(
            `${op.method} ${op.path} ${hostile.name}: ${res.status} ${text.slice(0, 200)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(300);
    expect(await rowCounts()).toEqual(before);
  });

  it('bodies cut off by a client that goes away: no 5xx counted, nothing written', async () => {
    const server = await listen(t.vw.http, { port: 0, host: '127.0.0.1' });
    try {
      const fiveHundreds = async () =>
        [
          ...(await t.vw.metrics.registry.metrics()).matchAll(
            /vaultwire_http_request_duration_seconds_count\{[^}]*status="5\d\d"[^}]*\} (\d+)/g,
          ),
        ].reduce((sum, m) => sum + Number(m[1]), 0);
      const errorsBefore = await fiveHundreds();
      const before = await rowCounts();
      for (const op of bodyOps) {
        const whole = JSON.stringify(op.sample);
        await new Promise<void>((resolve, reject) => {
          const socket = connect(server.port, '127.0.0.1');
          socket.on('error', reject);
          socket.on('close', () => {
            resolve();
          });
          socket.write(
            `${op.method} ${op.path} HTTP/1.1\r\nhost: x\r\nauthorization: ${adminAuth}\r\n` +
              `content-type: application/json\r\ncontent-length: ${whole.length + 100}\r\n\r\n` +
              whole.slice(0, Math.floor(whole.length / 2)),
          );
          setTimeout(() => socket.destroy(), 30);
        });
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(await fiveHundreds()).toBe(errorsBefore);
      expect(await rowCounts()).toEqual(before);
    } finally {
      await server.close();
    }
  });
});
