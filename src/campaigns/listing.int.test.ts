import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  merchant,
  registerAssets,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';

/**
 * GET /v1/campaigns/{id}/codes pages by keyset: batch by batch, each batch in code order,
 * `starting_after` the last code of the previous page. Walking the pages shows every code
 * of the campaign exactly once, in that order, and nothing of another campaign's; another
 * merchant's key gets 404. The listing reads the codes from chunk rows of 100 codes
 * (migration 0130): the campaign's batches of 230 and 140 codes are several chunks each,
 * and pages of 100 and 37 start and end inside chunks and across their edges.
 */

let t: TestApp;
let a: TestMerchant;
let b: TestMerchant;

const campaignBody = {
  name: 'Monsoon sale',
  channel: 'web',
  currency: 'USD',
  starts_at: '2026-01-01T00:00:00Z',
  rule: { kind: 'percentage', percent_bps: 1000 },
};

interface CodeJson {
  id: string;
  code: string;
  campaign_id: string;
}

async function codePages(
  id: string,
  token: string,
  limit: number,
): Promise<{ pages: CodeJson[][]; hasMoreOnLast: boolean }> {
  const pages: CodeJson[][] = [];
  let cursor: string | null = null;
  for (;;) {
    const query: string = cursor === null ? '' : `&starting_after=${cursor}`;
    const r = await t.request('GET', `/v1/campaigns/${id}/codes?limit=${limit}${query}`, {
      token,
    });
    expect(r.status, r.text).toBe(200);
    pages.push(r.body.data as CodeJson[]);
    cursor = r.body.next_cursor as string | null;
    if (cursor === null) return { pages, hasMoreOnLast: r.body.has_more as boolean };
    expect(pages.length, 'the listing never ends').toBeLessThan(100);
  }
}

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  a = await merchant(t, 'Shop A', 'alice@example.com');
  b = await merchant(t, 'Shop B', 'bob@example.com');
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('listing a campaign’s codes', () => {
  it('pages cover every code once, batch by batch in code order; another merchant gets 404', async () => {
    const made = await t.request('POST', '/v1/campaigns', { token: a.liveKey, body: campaignBody });
    expect(made.status, made.text).toBe(201);
    const id = made.body.id as string;
    const theirs = await t.request('POST', '/v1/campaigns', {
      token: b.liveKey,
      body: campaignBody,
    });
    expect(theirs.status, theirs.text).toBe(201);

    // Batches of this campaign interleaved with batches of B's: an added code, a
    // generation, B's generation and added code, another generation, another added code.
    const add = async (campaign: string, token: string, code: string) => {
      const r = await t.request('POST', `/v1/campaigns/${campaign}/codes`, {
        token,
        body: { code },
      });
      expect(r.status, r.text).toBe(201);
    };
    const generate = async (campaign: string, token: string, count: number) => {
      const r = await t.request('POST', `/v1/campaigns/${campaign}/codes/generate`, {
        token,
        body: { count },
      });
      expect(r.status, r.text).toBe(201);
    };
    await add(id, a.liveKey, 'ZZ-FIRST');
    await generate(id, a.liveKey, 230);
    await generate(theirs.body.id as string, b.liveKey, 120);
    await add(theirs.body.id as string, b.liveKey, 'BOB-CODE');
    await generate(id, a.liveKey, 140);
    await add(id, a.liveKey, 'AAA-LAST');

    const { rows } = await t.vw.db.query<{ code: string; batch: string }>(
      `SELECT c.code, c.batch::text AS batch
         FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
        WHERE b.campaign_id = $1`,
      [id],
    );
    expect(rows).toHaveLength(372);
    const batchOf = new Map(rows.map((r) => [r.code, BigInt(r.batch)]));
    // Batch by batch, each batch's codes in byte order.
    const expected = rows
      .map((r) => ({ code: r.code, batch: BigInt(r.batch) }))
      .sort((x, y) =>
        x.batch !== y.batch ? (x.batch < y.batch ? -1 : 1) : x.code < y.code ? -1 : 1,
      )
      .map((r) => r.code);
    expect(expected[0]).toBe('ZZFIRST');
    expect(expected.at(-1)).toBe('AAALAST');

    const { rows: chunks } = await t.vw.db.query<{ size: number }>(
      `SELECT size FROM campaign_code_chunks WHERE campaign_id = $1 ORDER BY batch, last_code`,
      [id],
    );
    expect(chunks.map((c) => c.size)).toEqual([1, 100, 100, 30, 100, 40, 1]);

    for (const limit of [100, 37]) {
      const { pages, hasMoreOnLast } = await codePages(id, a.liveKey, limit);
      expect(pages.map((p) => p.length)).toEqual([
        ...Array.from({ length: Math.floor(372 / limit) }, () => limit),
        372 % limit,
      ]);
      expect(hasMoreOnLast).toBe(false);
      const walked = pages.flat();
      expect(walked.every((c) => c.campaign_id === id && batchOf.has(c.code))).toBe(true);
      expect(walked.map((c) => c.code)).toEqual(expected);
    }
    // A page exactly as long as what is left ends the listing.
    const tail = await t.request(
      'GET',
      `/v1/campaigns/${id}/codes?limit=100&starting_after=${expected[271] ?? ''}`,
      { token: a.liveKey },
    );
    expect(tail.body.data).toHaveLength(100);
    expect([tail.body.has_more, tail.body.next_cursor]).toEqual([false, null]);
    // A page after a chunk's last code starts the next chunk, and one across the edge of
    // two batches takes the end of one and the start of the next.
    const afterEdge = await t.request(
      'GET',
      `/v1/campaigns/${id}/codes?limit=5&starting_after=${expected[100] ?? ''}`,
      { token: a.liveKey },
    );
    expect(afterEdge.body.data.map((c: CodeJson) => c.code)).toEqual(expected.slice(101, 106));
    const acrossBatches = await t.request(
      'GET',
      `/v1/campaigns/${id}/codes?limit=4&starting_after=${expected[228] ?? ''}`,
      { token: a.liveKey },
    );
    expect(acrossBatches.body.data.map((c: CodeJson) => c.code)).toEqual(expected.slice(229, 233));
    // The cursor is found in any case and with dashes, as codes are.
    const lower = (expected[99] ?? '').toLowerCase();
    const again = await t.request(
      'GET',
      `/v1/campaigns/${id}/codes?limit=3&starting_after=${lower.slice(0, 3)}-${lower.slice(3)}`,
      { token: a.liveKey },
    );
    expect(again.body.data.map((c: CodeJson) => c.code)).toEqual(expected.slice(100, 103));
    // Another campaign's code as the cursor shows nothing of either campaign.
    const foreignCursor = await t.request(
      'GET',
      `/v1/campaigns/${id}/codes?starting_after=BOBCODE`,
      { token: a.liveKey },
    );
    expect(foreignCursor.status, foreignCursor.text).toBe(200);
    expect(foreignCursor.body.data).toEqual([]);

    // B's key, with or without a cursor: A's campaign is not found.
    for (const query of ['', `?starting_after=${expected[0] ?? ''}`]) {
      const r = await t.request('GET', `/v1/campaigns/${id}/codes${query}`, { token: b.liveKey });
      expect([r.status, r.body.error?.type, r.body.error?.code]).toEqual([
        404,
        'not_found_error',
        'campaign_not_found',
      ]);
      expect(r.text).not.toContain(expected[0]);
    }
  });
});
