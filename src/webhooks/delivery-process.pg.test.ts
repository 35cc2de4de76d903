import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { spawnVaultwire, type VaultwireProcess } from '../../test/support/process.js';
import { natsUrl, uniqueStream } from '../../test/fixtures/webhooks/nats.js';
import { startReceiver, waitFor, type Receiver } from '../../test/fixtures/webhooks/receiver.js';

/**
 * Delivery workers as separate processes (the `delivery` role of the real binary), two
 * at a time, on each engine. One is SIGKILLed in the middle of the load and started
 * again: every event must still arrive, each under one `webhook-id`, and both workers
 * must have taken a share.
 */

const PW = 'correct horse battery staple';
const N = 2500;
const running: VaultwireProcess[] = [];
let rx: Receiver;
let nats: string;

beforeAll(async () => {
  nats = await natsUrl();
  rx = await startReceiver();
  // A little latency keeps deliveries in flight when the worker is killed.
  rx.respond = () => ({ status: 200, delayMs: 2 });
});
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});
afterAll(async () => {
  await rx.close();
});

function worker(t: TestApp, env: Record<string, string>, name: string): VaultwireProcess {
  if (!t.testDb.url) throw new Error('no database url');
  const p = spawnVaultwire(['start'], {
    DATABASE_URL: t.testDb.url,
    VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-delivery-')),
    VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOG_LEVEL: 'info',
    VW_ROLES: 'delivery',
    VW_INSTANCE_ID: name,
    VW_DB_POOL_MAX: '8',
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    VW_WEBHOOK_POLL_MS: '50',
    VW_WEBHOOK_VISIBILITY_MS: '2000',
    VW_WEBHOOK_NATS_ACK_WAIT_MS: '2000',
    VW_WEBHOOK_CONCURRENCY: '64',
    ...env,
  });
  running.push(p);
  return p;
}

async function run(engineEnv: Record<string, string>, tag: string): Promise<void> {
  const t = await createTestApp({ VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32', ...engineEnv });
  try {
    await t.request('POST', '/v1/users', { body: { email: 'w@example.com', password: PW } });
    const s = await t.request('POST', '/v1/sessions', {
      body: { email: 'w@example.com', password: PW },
    });
    const path = `/${tag}`;
    const e = await t.request('POST', '/v1/webhook_endpoints', {
      token: s.body.token as string,
      body: { url: `${rx.url}${path}`, event_types: ['payment.completed'] },
    });
    expect(e.status, e.text).toBe(201);
    const endpointId = e.body.id as string;

    const a = worker(t, engineEnv, `${tag}-a`);
    const b = worker(t, engineEnv, `${tag}-b`);
    await Promise.all([
      a.waitForLog('webhook delivery running'),
      b.waitForLog('webhook delivery running'),
    ]);

    const items = Array.from({ length: N }, (_, i) => {
      const eventId = `evt_${tag}_${i}`;
      return {
        endpointId,
        eventId,
        eventType: 'payment.completed',
        body: JSON.stringify({ id: eventId, type: 'payment.completed', data: { i } }),
      };
    });
    for (let i = 0; i < N; i += 250) {
      await t.vw.webhooks.ingest.createMessages(items.slice(i, i + 250));
    }
    const got = () => rx.received.filter((r) => r.path === path);
    // Kill one mid-load, once both have recorded deliveries of their own.
    const recordedBy = async (name: string) => {
      const { rows } = await t.vw.db.query<{ n: bigint }>(
        `SELECT count(*) AS n FROM webhook_messages WHERE endpoint_id = $1 AND last_worker = $2`,
        [endpointId, name],
      );
      return Number(rows[0]?.n ?? 0n);
    };
    await waitFor(
      async () => (await recordedBy(`${tag}-a`)) > 0 && (await recordedBy(`${tag}-b`)) > 0,
      'both workers recording',
      60_000,
    );
    expect(got().length).toBeLessThan(N);
    a.kill('SIGKILL');
    await a.exited;
    const again = worker(t, engineEnv, `${tag}-a2`);
    await again.waitForLog('webhook delivery running');

    await waitFor(
      () => new Set(got().map((r) => (JSON.parse(r.body) as { id: string }).id)).size >= N + 1,
      'every event delivered',
      120_000,
    );
    await waitFor(
      async () => {
        const { rows } = await t.vw.db.query<{ n: bigint }>(
          `SELECT count(*) AS n FROM webhook_messages WHERE endpoint_id = $1 AND state = 'delivered'`,
          [endpointId],
        );
        return Number(rows[0]?.n ?? 0n) === N + 1;
      },
      'every outcome recorded',
      60_000,
    );

    // One webhook-id per event, however often it arrived.
    const idsByEvent = new Map<string, Set<string>>();
    for (const r of got()) {
      const id = (JSON.parse(r.body) as { id: string }).id;
      const set = idsByEvent.get(id) ?? new Set<string>();
      set.add(r.headers['webhook-id'] ?? '');
      idsByEvent.set(id, set);
    }
    expect(idsByEvent.size).toBe(N + 1);
    for (const set of idsByEvent.values()) expect(set.size).toBe(1);
    // Both original workers took a share before the kill.
    const { rows: shares } = await t.vw.db.query<{ worker: string; n: bigint }>(
      `SELECT last_worker AS worker, count(*) AS n FROM webhook_messages
        WHERE endpoint_id = $1 AND state = 'delivered' GROUP BY last_worker`,
      [endpointId],
    );
    const byWorker = new Map(shares.map((r) => [r.worker, Number(r.n)]));
    expect(byWorker.get(`${tag}-a`) ?? 0).toBeGreaterThan(0);
    expect(byWorker.get(`${tag}-b`) ?? 0).toBeGreaterThan(0);
  } finally {
    await t.close();
  }
}

describe('delivery workers in their own processes', () => {
  it('PostgreSQL engine: a SIGKILLed worker loses nothing; two share the load', async () => {
    await run({}, 'pgkill');
  });

  it('NATS JetStream engine: a SIGKILLed worker loses nothing; two share the load', async () => {
    const stream = uniqueStream('kill');
    try {
      await run(
        { VW_WEBHOOK_ENGINE: 'nats', NATS_URL: nats, VW_WEBHOOK_NATS_STREAM: stream },
        'natskill',
      );
    } finally {
      const nc = await connect({ servers: nats });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
      await nc.close();
    }
  });
});
