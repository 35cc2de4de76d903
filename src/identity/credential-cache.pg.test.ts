import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordClientStatements } from '../../test/support/client-statements.js';
import { buildVaultwire, type Vaultwire } from '../app.js';
import { loadConfig } from '../modules.js';
import { openDb } from '../platform/db/drivers.js';
import { createTestApp, testEnv, type TestApp } from '../../test/support/app.js';

/**
 * Verified tokens are cached per process; a revocation, a password change or a role
 * change anywhere must end them everywhere. Two processes on one PostgreSQL database:
 * `a` (the test app) and `b` (a second build of the app on its own connection pool).
 */

let a: TestApp;
let b: Vaultwire;
const sent: string[] = [];
let recorder: { stop(): void };

beforeAll(async () => {
  a = await createTestApp();
  if (!a.testDb.url) throw new Error('needs PostgreSQL');
  const db = await openDb({ databaseUrl: a.testDb.url, poolMax: 4 });
  b = await buildVaultwire({ config: loadConfig({ env: testEnv() }), db, migrate: false });
  // Every statement of every pooled client (pool.query goes through a client too).
  recorder = recordClientStatements(sent);
});

afterAll(async () => {
  recorder.stop();
  await b.lifecycle.stop('test done');
  await a.close();
});

async function signUpAndLogIn(email: string): Promise<{ token: string; sessionId: string }> {
  const password = 'correct horse battery staple';
  const up = await a.request('POST', '/v1/users', { body: { email, password } });
  expect(up.status, up.text).toBe(201);
  const login = await a.request('POST', '/v1/sessions', { body: { email, password } });
  expect(login.status, login.text).toBe(201);
  return { token: login.body.token as string, sessionId: login.body.id as string };
}

const me = (token: string) => a.request('GET', '/v1/me', { token });

/** Polls until `check` holds (a notification takes milliseconds to arrive). */
async function eventually(check: () => Promise<boolean>, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('cached credentials', () => {
  it('a repeated request with the same token reads no session from the database', async () => {
    const { token } = await signUpAndLogIn('cache1@example.com');
    expect((await me(token)).status).toBe(200);
    // The listener connects on first use; after that the token is cached.
    await eventually(async () => {
      sent.length = 0;
      expect((await me(token)).status).toBe(200);
      return !sent.some((s) => /FROM sessions s JOIN users/.test(s));
    });
  });

  it('a session logged out in another process stops working here', async () => {
    const { token } = await signUpAndLogIn('cache2@example.com');
    // Cached in `a`.
    expect((await me(token)).status).toBe(200);
    expect((await me(token)).status).toBe(200);
    // Logged out through `b`.
    const out = await b.http.request('/v1/sessions/current', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBeLessThan(300);
    await eventually(async () => (await me(token)).status === 401);
  });

  it('a password changed in another process ends the other sessions here', async () => {
    const email = 'cache3@example.com';
    const { token } = await signUpAndLogIn(email);
    const second = await signUpAndLogInAgain(email);
    expect((await me(token)).status).toBe(200);
    const changed = await b.http.request('/v1/me/password', {
      method: 'POST',
      headers: { authorization: `Bearer ${second}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        current_password: 'correct horse battery staple',
        new_password: 'another horse battery staple',
      }),
    });
    expect(changed.status, await changed.text()).toBeLessThan(300);
    await eventually(async () => (await me(token)).status === 401);
  });

  it('while changes cannot be heard, every token is looked up again', async () => {
    const { token } = await signUpAndLogIn('cache4@example.com');
    expect((await me(token)).status).toBe(200);
    // Kill `a`'s listening connection from the server side.
    await a.testDb.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
    );
    // Revoked directly in the database (no notification can be heard now): the next
    // request must not be answered from the cache.
    await a.testDb.db.query(
      "UPDATE sessions SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE email = 'cache4@example.com')",
    );
    expect((await me(token)).status).toBe(401);
  });
});

async function signUpAndLogInAgain(email: string): Promise<string> {
  const login = await a.request('POST', '/v1/sessions', {
    body: { email, password: 'correct horse battery staple' },
  });
  expect(login.status, login.text).toBe(201);
  return login.body.token as string;
}
