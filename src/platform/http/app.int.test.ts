import { z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.js';
import { newId } from '../ids.js';
import { defineRoute } from './access.js';
import { checkCursor, PaginationQuery, pageSchema, toPage } from './pagination.js';
import { listen, type RunningServer } from './server.js';

/**
 * The HTTP conventions every module relies on, exercised through a small route that
 * exists only in this test: typed errors, idempotency, pagination, body limits.
 */

let t: TestApp;
const Thing = z.object({ id: z.string(), name: z.string(), qty: z.number().int() });

beforeAll(async () => {
  t = await createTestApp({ VW_BODY_LIMIT_BYTES: '2048' });
  await t.vw.db.query(
    'CREATE TABLE test_things (id text PRIMARY KEY, name text NOT NULL, qty int NOT NULL)',
  );
  // A route with a cache policy of its own (the socket tests below).
  t.vw.http.get('/v1/test/cached', (c) => {
    c.header('cache-control', 'max-age=60');
    return c.json({ ok: true });
  });
  t.vw.http.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/test/things',
      access: { public: true },
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.strictObject({
                name: z.string().min(1).max(50),
                qty: z.number().int().positive(),
              }),
            },
          },
        },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Thing } } },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const id = newId('thg');
      // A slow write, so concurrent requests really overlap.
      await t.vw.db.query('SELECT pg_sleep(0.05)');
      await t.vw.db.query('INSERT INTO test_things (id, name, qty) VALUES ($1, $2, $3)', [
        id,
        body.name,
        body.qty,
      ]);
      return c.json({ id, ...body }, 201);
    },
  );
  t.vw.http.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/test/things',
      access: { public: true },
      request: { query: PaginationQuery },
      responses: {
        200: {
          description: 'Page',
          content: { 'application/json': { schema: pageSchema(Thing) } },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const after = checkCursor(q.starting_after, 'thg');
      const { rows } = await t.vw.db.query<{ id: string; name: string; qty: number }>(
        'SELECT id, name, qty FROM test_things WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2',
        [after ?? null, q.limit + 1],
      );
      return c.json(
        toPage(rows, q.limit, (r) => r),
        200,
      );
    },
  );
});

afterAll(async () => {
  await t.close();
});

async function count(): Promise<number> {
  const { rows } = await t.vw.db.query<{ n: bigint }>('SELECT count(*) AS n FROM test_things');
  return Number(rows[0]?.n);
}

describe('error shape', () => {
  it('answers an unknown route with a typed 404 and a request id', async () => {
    const r = await t.request('GET', '/v1/nope');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      error: { type: 'not_found_error', code: 'route_not_found', message: 'No route GET /v1/nope' },
    });
    expect(r.headers.get('request-id')).toMatch(/^req_/);
  });

  it('echoes a caller-supplied request id', async () => {
    const r = await t.request('GET', '/v1/nope', { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('request-id')).toBe('abc-123');
  });

  it.each([
    ['malformed JSON', { rawBody: '{"name": "a",' }, 400, 'body_malformed_json', undefined],
    ['a wrong type', { body: { name: 'a', qty: 'three' } }, 400, 'parameter_invalid', 'qty'],
    ['a missing field', { body: { name: 'a' } }, 400, 'parameter_missing', 'qty'],
    [
      'an unknown field',
      { body: { name: 'a', qty: 1, admin: true } },
      400,
      'parameter_unknown',
      'admin',
    ],
    ['a JSON array', { rawBody: '[1,2]' }, 400, 'parameter_invalid', undefined],
    ['an empty body', { rawBody: '' }, 400, undefined, undefined],
    [
      'a NUL character',
      { rawBody: '{"name":"a\\u0000b","qty":1}' },
      400,
      'parameter_invalid',
      undefined,
    ],
    [
      'a non-JSON content type',
      { rawBody: 'name=a', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
      undefined,
    ],
    [
      'an oversized body',
      { body: { name: 'x'.repeat(5000), qty: 1 } },
      413,
      'body_too_large',
      undefined,
    ],
  ] as const)(
    'refuses %s with a typed 4xx and writes nothing',
    async (_name, opts, status, code, param) => {
      const before = await count();
      const r = await t.request('POST', '/v1/test/things', opts);
      expect(r.status).toBe(status);
      expect(r.body.error.type).toBe('invalid_request_error');
      if (code) expect(r.body.error.code).toBe(code);
      if (param) expect(r.body.error.param).toBe(param);
      expect(typeof r.body.error.message).toBe('string');
      expect(await count()).toBe(before);
    },
  );

  it('refuses NUL in a query string or path instead of failing in the database', async () => {
    for (const path of ['/v1/test/things?starting_after=thg_%00', '/v1/test/%00']) {
      const r = await t.request('GET', path);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('parameter_invalid');
    }
  });

  it('refuses a bad query parameter', async () => {
    const r = await t.request('GET', '/v1/test/things?limit=1000');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'parameter_invalid', param: 'limit' });
  });
});

describe('idempotency keys', () => {
  it('replays the first response for the same key and body', async () => {
    const before = await count();
    const headers = { 'idempotency-key': 'replay-1' };
    const a = await t.request('POST', '/v1/test/things', { body: { name: 'a', qty: 1 }, headers });
    const b = await t.request('POST', '/v1/test/things', { body: { name: 'a', qty: 1 }, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await count()).toBe(before + 1);
  });

  it('answers 409 for the same key with a different body', async () => {
    const headers = { 'idempotency-key': 'conflict-1' };
    await t.request('POST', '/v1/test/things', { body: { name: 'a', qty: 1 }, headers });
    const before = await count();
    const r = await t.request('POST', '/v1/test/things', { body: { name: 'a', qty: 2 }, headers });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      type: 'idempotency_error',
      code: 'idempotency_key_reused',
    });
    expect(await count()).toBe(before);
  });

  it('makes one write for concurrent requests with one key; the others get 409', async () => {
    const before = await count();
    const headers = { 'idempotency-key': 'race-1' };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.request('POST', '/v1/test/things', { body: { name: 'r', qty: 3 }, headers }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('idempotency_key_in_use');
    }
    expect(await count()).toBe(before + 1);
  });

  it('does not store a refused request, so a corrected retry runs', async () => {
    const headers = { 'idempotency-key': 'fix-then-retry' };
    const bad = await t.request('POST', '/v1/test/things', {
      body: { name: 'a', qty: -1 },
      headers,
    });
    expect(bad.status).toBe(400);
    const good = await t.request('POST', '/v1/test/things', {
      body: { name: 'a', qty: 1 },
      headers,
    });
    expect(good.status).toBe(201);
  });

  it('refuses an unprintable key', async () => {
    const r = await t.request('POST', '/v1/test/things', {
      body: { name: 'a', qty: 1 },
      headers: { 'idempotency-key': 'x'.repeat(300) },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('idempotency_key_invalid');
  });
});

describe('cursor pagination', () => {
  it('walks every row once, in order', async () => {
    for (let i = 0; i < 7; i++)
      await t.request('POST', '/v1/test/things', { body: { name: `p${i}`, qty: 1 } });
    const all = await count();
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const r = await t.request(
        'GET',
        `/v1/test/things?limit=3${cursor ? `&starting_after=${cursor}` : ''}`,
      );
      expect(r.status).toBe(200);
      seen.push(...r.body.data.map((d: { id: string }) => d.id));
      if (!r.body.has_more) {
        expect(r.body.next_cursor).toBeNull();
        break;
      }
      cursor = r.body.next_cursor;
    }
    expect(seen.length).toBe(all);
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(all);
  });

  it('refuses a cursor of another kind', async () => {
    const r = await t.request('GET', '/v1/test/things?starting_after=usr_01ABC');
    expect(r.status).toBe(400);
    expect(r.body.error.param).toBe('starting_after');
  });
});

describe('health, metrics and the API description', () => {
  it('answers /livez and /readyz', async () => {
    expect((await t.request('GET', '/livez')).status).toBe(200);
    const ready = await t.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toBe('ok');
  });

  it('serves an OpenAPI 3.1 document that includes routes modules mount', async () => {
    const r = await t.request('GET', '/openapi.json');
    expect(r.body.openapi).toBe('3.1.0');
    expect(r.body.paths['/v1/test/things'].post.operationId).toBe('createTestThing');
  });

  it('exports HTTP latency histograms', async () => {
    await t.request('GET', '/livez');
    const r = await t.request('GET', '/metrics');
    expect(r.text).toMatch(/vaultwire_http_request_duration_seconds_count\{[^}]*route="\/livez"/);
  });
});

describe('over a socket (Node request and response)', () => {
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    server = await listen(t.vw.http, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server.close();
  });

  it('every answer carries its request id, nosniff and no-store unless the route caches', async () => {
    const plain = await fetch(`${base}/v1/nope`, { headers: { 'x-request-id': 'sock-1' } });
    expect(plain.status).toBe(404);
    expect(plain.headers.get('request-id')).toBe('sock-1');
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    expect(plain.headers.get('cache-control')).toBe('no-store');
    const fresh = await fetch(`${base}/v1/nope`);
    expect(fresh.headers.get('request-id')).toMatch(/^req_/);

    const cached = await fetch(`${base}/v1/test/cached`);
    expect(cached.status).toBe(200);
    expect(cached.headers.get('cache-control')).toBe('max-age=60');
    expect(cached.headers.get('request-id')).toMatch(/^req_/);
  });

  it('reads the bearer token from the socket: a bad one is refused, a good one is you, none is anonymous', async () => {
    const bad = await fetch(`${base}/v1/me`, { headers: { authorization: 'Bearer vws_nope' } });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_credentials',
    );
    const password = 'correct horse battery staple';
    const signedUp = await t.request('POST', '/v1/users', {
      body: { email: 'socket@example.com', password },
    });
    expect(signedUp.status).toBe(201);
    const session = await t.request('POST', '/v1/sessions', {
      body: { email: 'socket@example.com', password },
    });
    const token = (session.body as { token: string }).token;
    const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe('socket@example.com');
    const none = await fetch(`${base}/v1/me`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe(
      'authentication_required',
    );
  });
});
