import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVaultwire, type Vaultwire } from '../app.js';
import { loadConfig } from '../modules.js';
import { openDb } from '../platform/db/drivers.js';
import type { Db } from '../platform/db/db.js';
import { createTestApp, testEnv, type TestApp } from '../../test/support/app.js';
import {
  startReceiver,
  waitFor,
  type ReceivedRequest,
  type Reply,
} from '../../test/fixtures/webhooks/receiver.js';
import type { Receiver } from '../../test/fixtures/webhooks/receiver.js';
import type { RunningDelivery } from './service.js';

/**
 * Two delivery workers on one database, each a whole Vaultwire with its own endpoint
 * directory, limiters and breakers (what two `delivery` processes have): an endpoint's
 * rate limit and in-flight bound hold for the pair, and a circuit one opens stops the
 * other. Worker B's breaker threshold is out of reach, so only A's shared circuit can
 * stop it.
 */

const PW = 'correct horse battery staple';
const common = {
  VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
  VW_WEBHOOK_POLL_MS: '20',
  VW_WEBHOOK_VISIBILITY_MS: '5000',
  // Retries every ~0.25 s for ~8 s: a failing endpoint keeps being tried.
  VW_WEBHOOK_RETRY_SCHEDULE: Array.from({ length: 30 }, () => '0.25').join(','),
  VW_WEBHOOK_CIRCUIT_COOLDOWN_MS: '5000',
};

let a: TestApp;
let b: Vaultwire;
let bDb: Db;
let rx: Receiver;
let token: string;
const running: RunningDelivery[] = [];
const behaviours = new Map<string, (req: ReceivedRequest) => Reply>();

async function endpoint(path: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await a.request('POST', '/v1/webhook_endpoints', {
    token,
    body: { url: `${rx.url}${path}`, event_types: ['payment.completed'], ...extra },
  });
  expect(r.status, r.text).toBe(201);
  const id = r.body.id as string;
  // A worker whose directory has not caught up yet would drop the message until its
  // claim expires: let both know the endpoint first.
  await waitFor(
    () =>
      a.vw.webhooks.directory.get(id) !== undefined && b.webhooks.directory.get(id) !== undefined,
    'both directories know the endpoint',
  );
  return id;
}

async function ingest(endpointId: string, n: number, tag: string): Promise<void> {
  await a.vw.webhooks.ingest.createMessages(
    Array.from({ length: n }, (_, i) => {
      const eventId = `evt_${tag}_${i}`;
      return {
        endpointId,
        eventId,
        eventType: 'payment.completed',
        body: JSON.stringify({ id: eventId, type: 'payment.completed', data: { i } }),
      };
    }),
  );
}

const events = (path: string) =>
  rx.received.filter((r) => r.path === path && r.body.includes('"payment.completed"'));

async function deliveredBy(endpointId: string): Promise<Map<string, number>> {
  const { rows } = await a.vw.db.query<{ worker: string; n: number }>(
    `SELECT last_worker AS worker, count(*)::int AS n FROM webhook_messages
      WHERE endpoint_id = $1 AND state = 'delivered' AND event_type = 'payment.completed'
      GROUP BY last_worker`,
    [endpointId],
  );
  return new Map(rows.map((r) => [r.worker, r.n]));
}

async function pause(endpointId: string): Promise<void> {
  const r = await a.request('POST', `/v1/webhook_endpoints/${endpointId}/pause`, { token });
  expect(r.status, r.text).toBe(200);
}

beforeAll(async () => {
  rx = await startReceiver();
  rx.respond = (req) => behaviours.get(req.path)?.(req) ?? { status: 200 };
  a = await createTestApp({
    ...common,
    VW_INSTANCE_ID: 'fleet-a',
    VW_WEBHOOK_CIRCUIT_THRESHOLD: '3',
  });
  if (!a.testDb.url) throw new Error('no database url');
  bDb = await openDb({ databaseUrl: a.testDb.url, poolMax: 8 });
  b = await buildVaultwire({
    config: loadConfig({
      env: testEnv({
        ...common,
        VW_INSTANCE_ID: 'fleet-b',
        VW_WEBHOOK_CIRCUIT_THRESHOLD: '1000000',
      }),
    }),
    db: bDb,
    migrate: false,
  });
  await a.request('POST', '/v1/users', { body: { email: 'f@example.com', password: PW } });
  const s = await a.request('POST', '/v1/sessions', {
    body: { email: 'f@example.com', password: PW },
  });
  token = s.body.token as string;

  // Small claims, so both workers hold a part of the backlog.
  running.push(await a.vw.webhooks.startDelivery({ concurrency: 8, heartbeatMs: 200 }));
  running.push(await b.webhooks.startDelivery({ concurrency: 8, heartbeatMs: 200 }));
  await waitFor(() => running.every((r) => r.fleet.size === 2), 'both workers see two');
});

afterAll(async () => {
  for (const r of running) await r.stop();
  await b.lifecycle.stop('test done');
  await bDb.close();
  await a.close();
  await rx.close();
});

describe('delivery limits across the fleet', () => {
  it('holds an endpoint to its rate limit across two workers (each alone would send it all)', async () => {
    const id = await endpoint('/rate', { rate_limit_per_sec: 20 });
    await ingest(id, 200, 'rate');
    await waitFor(() => events('/rate').length > 0, 'first delivery');
    const first = events('/rate')[0]?.at ?? 0;
    await new Promise((r) => setTimeout(r, first + 3200 - Date.now()));
    // After the first second's burst (each bucket starts full), the sustained rate.
    const steady = events('/rate').filter((r) => r.at >= first + 1000 && r.at < first + 3000);
    const perSec = steady.length / 2;
    expect(perSec).toBeLessThanOrEqual(25); // per-process limits gave ~40/s
    expect(perSec).toBeGreaterThanOrEqual(12);
    // Both took a share: the bound comes from splitting, not from one idle worker.
    const by = await deliveredBy(id);
    expect(by.get('fleet-a') ?? 0).toBeGreaterThan(0);
    expect(by.get('fleet-b') ?? 0).toBeGreaterThan(0);
    await pause(id);
  });

  it('holds an endpoint to its in-flight bound across two workers', async () => {
    let active = 0;
    let peak = 0;
    behaviours.set('/inflight', (req) => {
      if (!req.body.includes('"payment.completed"')) return { status: 200 };
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => active--, 150);
      return { status: 200, delayMs: 150 };
    });
    const id = await endpoint('/inflight', { max_in_flight: 4 });
    await ingest(id, 48, 'inflight');
    await waitFor(() => events('/inflight').length === 48, 'all delivered', 20_000);
    expect(peak).toBeLessThanOrEqual(4); // per-process bounds allowed 8
    expect(peak).toBeGreaterThanOrEqual(3);
    const by = await deliveredBy(id);
    expect(by.get('fleet-a') ?? 0).toBeGreaterThan(0);
    expect(by.get('fleet-b') ?? 0).toBeGreaterThan(0);
  });

  it('stops every worker when one opens an endpoint’s circuit', async () => {
    behaviours.set('/down', () => ({ status: 500 }));
    const id = await endpoint('/down');
    await ingest(id, 20, 'down');
    // A (threshold 3) opens the circuit and records it on the endpoint.
    await waitFor(async () => {
      const { rows } = await a.vw.db.query<{ open: boolean }>(
        `SELECT circuit_open_until > now() AS open FROM webhook_endpoints WHERE id = $1`,
        [id],
      );
      return rows[0]?.open === true;
    }, 'the circuit recorded as open');
    // Within its directory's sync period B has the endpoint again, circuit included.
    await new Promise((r) => setTimeout(r, 800));
    const heldByB = async () => {
      const m = await b.webhooks.metrics.deferred.get();
      return m.values.find((v) => v.labels['reason'] === 'circuit_open')?.value ?? 0;
    };
    const heldBefore = await heldByB();
    const sentBefore = events('/down').length;
    // New events, which both workers claim: B, which alone would keep sending, holds its
    // share until the cool-down ends as A does.
    await ingest(id, 20, 'down-later');
    await new Promise((r) => setTimeout(r, 1500));
    expect(events('/down').length - sentBefore).toBe(0);
    expect(await heldByB()).toBeGreaterThan(heldBefore);
    const { rows } = await a.vw.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_messages
        WHERE endpoint_id = $1 AND state IN ('pending', 'delivering')`,
      [id],
    );
    expect(rows[0]?.n).toBeGreaterThanOrEqual(20); // held, not dead-lettered
  });
});
