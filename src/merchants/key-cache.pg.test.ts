import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordClientStatements } from '../../test/support/client-statements.js';
import { createTestApp, testEnv, type TestApp } from '../../test/support/app.js';
import { merchant, registerAssets } from '../../test/fixtures/merchants/setup.js';
import { buildVaultwire, type Vaultwire } from '../app.js';
import { loadConfig } from '../modules.js';
import { openDb } from '../platform/db/drivers.js';
import { createLogger } from '../platform/observability/logger.js';
import { createMerchantDirectory, KEY_CACHE_TTL_MS } from './merchants.js';

/**
 * Verified merchant API keys are cached per process; a revocation in any process must end
 * the key everywhere, within a notification's delay, and no entry outlives the cache's
 * lifetime even when no notification is heard. Two processes on one PostgreSQL database:
 * `a` (the test app) and `b` (a second build of the app on its own connection pool).
 */

let a: TestApp;
let b: Vaultwire;
const sent: string[] = [];
let recorder: { stop(): void };

beforeAll(async () => {
  a = await createTestApp();
  if (!a.testDb.url) throw new Error('needs PostgreSQL');
  await registerAssets(a);
  const db = await openDb({ databaseUrl: a.testDb.url, poolMax: 4 });
  b = await buildVaultwire({ config: loadConfig({ env: testEnv() }), db, migrate: false });
  recorder = recordClientStatements(sent);
});

afterAll(async () => {
  recorder.stop();
  await b.lifecycle.stop('test done');
  await a.close();
});

const listInvoices = (key: string) => a.request('GET', '/v1/invoices', { token: key });
const KEY_LOOKUP = /FROM merchant_api_keys WHERE token_hash/;

/** Polls until `check` holds; answers how long it took (ms). */
async function eventually(check: () => Promise<boolean>, ms = 2_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('cached merchant keys', () => {
  it('a repeated request with the same key looks no key up in the database', async () => {
    const m = await merchant(a, 'Cache Shop 1', 'cache-m1@example.com');
    expect((await listInvoices(m.liveKey)).status).toBe(200);
    // The listener connects on first use; after that the key is cached.
    await eventually(async () => {
      sent.length = 0;
      expect((await listInvoices(m.liveKey)).status).toBe(200);
      return !sent.some((s) => KEY_LOOKUP.test(s));
    });
  });

  it('a key revoked in another process stops working here when the notification arrives', async () => {
    const m = await merchant(a, 'Cache Shop 2', 'cache-m2@example.com');
    await eventually(async () => {
      sent.length = 0;
      expect((await listInvoices(m.liveKey)).status).toBe(200);
      return !sent.some((s) => KEY_LOOKUP.test(s));
    });
    const revoked = await b.http.request(`/v1/merchants/${m.id}/api_keys/${m.liveKeyId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${m.owner.token}` },
    });
    expect(revoked.status, await revoked.text()).toBe(200);
    // Well inside the cache's lifetime: the notification, not the expiry, ended it.
    const took = await eventually(async () => (await listInvoices(m.liveKey)).status === 401);
    expect(took).toBeLessThan(KEY_CACHE_TTL_MS / 2);
    // The merchant's other key is looked up afresh and still works.
    expect((await listInvoices(m.testKey)).status).toBe(200);
  });

  it('a key revoked in this process is refused at once', async () => {
    const m = await merchant(a, 'Cache Shop 3', 'cache-m3@example.com');
    expect((await listInvoices(m.liveKey)).status).toBe(200);
    expect((await listInvoices(m.liveKey)).status).toBe(200);
    const revoked = await a.request('DELETE', `/v1/merchants/${m.id}/api_keys/${m.liveKeyId}`, {
      token: m.owner.token,
    });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await listInvoices(m.liveKey)).status).toBe(401);
  });

  it('a key revoked without a notification is refused once the cache lifetime has passed', async () => {
    const m = await merchant(a, 'Cache Shop 4', 'cache-m4@example.com');
    const ttlMs = 1_000;
    const directory = createMerchantDirectory({
      db: a.testDb.db,
      audit: a.vw.audit,
      ledger: a.vw.ledger,
      totpEnabled: () => Promise.resolve(true),
      logger: createLogger({ level: 'silent' }),
      keyCacheTtlMs: ttlMs,
    });
    try {
      // Cached once the listener is up (a lookup made before that is not stored).
      await eventually(async () => {
        sent.length = 0;
        expect(await directory.authenticate(m.liveKey)).toBeDefined();
        return !sent.some((s) => KEY_LOOKUP.test(s));
      });
      const cachedBy = Date.now();
      // Revoked behind the cache's back: no notification is sent, so the cached entry
      // still answers for the rest of its lifetime...
      await a.testDb.db.query('UPDATE merchant_api_keys SET revoked_at = now() WHERE id = $1', [
        m.liveKeyId,
      ]);
      expect(await directory.authenticate(m.liveKey)).toBeDefined();
      // ...and not a moment longer (the polling step and a loaded machine as slack).
      await eventually(async () => (await directory.authenticate(m.liveKey)) === undefined);
      expect(Date.now() - cachedBy).toBeLessThanOrEqual(ttlMs + 250);
      expect(await directory.authenticate(m.liveKey)).toBeUndefined();
    } finally {
      await directory.close();
    }
  });
});
