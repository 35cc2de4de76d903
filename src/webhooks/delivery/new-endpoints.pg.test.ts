import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/support/app.js';
import { spawnVaultwire } from '../../../test/support/process.js';
import { natsUrl, uniqueStream } from '../../../test/fixtures/webhooks/nats.js';
import { startReceiver, waitFor } from '../../../test/fixtures/webhooks/receiver.js';

/**
 * Messages for an endpoint created moments ago — its creation ping, and whatever is
 * emitted to it at once — reach it on both engines without waiting for the delivery
 * worker's next look at the endpoint list: a worker that does not know an endpoint yet
 * reads it at once, and never acknowledges, drops or parks a message it has neither
 * delivered nor recorded.
 */
const PW = 'correct horse battery staple';
const ENDPOINTS = 100;
const cleanup: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe.each(['postgres', 'nats'] as const)(
  '%s engine: endpoints created moments ago',
  (engine) => {
    it(`delivers the ping and an event emitted at once to each of ${ENDPOINTS} new endpoints within 2 s`, async () => {
      const rx = await startReceiver();
      cleanup.push(() => rx.close());
      const env: Record<string, string> = {
        VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
        VW_WEBHOOK_ENGINE: engine,
        VW_WEBHOOK_POLL_MS: '50',
        VW_WEBHOOK_MAX_ENDPOINTS: String(ENDPOINTS),
      };
      if (engine === 'nats') {
        const stream = uniqueStream('newep');
        Object.assign(env, { NATS_URL: await natsUrl(), VW_WEBHOOK_NATS_STREAM: stream });
        cleanup.push(async () => {
          const nc = await connect({ servers: env['NATS_URL'] });
          await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
          await nc.close();
        });
      }
      // The API here, delivery in its own process (the `delivery` role): it learns of new
      // endpoints only from the database.
      const t = await createTestApp(env);
      cleanup.push(() => t.close());
      if (!t.testDb.url) throw new Error('no database url');
      const worker = spawnVaultwire(['start'], {
        ...env,
        DATABASE_URL: t.testDb.url,
        VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-delivery-')),
        VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
        LOG_LEVEL: 'info',
        VW_ROLES: 'delivery',
        VW_INSTANCE_ID: `newep-${engine}`,
        VW_DB_POOL_MAX: '8',
      });
      cleanup.push(async () => {
        worker.kill('SIGKILL');
        await worker.exited;
      });
      await worker.waitForLog('webhook delivery running');
      await t.request('POST', '/v1/users', { body: { email: 'n@example.com', password: PW } });
      const s = await t.request('POST', '/v1/sessions', {
        body: { email: 'n@example.com', password: PW },
      });
      const token = s.body.token as string;

      const emitted: { path: string; eventId: string; at: number }[] = [];
      for (let i = 0; i < ENDPOINTS; i++) {
        const path = `/new-${i}`;
        const e = await t.request('POST', '/v1/webhook_endpoints', {
          token,
          body: { url: `${rx.url}${path}`, event_types: ['payment.completed'] },
        });
        expect(e.status, e.text).toBe(201);
        const eventId = `evt_new_${engine}_${i}`;
        await t.vw.webhooks.ingest.createMessages([
          {
            endpointId: e.body.id as string,
            eventId,
            eventType: 'payment.completed',
            body: JSON.stringify({ id: eventId, type: 'payment.completed', data: { i } }),
          },
        ]);
        emitted.push({ path, eventId, at: Date.now() });
      }

      const missing = () =>
        emitted.filter(
          (m) =>
            !rx.received.some((r) => r.path === m.path && r.body.includes('"webhook.ping"')) ||
            !rx.received.some((r) => r.path === m.path && r.body.includes(`"${m.eventId}"`)),
        );
      const last = emitted.at(-1)?.at ?? Date.now();
      await waitFor(
        () => missing().length === 0,
        'every ping and event',
        2_000 + last - Date.now(),
      ).catch(() => undefined);
      expect(missing().map((m) => m.path)).toEqual([]);
      // And each within 2 s of being emitted, not only the last ones.
      for (const m of emitted) {
        const got = rx.received.find((r) => r.path === m.path && r.body.includes(`"${m.eventId}"`));
        expect(got && got.at - m.at, m.path).toBeLessThanOrEqual(2_000);
      }
    });
  },
);
