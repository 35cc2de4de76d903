import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createPostgresLeaseManager } from '../leases/postgres.js';
import { createLogger } from '../observability/logger.js';
import { createOutbox } from '../outbox/outbox.js';
import { createPostgresJobQueue } from '../queue/postgres.js';
import { SCHEDULER_LEASES, startSchedulerRole, type SchedulerRole } from './scheduler.js';

/**
 * Two `scheduler` roles on one database, as two processes would run for high
 * availability: one relays and maintains, the other stands by and takes over.
 */

let t: TestDb;
const logger = createLogger({ level: 'silent' });
const roles = new Map<string, SchedulerRole>();

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await Promise.all([...roles.values()].map((r) => r.stop()));
  await t.drop();
});

function instance(name: string) {
  const registry = new Registry();
  const jobs = createPostgresJobQueue({
    db: t.db,
    logger,
    registry,
    instanceId: name,
    visibilityMs: 30_000,
    pollMs: 20,
  });
  const outbox = createOutbox({ db: t.db, jobs, logger, registry });
  outbox.subscribe('notify', ['test.*'], () => Promise.resolve());
  const leases = createPostgresLeaseManager({
    db: t.db,
    logger,
    registry,
    instanceId: name,
    defaultTtlMs: 1_000,
  });
  const role = startSchedulerRole({
    db: t.db,
    jobs,
    outbox,
    leases,
    logger,
    settings: { pollMs: 20, leaseTtlMs: 1_000, jobRetentionDays: 7 },
  });
  roles.set(name, role);
  return { outbox, leases, role };
}

async function holderOf(lease: string, leases: ReturnType<typeof instance>['leases']) {
  return (await leases.holders()).find((h) => h.name === lease);
}

describe('scheduler role', () => {
  it('prunes old idempotency keys and finished jobs, relays events, and fails over', async () => {
    await t.db.query(
      `INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, response_body, created_at)
       VALUES ('usr_1', 'old', 'POST', '/v1/x', 'h', 201, '{}', now() - interval '25 hours'),
              ('usr_1', 'fresh', 'POST', '/v1/x', 'h', 201, '{}', now() - interval '1 hour')`,
    );
    await t.db.query(
      `INSERT INTO jobs (id, queue, payload, state, max_attempts, finished_at)
       VALUES ('job_old', 'x', '{}', 'done', 1, now() - interval '8 days'),
              ('job_recent', 'x', '{}', 'done', 1, now() - interval '1 day')`,
    );

    const a = instance('a');
    instance('b');
    await vi.waitFor(
      async () => {
        expect(await holderOf(SCHEDULER_LEASES.outboxRelay, a.leases)).toBeDefined();
        expect(await holderOf(SCHEDULER_LEASES.maintenance, a.leases)).toBeDefined();
      },
      { timeout: 10_000 },
    );

    await vi.waitFor(
      async () => {
        const keys = await t.db.query<{ key: string }>('SELECT key FROM idempotency_keys');
        expect(keys.rows.map((r) => r.key)).toEqual(['fresh']);
        const jobs = await t.db.query<{ id: string }>("SELECT id FROM jobs WHERE queue = 'x'");
        expect(jobs.rows.map((r) => r.id)).toEqual(['job_recent']);
      },
      { timeout: 10_000 },
    );

    const dispatched = async (id: string) => {
      const { rows } = await t.db.query<{ d: boolean }>(
        'SELECT dispatched_at IS NOT NULL AS d FROM outbox_events WHERE id = $1',
        [id],
      );
      return rows[0]?.d === true;
    };
    const first = await a.outbox.publish({ type: 'test.one', aggregateId: 'agg', payload: {} });
    await vi.waitFor(
      async () => {
        expect(await dispatched(first.id)).toBe(true);
      },
      { timeout: 10_000 },
    );

    // Stop whichever holds the relay: the other takes over with a higher token.
    const leader = await holderOf(SCHEDULER_LEASES.outboxRelay, a.leases);
    if (!leader) throw new Error('no relay leader');
    const leaderName = leader.holder.split('/')[0] ?? '';
    await roles.get(leaderName)?.stop();
    roles.delete(leaderName);
    const second = await a.outbox.publish({ type: 'test.two', aggregateId: 'agg', payload: {} });
    await vi.waitFor(
      async () => {
        expect(await dispatched(second.id)).toBe(true);
      },
      { timeout: 10_000 },
    );
    const successor = await holderOf(SCHEDULER_LEASES.outboxRelay, a.leases);
    expect(successor?.holder.split('/')[0]).not.toBe(leaderName);
    expect(successor?.token).toBeGreaterThan(leader.token);

    const fanned = await t.db.query<{ n: bigint }>(
      "SELECT count(*) AS n FROM jobs WHERE queue = 'outbox.notify'",
    );
    expect(fanned.rows[0]?.n).toBe(2n);
  });
});
