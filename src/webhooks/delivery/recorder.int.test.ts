import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERED_200, deferredOutcome } from '../../../test/fixtures/webhooks/outcomes.js';
import { insertEndpoint } from '../../../test/fixtures/webhooks/endpoints.js';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import type { Db } from '../../platform/db/db.js';
import { createLogger } from '../../platform/observability/logger.js';
import { createWebhookMetrics } from '../metrics.js';
import type { OutcomeRecord } from './deliverer.js';
import { createOutcomeRecorder, type OutcomeRecorder } from './recorder.js';

/**
 * The rows the worker writes for deferred messages (nats engine): whatever a body or a
 * receiver's answer holds, the row keeps the exact bytes that were signed and sent and
 * the attempt as it happened. The common case travels as separator-packed text columns;
 * a value holding a separator falls back to typed arrays, and both must agree.
 */
let t: TestDb;
let recorder: OutcomeRecorder;
const endpointId = 'whe_recorder_test';

/** A recorder on `db` with the given flush timing, everything else as in a worker. */
const recorderOn = (db: Db, timing: { flushMs: number; soonMs?: number }) =>
  createOutcomeRecorder({
    db,
    logger: createLogger({ level: 'silent' }),
    metrics: createWebhookMetrics(new Registry()),
    workerId: 'worker-test',
    disableEndpoint: () => Promise.resolve(),
    ...timing,
  });

beforeAll(async () => {
  t = await createTestDb();
  await insertEndpoint(t.db, endpointId);
  recorder = recorderOn(t.db, { flushMs: 1 });
});

afterAll(async () => {
  await recorder.close();
  await t.drop();
});

function outcome(
  eventId: string,
  body: string,
  extra: Partial<OutcomeRecord> & { excerpt?: string; chainKey?: string; block?: bigint } = {},
): OutcomeRecord {
  const { excerpt, chainKey, block, ...rest } = extra;
  return deferredOutcome(
    endpointId,
    eventId,
    { attempt: { ...DELIVERED_200, excerpt: excerpt ?? 'ok' }, ...rest },
    {
      chainKey: chainKey ?? null,
      blockNumber: block ?? null,
      body,
      createdAtMs: Date.UTC(2026, 10, 22, 9, 0, 0, 123),
    },
  );
}

async function row(id: string) {
  const { rows } = await t.db.query(
    `SELECT body, state, attempts, last_status, last_latency_ms, last_excerpt, last_error, last_worker,
            chain_key, block_number, created_at, next_attempt_at
       FROM webhook_messages WHERE id = $1`,
    [id],
  );
  return rows[0];
}

describe('outcome recorder: rows of deferred messages', () => {
  it('keeps bodies byte for byte, chain data and the attempt, in one flush of many', async () => {
    const bodies = [
      JSON.stringify({ id: 'evt_r1', note: 'quotes " and \\ backslashes, {braces}, commas,' }),
      JSON.stringify({ id: 'evt_r2', note: 'ünïcödé ✓ 𝄞 and \t\n escaped controls' }),
      JSON.stringify({ id: 'evt_r3', empty: '', nul: null }),
    ];
    const outcomes = [
      outcome('evt_r1', bodies[0] ?? ''),
      outcome('evt_r2', bodies[1] ?? '', { chainKey: 'eth', block: 2n ** 60n + 7n }),
      outcome('evt_r3', bodies[2] ?? '', {
        state: 'pending',
        nextAttemptAt: new Date(Date.UTC(2026, 10, 22, 10, 0, 0)),
        attempt: {
          number: 1,
          outcome: 'failed',
          statusCode: 500,
          latencyMs: 12,
          excerpt: 'boom',
          error: null,
        },
      }),
    ];
    await Promise.all(outcomes.map((o) => recorder.record(o)));
    const [r1, r2, r3] = await Promise.all(outcomes.map((o) => row(o.messageId)));
    expect(r1).toMatchObject({
      body: bodies[0],
      state: 'delivered',
      attempts: 1,
      last_status: 200,
      last_latency_ms: 7,
      last_excerpt: 'ok',
      last_error: null,
      last_worker: 'worker-test',
      chain_key: null,
      block_number: null,
    });
    expect((r1?.['created_at'] as Date).toISOString()).toBe('2026-11-22T09:00:00.123Z');
    expect(r2).toMatchObject({ body: bodies[1], chain_key: 'eth', block_number: 2n ** 60n + 7n });
    expect(r3).toMatchObject({ state: 'pending', last_status: 500, last_error: 'HTTP 500' });
    expect((r3?.['next_attempt_at'] as Date).toISOString()).toBe('2026-11-22T10:00:00.000Z');
    const { rows } = await t.db.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM webhook_attempts WHERE message_id = $1`,
      [outcomes[2]?.messageId],
    );
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('records a receiver answer holding separator characters exactly, with its flush', async () => {
    const odd = 'a\u001eb\u001fc';
    const outcomes = [
      outcome('evt_r4', '{"id":"evt_r4"}', { excerpt: odd }),
      outcome('evt_r5', '{"id":"evt_r5"}', { excerpt: '\u001f' }),
      outcome('evt_r6', '{"id":"evt_r6"}'),
    ];
    await Promise.all(outcomes.map((o) => recorder.record(o)));
    const [r4, r5, r6] = await Promise.all(outcomes.map((o) => row(o.messageId)));
    expect(r4?.['last_excerpt']).toBe(odd);
    expect(r5?.['last_excerpt']).toBe('\u001f');
    expect(r6).toMatchObject({ body: '{"id":"evt_r6"}', state: 'delivered' });
  });

  it('leaves the first row of an event alone when the event comes again, and writes the rest of that flush', async () => {
    const first = outcome('evt_r7', '{"v":1}');
    await recorder.record(first);
    // One flush: the repeat makes its first INSERT fail, and the flush runs again.
    const again = outcome('evt_r7', '{"v":2}');
    const fresh = outcome('evt_r8', '{"v":3}');
    await Promise.all([recorder.record(again), recorder.record(fresh)]);
    expect(await row(again.messageId)).toBeUndefined();
    expect((await row(first.messageId))?.['body']).toBe('{"v":1}');
    expect(await row(fresh.messageId)).toMatchObject({ body: '{"v":3}', state: 'delivered' });
  });
});

describe('flush timing', () => {
  it('keeps what arrives during a write for a fuller flush, unless something waits on it or flush() is called', async () => {
    // The real database, with the deferred-row INSERT held at a gate while `gate` is set.
    let gate: Promise<void> | undefined;
    const db = new Proxy(t.db, {
      get(target, prop) {
        if (prop === 'query') {
          return async (sql: string, params?: unknown[]) => {
            if (gate && sql.includes('INSERT INTO webhook_messages')) await gate;
            return target.query(sql, params);
          };
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const held = recorderOn(db, { flushMs: 60_000, soonMs: 1 });
    try {
      let open: () => void = () => undefined;
      gate = new Promise((resolve) => {
        open = resolve;
      });
      const first = outcome('evt_h1', '{"id":"evt_h1"}');
      const firstDone = held.record(first, { soon: true }); // flushes at once, held at the gate
      await new Promise((r) => setTimeout(r, 50));
      let laterDone = false;
      const later = outcome('evt_h2', '{"id":"evt_h2"}');
      const laterWritten = held.record(later).then(() => (laterDone = true));
      gate = undefined;
      open();
      await firstDone;
      // The first write is done; the one that came during it waits for company.
      await new Promise((r) => setTimeout(r, 300));
      expect(laterDone).toBe(false);
      expect(await row(later.messageId)).toBeUndefined();
      // Something waiting on a write (an ordered endpoint's outcome) takes it along.
      const urgent = outcome('evt_h3', '{"id":"evt_h3"}');
      await held.record(urgent, { soon: true });
      await laterWritten;
      expect(await row(later.messageId)).toMatchObject({ state: 'delivered' });
      // And flush() writes whatever waits, without waiting for company.
      const last = outcome('evt_h4', '{"id":"evt_h4"}');
      const lastWritten = held.record(last);
      await held.flush();
      await lastWritten;
      expect(await row(last.messageId)).toMatchObject({ state: 'delivered' });
    } finally {
      await held.close();
    }
  });

  it('holds outcomes up to flushMs to share a flush, and writes an awaited one within soonMs', async () => {
    const slow = recorderOn(t.db, { flushMs: 60_000, soonMs: 10 });
    try {
      let written = false;
      const first = outcome('evt_t1', '{"id":"evt_t1"}');
      const pending = slow.record(first).then(() => (written = true));
      // Alone and in no hurry, it waits for company (a minute here): not written yet.
      await new Promise((r) => setTimeout(r, 300));
      expect(written).toBe(false);
      expect(await row(first.messageId)).toBeUndefined();
      // An outcome something waits on (an ordered endpoint's) cuts the wait for both.
      const urgent = outcome('evt_t2', '{"id":"evt_t2"}');
      await Promise.race([
        Promise.all([slow.record(urgent, { soon: true }), pending]),
        new Promise((_, reject) =>
          setTimeout(() => {
            reject(new Error('not written within 5 s'));
          }, 5_000),
        ),
      ]);
      expect(written).toBe(true);
      expect(await row(first.messageId)).toMatchObject({ state: 'delivered' });
      expect(await row(urgent.messageId)).toMatchObject({ state: 'delivered' });
    } finally {
      await slow.close();
    }
  });
});
