import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { isFailure } from '../platform/failure.js';
import { CampaignError } from './errors.js';
import type { RedemptionInput } from './service.js';

/**
 * Redemption guards raced on PostgreSQL: a campaign's cap (split over shards), a code's
 * usage limit and a release running against new redemptions. Each racer is its own
 * transaction, as at checkout.
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

async function campaign(limits: { redemptionLimit?: number } = {}): Promise<string> {
  const c = await t.vw.campaigns.create('usr_owner', {
    name: 'Race',
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
    orderId: `ord_race_${++order}`,
    customerKey: customer,
    currency: 'USD',
    discount: 100n,
    orderTotal: 1000n,
  };
}

/** Uses counted three ways: what the API shows, the shards, and the live redemptions. */
async function uses(campaignId: string) {
  const shown = await t.vw.campaigns.get('usr_owner', campaignId);
  const { rows } = await t.vw.db.query<{ shards: bigint | null; live: bigint }>(
    `SELECT (SELECT sum(used) FROM campaign_cap_shards WHERE campaign_id = $1) AS shards,
            (SELECT count(*) FROM campaign_redemptions
              WHERE campaign_id = $1 AND status <> 'released') AS live`,
    [campaignId],
  );
  return {
    shown: shown?.redemptionsUsed,
    shards: rows[0]?.shards === null ? null : Number(rows[0]?.shards),
    live: Number(rows[0]?.live),
  };
}

describe('redemption races on PostgreSQL', () => {
  it('50 racing redemptions of a campaign capped at 7: exactly 7 succeed', async () => {
    const id = await campaign({ redemptionLimit: 7 });
    const shared = await code(id, 'cap-seven');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.vw.campaigns.reserve(redemption(shared))),
    );
    expect(results.filter((r) => !isFailure(r))).toHaveLength(7);
    expect(
      results.filter((r) => isFailure(r)).every((r) => r.code === CampaignError.CouponExhausted),
    ).toBe(true);
    expect(await uses(id)).toEqual({ shown: 7, shards: 7, live: 7 });
  });

  it('a cap larger than the shards (K = 100, 1,000 racers): exactly 100', async () => {
    const id = await campaign({ redemptionLimit: 100 });
    const shared = await code(id, 'cap-hundred');
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => t.vw.campaigns.reserve(redemption(shared))),
    );
    expect(results.filter((r) => !isFailure(r))).toHaveLength(100);
    expect(await uses(id)).toEqual({ shown: 100, shards: 100, live: 100 });
  });

  it('one single-use code redeemed by 10 racers: exactly 1', async () => {
    const id = await campaign();
    const single = await code(id, 'only-once', 1);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.vw.campaigns.reserve(redemption(single))),
    );
    expect(results.filter((r) => !isFailure(r))).toHaveLength(1);
    const coupon = await t.vw.campaigns.getCode('usr_owner', id, single);
    expect(!isFailure(coupon) && coupon.used).toBe(1);
    expect(await uses(id)).toEqual({ shown: 1, shards: null, live: 1 });
  });

  it('generated single-use codes each raced by 5: each redeemed exactly once', async () => {
    const id = await campaign();
    const made = await t.vw.campaigns.generate('usr_owner', id, { count: 20 });
    if (isFailure(made)) throw new Error(made.code);
    const codes = await t.vw.campaigns.listCodes('usr_owner', id, { limit: 100 });
    if (isFailure(codes)) throw new Error(codes.code);
    expect(codes).toHaveLength(20);
    const results = await Promise.all(
      codes.flatMap((c) =>
        Array.from({ length: 5 }, () => t.vw.campaigns.reserve(redemption(c.code.toLowerCase()))),
      ),
    );
    expect(results.filter((r) => !isFailure(r))).toHaveLength(20);
    const after = await t.vw.campaigns.listCodes('usr_owner', id, { limit: 100 });
    expect(!isFailure(after) && after.every((c) => c.used === 1)).toBe(true);
  });

  it('releases racing new redemptions of a capped campaign: never past the cap, counts agree', async () => {
    const id = await campaign({ redemptionLimit: 10 });
    const shared = await code(id, 'give-back');
    const first = Array.from({ length: 10 }, () => redemption(shared));
    for (const r of first) expect(isFailure(await t.vw.campaigns.reserve(r))).toBe(false);
    expect(isFailure(await t.vw.campaigns.reserve(redemption(shared)))).toBe(true);
    // Four orders cancelled while 30 buyers try: at most 4 get in, and the cap holds.
    const [released, taken] = await Promise.all([
      Promise.all(first.slice(0, 4).map((r) => t.vw.campaigns.release(r.orderId))),
      Promise.all(Array.from({ length: 30 }, () => t.vw.campaigns.reserve(redemption(shared)))),
    ]);
    expect(released).toEqual([true, true, true, true]);
    const granted = taken.filter((r) => !isFailure(r)).length;
    expect(granted).toBeLessThanOrEqual(4);
    const after = await uses(id);
    expect(after).toEqual({ shown: 6 + granted, shards: 6 + granted, live: 6 + granted });
    // Whatever the race left, the remaining room is exactly what can still be taken.
    const rest = await Promise.all(
      Array.from({ length: 10 }, () => t.vw.campaigns.reserve(redemption(shared))),
    );
    expect(rest.filter((r) => !isFailure(r))).toHaveLength(4 - granted);
    expect(await uses(id)).toEqual({ shown: 10, shards: 10, live: 10 });
  });

  it('a shared code without a usage limit counts its uses from its redemptions', async () => {
    const id = await campaign();
    const shared = await code(id, 'everyone-welcome');
    const orders = Array.from({ length: 12 }, () => redemption(shared));
    const results = await Promise.all(orders.map((r) => t.vw.campaigns.reserve(r)));
    expect(results.every((r) => !isFailure(r))).toBe(true);
    await t.vw.campaigns.release(orders[0]?.orderId ?? '');
    const coupon = await t.vw.campaigns.getCode('usr_owner', id, 'Everyone-Welcome');
    expect(!isFailure(coupon) && coupon.used).toBe(11);
    expect(await uses(id)).toEqual({ shown: 11, shards: null, live: 11 });
  });
});
