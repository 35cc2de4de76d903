import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, QueryResult } from '../../../platform/db/db.js';
import { createLogger } from '../../../platform/observability/logger.js';
import { waitFor } from '../../../../test/fixtures/webhooks/receiver.js';
import { createTestDb, type TestDb } from '../../../../test/support/db.js';
import type { DeliveryTask } from '../../delivery/deliverer.js';
import { startPostgresLoop, type PostgresLoop } from './loop.js';

/**
 * The PostgreSQL loop's hand-back on shutdown, on a real server whose statistics of
 * `webhook_messages` were taken while it was empty: what a queue table looks like when a
 * backlog builds up faster than autovacuum analyses it.
 */

let t: TestDb;
let db: Db;
const logger = createLogger({ level: 'silent' });

/** EXPLAIN (FORMAT JSON) of every UPDATE run through it, then the UPDATE itself. */
const plans: PlanNode[] = [];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function explaining(inner: Db): Db {
  const wrapped: Db = {
    kind: inner.kind,
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      if (/^\s*UPDATE\b/i.test(sql)) plans.push(await planOf(sql, params));
      return inner.query<R>(sql, params);
    },
    exec: (sql) => inner.exec(sql),
    // Statements made through `wrapped` inside join the transaction (db.ts), so the
    // EXPLAIN sees the transaction's planner settings too.
    transaction: (fn, options) => inner.transaction(() => fn(wrapped), options),
    attempt: (fn, options) => inner.attempt(() => fn(wrapped), options),
    detached: (fn) => inner.detached(fn),
    fenced: (fence, fn) => inner.fenced(fence, fn),
    inTransaction: () => inner.inTransaction(),
    inFence: () => inner.inFence(),
    copyFrom: (sql, data) => inner.copyFrom(sql, data),
    subscribe: (channel, handlers) => inner.subscribe(channel, handlers),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return wrapped;
}

async function planOf(sql: string, params?: readonly unknown[]): Promise<PlanNode> {
  const { rows } = await db.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `EXPLAIN (FORMAT JSON) ${sql}`,
    params,
  );
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error('no plan');
  return plan;
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function endpoint(id: string): Promise<void> {
  await db.query(
    `INSERT INTO webhook_endpoints (id, owner_id, url, event_types)
     VALUES ($1, 'usr_loop', 'http://127.0.0.1:9/hook', '{payment.completed}')`,
    [id],
  );
}

/** `n` messages due now, `msg_<tag>_<i>`. */
async function due(endpointId: string, tag: string, n: number): Promise<void> {
  await db.query(
    `INSERT INTO webhook_messages (id, endpoint_id, event_id, event_type, body, state)
     SELECT 'msg_' || $2 || '_' || g, $1, 'evt_' || $2 || '_' || g, 'payment.completed',
            repeat('x', 300), 'pending'
       FROM generate_series(1, $3::int) AS g`,
    [endpointId, tag, n],
  );
}

/** A loop whose deliveries never finish (a receiver that hangs), and what it took. */
function hangingLoop(concurrency: number, onTask?: (task: DeliveryTask) => Promise<void>) {
  const taken: DeliveryTask[] = [];
  const loop: PostgresLoop = startPostgresLoop({
    db: explaining(db),
    logger,
    run: async (task) => {
      await onTask?.(task);
      taken.push(task);
      await new Promise<void>(() => undefined);
    },
    settings: { concurrency, batch: concurrency, visibilityMs: 60_000, pollMs: 20 },
  });
  return { loop, taken };
}

beforeAll(async () => {
  t = await createTestDb('postgres');
  db = t.db;
  // Statistics of an empty table, and none taken again during the test.
  await db.query(`ALTER TABLE webhook_messages SET (autovacuum_enabled = false)`);
  await db.query(`ANALYZE webhook_messages`);
});

afterAll(async () => {
  await t.drop();
});

describe('PostgreSQL loop: handing claims back on shutdown', () => {
  it('returns unfinished claims as pending and due now, except one another worker now holds', async () => {
    await endpoint('whe_back');
    await due('whe_back', 'back', 5);
    const otherClaim = randomUUID();
    const { loop, taken } = hangingLoop(10, async (task) => {
      // This one's claim expired meanwhile and another worker took it.
      if (task.messageId === 'msg_back_1') {
        await db.query(
          `UPDATE webhook_messages SET claim = $2, next_attempt_at = now() + interval '1 minute'
            WHERE id = $1`,
          [task.messageId, otherClaim],
        );
      }
    });
    await waitFor(() => taken.length === 5, 'the loop to claim all five');
    expect(await loop.stop(0)).toEqual({ handedBack: 4 });

    const { rows } = await db.query<{
      id: string;
      state: string;
      claim: string | null;
      due: boolean;
    }>(
      `SELECT id, state, claim::text AS claim, next_attempt_at <= now() AS due
         FROM webhook_messages WHERE endpoint_id = 'whe_back' ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'msg_back_1', state: 'delivering', claim: otherClaim, due: false },
      ...[2, 3, 4, 5].map((i) => ({
        id: `msg_back_${i}`,
        state: 'pending',
        claim: null,
        due: true,
      })),
    ]);

    // Another worker takes them at once, not after the visibility timeout.
    const next = hangingLoop(10);
    await waitFor(
      () => next.taken.length === 4,
      'another loop to take the handed-back four',
      5_000,
    );
    expect(next.taken.map((k) => k.messageId).sort()).toEqual(
      [2, 3, 4, 5].map((i) => `msg_back_${i}`),
    );
    await next.loop.stop(0);
    await db.query(`DELETE FROM webhook_endpoints WHERE id = 'whe_back'`);
  });

  it('probes the primary key per claimed row though the statistics say the due index is empty', async () => {
    await endpoint('whe_backlog');
    await due('whe_backlog', 'backlog', 20_000);
    const { loop, taken } = hangingLoop(200);
    await waitFor(() => taken.length === 200, 'the loop to claim 200');
    const ids = taken.map((k) => k.messageId);
    const claims = taken.map((k) => k.claim);

    // The statement this replaced, under these statistics: a walk of the whole due index
    // (20,000 rows) to find 200 ids. Checked so this test keeps testing something.
    const naive = await planOf(
      `UPDATE webhook_messages SET state = 'pending', next_attempt_at = now(), claim = NULL,
              updated_at = now()
        WHERE id = ANY($1::text[]) AND claim = ANY($2::uuid[]) AND state = 'delivering'`,
      [ids, claims],
    );
    expect(nodes(naive).map((n) => n['Index Name'])).toContain('webhook_messages_due_idx');

    plans.length = 0;
    expect(await loop.stop(0)).toEqual({ handedBack: 200 });
    expect(plans).toHaveLength(1);
    // Every read of the table in the plan: one index probe per claimed id, nothing else.
    const scans = nodes(plans[0] as PlanNode)
      .filter((n) => n['Relation Name'] === 'webhook_messages' && n['Node Type'] !== 'ModifyTable')
      .map((n) => ({ node: n['Node Type'], index: n['Index Name'], cond: n['Index Cond'] }));
    expect(scans).toEqual([
      {
        node: 'Index Scan',
        index: 'webhook_messages_pkey',
        cond: expect.stringMatching(/^\(id = \w+\.id\)$/),
      },
    ]);
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_messages
        WHERE id = ANY($1::text[]) AND state = 'pending' AND claim IS NULL AND next_attempt_at <= now()`,
      [ids],
    );
    expect(rows[0]?.n).toBe(200);
  });
});
