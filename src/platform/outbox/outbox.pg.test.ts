import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createLogger } from '../observability/logger.js';
import { createPostgresJobQueue, type PostgresJobQueue } from '../queue/postgres.js';
import { createOutbox, type Outbox } from './outbox.js';

/**
 * Commit order is not sequence order: a transaction can take a lower `seq` and commit
 * after one with a higher `seq`. These tests hold transactions open on a real server to
 * make that happen and check that the relay never skips the late one.
 */

let t: TestDb;
let jobs: PostgresJobQueue;
let outbox: Outbox;

beforeAll(async () => {
  t = await createTestDb('postgres');
  const logger = createLogger({ level: 'silent' });
  const registry = new Registry();
  jobs = createPostgresJobQueue({
    db: t.db,
    logger,
    registry,
    instanceId: 'test',
    visibilityMs: 30_000,
    pollMs: 20,
  });
  outbox = createOutbox({ db: t.db, jobs, logger, registry });
  outbox.subscribe('audit.trail', ['*'], () => Promise.resolve());
});
afterAll(async () => {
  await t.drop();
});

async function fannedOut(): Promise<string[]> {
  const { rows } = await t.db.query<{ event_id: string }>(
    `SELECT payload->'event'->>'id' AS event_id FROM jobs WHERE queue = 'outbox.audit.trail'
      ORDER BY 1`,
  );
  return rows.map((r) => r.event_id);
}

describe('outbox relay and commit order (PostgreSQL)', () => {
  it('relays an event whose transaction took an earlier seq but committed later', async () => {
    let releaseEarly: () => void = () => undefined;
    const holdEarly = new Promise<void>((r) => (releaseEarly = r));
    let earlyPublished: () => void = () => undefined;
    const earlyInserted = new Promise<void>((r) => (earlyPublished = r));

    const early = t.db.transaction(async () => {
      const e = await outbox.publish({ type: 'test.early', aggregateId: 'agg_1', payload: {} });
      earlyPublished();
      await holdEarly; // still uncommitted while the later transaction commits
      return e.id;
    });
    await earlyInserted;
    const late = await t.db.transaction(() =>
      outbox.publish({ type: 'test.late', aggregateId: 'agg_2', payload: {} }),
    );

    // Only the later, committed event is visible: it is relayed first.
    expect(await outbox.relayOnce()).toBe(1);
    expect(await fannedOut()).toEqual([late.id]);

    releaseEarly();
    const earlyId = await early;
    const seqs = await t.db.query<{ id: string; seq: bigint }>(
      'SELECT id, seq FROM outbox_events WHERE id = ANY($1::text[]) ORDER BY seq',
      [[earlyId, late.id]],
    );
    expect(seqs.rows.map((r) => r.id)).toEqual([earlyId, late.id]);

    // A relay keeping a high-water mark (seq > last seen) would skip it forever.
    expect(await outbox.relayOnce()).toBe(1);
    expect(await fannedOut()).toEqual([earlyId, late.id].sort());
  });

  it('loses no event while many writers commit out of order and two relays run', async () => {
    const before = (await fannedOut()).length;
    const writers = 12;
    const perWriter = 25;
    let writing = true;
    const relays = [0, 1].map(async () => {
      let n = 0;
      while (writing) {
        n += await outbox.relayOnce({ limit: 7 });
        await new Promise((r) => setTimeout(r, 2));
      }
      return n;
    });
    const published = (
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const ids: string[] = [];
          for (let i = 0; i < perWriter; i++) {
            ids.push(
              await t.db.transaction(async (tx) => {
                const { id } = await outbox.publish({
                  type: 'test.burst',
                  aggregateId: `agg_${w}`,
                  payload: { i },
                });
                // Hold the transaction open a random while, so commits overtake each other.
                await tx.query('SELECT pg_sleep($1)', [Math.random() * 0.01]);
                return id;
              }),
            );
          }
          return ids;
        }),
      )
    ).flat();
    writing = false;
    const relayedDuring = (await Promise.all(relays)).reduce((a, b) => a + b, 0);
    let after = 0;
    for (let n = await outbox.relayOnce(); n > 0; n = await outbox.relayOnce()) after += n;

    expect(relayedDuring).toBeGreaterThan(0);
    expect(relayedDuring + after).toBe(writers * perWriter);
    const all = await fannedOut();
    expect(all.length - before).toBe(writers * perWriter);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(published));
  });
});
