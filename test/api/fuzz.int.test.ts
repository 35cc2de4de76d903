import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * A table-driven fuzz over every operation in the OpenAPI document: arbitrary bodies,
 * path parameters, query strings and credentials. Whatever arrives, the answer is never
 * a 5xx, and every error has the one typed shape.
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
  if (typeof admin !== 'string') {
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
