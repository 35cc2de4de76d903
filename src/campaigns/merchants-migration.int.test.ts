import { describe, expect, it } from 'vitest';
import { allMigrations } from '../migrations.js';
import { openDb } from '../platform/db/drivers.js';
import { migrate } from '../platform/db/migrate.js';

/**
 * campaigns/0120 on an installation that has campaigns made by users and stores opened
 * before stores had merchants: each row goes to the merchant it can be placed with, and
 * one that cannot be placed is left without one rather than given to a guess.
 */
describe('campaigns/0120: campaigns and old stores get their merchant', () => {
  it('places campaigns by their maker’s one managed merchant or their maker’s stores, and attaches old stores', async () => {
    const all = allMigrations();
    const isIt = (m: { owner: string; version: number }) =>
      m.owner === 'campaigns' && m.version === 120;
    expect(all.filter(isIt)).toHaveLength(1);
    const db = await openDb({ dataDir: 'memory://' });
    try {
      await migrate(db, { migrations: all.filter((m) => !isIt(m)) });
      await db.exec(`
        INSERT INTO merchants (id, name, live_account_id, test_account_id, created_by) VALUES
          ('mch_A', 'A', 'mca_AL', 'mca_AT', 'usr_solo'),
          ('mch_B', 'B', 'mca_BL', 'mca_BT', 'usr_multi'),
          ('mch_C', 'C', 'mca_CL', 'mca_CT', 'usr_multi');
        INSERT INTO merchant_members (merchant_id, user_id, role) VALUES
          ('mch_A', 'usr_solo', 'owner'), ('mch_A', 'usr_viewer', 'viewer'),
          ('mch_B', 'usr_multi', 'developer'), ('mch_C', 'usr_multi', 'owner');
        INSERT INTO commerce_stores (id, owner_id, merchant_id, name, floor_x, floor_y) VALUES
          ('sto_1', 'usr_solo', NULL, 'Old store', 0, 0),
          ('sto_2', 'usr_multi', 'mch_B', 'B store', 1, 0),
          ('sto_3', 'usr_multi', NULL, 'Old store of two', 2, 0);
        INSERT INTO campaigns (id, owner_id, name, channel, currency, starts_at, status, rule,
                               segment) VALUES
          ('cmp_1', 'usr_solo', 'Solo', 'tv', 'USD', now(), 'active', '{}', 'everyone'),
          ('cmp_2', 'usr_multi', 'Multi', 'tv', 'USD', now(), 'active', '{}', 'everyone'),
          ('cmp_3', 'usr_viewer', 'Viewer', 'tv', 'USD', now(), 'active', '{}', 'everyone');
        INSERT INTO campaign_code_generations (id, campaign_id, owner_id, status, requested, spec)
        VALUES ('cgen_1', 'cmp_1', 'usr_solo', 'succeeded', 1, '{}');
      `);
      const done = await migrate(db, { migrations: all });
      expect(done.applied.map((m) => `${m.owner}/${m.version}`)).toEqual(['campaigns/120']);

      const campaigns = await db.query<{ id: string; merchant_id: string | null }>(
        `SELECT id, merchant_id, created_by FROM campaigns ORDER BY id`,
      );
      expect(campaigns.rows).toEqual([
        // The one merchant its maker manages.
        { id: 'cmp_1', merchant_id: 'mch_A', created_by: 'usr_solo' },
        // Its maker manages two, but the stores they opened (whose goods the code
        // discounted) are all B's.
        { id: 'cmp_2', merchant_id: 'mch_B', created_by: 'usr_multi' },
        // A viewer manages nothing and opened nothing: no merchant, no guess.
        { id: 'cmp_3', merchant_id: null, created_by: 'usr_viewer' },
      ]);
      const stores = await db.query<{ id: string; merchant_id: string | null }>(
        `SELECT id, merchant_id FROM commerce_stores ORDER BY id`,
      );
      expect(stores.rows).toEqual([
        { id: 'sto_1', merchant_id: 'mch_A' },
        { id: 'sto_2', merchant_id: 'mch_B' },
        // Its opener manages two merchants: they choose (PATCH /v1/stores/{id}).
        { id: 'sto_3', merchant_id: null },
      ]);
      const gen = await db.query(`SELECT merchant_id FROM campaign_code_generations`);
      expect(gen.rows).toEqual([{ merchant_id: 'mch_A' }]);
    } finally {
      await db.close();
    }
  }, 300_000);
});
