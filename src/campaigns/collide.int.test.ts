import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { isFailure } from '../platform/failure.js';

/**
 * Generations into a small code space, so later ones draw codes that already exist: the
 * batch's plain INSERT fails on the unique index, is made again skipping the taken codes,
 * and the next round replaces them. Every generation still makes exactly what it was
 * asked for, and no code repeats.
 */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await t.vw.ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
});

afterAll(async () => {
  await t.close();
});

describe('generation when drawn codes already exist', () => {
  it('12 generations of 40 four-character codes over 8 characters: 480 distinct codes', async () => {
    const campaign = await t.vw.campaigns.create('usr_owner', {
      name: 'Small space',
      channel: 'test',
      currency: 'USD',
      startsAt: new Date(Date.now() - 60_000),
      rule: { kind: 'percentage', percentBps: 500 },
    });
    if (isFailure(campaign)) throw new Error(campaign.code);
    for (let i = 0; i < 12; i++) {
      // 8^4 = 4,096 codes: 40 is the most the 1 % rule allows per generation.
      const made = await t.vw.campaigns.generate('usr_owner', campaign.id, {
        count: 40,
        length: 4,
        alphabet: 'ACDEFGHJ',
      });
      if (isFailure(made)) throw new Error(made.code);
      expect(made.generated).toBe(40);
    }
    const codes = await t.vw.campaigns.listCodes('usr_owner', campaign.id, { limit: 1000 });
    if (isFailure(codes)) throw new Error(codes.code);
    expect(codes).toHaveLength(480);
    expect(new Set(codes.map((c) => c.code)).size).toBe(480);
    expect(codes.every((c) => /^[ACDEFGHJ]{4}$/.test(c.code))).toBe(true);
    // Some batch came short of its round's count (a draw repeated or already taken) and
    // was made up after: with 440 of 4,096 codes taken, 40 new draws all miss about once
    // in a hundred, so all twelve generations missing every time is out of reach.
    const { rows } = await t.vw.db.query<{ short: bigint }>(
      `SELECT count(*) AS short FROM campaign_code_batches WHERE campaign_id = $1 AND size < 40`,
      [campaign.id],
    );
    expect(Number(rows[0]?.short)).toBeGreaterThan(0);
    const analytics = await t.vw.campaigns.analytics('usr_owner', campaign.id);
    expect(!isFailure(analytics) && analytics.issued).toBe(480);
    // Paging with the last code as the cursor walks the same codes in the same order.
    const first = await t.vw.campaigns.listCodes('usr_owner', campaign.id, { limit: 250 });
    if (isFailure(first)) throw new Error(first.code);
    const rest = await t.vw.campaigns.listCodes('usr_owner', campaign.id, {
      limit: 1000,
      startingAfter: first.at(-1)?.code.toLowerCase(),
    });
    if (isFailure(rest)) throw new Error(rest.code);
    expect([...first, ...rest].map((c) => c.code)).toEqual(codes.map((c) => c.code));
  });
});
