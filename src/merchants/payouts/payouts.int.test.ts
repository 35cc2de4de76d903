import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.js';
import {
  fund,
  merchant,
  registerAssets,
  user,
  walletBalance,
  type TestMerchant,
} from '../../../test/fixtures/merchants/setup.js';
import { startReceiver, waitFor, type Receiver } from '../../../test/fixtures/webhooks/receiver.js';
import type { RunningDelivery } from '../../webhooks/service.js';
import { inTransitOwner } from './payouts.js';
import { startTestPayoutRail, type TestPayoutRailServer } from './test-rail-server.js';

/**
 * Bank payouts end to end: the merchant API, the ledger, the payout rail over HTTP (a
 * local server speaking its API), operator approval, schedules, `payout.*` webhooks
 * delivered to a local receiver, and the audit log.
 */

let t: TestApp;
let liveRail: TestPayoutRailServer;
let testRail: TestPayoutRailServer;
let rx: Receiver;
let delivery: RunningDelivery;
let shop: TestMerchant;
let liveAccount: string;
let offsetMs = 0;

beforeAll(async () => {
  liveRail = await startTestPayoutRail();
  testRail = await startTestPayoutRail();
  rx = await startReceiver();
  t = await createTestApp(
    {
      VW_MERCHANTS_PAYOUT_RAIL_URL: liveRail.url,
      VW_MERCHANTS_PAYOUT_RAIL_KEY: liveRail.apiKey,
      VW_MERCHANTS_TEST_PAYOUT_RAIL_URL: testRail.url,
      VW_MERCHANTS_TEST_PAYOUT_RAIL_KEY: testRail.apiKey,
      VW_MERCHANTS_PAYOUT_APPROVAL_ABOVE: JSON.stringify({ USD: '500' }),
      VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
      VW_WEBHOOK_POLL_MS: '20',
      VW_WEBHOOK_TIMEOUT_MS: '2000',
    },
    { now: () => Date.now() + offsetMs },
  );
  await registerAssets(t);
  shop = await merchant(t, 'Payout Shop', 'payout-shop@example.com');
  const m = await t.vw.merchants.directory.get(shop.id);
  liveAccount = m?.liveAccountId ?? '';
  await fund(t, liveAccount, 'USD', '1000.00');
  await fund(t, liveAccount, 'ETH', '1');
  const endpoint = await t.request('POST', '/v1/webhook_endpoints', {
    token: shop.liveKey,
    body: { url: `${rx.url}/shop`, event_types: ['payout.*'] },
  });
  expect(endpoint.status, endpoint.text).toBe(201);
  delivery = await t.vw.webhooks.startDelivery({ concurrency: 2 });
}, 300_000);

afterAll(async () => {
  await delivery.stop();
  await t.close();
  await Promise.all([liveRail.close(), testRail.close(), rx.close()]);
});

/** Runs the outbox relay and due jobs until `check` holds (jobs retry with backoff). */
async function settle(check: () => Promise<boolean>, what: string) {
  await waitFor(
    async () => {
      await t.vw.outbox.relayOnce({ limit: 1000 });
      await t.vw.jobs.runDue({ limit: 100 });
      return check();
    },
    what,
    60_000,
  );
}

const payout = async (id: string, token = shop.liveKey) =>
  (await t.request('GET', `/v1/bank_payouts/${id}`, { token })).body;

async function settlementPosted(): Promise<bigint> {
  const s = await t.vw.ledger.houseAccount('settlement', 'USD');
  if (!s.ok) throw new Error('no settlement account');
  return s.account.balance.posted;
}

const usd = async (owner: string) => walletBalance(t, owner, 'USD');

const delivered = (id: string) =>
  rx.received
    .filter((r) => r.path === '/shop' && (r.status ?? 0) < 300)
    .map((r) => JSON.parse(r.body) as { type: string; data: { id: string } })
    .filter((e) => e.data.id === id)
    .map((e) => e.type);

describe('bank payouts', () => {
  it(
    'pays out through the rail: balance → in transit → paid, once, with webhooks',
    { timeout: 120_000 },
    async () => {
      const settlementBefore = await settlementPosted();
      const r = await t.request('POST', '/v1/bank_payouts', {
        token: shop.liveKey,
        body: { asset: 'USD', amount: '120.50', destination: 'DE89370400440532013000' },
      });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ status: 'in_transit', amount: '120.5', livemode: true });
      // Taken from the balance at once, held in transit.
      expect(await usd(liveAccount)).toBe(100_000n - 12_050n);
      expect(await usd(inTransitOwner(liveAccount))).toBe(12_050n);

      await settle(async () => (await payout(r.body.id)).status === 'paid', 'payout paid');
      expect(await usd(inTransitOwner(liveAccount))).toBe(0n);
      expect(await usd(liveAccount)).toBe(100_000n - 12_050n);
      // The settlement house account mirrors the operator's bank: the amount left it.
      const moved = (await settlementPosted()) - settlementBefore;
      expect(moved < 0n ? -moved : moved).toBe(12_050n);
      // The rail made exactly one payout, keyed by our id, to the right account.
      const made = liveRail.payouts().filter((p) => p.idempotencyKey === r.body.id);
      expect(made).toEqual([
        expect.objectContaining({
          amount: '12050',
          currency: 'usd',
          destination: 'DE89370400440532013000',
        }),
      ]);
      expect((await payout(r.body.id)).rail_reference).toBe(made[0]?.id);
      await settle(
        () => Promise.resolve(delivered(r.body.id).includes('payout.paid')),
        'payout.paid delivered',
      );
      expect(delivered(r.body.id)).toEqual(
        expect.arrayContaining(['payout.created', 'payout.paid']),
      );
    },
  );

  it('asks the rail again after a lost answer and is paid once', async () => {
    liveRail.fault(1, 'after');
    const before = liveRail.requests();
    const r = await t.request('POST', '/v1/bank_payouts', {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '10.00', destination: 'DE44500105175407324931' },
    });
    expect(r.status, r.text).toBe(201);
    await settle(async () => (await payout(r.body.id)).status === 'paid', 'paid after faults');
    // The first answer was lost after the rail made the payout; the retry got the same one.
    expect(liveRail.requests() - before).toBeGreaterThanOrEqual(2);
    expect(liveRail.payouts().filter((p) => p.idempotencyKey === r.body.id)).toHaveLength(1);
  });

  it(
    'gives the amount back when the rail fails or refuses the payout',
    { timeout: 120_000 },
    async () => {
      const before = await usd(liveAccount);
      const failing = await t.request('POST', '/v1/bank_payouts', {
        token: shop.liveKey,
        body: { asset: 'USD', amount: '30.00', destination: 'fail-closed-account' },
      });
      const refused = await t.request('POST', '/v1/bank_payouts', {
        token: shop.liveKey,
        body: { asset: 'USD', amount: '20.00', destination: 'reject-this-account' },
      });
      expect([failing.status, refused.status]).toEqual([201, 201]);
      expect(await usd(liveAccount)).toBe(before - 5_000n);
      await settle(
        async () =>
          (await payout(failing.body.id)).status === 'failed' &&
          (await payout(refused.body.id)).status === 'failed',
        'both failed',
      );
      expect((await payout(failing.body.id)).failure_reason).toMatch(/closed/);
      expect((await payout(refused.body.id)).failure_reason).toMatch(/refuses/);
      expect(await usd(liveAccount)).toBe(before);
      expect(await usd(inTransitOwner(liveAccount))).toBe(0n);
      await settle(
        () => Promise.resolve(delivered(failing.body.id).includes('payout.failed')),
        'payout.failed delivered',
      );
    },
  );

  it('flags a payout still in transit when its rail job runs out of attempts, and books nothing', async () => {
    const before = await usd(liveAccount);
    liveRail.fault(1_000_000, 'before');
    try {
      const r = await t.request('POST', '/v1/bank_payouts', {
        token: shop.liveKey,
        body: { asset: 'USD', amount: '5.00', destination: 'DE44500105175407324931' },
      });
      expect(r.status, r.text).toBe(201);
      // The job's 200 attempts over hours, shortened: it is on its last one now.
      const { rowCount } = await t.vw.db.query(
        `UPDATE jobs SET attempts = max_attempts - 1, run_at = now() - interval '1 minute'
          WHERE queue = 'merchants.payout.rail' AND dedupe_key = $1`,
        [`payout:${r.body.id}`],
      );
      expect(rowCount).toBe(1);
      await t.vw.jobs.runDue({ limit: 100 });
      const { rows: job } = await t.vw.db.query<{ state: string }>(
        `SELECT state FROM jobs WHERE queue = 'merchants.payout.rail' AND dedupe_key = $1`,
        [`payout:${r.body.id}`],
      );
      expect(job[0]?.state).toBe('dead');
      expect((await payout(r.body.id)).status).toBe('in_transit');
      expect(await usd(liveAccount)).toBe(before - 500n);
      const { rows: audit } = await t.vw.db.query<{ actor_type: string; reason: string }>(
        `SELECT actor_type, data->>'reason' AS reason FROM audit_events
          WHERE action = 'merchant.payout_stuck' AND target_id = $1`,
        [r.body.id],
      );
      expect(audit).toHaveLength(1);
      expect(audit[0]?.actor_type).toBe('system');
      await settle(
        () => Promise.resolve(delivered(r.body.id).includes('payout.stuck')),
        'payout.stuck delivered',
      );
    } finally {
      liveRail.fault(0, 'before');
    }
  });

  it('keeps test mode apart: a test key pays through the test rail from the test balance', async () => {
    const m = await t.vw.merchants.directory.get(shop.id);
    const testAccount = m?.testAccountId ?? '';
    const empty = await t.request('POST', '/v1/bank_payouts', {
      token: shop.testKey,
      body: { asset: 'USD', amount: '1.00', destination: 'DE89370400440532013000' },
    });
    expect(empty.status).toBe(402);
    expect(empty.body.error.code).toBe('payout_exceeds_balance');
    await fund(t, testAccount, 'USD', '5.00');
    const r = await t.request('POST', '/v1/bank_payouts', {
      token: shop.testKey,
      body: { asset: 'USD', amount: '5.00', destination: 'DE89370400440532013000' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.livemode).toBe(false);
    await settle(
      async () => (await payout(r.body.id, shop.testKey)).status === 'paid',
      'test payout paid',
    );
    expect(testRail.payouts().map((p) => p.idempotencyKey)).toContain(r.body.id);
    expect(liveRail.payouts().map((p) => p.idempotencyKey)).not.toContain(r.body.id);
    // The live key does not see it.
    expect(
      (await t.request('GET', `/v1/bank_payouts/${r.body.id}`, { token: shop.liveKey })).status,
    ).toBe(404);
  });

  it('refuses bad input with a typed 4xx and moves nothing', async () => {
    const before = await usd(liveAccount);
    const cases: [unknown, number, string][] = [
      [{ asset: 'ETH', amount: '0.1', destination: 'DE89' }, 400, 'payout_asset_not_fiat'],
      [{ asset: 'XYZ', amount: '1.00', destination: 'DE89' }, 400, 'asset_unknown'],
      [{ asset: 'USD', amount: '1.001', destination: 'DE89' }, 400, 'amount_too_precise'],
      [{ asset: 'USD', amount: '-5', destination: 'DE89' }, 400, 'amount_negative'],
      [{ asset: 'USD', amount: '0', destination: 'DE89' }, 400, 'amount_zero'],
      [
        { asset: 'USD', amount: '1.00', destination: 'bad\nline' },
        400,
        'payout_destination_invalid',
      ],
      [{ asset: 'USD', amount: '100000.00', destination: 'DE89' }, 402, 'payout_exceeds_balance'],
    ];
    for (const [body, status, code] of cases) {
      const r = await t.request('POST', '/v1/bank_payouts', { token: shop.liveKey, body });
      expect(r.status, `${JSON.stringify(body)}: ${r.text}`).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    expect(await usd(liveAccount)).toBe(before);
  });
});

describe('tenant isolation', () => {
  it("answers 404 to another merchant's key for a payout and does not list it", async () => {
    const mine = await t.request('POST', '/v1/bank_payouts', {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '501.00', destination: 'DE89370400440532013000' },
    });
    expect(mine.body.status).toBe('pending_approval');
    const other = await merchant(t, 'Nosy Shop', 'nosy-shop@example.com');
    const get = await t.request('GET', `/v1/bank_payouts/${mine.body.id}`, {
      token: other.liveKey,
    });
    expect(get.status).toBe(404);
    expect(get.body.error.code).toBe('payout_not_found');
    const cancel = await t.request('POST', `/v1/bank_payouts/${mine.body.id}/cancel`, {
      token: other.liveKey,
      body: {},
    });
    expect(cancel.status).toBe(404);
    const list = await t.request('GET', '/v1/bank_payouts', { token: other.liveKey });
    expect(list.body.data).toEqual([]);
    expect((await payout(mine.body.id)).status).toBe('pending_approval');
    const back = await t.request('POST', `/v1/bank_payouts/${mine.body.id}/cancel`, {
      token: shop.liveKey,
      body: {},
    });
    expect(back.status).toBe(200);
  });
});

describe('operator approval', () => {
  it('holds payouts above the limit until an operator with TOTP, outside the merchant, approves', async () => {
    const before = await usd(liveAccount);
    const r = await t.request('POST', '/v1/bank_payouts', {
      token: shop.liveKey,
      body: { asset: 'USD', amount: '600.00', destination: 'DE89370400440532013000' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.status).toBe('pending_approval');
    expect(await usd(liveAccount)).toBe(before - 60_000n);

    // An operator without TOTP is refused.
    const noTotp = await user(t, 'op-no-totp@example.com');
    await t.vw.identity.changeRole(noTotp.id, 'operator', { type: 'system', id: 'test' });
    const refused = await t.request('POST', `/v1/admin/bank_payouts/${r.body.id}/approve`, {
      token: noTotp.token,
      body: {},
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('totp_required');
    // An operator who is a member of the merchant may not approve its payouts.
    const insider = await user(t, 'op-insider@example.com', 'operator');
    const added = await t.request('POST', `/v1/merchants/${shop.id}/members`, {
      token: shop.owner.token,
      body: { email: 'op-insider@example.com', role: 'viewer' },
    });
    expect(added.status, added.text).toBe(201);
    const own = await t.request('POST', `/v1/admin/bank_payouts/${r.body.id}/approve`, {
      token: insider.token,
      body: {},
    });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('payout_approver_is_member');
    // A merchant key cannot reach the operators' route.
    const byKey = await t.request('POST', `/v1/admin/bank_payouts/${r.body.id}/approve`, {
      token: shop.liveKey,
      body: {},
    });
    expect(byKey.status).toBe(403);

    const op = await user(t, 'payout-op@example.com', 'operator');
    const pending = await t.request('GET', '/v1/admin/bank_payouts', { token: op.token });
    expect(pending.body.data.map((p: { id: string }) => p.id)).toContain(r.body.id);
    const ok = await t.request('POST', `/v1/admin/bank_payouts/${r.body.id}/approve`, {
      token: op.token,
      body: {},
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ status: 'in_transit', approved_by: op.id });
    const again = await t.request('POST', `/v1/admin/bank_payouts/${r.body.id}/approve`, {
      token: op.token,
      body: {},
    });
    expect(again.status).toBe(409);
    await settle(async () => (await payout(r.body.id)).status === 'paid', 'approved payout paid');

    const { rows } = await t.vw.db.query<{ action: string; actor_id: string }>(
      `SELECT action, actor_id FROM audit_events WHERE target_id = $1 ORDER BY seq`,
      [r.body.id],
    );
    expect(rows).toEqual([
      expect.objectContaining({ action: 'merchant.payout_created', actor_id: liveAccount }),
      expect.objectContaining({ action: 'merchant.payout_approved', actor_id: op.id }),
      expect.objectContaining({ action: 'merchant.payout_paid' }),
    ]);
  });

  it('gives the amount back on rejection and on the merchant’s cancel', async () => {
    await fund(t, liveAccount, 'USD', '1002.00');
    const before = await usd(liveAccount);
    const create = () =>
      t.request('POST', '/v1/bank_payouts', {
        token: shop.liveKey,
        body: { asset: 'USD', amount: '501.00', destination: 'DE89370400440532013000' },
      });
    const [a, b] = [await create(), await create()];
    expect(await usd(liveAccount)).toBe(before - 2n * 50_100n);
    const op = await user(t, 'payout-op2@example.com', 'operator');
    const rejected = await t.request('POST', `/v1/admin/bank_payouts/${a.body.id}/reject`, {
      token: op.token,
      body: { reason: 'Destination not verified' },
    });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      failure_reason: 'Destination not verified',
    });
    const canceled = await t.request('POST', `/v1/bank_payouts/${b.body.id}/cancel`, {
      token: shop.liveKey,
      body: {},
    });
    expect(canceled.status, canceled.text).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(await usd(liveAccount)).toBe(before);
    const { rows } = await t.vw.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE target_id = ANY($1) ORDER BY seq`,
      [[a.body.id, b.body.id]],
    );
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['merchant.payout_rejected', 'merchant.payout_canceled']),
    );
  });
});

describe('payout schedules', () => {
  it('pays out the whole balance once per period when it reaches the minimum', async () => {
    const other = await merchant(t, 'Scheduled Shop', 'scheduled-shop@example.com');
    const account = (await t.vw.merchants.directory.get(other.id))?.liveAccountId ?? '';
    await fund(t, account, 'USD', '40.00');
    const set = await t.request('PUT', '/v1/payout_schedules', {
      token: other.liveKey,
      body: {
        asset: 'USD',
        period: 'daily',
        minimum: '50.00',
        destination: 'GB33BUKB20201555555555',
      },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ enabled: true, period: 'daily', minimum: '50' });
    const runs = async () => {
      await t.vw.merchants.payouts.enqueueDueSchedules();
      await t.vw.jobs.runDue({ limit: 100 });
    };
    const list = async () =>
      (await t.request('GET', '/v1/bank_payouts', { token: other.liveKey })).body.data as {
        id: string;
        status: string;
        amount: string;
        scheduled: boolean;
      }[];

    // Day one: 40 is under the minimum, nothing is paid.
    offsetMs += 24 * 3600 * 1000;
    await runs();
    expect(await list()).toEqual([]);
    // Day two: 65 reaches it; the whole balance goes, once, however often the runner runs.
    await fund(t, account, 'USD', '25.00');
    offsetMs += 24 * 3600 * 1000;
    await runs();
    await runs();
    const [p] = await list();
    expect(await list()).toHaveLength(1);
    expect(p).toMatchObject({ amount: '65', scheduled: true });
    expect(await usd(account)).toBe(0n);
    await settle(async () => (await list())[0]?.status === 'paid', 'scheduled payout paid');
    // The settlement report has the payout in its column, and still reconciles.
    const from = new Date(t.now() - 10 * 86_400_000).toISOString();
    const to = new Date(t.now() + 86_400_000).toISOString();
    const report = await t.request('GET', `/v1/settlements?from=${from}&to=${to}`, {
      token: other.liveKey,
    });
    expect(report.status, report.text).toBe(200);
    expect(report.body.totals.find((x: { asset: string }) => x.asset === 'USD')).toMatchObject({
      payouts: '65.00',
      other: '65.00',
      net: '0.00',
    });
    const schedules = await t.request('GET', '/v1/payout_schedules', { token: other.liveKey });
    expect(new Date(schedules.body.data[0].next_run_at).getTime()).toBeGreaterThan(t.now());
  });
});
