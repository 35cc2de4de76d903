import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferredOutcome } from '../../../test/fixtures/webhooks/outcomes.js';
import { createTestApp, type TestApp } from '../../../test/support/app.js';
import { createLogger } from '../../platform/observability/logger.js';
import type { OutcomeRecord } from '../delivery/deliverer.js';
import { createOutcomeRecorder } from '../delivery/recorder.js';
import { createWebhookMetrics } from '../metrics.js';

/**
 * Deleting an endpoint while a delivery worker writes outcomes for it. Message rows hold
 * no foreign key (migration 0054): the worker's INSERT locks the endpoints it writes for,
 * and the deletion removes messages after the endpoint's row. Whatever the interleaving,
 * nothing of a deleted endpoint may stay behind: no message rows (bodies a customer asked
 * to be rid of), no attempts.
 */
const PW = 'correct horse battery staple';
let t: TestApp;
let token: string;
let side: pg.Client;
let watcher: pg.Client;

beforeAll(async () => {
  t = await createTestApp({ VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32' });
  await t.request('POST', '/v1/users', { body: { email: 'rm@example.com', password: PW } });
  const s = await t.request('POST', '/v1/sessions', {
    body: { email: 'rm@example.com', password: PW },
  });
  token = s.body.token as string;
  side = new pg.Client({ connectionString: t.testDb.url });
  watcher = new pg.Client({ connectionString: t.testDb.url });
  await side.connect();
  await watcher.connect();
});

afterAll(async () => {
  await side.end();
  await watcher.end();
  await t.close();
});

/** Waits until some session's statement starting with `prefix` waits for a lock. */
async function blockedOn(prefix: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const { rows } = await watcher.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'
          AND ltrim(query) LIKE $1 || '%'`,
      [prefix],
    );
    if (Number(rows[0]?.n) > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no statement "${prefix}…" waited for a lock`);
}

/** The worker's outcome recorder, flushing at once. */
const newRecorder = () =>
  createOutcomeRecorder({
    db: t.vw.db,
    logger: createLogger({ level: 'silent' }),
    metrics: createWebhookMetrics(new Registry()),
    workerId: 'worker-rm',
    disableEndpoint: () => Promise.resolve(),
    flushMs: 1,
  });

const attempt = (outcome: 'delivered' | 'failed', statusCode: number) => ({
  number: 1,
  outcome,
  statusCode,
  latencyMs: 5,
  excerpt: null,
  error: null,
});

describe('deleting an endpoint while its outcomes are being written', () => {
  it('leaves no message or attempt of the endpoint behind when the write commits first', async () => {
    const e = await t.request('POST', '/v1/webhook_endpoints', {
      token,
      body: { url: 'http://127.0.0.1:9/hook', event_types: ['payment.completed'] },
    });
    expect(e.status, e.text).toBe(201);
    const endpointId = e.body.id as string;
    // The creation ping is a queued row (no delivery runs here): the flush below updates
    // it, and holding that row makes the flush stop halfway, its new row inserted.
    const { rows: ping } = await t.vw.db.query<{ id: string }>(
      'SELECT id FROM webhook_messages WHERE endpoint_id = $1',
      [endpointId],
    );
    const pingId = ping[0]?.id ?? '';
    expect(pingId).not.toBe('');

    await side.query('BEGIN');
    await side.query('SELECT 1 FROM webhook_messages WHERE id = $1 FOR UPDATE', [pingId]);

    const recorder = newRecorder();
    const created = deferredOutcome(endpointId, 'evt_rm_1');
    // A failed attempt on the ping: the flush runs in one transaction (row, attempt).
    const updated: OutcomeRecord = {
      ...created,
      messageId: pingId,
      state: 'pending',
      nextAttemptAt: new Date(Date.now() + 60_000),
      attempt: attempt('failed', 503),
      create: undefined,
    };
    const written = Promise.all([recorder.record(created), recorder.record(updated)]);
    await blockedOn('UPDATE webhook_messages');

    // The flush holds its new row, uncommitted: the deletion must wait for it.
    const removed = t.request('DELETE', `/v1/webhook_endpoints/${endpointId}`, { token });
    await blockedOn('DELETE FROM webhook_endpoints');
    await side.query('ROLLBACK');
    await written;
    expect((await removed).status).toBe(200);

    const { rows } = await watcher.query<{ messages: string; attempts: string }>(
      `SELECT (SELECT count(*) FROM webhook_messages WHERE endpoint_id = $1) AS messages,
              (SELECT count(*) FROM webhook_attempts WHERE endpoint_id = $1) AS attempts`,
      [endpointId],
    );
    expect(rows[0]).toEqual({ messages: '0', attempts: '0' });
    await recorder.close();
  });

  it('writes nothing for an endpoint deleted before the flush', async () => {
    const e = await t.request('POST', '/v1/webhook_endpoints', {
      token,
      body: { url: 'http://127.0.0.1:9/gone', event_types: ['payment.completed'] },
    });
    const endpointId = e.body.id as string;
    expect(
      (await t.request('DELETE', `/v1/webhook_endpoints/${endpointId}`, { token })).status,
    ).toBe(200);
    const recorder = newRecorder();
    await recorder.record(
      deferredOutcome(endpointId, 'evt_rm_2', {
        state: 'pending',
        nextAttemptAt: new Date(Date.now() + 60_000),
        attempt: attempt('failed', 500),
      }),
    );
    await recorder.close();
    const { rows } = await watcher.query<{ messages: string; attempts: string }>(
      `SELECT (SELECT count(*) FROM webhook_messages WHERE endpoint_id = $1) AS messages,
              (SELECT count(*) FROM webhook_attempts WHERE endpoint_id = $1) AS attempts`,
      [endpointId],
    );
    expect(rows[0]).toEqual({ messages: '0', attempts: '0' });
  });
});
