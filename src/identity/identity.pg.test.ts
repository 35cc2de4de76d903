import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { base32Decode, totp } from '../platform/crypto/totp.js';

/** Identity guards that only real concurrency can test (PostgreSQL, a connection pool). */

const PW = 'correct horse battery staple';
const SYSTEM = { type: 'system' as const, id: 'test' };
const clock = Math.floor(Date.now() / 30_000) * 30_000 + 1_000;

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({}, { now: () => clock });
});

afterAll(async () => {
  await t.close();
});

async function logIn(email: string, extra: Record<string, unknown> = {}) {
  const r = await t.request('POST', '/v1/sessions', { body: { email, password: PW, ...extra } });
  expect(r.status, r.text).toBe(201);
  return { token: r.body.token as string, id: r.body.user.id as string };
}

describe('identity under concurrency', () => {
  it('lets exactly one of many concurrent sign-ups with one email through', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.request('POST', '/v1/users', { body: { email: 'race@example.com', password: PW } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array<number>(7).fill(409)]);
  });

  it('never leaves zero admins when the last two admins demote each other at once', async () => {
    await t.vw.identity.createAdmin({ email: 'admin0@example.com', password: PW }, SYSTEM);
    let survivor = await logIn('admin0@example.com');
    // Several rounds: the race is between two transactions, so give it several chances.
    for (let round = 1; round <= 6; round++) {
      const email = `admin${round}@example.com`;
      await t.vw.identity.createAdmin({ email, password: PW }, SYSTEM);
      const challenger = await logIn(email);
      const [r1, r2] = await Promise.all([
        t.request('POST', `/v1/users/${challenger.id}/role`, {
          body: { role: 'user' },
          token: survivor.token,
        }),
        t.request('POST', `/v1/users/${survivor.id}/role`, {
          body: { role: 'user' },
          token: challenger.token,
        }),
      ]);
      const statuses = [r1.status, r2.status].sort();
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
      const { rows } = await t.vw.db.query<{ id: string }>(
        "SELECT id FROM users WHERE role = 'admin'",
      );
      expect(rows).toHaveLength(1);
      survivor = rows[0]?.id === challenger.id ? challenger : survivor;
    }
  });

  it('accepts one TOTP code for only one of several concurrent logins', async () => {
    await t.request('POST', '/v1/users', { body: { email: 'otp@example.com', password: PW } });
    const { token } = await logIn('otp@example.com');
    const enrol = await t.request('POST', '/v1/me/totp', { token });
    const secret = base32Decode(enrol.body.secret);
    const confirmed = await t.request('POST', '/v1/me/totp/confirm', {
      body: { code: totp(secret, clock - 30_000) },
      token,
    });
    expect(confirmed.status).toBe(200);
    const code = totp(secret, clock);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.request('POST', '/v1/sessions', {
          body: { email: 'otp@example.com', password: PW, totp_code: code },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 401, 401, 401, 401, 401]);
    expect((await t.vw.audit.verify()).ok).toBe(true);
  });
});
