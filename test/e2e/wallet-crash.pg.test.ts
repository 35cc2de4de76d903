import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyLedger } from '../../src/ledger/verify.js';
import { isFailure } from '../../src/platform/failure.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { spawnVaultwire, type VaultwireProcess } from '../support/process.js';
import { ASSETS, PASSWORD } from '../fixtures/wallet/harness.js';

/**
 * SIGKILL a real `vaultwire start --roles api` on PostgreSQL in the middle of a load of
 * payments and trades, start it again, retry what got no answer with the same
 * Idempotency-Key, and check: the ledger verifies, every request that got a 2xx is in the
 * ledger exactly once, and no key ever paid twice.
 */

const LIMITS = JSON.stringify(
  Object.fromEntries(
    ['unverified', 'verified', 'enhanced'].map((tier) => [
      tier,
      {
        perTransaction: { USD: '1000000.00', BTC: '100' },
        daily: { USD: '100000000.00', BTC: '10000' },
        perHour: 1_000_000,
      },
    ]),
  ),
);

const running: VaultwireProcess[] = [];
let t: TestApp;
let url: string;
const users: { id: string; handle: string; token: string }[] = [];

beforeAll(async () => {
  t = await createTestApp({ VW_WALLET_LIMITS: LIMITS, VW_WALLET_TEST_RAIL_SETTLE_MS: '0' });
  if (!t.testDb.url) throw new Error('this test needs PostgreSQL');
  url = t.testDb.url;
  for (const a of ASSETS) expect((await t.vw.ledger.createAsset(a)).ok).toBe(true);
  for (let i = 0; i < 6; i++) {
    const handle = `crash${i}`;
    const email = `${handle}@example.com`;
    const user = await t.vw.identity.signUp(
      { email, password: PASSWORD, handle },
      { type: 'system', id: 'test' },
    );
    if (isFailure(user)) throw new Error(user.code);
    const session = await t.vw.identity.logIn({ email, password: PASSWORD }, { type: 'anonymous' });
    if (isFailure(session)) throw new Error(session.code);
    const d = await t.vw.wallet.depositFiat({ userId: user.id, asset: 'USD', amount: '100000.00' });
    if (!d.ok) throw new Error(d.message);
    await t.vw.wallet.processFiat('deposit', d.deposit.id);
    users.push({ id: user.id, handle, token: session.token });
  }
});

afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

afterAll(async () => {
  await t.close();
});

function startServer(): VaultwireProcess {
  const p = spawnVaultwire(['start', '--roles', 'api', '--port', '0'], {
    DATABASE_URL: url,
    VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-wallet-crash-')),
    VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOG_LEVEL: 'info',
    VW_DB_POOL_MAX: '16',
    VW_RATE_LIMIT_IP_PER_MIN: '1000000',
    VW_RATE_LIMIT_KEY_PER_MIN: '1000000',
    VW_WALLET_LIMITS: LIMITS,
    VW_WALLET_QUOTE_TTL_SECONDS: '30',
  });
  running.push(p);
  return p;
}

interface Outcome {
  kind: 'payment' | 'execute';
  path: string;
  body?: unknown;
  key?: string;
  token: string;
  /** undefined: no answer (the server died). */
  status?: number;
  response?: { id?: string; ledger_transaction_id?: string | null };
}

function inUse(body: unknown): boolean {
  return (body as { error?: { code?: string } }).error?.code === 'idempotency_key_in_use';
}

async function call(
  port: number,
  o: Omit<Outcome, 'status' | 'response'>,
): Promise<{ status: number; body: Outcome['response'] } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${o.path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${o.token}`,
        'content-type': 'application/json',
        ...(o.key ? { 'idempotency-key': o.key } : {}),
      },
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: (await res.json()) as Outcome['response'] };
  } catch {
    return undefined;
  }
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await t.vw.db.query<{ n: bigint }>(sql, params);
  return Number(rows[0]?.n ?? 0n);
}

describe('SIGKILL under a load of payments and trades (PostgreSQL)', () => {
  it(
    'after a restart the ledger verifies and every 2xx is in it exactly once',
    { timeout: 240_000 },
    async () => {
      const first = startServer();
      const port = Number((await first.waitForLog('api listening'))['port']);
      const outcomes: Outcome[] = [];
      const state = { stop: false, ok: 0 };

      const send = async (o: Outcome) => {
        outcomes.push(o);
        const r = await call(port, o);
        if (!r) return;
        Object.assign(o, { status: r.status, response: r.body });
        if (r.status < 300) state.ok++;
      };
      const client = async (c: number) => {
        for (let i = 0; i < 300 && !state.stop; i++) {
          const me = users[c % users.length];
          const friend = users[(c + 1 + (i % (users.length - 1))) % users.length];
          if (!me || !friend) throw new Error('users');
          if (i % 3 === 2) {
            // A trade: quote, then execute (the execute is what moves money).
            const q = await call(port, {
              kind: 'execute',
              path: '/v1/quotes',
              token: me.token,
              body: { from: 'USD', to: 'BTC', spend_amount: '10.00' },
            });
            if (q?.status !== 201 || !q.body?.id) continue;
            const o: Outcome = {
              kind: 'execute',
              path: `/v1/quotes/${q.body.id}/execute`,
              token: me.token,
            };
            await send(o);
          } else {
            const o: Outcome = {
              kind: 'payment',
              path: '/v1/payments',
              token: me.token,
              key: `crash-${c}-${i}`,
              body: { to: `@${friend.handle}`, asset: 'USD', amount: `${1 + (i % 7)}.00` },
            };
            await send(o);
          }
        }
      };

      const load = Promise.all(Array.from({ length: 12 }, (_, c) => client(c)));
      await vi.waitFor(
        () => {
          expect(state.ok).toBeGreaterThanOrEqual(150);
        },
        { timeout: 120_000, interval: 20 },
      );
      first.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      state.stop = true;
      await load;

      const unanswered = outcomes.filter((o) => o.status === undefined);
      expect(unanswered.length).toBeGreaterThan(0); // killed mid-load, with requests in flight
      expect(outcomes.filter((o) => (o.status ?? 0) >= 500)).toEqual([]);

      const second = startServer();
      const port2 = Number((await second.waitForLog('api listening'))['port']);
      // The client retries what got no answer, exactly as it sent it, and again after
      // `Retry-After` while the dead process's claim on the key is still open (it lapses
      // within the claim lifetime, CLAIM_TTL_MS).
      for (const o of unanswered) {
        let r = await call(port2, o);
        for (let i = 0; i < 30 && r?.status === 409 && inUse(r.body); i++) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          r = await call(port2, o);
        }
        expect(r, `retry of ${o.path}`).toBeDefined();
        if (!r) continue;
        expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
        Object.assign(o, { status: r.status, response: r.body });
      }

      const report = await verifyLedger(t.vw.db);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);

      const succeeded = outcomes.filter((o) => (o.status ?? 0) < 300);
      expect(succeeded.length).toBeGreaterThanOrEqual(150);
      for (const o of succeeded) {
        const ltx = o.response?.ledger_transaction_id;
        expect(ltx, JSON.stringify(o)).toMatch(/^ltx_/);
        expect(
          await count('SELECT count(*) AS n FROM ledger_transactions WHERE id = $1', [ltx]),
        ).toBe(1);
        const table = o.kind === 'payment' ? 'wallet_payments' : 'wallet_quotes';
        expect(
          await count(`SELECT count(*) AS n FROM ${table} WHERE ledger_transaction_id = $1`, [ltx]),
        ).toBe(1);
      }
      // No key paid twice, and every payment is one ledger transaction of its own.
      expect(
        await count(
          'SELECT count(*) - count(DISTINCT (payer_id, request_key)) AS n FROM wallet_payments',
          [],
        ),
      ).toBe(0);
      expect(
        await count(
          `SELECT count(*) AS n FROM wallet_payments p
          WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = p.ledger_transaction_id)`,
          [],
        ),
      ).toBe(0);
      // Every trade the clients saw, and no other, moved money.
      const trades = succeeded.filter((o) => o.kind === 'execute').length;
      expect(
        await count("SELECT count(*) AS n FROM wallet_quotes WHERE status = 'executed'", []),
      ).toBe(trades);
      // The wallet's history agrees with the ledger, per user and asset.
      for (const u of users) {
        for (const asset of ['USD', 'BTC']) {
          const a = await t.vw.ledger.findAccount(u.id, asset);
          const { rows } = await t.vw.db.query<{ s: string }>(
            'SELECT coalesce(sum(amount), 0)::text AS s FROM wallet_activity WHERE user_id = $1 AND asset = $2',
            [u.id, asset],
          );
          expect(BigInt(rows[0]?.s ?? '0')).toBe(a?.balance.posted ?? 0n);
        }
      }
      second.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    },
  );
});
