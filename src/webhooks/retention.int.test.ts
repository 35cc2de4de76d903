import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEndpoint } from '../../test/fixtures/webhooks/endpoints.js';
import { createTestDb, type TestDb } from '../../test/support/db.js';
import { idBefore } from '../platform/ids.js';
import { pruneWebhooks } from './retention.js';

/**
 * Retention: what a customer may still need stays (dead letters to replay, messages not
 * yet delivered, anything delivered within the period), the rest goes, however many
 * rows lie below the cutoff.
 */
const DAY = 24 * 3600 * 1000;
const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const RETENTION_DAYS = 14;
const ENDPOINT = 'whe_retention';
let t: TestDb;

/** An id of `prefix` made `daysAgo` days before NOW (`n` tells ids apart). */
const idAt = (prefix: string, daysAgo: number, n: number) =>
  `${idBefore(prefix, NOW - daysAgo * DAY)}${String(n).padStart(16, '0')}`;

async function message(
  id: string,
  state: 'delivered' | 'failed' | 'pending',
  deliveredDaysAgo?: number,
): Promise<void> {
  await t.db.query(
    `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, body, state, delivered_at)
     VALUES ($1, $2, $1, 'payment.completed', '{}', $3, $4)`,
    [
      id,
      ENDPOINT,
      state,
      deliveredDaysAgo === undefined ? null : new Date(NOW - deliveredDaysAgo * DAY),
    ],
  );
}

async function ids(table: 'webhook_messages' | 'webhook_attempts'): Promise<string[]> {
  const { rows } = await t.db.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`);
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  t = await createTestDb();
  await insertEndpoint(t.db, ENDPOINT);
});

afterAll(async () => {
  await t.drop();
});

describe('webhook retention', () => {
  it('removes old delivered messages and attempt logs, and keeps dead letters, pending and recent messages', async () => {
    const oldDelivered = idAt('msg', 20, 1);
    const deadLetter = idAt('msg', 20, 2);
    const paused = idAt('msg', 20, 3);
    const replayed = idAt('msg', 20, 4);
    const recent = idAt('msg', 2, 5);
    const deliveredAtTheCutoff = idAt('msg', RETENTION_DAYS + 1, 6);
    await message(oldDelivered, 'delivered', 19);
    await message(deadLetter, 'failed');
    await message(paused, 'pending');
    await message(replayed, 'delivered', 1);
    await message(recent, 'delivered', 2);
    await message(deliveredAtTheCutoff, 'delivered', RETENTION_DAYS - 0.01);
    // More old delivered rows than one slice reads, dead letters among them.
    await t.db.query(
      `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, body, state, delivered_at)
       SELECT $1 || lpad(g::text, 16, '0'), $2, 'evt_bulk_' || g, 'payment.completed', '{}',
              CASE WHEN g % 1000 = 0 THEN 'failed' ELSE 'delivered' END,
              CASE WHEN g % 1000 = 0 THEN NULL ELSE $3::timestamptz END
         FROM generate_series(1, 12000) g`,
      [idBefore('msg', NOW - 30 * DAY), ENDPOINT, new Date(NOW - 29 * DAY)],
    );
    const oldAttempt = idAt('wha', 15, 1);
    const newAttempt = idAt('wha', 13, 2);
    for (const id of [oldAttempt, newAttempt]) {
      await t.db.query(
        `INSERT INTO webhook_attempts (id, message_id, endpoint_id, attempt, outcome)
         VALUES ($1, $2, $3, 1, 'failed')`,
        [id, deadLetter, ENDPOINT],
      );
    }

    const pruned = await pruneWebhooks(t.db, RETENTION_DAYS, NOW);

    const bulkDeadLetters = Array.from(
      { length: 12 },
      (_, i) => `${idBefore('msg', NOW - 30 * DAY)}${String((i + 1) * 1000).padStart(16, '0')}`,
    );
    expect(await ids('webhook_messages')).toEqual(
      [...bulkDeadLetters, deadLetter, paused, replayed, deliveredAtTheCutoff, recent].sort(),
    );
    expect(await ids('webhook_attempts')).toEqual([newAttempt]);
    expect(pruned).toBe(1 + 11_988 + 1);

    // A second pass finds nothing more to remove.
    expect(await pruneWebhooks(t.db, RETENTION_DAYS, NOW)).toBe(0);
  });

  it('keeps messages skipped while their endpoint was disabled for the retention period, counted from the skip', async () => {
    const skippedLongAgo = idAt('msg', 40, 1);
    // Created long ago, waiting on retries, skipped when the endpoint was disabled lately.
    const skippedLately = idAt('msg', 40, 2);
    await t.db.query(
      `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, body, state, updated_at)
       VALUES ($1, $3, $1, 'payment.completed', '{}', 'skipped', $4),
              ($2, $3, $2, 'payment.completed', '{}', 'skipped', $5)`,
      [
        skippedLongAgo,
        skippedLately,
        ENDPOINT,
        new Date(NOW - (RETENTION_DAYS + 1) * DAY),
        new Date(NOW - (RETENTION_DAYS - 1) * DAY),
      ],
    );
    const before = await ids('webhook_messages');
    expect(await pruneWebhooks(t.db, RETENTION_DAYS, NOW)).toBe(1);
    expect(await ids('webhook_messages')).toEqual(before.filter((id) => id !== skippedLongAgo));
  });

  it('places every id made before a moment below idBefore of that moment, in the database’s own order', async () => {
    const { rows } = await t.db.query<{ below: boolean; above: boolean }>(
      `SELECT $1::text < $2::text AS below, $3::text > $2::text AS above`,
      [idAt('msg', 1.0001, 999), idBefore('msg', NOW - DAY), idAt('msg', 0.9999, 0)],
    );
    expect(rows[0]).toEqual({ below: true, above: true });
  });
});
