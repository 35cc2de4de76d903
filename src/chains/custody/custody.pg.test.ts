import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, localKeyManagement } from '../../platform/crypto/secret-box.js';
import { createLogger } from '../../platform/observability/logger.js';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { depositAddressFromXpub } from './hd.js';
import { createCustodyService, freshAddressStatements } from './service.js';

const secretBox = createSecretBox(localKeyManagement(Buffer.alloc(32, 9)));
const logger = createLogger({ level: 'silent' });

let t: TestDb | undefined;
afterEach(async () => {
  await t?.drop();
  t = undefined;
});

describe('deposit addresses on PostgreSQL', () => {
  it('gives one owner racing its own first requests one index and one address', async () => {
    t = await createTestDb('postgres');
    const custody = createCustodyService({ db: t.db, secretBox, logger, settings: {} });
    await custody.init();
    const owners = ['inv_a', 'inv_b', 'inv_c'];
    const got = await Promise.all(
      owners.flatMap((owner) =>
        Array.from({ length: 12 }, () => custody.depositAddress(owner, 'eth')),
      ),
    );
    for (const [n, owner] of owners.entries()) {
      const mine = got.slice(n * 12, (n + 1) * 12);
      expect(new Set(mine.map((a) => a.address)).size).toBe(1);
      const { rows } = await t.db.query<{ address: string }>(
        'SELECT address FROM deposit_addresses WHERE user_id = $1',
        [owner],
      );
      expect(rows).toEqual([{ address: mine[0]?.address }]);
    }
    expect(new Set(got.map((a) => a.index)).size).toBe(owners.length);
  });

  it('hands two processes taking fresh addresses at once distinct indexes, each recorded once', async () => {
    t = await createTestDb('postgres');
    const db = t.db;
    const a = createCustodyService({ db, secretBox, logger, settings: {} });
    const b = createCustodyService({ db, secretBox, logger, settings: {} });
    await a.init();
    const taken = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).freshDepositAddress('eth')),
    );
    expect(new Set(taken.map((f) => f.index)).size).toBe(40);
    expect(new Set(taken.map((f) => f.address)).size).toBe(40);
    for (const [i, f] of taken.entries()) {
      const owned = { chainKey: 'eth', address: f.address, index: f.index, ownerId: `inv_${i}` };
      for (const st of freshAddressStatements([owned])) await db.query(st.sql, st.params);
    }
    // Recorded, each address is its owner's, as a deposit to it will be matched.
    expect(await a.ownerOf('eth', taken[7]?.address ?? '')).toBe('inv_7');
    expect(await a.depositAddress('inv_7', 'eth')).toEqual({
      address: taken[7]?.address,
      index: taken[7]?.index,
    });
    // An owner created the ordinary way afterwards gets an index of its own.
    const later = await b.depositAddress('usr_later', 'eth');
    expect(taken.map((f) => f.index)).not.toContain(later.index);
  });

  it('never hands out a pre-derived address twice: 200 creations at once from two processes', async () => {
    t = await createTestDb('postgres');
    const db = t.db;
    const a = createCustodyService({ db, secretBox, logger, settings: {} });
    const b = createCustodyService({ db, secretBox, logger, settings: {} });
    await a.init();
    const xpub = await a.depositXpub();
    // Start both pools filling, let them fill, then take more than they hold at once.
    await Promise.all([a.freshDepositAddress('eth'), b.freshDepositAddress('eth')]);
    await new Promise((r) => setTimeout(r, 200));
    const taken = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).freshDepositAddress('eth')),
    );
    expect(new Set(taken.map((f) => f.index)).size).toBe(200);
    expect(new Set(taken.map((f) => f.address)).size).toBe(200);
    // Each pooled address is its index's, so a deposit to it is matched to the right owner.
    for (const f of taken) expect(f.address).toBe(depositAddressFromXpub(xpub, f.index));
    // Each creation commits its owner's records concurrently; the unique indexes on the
    // tables would refuse a second use of an index or an address.
    await Promise.all(
      taken.map((f, i) =>
        db.transaction(async () => {
          const owned = {
            chainKey: 'eth',
            address: f.address,
            index: f.index,
            ownerId: `inv_pool_${i}`,
          };
          for (const st of freshAddressStatements([owned])) await db.query(st.sql, st.params);
        }),
      ),
    );
    const { rows } = await db.query<{ n: number; addresses: number; indexes: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT address)::int AS addresses,
              count(DISTINCT derivation_index)::int AS indexes
         FROM deposit_addresses WHERE user_id LIKE 'inv_pool_%'`,
    );
    expect(rows[0]).toEqual({ n: 200, addresses: 200, indexes: 200 });
  });
});
