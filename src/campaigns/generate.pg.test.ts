import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { isFailure } from '../platform/failure.js';
import { DEFAULT_ALPHABET, generateCodes } from './codes.js';
import { CampaignError } from './errors.js';
import { GenerateCodesQueue } from './service.js';

/**
 * A million codes into PostgreSQL: all distinct (the unique index decides), none with an
 * ambiguous character, and a code guessed at random is refused.
 */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await t.vw.ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
});

afterAll(async () => {
  await t.close();
});

describe('bulk code generation on PostgreSQL', () => {
  it('1,000,000 unique codes; random guesses are refused; lookups ignore case', async () => {
    const campaign = await t.vw.campaigns.create('usr_merchant', {
      name: 'World cup',
      channel: 'tv',
      currency: 'USD',
      startsAt: new Date(Date.now() - 60_000),
      rule: { kind: 'percentage', percentBps: 500 },
    });
    if (isFailure(campaign)) throw new Error(campaign.code);
    // Past 10,000 codes a request does not make them itself: it queues a job.
    const inline = await t.vw.campaigns.generate('usr_merchant', campaign.id, { count: 10_001 });
    expect(isFailure(inline) && inline.code).toBe(CampaignError.GenerationTooLarge);
    const started = Date.now();
    const job = await t.vw.campaigns.startGeneration('usr_merchant', campaign.id, {
      count: 1_000_000,
    });
    if (isFailure(job)) throw new Error(job.code);
    expect(job).toMatchObject({ status: 'queued', requested: 1_000_000, generated: 0 });
    expect(await t.vw.jobs.runDue({ queues: [GenerateCodesQueue.name] })).toBe(1);
    const seconds = (Date.now() - started) / 1000;
    const r = await t.vw.campaigns.getGeneration('usr_merchant', campaign.id, job.id);
    if (isFailure(r)) throw new Error(r.code);
    expect(r).toMatchObject({ status: 'succeeded', requested: 1_000_000, generated: 1_000_000 });
    const { rows } = await t.vw.db.query<{ n: bigint; distinct_n: bigint; bad: bigint }>(
      `SELECT count(*) AS n, count(DISTINCT code) AS distinct_n,
              count(*) FILTER (WHERE code !~ '^[${DEFAULT_ALPHABET}]{10}$') AS bad
         FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
        WHERE b.campaign_id = $1`,
      [campaign.id],
    );
    expect(rows[0]).toEqual({ n: 1_000_000n, distinct_n: 1_000_000n, bad: 0n });
    console.log(`generated 1,000,000 codes into PostgreSQL in ${seconds.toFixed(1)} s`);

    const ctx = {
      merchantId: 'usr_merchant',
      currency: 'USD',
      lines: [{ variantId: 'v', productId: 'p', storeId: 's', unitPrice: 1000n, quantity: 1 }],
      customer: { kind: 'guest' as const, priorOrders: 0 },
      now: new Date(),
    };
    const guesses = generateCodes({ length: 10, prefix: '', alphabet: DEFAULT_ALPHABET }, 1000);
    const found = await Promise.all(guesses.map((g) => t.vw.campaigns.quote(g, ctx)));
    // 10^6 of 22^10 ≈ 2.7·10^13 codes exist: 1,000 guesses all miss (odds ~4·10^-5).
    expect(found.filter((f) => !isFailure(f))).toHaveLength(0);
    expect(found.every((f) => isFailure(f) && f.code === CampaignError.CouponNotFound)).toBe(true);

    const { rows: picked } = await t.vw.db.query<{ code: string }>(
      `SELECT c.code FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
        WHERE b.campaign_id = $1 LIMIT 1`,
      [campaign.id],
    );
    const real = picked[0]?.code;
    if (!real) throw new Error('no sample');
    const lower = `${real.slice(0, 4).toLowerCase()}-${real.slice(4)}`;
    expect(isFailure(await t.vw.campaigns.quote(lower, ctx))).toBe(false);
  }, 300_000);
});
