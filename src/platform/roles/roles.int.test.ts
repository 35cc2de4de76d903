import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.js';

/**
 * The roles wired in the composition root: a state change publishes an event in its
 * transaction, the `scheduler` relays it, the `worker` runs the subscriber, and the
 * whole trip shows up in /metrics.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ VW_JOB_POLL_MS: '20', VW_LEASE_TTL_MS: '3000' });
  await t.vw.db.query('CREATE TABLE test_notes (event_id text NOT NULL, body text NOT NULL)');
});
afterAll(async () => {
  await t.close();
});

describe('worker and scheduler roles', () => {
  it('carry an event from the writer’s transaction to its subscriber, once', async () => {
    const { vw } = t;
    // A type some module declares (the outbox refuses undeclared ones).
    vw.outbox.subscribe<{ body: string }>('notes.copy', ['wallet.tier_changed'], async (event) => {
      await vw.db.query('INSERT INTO test_notes (event_id, body) VALUES ($1, $2)', [
        event.id,
        event.payload.body,
      ]);
    });
    const started = await vw.start(['worker', 'scheduler']);
    expect(started.port).toBeUndefined();

    const { id } = await vw.db.transaction(() =>
      vw.outbox.publish({
        type: 'wallet.tier_changed',
        aggregateId: 'note_1',
        payload: { body: 'hi' },
      }),
    );
    await vi.waitFor(
      async () => {
        const { rows } = await vw.db.query('SELECT event_id, body FROM test_notes');
        expect(rows).toEqual([{ event_id: id, body: 'hi' }]);
      },
      { timeout: 20_000, interval: 50 },
    );

    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toMatch(
      /vaultwire_jobs_total\{queue="outbox\.notes\.copy",outcome="completed"[^}]*\} 1/,
    );
    expect(metrics.text).toMatch(/vaultwire_lease_held\{name="scheduler\.outbox-relay"[^}]*\} 1/);
    expect(metrics.text).toMatch(/vaultwire_outbox_pending_events\{[^}]*\} 0/);
    const holders = await vw.leases.holders();
    expect(holders.map((h) => h.name).sort()).toEqual([
      'scheduler.maintenance',
      'scheduler.outbox-relay',
    ]);

    // Stopping releases the leases for a standby instead of making it wait for expiry.
    await vw.lifecycle.stop('test');
    expect(await vw.leases.holders()).toEqual([]);
  });
});
