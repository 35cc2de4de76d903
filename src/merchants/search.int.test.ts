import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  merchant,
  registerAssets,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';
import { TEXT_WINDOW } from './search.js';

/**
 * Invoice search for support staff and dashboards: every filter alone and combined, the
 * keyset pages, the merchant and mode it never leaves, and bad input as typed 400s. Runs
 * on the embedded database (with pg_trgm loaded) and on PostgreSQL.
 */

let t: TestApp;
let shop: TestMerchant;
let other: TestMerchant;
const ids: Record<string, string> = {};

const ADDRESS = '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01';
const TX_HASH = '0x' + 'ab12'.repeat(16);

async function search(query: Record<string, string>, token = shop.testKey) {
  const r = await t.request('GET', `/v1/invoices/search?${new URLSearchParams(query).toString()}`, {
    token,
  });
  return r;
}
async function found(query: Record<string, string>, token?: string): Promise<string[]> {
  const r = await search(query, token);
  expect(r.status, r.text).toBe(200);
  return (r.body.data as { id: string }[]).map((i) => i.id);
}

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  shop = await merchant(t, 'Search Shop', 'search-owner@example.com');
  other = await merchant(t, 'Other Shop', 'other-owner@example.com');
  const make = async (name: string, body: Record<string, unknown>, key = shop.testKey) => {
    const r = await t.request('POST', '/v1/invoices', {
      token: key,
      body: { assets: ['USD'], ...body },
    });
    expect(r.status, r.text).toBe(201);
    ids[name] = r.body.id as string;
  };
  await make('mug', {
    currency: 'USD',
    amount: '5.00',
    description: 'Blue ceramic mug',
    customer_email: 'Ann@Example.com',
    order_id: 'ord-1001',
  });
  await make('beans', {
    currency: 'USD',
    amount: '12.50',
    description: 'Red coffee beans 1kg',
    metadata: { sku: 'BEAN-42', colour: 'red' },
    customer_email: 'bob@example.com',
    order_id: 'ord-1002',
  });
  await make('grinder', {
    currency: 'USD',
    amount: '100.00',
    description: 'Coffee grinder',
    customer_email: 'ann@example.com',
    order_id: 'ord-1003',
  });
  await make('euro', {
    currency: 'EUR',
    amount: '12.50',
    assets: ['EUR'],
    description: 'Tea sampler',
    order_id: 'ord-1004',
  });
  await make('plain', { currency: 'USD', amount: '7.00' });
  // The same words in another merchant's and in the live mode's invoices: never found.
  await make(
    'othershop',
    {
      currency: 'USD',
      amount: '5.00',
      description: 'Blue ceramic mug',
      customer_email: 'ann@example.com',
    },
    other.testKey,
  );
  await make(
    'live',
    { currency: 'USD', amount: '5.00', description: 'Blue ceramic mug' },
    shop.liveKey,
  );

  const paid = await t.request('POST', `/v1/invoices/${ids['beans']}/test_payments`, {
    token: shop.testKey,
    body: { asset: 'USD' },
  });
  expect(paid.status, paid.text).toBe(200);
  // Deposit addresses and transaction hashes come from the chains module (a local chain
  // in chain.int.test.ts); here they are written as that mirroring leaves them.
  await t.vw.db.query('UPDATE merchant_invoices SET address = $2 WHERE id = $1', [
    ids['grinder'],
    ADDRESS,
  ]);
  await t.vw.db.query('UPDATE merchant_payments SET tx_hash = $2 WHERE invoice_id = $1', [
    ids['beans'],
    TX_HASH,
  ]);
}, 300_000);

afterAll(async () => {
  await t.close();
});

describe('invoice search', () => {
  it('finds by each filter alone', async () => {
    expect(await found({ id: ids['mug'] ?? '' })).toEqual([ids['mug']]);
    expect(await found({ status: 'paid' })).toEqual([ids['beans']]);
    expect(await found({ customer_email: 'ANN@example.COM' })).toEqual([
      ids['grinder'],
      ids['mug'],
    ]);
    expect(await found({ order_id: 'ord-1004' })).toEqual([ids['euro']]);
    expect(await found({ address: ADDRESS.toLowerCase() })).toEqual([ids['grinder']]);
    expect(await found({ tx_hash: TX_HASH.toUpperCase().replace('0X', '0x') })).toEqual([
      ids['beans'],
    ]);
    expect(await found({ currency: 'USD', amount_gte: '7', amount_lte: '12.50' })).toEqual([
      ids['plain'],
      ids['beans'],
    ]);
    expect(await found({ currency: 'EUR', amount_gte: '12.50' })).toEqual([ids['euro']]);
  });

  it('finds free text by word, phrase, metadata and substring', async () => {
    const r = await search({ q: 'coffee' });
    expect(r.body.text_match).toBe('full_text+trigram');
    expect(r.body.data.map((i: { id: string }) => i.id)).toEqual([ids['grinder'], ids['beans']]);
    expect(await found({ q: '"ceramic mug"' })).toEqual([ids['mug']]);
    expect(await found({ q: 'coffee -grinder' })).toEqual([ids['beans']]);
    expect(await found({ q: 'BEAN-42' })).toEqual([ids['beans']]);
    // A part of a word: the trigram index.
    expect(await found({ q: 'ramic' })).toEqual([ids['mug']]);
    // LIKE's wildcards are plain characters here.
    expect(await found({ q: '%_%' })).toEqual([]);
  });

  it('combines filters (all must match)', async () => {
    expect(await found({ q: 'coffee', customer_email: 'ann@example.com' })).toEqual([
      ids['grinder'],
    ]);
    expect(await found({ q: 'coffee', status: 'open' })).toEqual([ids['grinder']]);
    const now = Date.now();
    expect(
      await found({
        created_gte: new Date(now - 3_600_000).toISOString(),
        created_lt: new Date(now + 60_000).toISOString(),
        currency: 'USD',
        amount_lte: '5',
      }),
    ).toEqual([ids['mug']]);
    expect(await found({ created_lt: new Date(now - 3_600_000).toISOString() })).toEqual([]);
  });

  it('pages by keyset, newest first, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await search({ limit: '2', ...(cursor ? { starting_after: cursor } : {}) });
      expect(r.status, r.text).toBe(200);
      seen.push(...(r.body.data as { id: string }[]).map((x) => x.id));
      if (!r.body.has_more) break;
      cursor = r.body.next_cursor as string;
    }
    const mine = ['plain', 'euro', 'grinder', 'beans', 'mug'].map((k) => ids[k]);
    expect(seen).toEqual(mine);
  });

  it("never shows another merchant's or the other mode's invoices", async () => {
    // Other's key, this shop's id and words: nothing.
    expect(await found({ id: ids['mug'] ?? '' }, other.testKey)).toEqual([]);
    expect(await found({ q: 'mug' }, other.testKey)).toEqual([ids['othershop']]);
    expect(await found({ customer_email: 'ann@example.com' }, other.testKey)).toEqual([
      ids['othershop'],
    ]);
    // The live key of the same merchant sees its live invoice only.
    expect(await found({ q: 'mug' }, shop.liveKey)).toEqual([ids['live']]);
    expect(await found({ q: 'mug' })).toEqual([ids['mug']]);
  });

  it('finds free text by each of its steps, in the same order as a plain scan', async () => {
    // A busy shop's history, written in SQL and analysed, so the planner's estimates pick
    // the steps as they would at scale (search.ts): "kettle" (the newest 2,000) is rare
    // enough to gather first; "bulk" (every invoice) is common and fills a page among the
    // newest (the window); "saucer" (8,000, none lately) misses the window and gathers more
    // than the cap (the walk follows); "teapot" (all but the newest 2,000) is common enough
    // that the walk follows the window at once; "whistle" is rare (the gather).
    const bulk = await merchant(t, 'Bulk Shop', 'bulk-owner@example.com');
    const account = (await t.vw.merchants.directory.get(bulk.id))?.testAccountId;
    const rows = 33_000;
    await t.vw.db.query(
      `INSERT INTO merchant_invoices (id, account_id, merchant_id, livemode, currency, amount,
          description, expires_at, created_at, updated_at)
       SELECT 'inv_bulk' || lpad(n::text, 22, '0'), $1, $2, false, 'USD', 100,
              CASE WHEN n <= $4::int THEN 'Bulk kettle' ELSE 'Bulk teapot' END
                || CASE WHEN n > $4::int AND n <= $4::int + 8000 THEN ' saucer' ELSE '' END
                || CASE WHEN n % 700 = 0 THEN ' whistle' ELSE '' END,
              now() + interval '1 hour', now() - n * interval '1 second',
              now() - n * interval '1 second'
         FROM generate_series(1, $3::int) n`,
      [account, bulk.id, rows, TEXT_WINDOW],
    );
    await t.vw.db.query('ANALYZE merchant_invoices');
    /** A plain scan: the newest matches, 20 at `offset`, of a condition on `$2`. */
    const scan = async (condition: string, q: string, offset: number) =>
      (
        await t.vw.db.query<{ id: string }>(
          `SELECT id FROM merchant_invoices WHERE account_id = $1 AND ${condition}
            ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET $3`,
          [account, q, offset],
        )
      ).rows.map((r) => r.id);
    const substring = (word: string, offset: number) =>
      scan(`description ILIKE '%' || $2 || '%'`, word, offset);
    for (const word of ['kettle', 'bulk', 'saucer', 'teapot']) {
      const first = await search({ q: word, limit: '20' }, bulk.testKey);
      expect(first.status, first.text).toBe(200);
      const firstIds = (first.body.data as { id: string }[]).map((x) => x.id);
      expect(firstIds, word).toEqual(await substring(word, 0));
      expect(first.body.has_more).toBe(true);
      const second = await found(
        { q: word, limit: '20', starting_after: first.body.next_cursor as string },
        bulk.testKey,
      );
      expect(second, word).toEqual(await substring(word, 20));
    }
    const rare = await found({ q: 'whistle' }, bulk.testKey);
    expect(rare).toEqual(await substring('whistle', 0));
    expect(rare).toHaveLength(20);
    // Several terms are words, in any order, with web-search syntax: the full-text match.
    for (const q of ['whistle saucer', 'teapot -saucer', 'saucer or whistle']) {
      expect(await found({ q, limit: '20' }, bulk.testKey), q).toEqual(
        await scan(`search_tsv @@ websearch_to_tsquery('simple', $2)`, q, 0),
      );
    }
    // Both words, in the other order from the text: every 700th of the 8,000 "saucer" ones.
    expect(await found({ q: 'saucer whistle' }, bulk.testKey)).toHaveLength(
      Math.floor((TEXT_WINDOW + 8000) / 700) - Math.floor(TEXT_WINDOW / 700),
    );
  });

  it('refuses bad input with typed 400s', async () => {
    const noCurrency = await search({ amount_gte: '5' });
    expect(noCurrency.status).toBe(400);
    expect(noCurrency.body.error).toMatchObject({
      code: 'search_currency_required',
      param: 'currency',
    });
    const precise = await search({ currency: 'USD', amount_lte: '1.001' });
    expect(precise.status).toBe(400);
    expect(precise.body.error).toMatchObject({ code: 'amount_too_precise', param: 'amount_lte' });
    const unknown = await search({ currency: 'XXX', amount_lte: '1' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('currency_unknown');
    const date = await search({ created_gte: 'yesterday' });
    expect(date.status).toBe(400);
    expect(date.body.error.param).toBe('created_gte');
    const cursor = await search({ starting_after: 'usr_1' });
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.param).toBe('starting_after');
    const status = await search({ status: 'lost' });
    expect(status.status).toBe(400);
  });
});
