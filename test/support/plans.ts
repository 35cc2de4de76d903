import pg from 'pg';
import type { Db, Queryable } from '../../src/platform/db/db.js';
import { createTestDb, type TestDb } from './db.js';

/**
 * Helpers for tests that pin query plans on a real PostgreSQL server: record the
 * statements a module issues, then replay one and read the plans PostgreSQL chose.
 */

export interface Issued {
  sql: string;
  params: readonly unknown[];
}

/** A fresh PostgreSQL database for a plans test, and its URL (for `executedPlans`). */
export async function plansTestDb(): Promise<{ t: TestDb; url: string }> {
  const t = await createTestDb('postgres');
  if (!t.url) throw new Error('a PostgreSQL test database has a URL');
  return { t, url: t.url };
}

/** A Db that remembers every statement sent through it, inside transactions too. */
export function recordStatements(db: Db): { db: Db; issued: Issued[] } {
  const issued: Issued[] = [];
  const record = (q: Queryable): Queryable => ({
    query: (sql, params = []) => {
      issued.push({ sql, params: [...params] });
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
  });
  const recording: Db = {
    kind: db.kind,
    ...record(db),
    transaction: (fn, options) => db.transaction((tx) => fn(record(tx)), options),
    attempt: (fn, options) => db.attempt((tx) => fn(record(tx)), options),
    detached: (fn) => db.detached(fn),
    fenced: (fence, fn) => db.fenced(fence, fn),
    inTransaction: () => db.inTransaction(),
    inFence: () => db.inFence(),
    copyFrom: (sql, data) => db.copyFrom(sql, data),
    subscribe: (channel, handlers) => db.subscribe(channel, handlers),
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return { db: recording, issued };
}

/** The last recorded statement that matches `pattern`. */
export function lastIssued(issued: readonly Issued[], pattern: RegExp): Issued {
  const found = issued.filter((s) => pattern.test(s.sql)).at(-1);
  if (!found) throw new Error(`no statement matching ${pattern} was issued`);
  return found;
}

/** A plan node as EXPLAIN (FORMAT JSON) writes it (only the fields these tests read). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/**
 * Runs `statement` in a transaction that is rolled back and returns the plans PostgreSQL
 * executed, in EXPLAIN (FORMAT JSON) form: the statement's own and those of the
 * statements inside any function it calls, which EXPLAIN does not show (auto_explain
 * logs them to this session; loading it needs a superuser, as the test server has).
 */
export async function executedPlans(url: string, statement: Issued): Promise<PlanNode[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const plans: PlanNode[] = [];
  client.on('notice', (n) => {
    const text = n.message ?? '';
    const start = text.indexOf('{');
    if (!text.includes('plan:') || start < 0) return;
    plans.push((JSON.parse(text.slice(start)) as { Plan: PlanNode }).Plan);
  });
  try {
    await client.query(`LOAD 'auto_explain'`);
    await client.query(`SET auto_explain.log_min_duration = 0`);
    await client.query(`SET auto_explain.log_nested_statements = on`);
    await client.query(`SET auto_explain.log_format = 'json'`);
    await client.query(`SET auto_explain.log_level = 'notice'`);
    await client.query('BEGIN');
    try {
      await client.query(statement.sql, [...statement.params]);
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    await client.end();
  }
  return plans;
}

function nodes(plans: readonly PlanNode[]): PlanNode[] {
  return plans.flatMap((p) => [p, ...nodes(p.Plans ?? [])]);
}

/** The scans of `relation` (not the node that writes to it). */
function scans(plans: readonly PlanNode[], relation: string): PlanNode[] {
  return nodes(plans).filter(
    (n) => n['Relation Name'] === relation && n['Node Type'] !== 'ModifyTable',
  );
}

/** The bitmap index scan feeding a bitmap heap scan, if `n` is one. */
const bitmapOf = (n: PlanNode) =>
  nodes(n.Plans ?? []).find((c) => c['Node Type'] === 'Bitmap Index Scan');

/**
 * How each scan of `relation` reads it, e.g. "Index Scan using jobs_pkey",
 * "Bitmap Heap Scan using jobs_claimable_idx", "Seq Scan".
 */
export function scansOf(plans: readonly PlanNode[], relation: string): string[] {
  return scans(plans, relation).map((n) => {
    const index = n['Index Name'] ?? bitmapOf(n)?.['Index Name'];
    return index === undefined ? n['Node Type'] : `${n['Node Type']} using ${index}`;
  });
}

/** Each scan's index condition ("(none)" for a scan without one, a filtered walk or a Seq Scan). */
export function indexCondsOf(plans: readonly PlanNode[], relation: string): string[] {
  return scans(plans, relation).map(
    (n) => n['Index Cond'] ?? bitmapOf(n)?.['Index Cond'] ?? '(none)',
  );
}

/** Every node type in the plans, e.g. to check that none sorts. */
export function nodeTypes(plans: readonly PlanNode[]): string[] {
  return nodes(plans).map((n) => n['Node Type']);
}

/** The planner's row estimate for `sql`: what the statistics make it believe. */
export async function estimatedRows(q: Queryable, sql: string): Promise<number> {
  const { rows } = await q.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    `EXPLAIN (FORMAT JSON) ${sql}`,
  );
  const rows0 = rows[0];
  if (!rows0) throw new Error('EXPLAIN returned nothing');
  return rows0['QUERY PLAN'][0].Plan['Plan Rows'];
}
