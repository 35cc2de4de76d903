import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { idBefore, isId } from '../ids.js';
import { createLogger } from '../observability/logger.js';
import { createPostgresJobQueue, type PostgresJobQueue } from '../queue/postgres.js';
import { createOutbox, type DomainEvent, type Outbox } from './outbox.js';

let t: TestDb;
let jobs: PostgresJobQueue;
let outbox: Outbox;
let registry: Registry;
const seen: { subscriber: string; event: DomainEvent }[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await t.db.query('CREATE TABLE test_orders (id text PRIMARY KEY, status text NOT NULL)');
  await t.db.query(
    'CREATE TABLE test_projection (subscriber text NOT NULL, event_id text NOT NULL)',
  );
  const logger = createLogger({ level: 'silent' });
  registry = new Registry();
  jobs = createPostgresJobQueue({
    db: t.db,
    logger,
    registry,
    instanceId: 'test',
    visibilityMs: 30_000,
    pollMs: 20,
  });
  outbox = createOutbox({ db: t.db, jobs, logger, registry });
  const project = (subscriber: string) => async (event: DomainEvent) => {
    seen.push({ subscriber, event });
    await t.db.query('INSERT INTO test_projection (subscriber, event_id) VALUES ($1, $2)', [
      subscriber,
      event.id,
    ]);
  };
  outbox.subscribe('orders.paid', ['order.paid'], project('orders.paid'));
  outbox.subscribe('orders.all', ['order.*'], project('orders.all'));
  outbox.subscribe('refunds', ['refund.created'], project('refunds'));
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  // Each test starts with nothing pending.
  await outbox.relayOnce({ limit: 10_000 });
  while ((await jobs.runDue({ limit: 1000 })) > 0);
  seen.length = 0;
  await t.db.query('DELETE FROM test_projection');
});

async function pay(orderId: string, fail = false): Promise<string> {
  return t.db.transaction(async (tx) => {
    await tx.query('INSERT INTO test_orders (id, status) VALUES ($1, $2)', [orderId, 'paid']);
    const { id } = await outbox.publish({
      type: 'order.paid',
      aggregateId: orderId,
      payload: { amount: '12.50', currency: 'EUR' },
    });
    if (fail) throw new Error('payment step failed');
    return id;
  });
}

async function projected(): Promise<string[]> {
  const { rows } = await t.db.query<{ subscriber: string; event_id: string }>(
    'SELECT subscriber, event_id FROM test_projection ORDER BY subscriber, event_id',
  );
  return rows.map((r) => `${r.subscriber}:${r.event_id}`);
}

describe('outbox', () => {
  it('commits the event with the state change, or neither', async () => {
    await expect(pay('ord_rolled_back', true)).rejects.toThrow('payment step failed');
    const none = await t.db.query(
      "SELECT 1 FROM outbox_events WHERE aggregate_id = 'ord_rolled_back'",
    );
    expect(none.rowCount).toBe(0);
    expect(
      (await t.db.query("SELECT 1 FROM test_orders WHERE id = 'ord_rolled_back'")).rowCount,
    ).toBe(0);

    const id = await pay('ord_committed');
    expect(isId('evt', id)).toBe(true);
    const { rows } = await t.db.query<{
      type: string;
      payload: unknown;
      dispatched_at: Date | null;
    }>('SELECT type, payload, dispatched_at FROM outbox_events WHERE id = $1', [id]);
    expect(rows).toEqual([
      { type: 'order.paid', payload: { amount: '12.50', currency: 'EUR' }, dispatched_at: null },
    ]);
  });

  it('fans each event out to every matching subscriber, whose handlers run once', async () => {
    const paid = await pay('ord_fanout');
    const { id: shipped } = await outbox.publish({
      type: 'order.shipped',
      aggregateId: 'ord_fanout',
      payload: { carrier: 'post' },
    });
    const { id: unrelated } = await outbox.publish({
      type: 'user.signed_up',
      aggregateId: 'usr_1',
      payload: {},
    });
    expect(await outbox.relayOnce()).toBe(3);
    expect(await outbox.relayOnce()).toBe(0);
    while ((await jobs.runDue()) > 0);

    expect(await projected()).toEqual(
      [`orders.all:${paid}`, `orders.all:${shipped}`, `orders.paid:${paid}`].sort(),
    );
    const event = seen.find((s) => s.subscriber === 'orders.paid')?.event;
    expect(event).toMatchObject({
      id: paid,
      type: 'order.paid',
      aggregateId: 'ord_fanout',
      payload: { amount: '12.50', currency: 'EUR' },
    });
    expect(event?.createdAt).toBeInstanceOf(Date);
    const { rows } = await t.db.query<{ dispatched: boolean }>(
      'SELECT dispatched_at IS NOT NULL AS dispatched FROM outbox_events WHERE id = $1',
      [unrelated],
    );
    expect(rows[0]?.dispatched).toBe(true);
  });

  it('never double-enqueues when two relays run at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await pay(`ord_race_${i}`));
    const [a, b] = await Promise.all([
      outbox.relayOnce({ limit: 25 }),
      outbox.relayOnce({ limit: 25 }),
    ]);
    // SKIP LOCKED: each relay takes a disjoint full batch instead of waiting on the other.
    expect([a, b]).toEqual([25, 25]);
    let rest = 0;
    for (let n = await outbox.relayOnce(); n > 0; n = await outbox.relayOnce()) rest += n;
    expect(a + b + rest).toBe(60);
    while ((await jobs.runDue({ limit: 500 })) > 0);
    const expected = ids.flatMap((id) => [`orders.all:${id}`, `orders.paid:${id}`]).sort();
    expect(await projected()).toEqual(expected);
  });

  it('a relay that crashes before commit leaves nothing behind, and the re-run delivers once', async () => {
    const id = await pay('ord_crash');
    await expect(
      outbox.relayOnce({ fence: () => Promise.reject(new Error('relay crashed')) }),
    ).rejects.toThrow('relay crashed');
    const leftovers = await t.db.query(
      "SELECT 1 FROM jobs WHERE queue LIKE 'outbox.%' AND state = 'queued'",
    );
    expect(leftovers.rowCount).toBe(0);

    expect(await outbox.relayOnce()).toBe(1);
    // Even an event put back by hand (a replay) is not fanned out twice to a subscriber.
    await t.db.query('UPDATE outbox_events SET dispatched_at = NULL WHERE id = $1', [id]);
    expect(await outbox.relayOnce()).toBe(1);
    while ((await jobs.runDue()) > 0);
    expect(await projected()).toEqual([`orders.all:${id}`, `orders.paid:${id}`]);
  });

  it('refuses malformed events and duplicate subscribers', async () => {
    await expect(
      outbox.publish({ type: 'OrderPaid', aggregateId: 'ord_1', payload: {} }),
    ).rejects.toThrow(/dotted lowercase/);
    expect(() => {
      outbox.subscribe('refunds', ['refund.created'], () => Promise.resolve());
    }).toThrow(/already registered/);
  });

  it('reports pending events as a metric', async () => {
    await pay('ord_metric_1');
    await pay('ord_metric_2');
    expect(await outbox.pending()).toMatchObject({ count: 2 });
    expect(await registry.metrics()).toMatch(/^vaultwire_outbox_pending_events 2$/m);
    await outbox.relayOnce();
    expect(await outbox.pending()).toEqual({ count: 0, oldestAgeSeconds: 0 });
    expect(await registry.metrics()).toMatch(/^vaultwire_outbox_pending_events 0$/m);
    expect(await registry.metrics()).toMatch(/^vaultwire_outbox_events_relayed_total \d+$/m);
  });
  it('prunes only events dispatched long enough ago, never undispatched ones', async () => {
    await outbox.relayOnce({ limit: 10_000 });
    const recent = await outbox.publish({ type: 'prune.recent', aggregateId: 'p2', payload: {} });
    await outbox.relayOnce({ limit: 10_000 });
    // Ten days ago (ids carry their creation time): one written and dispatched then, one
    // written then that never went out, and one written then but dispatched yesterday.
    const tenDaysAgo = idBefore('evt', Date.now() - 10 * 24 * 3600 * 1000);
    const [old, stuck, late] = ['0001', '0002', '0003'].map(
      (n) => `${tenDaysAgo}${n.padStart(16, '0')}`,
    );
    await t.db.query(
      `INSERT INTO outbox_events (id, type, aggregate_id, payload, created_at, dispatched_at)
       VALUES ($1, 'prune.old', 'p1', '{}', now() - interval '10 days', now() - interval '10 days'),
              ($2, 'prune.stuck', 'p3', '{}', now() - interval '10 days', NULL),
              ($3, 'prune.late', 'p4', '{}', now() - interval '10 days', now() - interval '1 day')`,
      [old, stuck, late],
    );
    expect(await outbox.pruneDispatched(7 * 24 * 3600 * 1000)).toBeGreaterThanOrEqual(1);
    const { rows } = await t.db.query<{ id: string }>(
      'SELECT id FROM outbox_events WHERE id = ANY ($1)',
      [[old, recent.id, stuck, late]],
    );
    expect(rows.map((r) => r.id).sort()).toEqual([recent.id, stuck, late].sort());
  });
});
