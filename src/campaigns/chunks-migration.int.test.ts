import { describe, expect, it } from 'vitest';
import { allMigrations } from '../migrations.js';
import { openDb } from '../platform/db/drivers.js';
import { migrate } from '../platform/db/migrate.js';

/**
 * campaigns/0130 on an installation with codes: every batch's codes become its listing
 * chunks (100 codes each, in byte order, the last one shorter), each code keeps its batch
 * and use count, and the code stays the unique key.
 */
describe('campaigns/0130: listing chunks built for existing codes', () => {
  it('chunks each batch’s codes in order and keeps every code row as it was', async () => {
    const all = allMigrations();
    const isIt = (m: { owner: string; version: number }) =>
      m.owner === 'campaigns' && m.version === 130;
    expect(all.filter(isIt)).toHaveLength(1);
    const db = await openDb({ dataDir: 'memory://' });
    try {
      await migrate(db, { migrations: all.filter((m) => !isIt(m)) });
      // Batch 1: 250 generated codes written out of order; batch 2: an added shared code;
      // batch 3: one of another campaign.
      const generated = Array.from({ length: 250 }, (_, i) => `G${String(i).padStart(4, '0')}`);
      await db.exec(`
        INSERT INTO campaigns (id, created_by, name, channel, currency, starts_at, status, rule,
                               segment)
        VALUES ('cmp_A', 'usr_a', 'A', 'tv', 'USD', now(), 'active', '{}', 'everyone'),
               ('cmp_B', 'usr_b', 'B', 'tv', 'USD', now(), 'active', '{}', 'everyone');
        INSERT INTO campaign_code_batches (id, campaign_id, kind, usage_limit, size) VALUES
          (1, 'cmp_A', 'unique', 1, 250), (2, 'cmp_A', 'shared', NULL, 1),
          (3, 'cmp_B', 'unique', 1, 1);
        INSERT INTO campaign_codes (code, batch, used)
        SELECT code, 1, CASE WHEN code = 'G0007' THEN 1 ELSE 0 END
          FROM unnest(ARRAY[${[...generated]
            .reverse()
            .map((c) => `'${c}'`)
            .join(',')}]) AS code;
        INSERT INTO campaign_codes (code, batch, used) VALUES ('SHARED', 2, 0), ('BCODE', 3, 0);
      `);
      const done = await migrate(db, { migrations: all });
      expect(done.applied.map((m) => `${m.owner}/${m.version}`)).toEqual(['campaigns/130']);

      const chunks = await db.query<{
        campaign_id: string;
        batch: string;
        last_code: string;
        size: number;
        codes: string;
      }>(
        `SELECT campaign_id, batch::text AS batch, last_code, size, codes
           FROM campaign_code_chunks ORDER BY campaign_id, batch, last_code`,
      );
      expect(chunks.rows.map((c) => [c.campaign_id, c.batch, c.last_code, c.size])).toEqual([
        ['cmp_A', '1', 'G0099', 100],
        ['cmp_A', '1', 'G0199', 100],
        ['cmp_A', '1', 'G0249', 50],
        ['cmp_A', '2', 'SHARED', 1],
        ['cmp_B', '3', 'BCODE', 1],
      ]);
      const listed = chunks.rows.filter((c) => c.batch === '1').flatMap((c) => c.codes.split(' '));
      expect(listed).toEqual(generated);

      const codes = await db.query<{ n: bigint; used: bigint }>(
        `SELECT count(*) AS n, sum(used) AS used FROM campaign_codes`,
      );
      expect(codes.rows).toEqual([{ n: 252n, used: 1n }]);
      const used = await db.query(
        `SELECT batch::text AS batch, used FROM campaign_codes WHERE code = 'G0007'`,
      );
      expect(used.rows).toEqual([{ batch: '1', used: 1 }]);
      // Still the one unique key across campaigns.
      await expect(
        db.exec(`INSERT INTO campaign_codes (code, batch) VALUES ('BCODE', 1)`),
      ).rejects.toThrow(/campaign_codes_pkey/);
    } finally {
      await db.close();
    }
  }, 300_000);
});
