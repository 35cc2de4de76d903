import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { isFailure } from '../platform/failure.js';
import type { JobQueue } from '../platform/queue/queue.js';
import { createCampaignsService, type CampaignsService } from './service.js';

/**
 * A generation job in several batches (1,000 codes each here, 100,000 in the app). On
 * PostgreSQL the batches overlap on several connections (the next one copies its codes
 * while the one before writes its listing chunks and commits); on the embedded database
 * they run one after the other. Either way the job makes exactly the codes asked for, each
 * once, the listing pages over all of them in code order, and a job that fails part way
 * keeps the batches it committed, counts exactly those as done, and makes the rest when it
 * runs again.
 */

let t: TestApp;
let campaigns: CampaignsService;

const MERCHANT = 'usr_batches';

beforeAll(async () => {
  t = await createTestApp();
  await t.vw.ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
  // The app's own service already handles the generation queue: this one leaves it be,
  // and the test runs its generations itself (`runGeneration`).
  const jobs = Object.create(t.vw.jobs, { register: { value: () => undefined } }) as JobQueue;
  campaigns = createCampaignsService({
    db: t.vw.db,
    jobs,
    currencyExists: () => Promise.resolve(true),
    clock: () => new Date(),
    generateBatch: 1_000,
  });
});

afterAll(async () => {
  await t.close();
});

async function newCampaign(name: string): Promise<string> {
  const campaign = await campaigns.create(MERCHANT, {
    name,
    channel: 'test',
    currency: 'USD',
    startsAt: new Date(Date.now() - 60_000),
    rule: { kind: 'percentage', percentBps: 500 },
  });
  if (isFailure(campaign)) throw new Error(campaign.code);
  return campaign.id;
}

/** Every code of the campaign as the listing pages over it, 700 at a time. */
async function listed(campaignId: string): Promise<string[]> {
  const all: string[] = [];
  for (;;) {
    const page = await campaigns.listCodes(MERCHANT, campaignId, {
      limit: 700,
      ...(all.length > 0 ? { startingAfter: all.at(-1) } : {}),
    });
    if (isFailure(page)) throw new Error(page.code);
    all.push(...page.map((c) => c.code));
    if (page.length < 700) return all;
  }
}

/** The campaign's code rows, its batches' recorded sizes and its listing chunks' sizes. */
async function stored(campaignId: string) {
  const { rows } = await t.vw.db.query<{
    codes: bigint;
    distinct_codes: bigint;
    batches: bigint;
    batch_sizes: bigint;
    chunked: bigint;
  }>(
    `SELECT (SELECT count(*) FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
              WHERE b.campaign_id = $1) AS codes,
            (SELECT count(DISTINCT c.code) FROM campaign_codes c
               JOIN campaign_code_batches b ON b.id = c.batch WHERE b.campaign_id = $1)
              AS distinct_codes,
            (SELECT count(*) FROM campaign_code_batches WHERE campaign_id = $1) AS batches,
            (SELECT coalesce(sum(size), 0) FROM campaign_code_batches WHERE campaign_id = $1)
              AS batch_sizes,
            (SELECT coalesce(sum(size), 0) FROM campaign_code_chunks WHERE campaign_id = $1)
              AS chunked`,
    [campaignId],
  );
  const r = rows[0];
  if (!r) throw new Error('no counts');
  return {
    codes: Number(r.codes),
    distinct: Number(r.distinct_codes),
    batches: Number(r.batches),
    batchSizes: Number(r.batch_sizes),
    chunked: Number(r.chunked),
  };
}

describe('a generation job in several batches', () => {
  it('makes exactly the codes asked for, and the listing walks them all in code order', async () => {
    const campaignId = await newCampaign('Six batches');
    const gen = await campaigns.startGeneration(MERCHANT, campaignId, { count: 5_300 });
    if (isFailure(gen)) throw new Error(gen.code);
    const done = await campaigns.runGeneration(gen.id);
    expect(done).toMatchObject({ status: 'succeeded', requested: 5_300, generated: 5_300 });
    expect(await stored(campaignId)).toEqual({
      codes: 5_300,
      distinct: 5_300,
      batches: 6,
      batchSizes: 5_300,
      chunked: 5_300,
    });
    // One round of sorted codes, its batches numbered in code order: the listing, batch by
    // batch, is every code in code order.
    const codes = await listed(campaignId);
    expect(codes).toHaveLength(5_300);
    expect(codes).toEqual([...codes].sort());
    expect(new Set(codes).size).toBe(5_300);
  });

  it('a job that fails part way keeps what it committed and makes the rest when run again', async () => {
    const campaignId = await newCampaign('Interrupted');
    const gen = await campaigns.startGeneration(MERCHANT, campaignId, { count: 5_300 });
    if (isFailure(gen)) throw new Error(gen.code);
    // A fault of the database's own, after the fourth batch's codes are in (while the
    // fifth copies its codes, on PostgreSQL): its listing chunks are refused.
    await t.vw.db.exec(`
      CREATE SEQUENCE test_chunks_fault;
      CREATE FUNCTION test_chunks_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('test_chunks_fault') = 4 THEN
          RAISE EXCEPTION 'injected fault';
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER test_chunks_fault BEFORE INSERT ON campaign_code_chunks
        FOR EACH STATEMENT EXECUTE FUNCTION test_chunks_fault();
    `);
    try {
      await expect(campaigns.runGeneration(gen.id)).rejects.toThrow(/injected fault/);
    } finally {
      await t.vw.db.exec(`DROP TRIGGER test_chunks_fault ON campaign_code_chunks;
        DROP FUNCTION test_chunks_fault(); DROP SEQUENCE test_chunks_fault;`);
    }
    // The three batches before the fault committed, and only they (not the one after it,
    // whose codes went in meanwhile); the job's progress counts exactly their codes.
    const partial = await campaigns.getGeneration(MERCHANT, campaignId, gen.id);
    if (isFailure(partial)) throw new Error(partial.code);
    expect(partial).toMatchObject({ status: 'running', generated: 3_000 });
    expect(await stored(campaignId)).toEqual({
      codes: 3_000,
      distinct: 3_000,
      batches: 3,
      batchSizes: 3_000,
      chunked: 3_000,
    });
    const before = await listed(campaignId);
    expect(before).toEqual([...before].sort());

    const done = await campaigns.runGeneration(gen.id);
    expect(done).toMatchObject({ status: 'succeeded', requested: 5_300, generated: 5_300 });
    const after = await stored(campaignId);
    expect(after).toMatchObject({ codes: 5_300, distinct: 5_300, batchSizes: 5_300 });
    expect(after.chunked).toBe(5_300);
    // The codes made on the second run come after the first run's in the listing.
    const codes = await listed(campaignId);
    expect(codes).toHaveLength(5_300);
    expect(new Set(codes).size).toBe(5_300);
    expect(codes.slice(0, 3_000)).toEqual(before);
    const rest = codes.slice(3_000);
    expect(rest).toEqual([...rest].sort());
  });
});
