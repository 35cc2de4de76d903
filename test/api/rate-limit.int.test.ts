import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/** Per-IP and per-credential budgets, seen through the HTTP API. */

const PW = 'a perfectly long password';

describe('per-credential rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ VW_RATE_LIMIT_KEY_PER_MIN: '5' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function token(email: string): Promise<string> {
    expect((await t.request('POST', '/v1/users', { body: { email, password: PW } })).status).toBe(
      201,
    );
    const r = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
    return r.body.token as string;
  }

  it('refuses one credential past its budget with 429 and Retry-After, and leaves others alone', async () => {
    const a = await token('a@example.com');
    const b = await token('b@example.com');
    for (let i = 0; i < 5; i++)
      expect((await t.request('GET', '/v1/me', { token: a })).status).toBe(200);
    const refused = await t.request('GET', '/v1/me', { token: a });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await t.request('GET', '/v1/me', { token: b })).status).toBe(200);
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toMatch(
      /vaultwire_http_rate_limited_total\{[^}]*scope="credential"[^}]*\} 1/,
    );
  });
});

describe('per-IP rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ VW_RATE_LIMIT_IP_PER_MIN: '4' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a client past its budget before doing any work', async () => {
    for (let i = 0; i < 4; i++) expect((await t.request('GET', '/v1/scopes')).status).not.toBe(429);
    const before = await t.vw.db.query<{ n: bigint }>('SELECT count(*) AS n FROM users');
    const refused = await t.request('POST', '/v1/users', {
      body: { email: 'c@example.com', password: PW },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const after = await t.vw.db.query<{ n: bigint }>('SELECT count(*) AS n FROM users');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    // Health endpoints are outside /v1 and stay reachable for probes.
    expect((await t.request('GET', '/readyz')).status).toBe(200);
  });
});
