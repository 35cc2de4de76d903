import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWalletHarness,
  type TestUser,
  type WalletHarness,
} from '../../test/fixtures/wallet/harness.js';

/**
 * Lock order and freezes on a real PostgreSQL server (see LOCK ORDER in internal.ts):
 * bank payouts failing while their user pays, and freezes under the user's own stream
 * of payments.
 */

let h: WalletHarness;

beforeAll(async () => {
  h = await createWalletHarness();
});

afterAll(async () => {
  await h.close();
});

const post: WalletHarness['post'] = (...args) => h.post(...args);

function statuses(rs: { status: number }[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of rs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

const expectLedgerVerified = () => h.expectLedgerVerified();

async function ledgerEntriesOf(user: TestUser): Promise<number> {
  const { rows } = await h.t.vw.db.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
      WHERE a.owner = $1`,
    [user.id],
  );
  return Number(rows[0]?.n ?? 0n);
}

describe('lock order on PostgreSQL', () => {
  it('failed bank payouts booked while the same user pays: no request fails with a 500', async () => {
    const u = await h.user('payouter');
    await h.user('payoutee');
    await h.fund(u, 'USD', '10000.00');
    const withdrawals = [];
    for (let i = 0; i < 30; i++) {
      const w = await post('/v1/fiat_withdrawals', u, {
        asset: 'USD',
        amount: '1.00',
        destination: `fail-${i}`,
      });
      expect(w.status, w.text).toBe(201);
      withdrawals.push(w.body.id as string);
    }
    // The payouts fail at the rail and are booked (limit usage given back, hold voided)
    // while the user pays, with and without an Idempotency-Key, on the same counter
    // and account.
    const booked = Promise.all(
      withdrawals.map((id) => h.t.vw.wallet.processFiat('withdrawal', id)),
    );
    const paid = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post(
          '/v1/payments',
          u,
          { to: '@payoutee', asset: 'USD', amount: '1.00' },
          i % 2 === 0 ? `payout-race-${i}` : undefined,
        ),
      ),
    );
    const outcomes = await booked;
    expect(statuses(paid)).toEqual({ 201: 60 });
    expect(outcomes.every((o) => o.state === 'done')).toBe(true);
    const { rows } = await h.t.vw.db.query<{ status: string; n: bigint }>(
      'SELECT status, count(*) AS n FROM wallet_fiat_withdrawals WHERE user_id = $1 GROUP BY status',
      [u.id],
    );
    expect(rows.map((r) => [r.status, Number(r.n)])).toEqual([['failed', 30]]);
    expect(await h.balance(u, 'USD')).toEqual({
      available: '9940.00',
      held: '0.00',
      total: '9940.00',
    });
    await expectLedgerVerified();
  });

  it('a freeze under 6 loops of the user’s own payments: nothing moves after it answers', async () => {
    const u = await h.user('streamer');
    await h.user('streamee');
    await h.fund(u, 'USD', '100000.00');
    const ops = await h.user('streamops');
    await h.t.vw.identity.changeRole(ops.id, 'operator', { type: 'system', id: 'test' });
    const state = { frozenAnswered: false };
    const afterFreeze: number[] = [];
    const deadline = Date.now() + 20_000;
    const loop = async (n: number) => {
      for (let i = 0; i < 400 && Date.now() < deadline; i++) {
        const r = await post(
          '/v1/payments',
          u,
          { to: '@streamee', asset: 'USD', amount: '0.01' },
          i % 2 === 0 ? `stream-${n}-${i}` : undefined,
        );
        // Requests sent after the freeze answered: each must be refused.
        if (state.frozenAnswered) {
          afterFreeze.push(r.status);
          if (afterFreeze.length >= 60) return;
        }
      }
    };
    const loops = Array.from({ length: 6 }, (_, n) => loop(n));
    // Let the stream get going before freezing.
    while ((await ledgerEntriesOf(u)) < 60 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const freeze = await post('/v1/admin/wallets/@streamer/freeze', ops, { reason: 'Stream test' });
    expect(freeze.status, freeze.text).toBe(200);
    const entriesAtFreeze = await ledgerEntriesOf(u);
    const balanceAtFreeze = await h.balance(u, 'USD');
    state.frozenAnswered = true;
    await Promise.all(loops);
    // Requests in flight when the freeze answered may still be answered 201 only if
    // they moved money before it: the ledger is the judge.
    expect(await ledgerEntriesOf(u)).toBe(entriesAtFreeze);
    expect(await h.balance(u, 'USD')).toEqual(balanceAtFreeze);
    expect(afterFreeze.length).toBeGreaterThan(0);
    expect(afterFreeze.filter((s) => s !== 201 && s !== 403)).toEqual([]);
    expect(afterFreeze.slice(-12).every((s) => s === 403)).toBe(true);
    await expectLedgerVerified();
  });
});
