import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import type { BatcherOptions } from '../platform/db/batcher.js';
import { sqlState, SQLSTATE } from '../platform/db/db.js';
import { isFailure } from '../platform/failure.js';
import type { JobQueue } from '../platform/queue/queue.js';
import { CampaignError } from './errors.js';
import {
  createCampaignsService,
  type CampaignInput,
  type CampaignsService,
  type RedemptionInput,
} from './service.js';

/**
 * Redemptions made outside a transaction share one statement and one commit (group
 * commit, migration 0131): each item's outcome is its own, a refused item changes
 * nothing, and the guards hold when batches race each other and checkouts' one-item
 * redemptions inside their own transactions.
 */

let t: TestApp;
let order = 0;

beforeAll(async () => {
  t = await createTestApp();
  await t.vw.ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
});

afterAll(async () => {
  await t.close();
});

async function campaign(limits: Partial<CampaignInput> = {}): Promise<string> {
  const c = await t.vw.campaigns.create('usr_owner', {
    name: 'Batch',
    channel: 'test',
    currency: 'USD',
    startsAt: new Date(Date.now() - 60_000),
    rule: { kind: 'fixed', amount: 100n },
    ...limits,
  });
  if (isFailure(c)) throw new Error(c.code);
  return c.id;
}

async function code(campaignId: string, value: string, usageLimit?: number): Promise<string> {
  const added = await t.vw.campaigns.addCode('usr_owner', campaignId, { code: value, usageLimit });
  if (isFailure(added)) throw new Error(added.code);
  return added.code;
}

function redemption(value: string, customer = `usr_${++order}`): RedemptionInput {
  return {
    code: value,
    orderId: `ord_batch_${++order}`,
    customerKey: customer,
    currency: 'USD',
    discount: 100n,
    orderTotal: 1000n,
  };
}

/** The service on the test database, batching as given. */
function serviceBatching(reserveBatching: BatcherOptions): CampaignsService {
  // The app's own service already handles the generation queue: this one leaves it be.
  const jobs = Object.create(t.vw.jobs, { register: { value: () => undefined } }) as JobQueue;
  return createCampaignsService({
    db: t.vw.db,
    jobs,
    currencyExists: () => Promise.resolve(true),
    clock: () => new Date(),
    reserveBatching,
  });
}

/** Every counter a redemption moves, and the live redemption rows they must agree with. */
async function counters(campaignId: string) {
  const { rows } = await t.vw.db.query<{
    codes_used: bigint;
    shards: bigint | null;
    budget_used: string;
    customers: bigint;
    live: bigint;
  }>(
    `SELECT (SELECT coalesce(sum(c.used), 0) FROM campaign_codes c
               JOIN campaign_code_batches b ON b.id = c.batch
              WHERE b.campaign_id = $1 AND b.usage_limit IS NOT NULL) AS codes_used,
            (SELECT sum(used) FROM campaign_cap_shards WHERE campaign_id = $1) AS shards,
            (SELECT budget_used::text FROM campaigns WHERE id = $1) AS budget_used,
            (SELECT coalesce(sum(used), 0) FROM campaign_customer_usage
              WHERE campaign_id = $1) AS customers,
            (SELECT count(*) FROM campaign_redemptions
              WHERE campaign_id = $1 AND status <> 'released') AS live`,
    [campaignId],
  );
  const r = rows[0];
  if (!r) throw new Error('no counters');
  return {
    codesUsed: Number(r.codes_used),
    shards: r.shards === null ? null : Number(r.shards),
    budgetUsed: BigInt(r.budget_used),
    customers: Number(r.customers),
    live: Number(r.live),
  };
}

async function redemptionsOf(orderIds: string[]): Promise<Map<string, string>> {
  const { rows } = await t.vw.db.query<{ order_id: string; code: string }>(
    `SELECT order_id, code FROM campaign_redemptions WHERE order_id = ANY($1::text[])`,
    [orderIds],
  );
  return new Map(rows.map((r) => [r.order_id, r.code]));
}

describe('redemptions grouped into one statement (PostgreSQL)', () => {
  it('one batch of good and bad codes: each its own outcome, refused ones change nothing', async () => {
    // Every limit a guard keeps, each about to refuse the last of its items: a code used
    // once, a cap of 2, a budget of two discounts, a customer's limit of 1 (refused at
    // the last guard, after its code, shard and budget uses were taken).
    const id = await campaign({ redemptionLimit: 2, budget: 300n, perCustomerLimit: 1 });
    const once = await code(id, 'batch-once', 1);
    const many = await code(id, 'batch-many', 10);
    const items = [
      redemption('no-such-code'),
      redemption(once, 'usr_alice'),
      redemption(once, 'usr_bob'), // the single-use code again: exhausted
      redemption(many, 'usr_alice'), // alice again: her limit of 1
      redemption(many, 'usr_carol'), // the cap's second and last use
      redemption(many, 'usr_dave'), // past the cap: exhausted
    ];
    // One batch in flight at a time: made in one turn of the event loop, they travel
    // together as one batch.
    const oneLane = serviceBatching({ maxBatch: 64, maxInFlight: 1 });
    const results = await Promise.all(items.map((r) => oneLane.reserve(r)));
    expect(oneLane.reserveBatching()).toMatchObject({ batches: 1, items: items.length });

    const outcomes = results.map((r) => (isFailure(r) ? r.code : 'ok'));
    expect(outcomes.slice(0, 4)).toEqual([
      CampaignError.CouponNotFound,
      'ok',
      CampaignError.CouponExhausted,
      CampaignError.CouponCustomerLimit,
    ]);
    // Alice's second use took the cap's second use before her limit refused it; given
    // back, it goes to carol or dave, and the other finds the cap exhausted.
    expect(outcomes.slice(4).sort()).toEqual([CampaignError.CouponExhausted, 'ok']);
    // Exactly the granted ones are recorded, once each, and every counter agrees.
    const recorded = await redemptionsOf(items.map((r) => r.orderId));
    const granted = items.filter((_, i) => outcomes[i] === 'ok').map((r) => r.orderId);
    expect([...recorded.keys()].sort()).toEqual(granted.sort());
    expect(await counters(id)).toEqual({
      codesUsed: 2,
      shards: 2,
      budgetUsed: 200n,
      customers: 2,
      live: 2,
    });
    const onceCode = await t.vw.campaigns.getCode('usr_owner', id, once);
    const manyCode = await t.vw.campaigns.getCode('usr_owner', id, many);
    expect(!isFailure(onceCode) && onceCode.used).toBe(1);
    expect(!isFailure(manyCode) && manyCode.used).toBe(1);
  });

  it('a code with 2 uses left asked 5 times in one batch: 2 granted, its count exact', async () => {
    const id = await campaign();
    const few = await code(id, 'batch-few', 3);
    const other = await code(id, 'batch-other', 2);
    expect(isFailure(await t.vw.campaigns.reserve(redemption(few)))).toBe(false);
    const items = [
      redemption(few),
      redemption(other),
      redemption(few),
      redemption(few),
      redemption(other),
      redemption(few),
      redemption(few),
    ];
    const oneLane = serviceBatching({ maxBatch: 64, maxInFlight: 1 });
    const results = await Promise.all(items.map((r) => oneLane.reserve(r)));
    expect(oneLane.reserveBatching()).toMatchObject({ batches: 1, items: items.length });
    const outcomes = results.map((r) => (isFailure(r) ? r.code : 'ok'));
    // Each code's earliest items take its uses left; the others find it exhausted.
    const X = CampaignError.CouponExhausted;
    expect(outcomes).toEqual(['ok', 'ok', 'ok', X, 'ok', X, X]);
    const fewCode = await t.vw.campaigns.getCode('usr_owner', id, few);
    const otherCode = await t.vw.campaigns.getCode('usr_owner', id, other);
    expect([!isFailure(fewCode) && fewCode.used, !isFailure(otherCode) && otherCode.used]).toEqual([
      3, 2,
    ]);
    expect((await redemptionsOf(items.map((r) => r.orderId))).size).toBe(4);
  });

  it('a budget refusal in a batch gives back the code and shard uses it took', async () => {
    const id = await campaign({ redemptionLimit: 10, budget: 250n });
    const shared = await code(id, 'batch-budget', 10);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.vw.campaigns.reserve(redemption(shared))),
    );
    expect(results.filter((r) => !isFailure(r))).toHaveLength(2);
    expect(
      results.filter((r) => isFailure(r)).every((r) => r.code === CampaignError.CouponBudgetSpent),
    ).toBe(true);
    expect(await counters(id)).toEqual({
      codesUsed: 2,
      shards: 2,
      budgetUsed: 200n,
      customers: 0,
      live: 2,
    });
  });

  it('a fault in a batch (two redemptions for one order) reaches only its caller', async () => {
    const id = await campaign({ redemptionLimit: 50 });
    const shared = await code(id, 'batch-fault');
    const items = Array.from({ length: 8 }, () => redemption(shared));
    const first = items[0];
    if (!first) throw new Error('no items');
    const twice = { ...first, customerKey: 'usr_twice' };
    const oneLane = serviceBatching({ maxBatch: 64, maxInFlight: 1 });
    const settled = await Promise.allSettled([...items, twice].map((r) => oneLane.reserve(r)));
    expect(oneLane.reserveBatching()).toMatchObject({ batches: 1, items: 9 });
    // The batch failed as a whole and its items were made alone: all but one granted, and
    // the one refused by the order's unique index gets that error.
    const granted = settled.filter((s) => s.status === 'fulfilled' && !isFailure(s.value));
    const faults = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    expect(granted).toHaveLength(8);
    expect(faults.map((e) => sqlState(e))).toEqual([SQLSTATE.uniqueViolation]);
    expect(await counters(id)).toMatchObject({ shards: 8, live: 8 });
    const recorded = await redemptionsOf(items.map((r) => r.orderId));
    expect(recorded.size).toBe(8);
  });

  it('a per-customer limit of 3 raced by 40 of one customer, batched: exactly 3', async () => {
    const id = await campaign({ perCustomerLimit: 3 });
    const shared = await code(id, 'batch-per-customer');
    const results = await Promise.all(
      Array.from({ length: 40 }, () => t.vw.campaigns.reserve(redemption(shared, 'usr_hungry'))),
    );
    expect(results.filter((r) => !isFailure(r))).toHaveLength(3);
    expect(
      results
        .filter((r) => isFailure(r))
        .every((r) => r.code === CampaignError.CouponCustomerLimit),
    ).toBe(true);
    expect(await counters(id)).toMatchObject({ customers: 3, live: 3 });
  });

  it('cap K = 100: 500 batched and 500 in their own transactions racing, exactly 100', async () => {
    const id = await campaign({ redemptionLimit: 100 });
    const shared = await code(id, 'batch-and-checkout');
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2 === 0
          ? t.vw.campaigns.reserve(redemption(shared))
          : t.vw.db.transaction(() => t.vw.campaigns.reserve(redemption(shared))),
      ),
    );
    expect(results.filter((r) => !isFailure(r))).toHaveLength(100);
    expect(
      results.filter((r) => isFailure(r)).every((r) => r.code === CampaignError.CouponExhausted),
    ).toBe(true);
    expect(await counters(id)).toMatchObject({ shards: 100, live: 100 });
  });

  it('every shard with room held by another transaction: the item waits alone, then gets one', async () => {
    const id = await campaign({ redemptionLimit: 3 });
    const shared = await code(id, 'batch-shards-held');
    const holder = new pg.Client({ connectionString: t.testDb.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM campaign_cap_shards WHERE campaign_id = $1 FOR UPDATE`, [
        id,
      ]);
      const before = t.vw.campaigns.reserveBatching();
      const pending = t.vw.campaigns.reserve(redemption(shared));
      // The batch has committed without it (nothing granted yet) and it waits alone.
      await expect.poll(() => t.vw.campaigns.reserveBatching().batches).toBe(before.batches + 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(await counters(id)).toMatchObject({ shards: 0, live: 0 });
      await holder.query('COMMIT');
      const result = await pending;
      expect(isFailure(result)).toBe(false);
      expect(await counters(id)).toMatchObject({ shards: 1, live: 1 });
    } finally {
      await holder.end();
    }
  });
});
