import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { testDbKind } from '../../test/support/db.js';
import { isFailure } from '../platform/failure.js';
import { createExternalRedemptions } from './redemptions.js';
import { createCampaignsService } from './service.js';
import { CampaignError } from './errors.js';
import type { JobQueue } from '../platform/queue/queue.js';
import {
  merchant,
  registerAssets,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';

/**
 * The redemption API for orders made outside the mall (POST /v1/campaigns/redemptions and
 * its confirm/release), over HTTP: the campaign's rules and limits as at checkout, typed
 * refusals that write nothing, another merchant's answered 404, and a cap held under
 * concurrent redemptions on PostgreSQL (the batched path).
 */

let t: TestApp;
let a: TestMerchant;
let b: TestMerchant;
let seq = 0;

const campaignBody = (extra: Record<string, unknown> = {}) => ({
  name: `Outside ${++seq}`,
  channel: 'pos',
  currency: 'USD',
  starts_at: new Date(t.now() - 60_000).toISOString(),
  rule: { kind: 'percentage', percent_bps: 1000 },
  ...extra,
});

/** A campaign of `m` with one shared code (`usage_limit` when given); its id. */
async function campaignWithCode(
  m: TestMerchant,
  code: string,
  extra: Record<string, unknown> = {},
  usageLimit?: number,
): Promise<string> {
  const made = await t.request('POST', '/v1/campaigns', {
    token: m.liveKey,
    body: campaignBody(extra),
  });
  expect(made.status, made.text).toBe(201);
  const added = await t.request('POST', `/v1/campaigns/${made.body.id}/codes`, {
    token: m.liveKey,
    body: usageLimit === undefined ? { code } : { code, usage_limit: usageLimit },
  });
  expect(added.status, added.text).toBe(201);
  return made.body.id as string;
}

const redeem = (token: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  t.request('POST', '/v1/campaigns/redemptions', {
    token,
    body: { customer: 'cust-1', currency: 'USD', order_total: '80.00', ...body },
    ...(headers ? { headers } : {}),
  });

async function redemptionRows(): Promise<number> {
  const { rows } = await t.vw.db.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM campaign_redemptions`,
  );
  return Number(rows[0]?.n ?? 0n);
}

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  a = await merchant(t, 'Shop A', 'alice@example.com');
  b = await merchant(t, 'Shop B', 'bob@example.com');
}, 300_000);

afterAll(async () => {
  await t.close();
});

describe('redeeming a code for an order made outside the mall', () => {
  it('answers 201 with the discount the campaign’s rules give an order of that total', async () => {
    const id = await campaignWithCode(a, 'POSTEN', {
      rule: { kind: 'percentage', percent_bps: 1250 },
    });
    const r = await redeem(a.liveKey, { code: 'pos-ten', order_id: 'WEB-1' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      object: 'redemption',
      order_id: 'WEB-1',
      merchant_id: a.id,
      campaign_id: id,
      code: 'POSTEN',
      currency: 'USD',
      order_total: '80.00',
      discount: '10.00',
      total_after_discount: '70.00',
      status: 'reserved',
    });

    const fixed = await campaignWithCode(a, 'POSFIVE', {
      rule: { kind: 'fixed', amount: '5.00', min_spend: '20.00' },
    });
    const f = await redeem(a.liveKey, { code: 'POSFIVE', order_id: 'WEB-2', order_total: '3.00' });
    expect([f.status, f.body.error?.code]).toEqual([422, 'coupon_minimum_spend']);
    const ok = await redeem(a.liveKey, {
      code: 'POSFIVE',
      order_id: 'WEB-2',
      order_total: '20.00',
    });
    expect([ok.status, ok.body.discount, ok.body.campaign_id], ok.text).toEqual([
      201,
      '5.00',
      fixed,
    ]);

    // The audit log records it with who made it, never the code.
    const { events } = await t.vw.audit.list({ limit: 50, targetId: id });
    const created = events.filter((e) => e.action === 'campaign.redemption_created');
    expect(created.map((e) => [e.data['redemption_id'], e.data['order_id']])).toEqual([
      [r.body.id, 'WEB-1'],
    ]);
    expect(created[0]?.actorId).toMatch(/^mca_/);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('POSTEN');
  });

  it('a per-code limit of 1 refuses the second order; release gives the code back', async () => {
    await campaignWithCode(a, 'ONCEONLY', {}, 1);
    const first = await redeem(a.liveKey, { code: 'ONCEONLY', order_id: 'POS-1' });
    expect(first.status, first.text).toBe(201);
    const second = await redeem(a.liveKey, { code: 'ONCEONLY', order_id: 'POS-2' });
    expect([second.status, second.body.error?.code]).toEqual([409, 'coupon_exhausted']);
    // The same order again with another total is refused as such.
    const again = await redeem(a.liveKey, {
      code: 'ONCEONLY',
      order_id: 'POS-1',
      order_total: '81.00',
    });
    expect([again.status, again.body.error?.code]).toEqual([409, 'redemption_exists']);

    const released = await t.request('POST', '/v1/campaigns/redemptions/POS-1/release', {
      token: a.liveKey,
    });
    expect([released.status, released.body.status], released.text).toEqual([200, 'released']);
    // Idempotent: releasing again changes nothing (the code's use is given back once).
    const twice = await t.request('POST', '/v1/campaigns/redemptions/POS-1/release', {
      token: a.liveKey,
    });
    expect([twice.status, twice.body.status]).toEqual([200, 'released']);
    const third = await redeem(a.liveKey, { code: 'ONCEONLY', order_id: 'POS-3' });
    expect(third.status, third.text).toBe(201);
    const fourth = await redeem(a.liveKey, { code: 'ONCEONLY', order_id: 'POS-4' });
    expect([fourth.status, fourth.body.error?.code]).toEqual([409, 'coupon_exhausted']);
  });

  it('confirm counts the order as redeemed in the campaign’s analytics', async () => {
    const id = await campaignWithCode(a, 'PAIDUP');
    const r = await redeem(a.liveKey, { code: 'PAIDUP', order_id: 'PAY-1', order_total: '50.00' });
    expect(r.status, r.text).toBe(201);
    const before = await t.request('GET', `/v1/campaigns/${id}/analytics`, { token: a.liveKey });
    expect(before.body).toMatchObject({ reserved: 1, redeemed: 0, revenue: '0.00' });
    for (let i = 0; i < 2; i++) {
      const c = await t.request('POST', '/v1/campaigns/redemptions/PAY-1/confirm', {
        token: a.liveKey,
      });
      expect([c.status, c.body.status], c.text).toEqual([200, 'redeemed']);
    }
    const after = await t.request('GET', `/v1/campaigns/${id}/analytics`, { token: a.liveKey });
    expect(after.body).toMatchObject({
      reserved: 0,
      redeemed: 1,
      revenue: '50.00',
      discount_given: '5.00',
      conversion: 1,
    });
    // A member naming no merchant finds the order among their merchants'.
    const byOwner = await t.request('POST', '/v1/campaigns/redemptions/PAY-1/release', {
      token: a.owner.token,
    });
    expect([byOwner.status, byOwner.body.status], byOwner.text).toEqual([200, 'released']);
    const late = await t.request('POST', '/v1/campaigns/redemptions/PAY-1/confirm', {
      token: a.liveKey,
    });
    expect([late.status, late.body.error?.code]).toEqual([409, 'redemption_released']);
  });

  it('applies per-customer limits and first-order-only to the shop’s own customers', async () => {
    await campaignWithCode(a, 'PERCUST', { per_customer_limit: 1 });
    const one = await redeem(a.liveKey, {
      code: 'PERCUST',
      order_id: 'PC-1',
      customer: 'Ann@Shop.example',
    });
    expect(one.status, one.text).toBe(201);
    const two = await redeem(a.liveKey, {
      code: 'PERCUST',
      order_id: 'PC-2',
      customer: 'ann@shop.example',
    });
    expect([two.status, two.body.error?.code]).toEqual([409, 'coupon_customer_limit']);
    const other = await redeem(a.liveKey, {
      code: 'PERCUST',
      order_id: 'PC-3',
      customer: 'bo@shop.example',
    });
    expect(other.status, other.text).toBe(201);

    await campaignWithCode(a, 'WELCOME', {
      rule: { kind: 'fixed', amount: '2.00', first_order_only: true },
    });
    const newcomer = await redeem(a.liveKey, {
      code: 'WELCOME',
      order_id: 'FO-1',
      customer: 'cust-new',
    });
    expect(newcomer.status, newcomer.text).toBe(201);
    const back = await redeem(a.liveKey, {
      code: 'WELCOME',
      order_id: 'FO-2',
      customer: 'cust-new',
    });
    expect([back.status, back.body.error?.code]).toEqual([422, 'coupon_first_order_only']);
  });

  it('refuses bad input with a typed 4xx and writes nothing', async () => {
    await campaignWithCode(a, 'EXPIRED1', {
      starts_at: new Date(t.now() - 7_200_000).toISOString(),
      ends_at: new Date(t.now() - 3_600_000).toISOString(),
    });
    const made = await t.request('POST', '/v1/stores', {
      token: a.owner.token,
      body: { merchant: a.id, name: 'Till', position: { x: 3, y: 4 } },
    });
    expect(made.status, made.text).toBe(201);
    await campaignWithCode(a, 'STOREONLY', { target: { store_ids: [made.body.id] } });
    await campaignWithCode(a, 'GOODCODE');
    const rowsBefore = await redemptionRows();
    const cases: [Record<string, unknown>, number, string, string | undefined][] = [
      [{ code: 'GOODCODE', order_total: '-1.00' }, 400, 'amount_invalid', 'order_total'],
      [{ code: 'GOODCODE', order_total: '1.001' }, 400, 'amount_invalid', 'order_total'],
      [{ code: 'GOODCODE', currency: 'ZZZ' }, 400, 'currency_unknown', 'currency'],
      [{ code: 'GOODCODE', currency: 'EUR' }, 422, 'coupon_currency', 'code'],
      [{ code: 'NOSUCHCODE' }, 404, 'coupon_not_found', 'code'],
      [{ code: 'EXPIRED1' }, 422, 'coupon_expired', 'code'],
      [{ code: 'STOREONLY' }, 422, 'coupon_needs_cart', 'code'],
      [{ code: 'GOODCODE', order_id: 'has space' }, 400, 'parameter_invalid', 'order_id'],
    ];
    for (const [body, status, code, param] of cases) {
      const r = await redeem(a.liveKey, { order_id: 'BAD-1', ...body });
      expect([r.status, r.body.error?.code], `${JSON.stringify(body)}: ${r.text}`).toEqual([
        status,
        code,
      ]);
      if (param !== undefined) expect(r.body.error?.param).toBe(param);
    }
    expect(await redemptionRows()).toBe(rowsBefore);
    const missing = await t.request('POST', '/v1/campaigns/redemptions/NOPE-1/confirm', {
      token: a.liveKey,
    });
    expect([missing.status, missing.body.error?.code]).toEqual([404, 'redemption_not_found']);
  });

  it('answers another merchant’s code and orders 404 on all three routes, changing nothing', async () => {
    const bid = await campaignWithCode(b, 'BOBONLY');
    const own = await redeem(b.liveKey, { code: 'BOBONLY', order_id: 'SHARED-REF' });
    expect(own.status, own.text).toBe(201);
    const before = await t.vw.campaigns.analytics(b.id, bid);

    const poach = await redeem(a.liveKey, { code: 'BOBONLY', order_id: 'A-9' });
    expect([poach.status, poach.body.error?.code]).toEqual([404, 'coupon_not_found']);
    expect(poach.text).not.toContain(bid);
    for (const action of ['confirm', 'release']) {
      for (const token of [a.liveKey, a.owner.token]) {
        const r = await t.request('POST', `/v1/campaigns/redemptions/SHARED-REF/${action}`, {
          token,
        });
        expect([r.status, r.body.error?.code], r.text).toEqual([404, 'redemption_not_found']);
      }
      const named = await t.request(
        'POST',
        `/v1/campaigns/redemptions/SHARED-REF/${action}?merchant=${b.id}`,
        { token: a.owner.token },
      );
      expect(named.status, named.text).toBe(404);
    }
    expect(await t.vw.campaigns.analytics(b.id, bid)).toEqual(before);

    // The same reference is the other merchant's own to use: references are per merchant.
    await campaignWithCode(a, 'ALICES');
    const mine = await redeem(a.liveKey, { code: 'ALICES', order_id: 'SHARED-REF' });
    expect(mine.status, mine.text).toBe(201);
  });

  it('answers a retried order with its redemption (200, same body); another request 409', async () => {
    const id = await campaignWithCode(a, 'SINGLEUSE', {}, 1);
    const order = { code: 'single-use', order_id: 'LOST-1', customer: 'Cleo@Shop.example' };
    const first = await redeem(a.liveKey, order);
    expect(first.status, first.text).toBe(201);
    // The answer was lost: the shop sends the order again (no key, or a new one), as it
    // would after a crash between the redemption's commit and the key's record.
    for (const headers of [undefined, { 'idempotency-key': 'lost-answer-2' }]) {
      const retry = await redeem(
        a.liveKey,
        { ...order, code: 'SINGLEUSE', customer: 'cleo@shop.example' },
        headers,
      );
      expect(retry.status, retry.text).toBe(200);
      expect(retry.body).toEqual(first.body);
    }
    // Anything else for that order is another request: refused, and nothing changes.
    for (const other of [
      { order_total: '79.00' },
      { customer: 'someone-else' },
      { currency: 'EUR' },
    ]) {
      const r = await redeem(a.liveKey, { ...order, ...other });
      expect([r.status, r.body.error?.code], JSON.stringify(other)).toEqual([
        409,
        'redemption_exists',
      ]);
    }
    await campaignWithCode(a, 'OTHERCODE');
    const otherCode = await redeem(a.liveKey, { ...order, code: 'OTHERCODE' });
    expect([otherCode.status, otherCode.body.error?.code]).toEqual([409, 'redemption_exists']);
    const after = await t.request('GET', `/v1/campaigns/${id}/analytics`, { token: a.liveKey });
    expect(after.body).toMatchObject({ reserved: 1 });
    // One redemption, recorded once in the audit log.
    const { events } = await t.vw.audit.list({ limit: 50, targetId: id });
    expect(events.filter((e) => e.action === 'campaign.redemption_created')).toHaveLength(1);
  });

  it('a paused campaign refuses at once; resumed, it redeems again', async () => {
    const id = await campaignWithCode(a, 'PAUSEME');
    const before = await redeem(a.liveKey, { code: 'PAUSEME', order_id: 'PAUSE-1' });
    expect(before.status, before.text).toBe(201);
    const pause = await t.request('POST', `/v1/campaigns/${id}/status`, {
      token: a.liveKey,
      body: { status: 'paused' },
    });
    expect(pause.status, pause.text).toBe(200);
    const paused = await redeem(a.liveKey, { code: 'PAUSEME', order_id: 'PAUSE-2' });
    expect([paused.status, paused.body.error?.code]).toEqual([422, 'coupon_inactive']);
    const resume = await t.request('POST', `/v1/campaigns/${id}/status`, {
      token: a.liveKey,
      body: { status: 'active' },
    });
    expect(resume.status, resume.text).toBe(200);
    const again = await redeem(a.liveKey, { code: 'PAUSEME', order_id: 'PAUSE-3' });
    expect(again.status, again.text).toBe(201);
  });

  it('a campaign paused by another process refuses here once its notification arrives', async () => {
    const id = await campaignWithCode(a, 'ELSEWHERE');
    const first = await redeem(a.liveKey, { code: 'ELSEWHERE', order_id: 'ELSE-1' });
    expect(first.status, first.text).toBe(201);
    // Another process's campaigns service: its own cache, the same database. Its pause is
    // heard here by notification; this process keeps rules 10 s at most (default), and
    // the wait below is shorter, so only the notification can make it refuse in time.
    // The app's own service already handles the generation queue: this one leaves it be.
    const jobs = Object.create(t.vw.jobs, { register: { value: () => undefined } }) as JobQueue;
    const other = createCampaignsService({
      db: t.vw.db,
      jobs,
      currencyExists: () => Promise.resolve(true),
      clock: () => new Date(t.now()),
    });
    try {
      const paused = await other.setStatus(a.id, id, 'paused');
      expect(isFailure(paused)).toBe(false);
    } finally {
      await other.close();
    }
    let n = 0;
    await vi.waitFor(
      async () => {
        const r = await redeem(a.liveKey, { code: 'ELSEWHERE', order_id: `ELSE-${++n + 1}` });
        expect([r.status, r.body.error?.code]).toEqual([422, 'coupon_inactive']);
      },
      { timeout: 5_000, interval: 50 },
    );
  });

  it('replays a retried POST with the same Idempotency-Key', async () => {
    await campaignWithCode(a, 'RETRYME');
    const headers = { 'idempotency-key': 'redeem-retry-1' };
    const first = await redeem(a.liveKey, { code: 'RETRYME', order_id: 'IDEM-1' }, headers);
    expect(first.status, first.text).toBe(201);
    const replay = await redeem(a.liveKey, { code: 'RETRYME', order_id: 'IDEM-1' }, headers);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
  });
});

describe('a code this process has not seen, its merchant’s campaigns kept', () => {
  it('is recorded in the statement that finds its campaign, under that campaign’s discount', async () => {
    const c = await merchant(t, 'Shop C', 'carol@example.com');
    const pct = await campaignWithCode(c, 'CPCTWARM');
    const fixed = await campaignWithCode(c, 'CFIXWARM', {
      rule: { kind: 'fixed', amount: '5.00', min_spend: '20.00' },
    });
    const fresh = ['CPCT1', 'CPCT2', 'CPCT3', 'CFIX1', 'CFIX2', 'CFIX3', 'CFIXLOW'];
    for (const code of fresh) {
      const added = await t.request(
        'POST',
        `/v1/campaigns/${code.startsWith('CPCT') ? pct : fixed}/codes`,
        { token: c.liveKey, body: { code } },
      );
      expect(added.status, added.text).toBe(201);
    }
    await campaignWithCode(b, 'BOBSFRESH');
    // One redemption of each campaign: this process keeps their rules from then on.
    for (const [code, order] of [
      ['CPCTWARM', 'C-W1'],
      ['CFIXWARM', 'C-W2'],
    ] as const) {
      const r = await redeem(c.liveKey, { code, order_id: order });
      expect(r.status, r.text).toBe(201);
    }
    // Kept once this process listens for campaign changes (it starts on first use).
    await vi.waitFor(async () => {
      await Promise.all([
        t.vw.campaigns.codeRules('CPCTWARM'),
        t.vw.campaigns.codeRules('CFIXWARM'),
      ]);
      expect(t.vw.campaigns.merchantRules(c.id)).toHaveLength(2);
    });

    const lookups = vi.spyOn(t.vw.campaigns, 'codeRules');
    try {
      const made = await Promise.all(
        fresh
          .filter((code) => code !== 'CFIXLOW')
          .map((code, i) => redeem(c.liveKey, { code, order_id: `C-${i}` })),
      );
      expect(made.map((r) => [r.status, r.body.campaign_id, r.body.discount])).toEqual([
        [201, pct, '8.00'],
        [201, pct, '8.00'],
        [201, pct, '8.00'],
        [201, fixed, '5.00'],
        [201, fixed, '5.00'],
        [201, fixed, '5.00'],
      ]);
      // No code was looked up on its own: each campaign was found where it was recorded.
      expect(lookups).not.toHaveBeenCalled();

      // Each has its audit entry, under its own campaign and discount, and only that one.
      for (const [campaignId, discount] of [
        [pct, '800'],
        [fixed, '500'],
      ] as const) {
        const { events } = await t.vw.audit.list({ limit: 50, targetId: campaignId });
        const created = events.filter((e) => e.action === 'campaign.redemption_created');
        const ours = made.filter((r) => r.body.campaign_id === campaignId);
        expect(new Set(created.map((e) => e.data['redemption_id']))).toEqual(
          new Set([...ours.map((r) => r.body.id), expect.any(String)]),
        );
        expect(created.filter((e) => e.data['discount'] !== discount)).toEqual([]);
      }

      // A retry of one of them is answered its redemption; a refusal by the rules, another
      // merchant's code and an unknown one are refused as before, and write nothing.
      const retry = await redeem(c.liveKey, { code: 'CPCT2', order_id: 'C-1' });
      expect([retry.status, retry.body.id], retry.text).toEqual([200, made[1]?.body.id]);
      const before = await redemptionRows();
      const low = await redeem(c.liveKey, {
        code: 'CFIXLOW',
        order_id: 'C-LOW',
        order_total: '3.00',
      });
      expect([low.status, low.body.error?.code]).toEqual([422, 'coupon_minimum_spend']);
      const poach = await redeem(c.liveKey, { code: 'BOBSFRESH', order_id: 'C-POACH' });
      expect([poach.status, poach.body.error?.code]).toEqual([404, 'coupon_not_found']);
      const guess = await redeem(c.liveKey, { code: 'NOSUCHCODE', order_id: 'C-GUESS' });
      expect([guess.status, guess.body.error?.code]).toEqual([404, 'coupon_not_found']);
      expect(await redemptionRows()).toBe(before);
    } finally {
      lookups.mockRestore();
    }
  });
});

describe.runIf(testDbKind() === 'postgres')(
  'a capped campaign under concurrent redemptions',
  () => {
    it('cap K = 50 with 300 concurrent HTTP redemptions: exactly 50 are 201', async () => {
      const id = await campaignWithCode(a, 'RUSHHOUR', { redemption_limit: 50 });
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          redeem(a.liveKey, { code: 'RUSHHOUR', order_id: `RUSH-${i}`, customer: `c-${i}` }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(50);
      const refused = results.filter((r) => r.status !== 201);
      expect(
        refused.every((r) => r.status === 409 && r.body.error?.code === 'coupon_exhausted'),
      ).toBe(true);
      const campaign = await t.request('GET', `/v1/campaigns/${id}`, { token: a.liveKey });
      expect(campaign.body.redemptions_used).toBe(50);
      const { rows } = await t.vw.db.query<{ n: bigint }>(
        `SELECT count(*) AS n FROM campaign_redemptions WHERE campaign_id = $1`,
        [id],
      );
      expect(Number(rows[0]?.n)).toBe(50);
      // They went through the batched path: some batch held more than one.
      expect(t.vw.campaigns.reserveBatching().largest).toBeGreaterThan(1);
      // Each granted redemption has its audit entry, written in its batch's statement; a
      // refused one in the same batch has none.
      const { events } = await t.vw.audit.list({ limit: 400, targetId: id });
      const created = events.filter((e) => e.action === 'campaign.redemption_created');
      expect(new Set(created.map((e) => e.data['redemption_id'])).size).toBe(50);
      expect(created).toHaveLength(50);
    }, 120_000);

    it('first order only: 20 racing first orders of one customer, exactly one discounted', async () => {
      await campaignWithCode(a, 'FIRSTRACE', {
        rule: { kind: 'fixed', amount: '3.00', first_order_only: true },
      });
      // The route's service function straight, so the racers overlap inside the guard
      // (over HTTP, each request's authentication staggers them). Without the advisory
      // lock on the customer all 20 count no earlier order and all are discounted (seen).
      const api = createExternalRedemptions({
        db: t.vw.db,
        campaigns: t.vw.campaigns,
        clock: () => new Date(t.now()),
      });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api.redeem(a.id, {
            code: 'FIRSTRACE',
            orderRef: `FR-${i}`,
            customer: 'racer',
            currency: 'USD',
            orderTotal: 5000n,
          }),
        ),
      );
      expect(results.filter((r) => !isFailure(r))).toHaveLength(1);
      expect(
        results.every((r) => !isFailure(r) || r.code === CampaignError.CouponFirstOrderOnly),
      ).toBe(true);
    }, 60_000);
  },
);
