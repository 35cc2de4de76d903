/**
 * `npm run bench:idempotency`: database round trips per POST that the Idempotency-Key
 * middleware costs, counted at the driver (every statement node-postgres sends, BEGIN
 * and COMMIT included), on PostgreSQL.
 *
 * The handlers are those of test/support/idempotency-app.ts: `/v1/things` writes one row
 * in a transaction of its own (its transactions are fenced: each marks the key's claim),
 * `/v1/keyed` writes one row keyed by the Idempotency-Key (declared key-idempotent: no
 * fence). Per request: no key (the handler alone), a fresh key on each handler, and a
 * replay of a key already answered.
 *
 * Baseline in the same run: the same requests through the middleware's former shape,
 * one transaction around the whole handler (claim INSERT, the handler's writes as
 * savepoints, response UPDATE, COMMIT), which held a connection across any network call
 * the handler made.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_REQUESTS per figure (default 500), BENCH_SMOKE=1 (20 requests). Results go to
 * stdout and bench/results/idempotency.json.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { MiddlewareHandler } from 'hono';
import pg from 'pg';
import type { Db } from '../../src/platform/db/db.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrationSources } from '../../src/migrations.js';
import { migrate } from '../../src/platform/db/migrate.js';
import type { AppEnv } from '../../src/platform/http/context.js';
import { IDEM_THINGS_DDL, idempotencyTestApp } from '../../test/support/idempotency-app.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { round, table } from '../lib/stats.js';

const ADMIN_URL =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUESTS = setting('BENCH_REQUESTS', 500, 20);

// Every statement any pg client of this process sends goes through Client#query.
let statements = 0;
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = proto.query;
proto.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return Reflect.apply(query, this, args);
};

/** The former shape, for the baseline: one transaction around the whole handler. */
function oneTransaction(db: Db): MiddlewareHandler<AppEnv> {
  class Rollback extends Error {}
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    const body = await c.req.text();
    const hash = createHash('sha256').update(`POST ${c.req.path}\n`).update(body).digest('hex');
    try {
      await db.transaction(async (tx) => {
        const claimed = await tx.query(
          `INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, response_body)
           VALUES ('bench', $1, 'POST', $2, $3, 0, '') ON CONFLICT (principal, key) DO NOTHING`,
          [key, c.req.path, hash],
        );
        if (claimed.rowCount === 0) {
          const { rows } = await tx.query<{ status: number; response_body: string }>(
            "SELECT status, response_body FROM idempotency_keys WHERE principal = 'bench' AND key = $1",
            [key],
          );
          c.res = new Response(rows[0]?.response_body ?? '', { status: rows[0]?.status ?? 500 });
          return;
        }
        await next();
        if (c.error !== undefined || c.res.status >= 500) throw new Rollback();
        await tx.query(
          "UPDATE idempotency_keys SET status = $2, response_body = $3 WHERE principal = 'bench' AND key = $1",
          [key, c.res.status, await c.res.clone().text()],
        );
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  };
}

type App = ReturnType<typeof idempotencyTestApp>;

interface Figure {
  roundTrips: number;
  msPerRequest: number;
}

/**
 * Round trips and ms per request for `apps` over `REQUESTS` requests each, one request
 * of each app in turn (who goes first alternates), so a loaded machine's drift and the
 * warm-up weigh on all of them alike.
 */
async function measure(
  apps: readonly { app: App; key: (i: number) => string | undefined }[],
  path: string,
): Promise<Figure[]> {
  const totals = apps.map(() => ({ statements: 0, ms: 0 }));
  for (let i = 0; i < REQUESTS; i++) {
    for (let j = 0; j < apps.length; j++) {
      const index = (i + j) % apps.length;
      const one = apps[index];
      const total = totals[index];
      if (!one || !total) throw new Error('no such app');
      const k = one.key(i);
      const before = statements;
      const started = performance.now();
      const res = await one.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(k ? { 'idempotency-key': k } : {}) },
        body: JSON.stringify({ name: 'bench' }),
      });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      total.ms += performance.now() - started;
      total.statements += statements - before;
    }
  }
  return totals.map((t) => ({
    roundTrips: t.statements / REQUESTS,
    msPerRequest: t.ms / REQUESTS,
  }));
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  announceSmoke('round trips per idempotent POST');
  const name = `vw_bench_idem_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString(), poolMax: 4 });
  try {
    await migrate(db, { sources: migrationSources() });
    await db.query(IDEM_THINGS_DDL);
    const now = idempotencyTestApp(db);
    const before = idempotencyTestApp(db, { middleware: oneTransaction(db) });
    const scenarios: {
      name: string;
      path: string;
      key: (run: string) => (i: number) => string | undefined;
    }[] = [
      { name: 'no key', path: '/v1/things', key: () => () => undefined },
      { name: 'fresh key, fenced handler', path: '/v1/things', key: (r) => (i) => `${r}-t-${i}` },
      {
        name: 'fresh key, key-idempotent handler',
        path: '/v1/keyed',
        key: (r) => (i) => `${r}-k-${i}`,
      },
      { name: 'replay', path: '/v1/keyed', key: (r) => (i) => `${r}-k-${i}` },
    ];
    const rows: string[][] = [
      ['request', 'round trips', 'baseline (one tx)', 'ms/req', 'baseline ms/req'],
    ];
    const results: Record<string, unknown>[] = [];
    for (const s of scenarios) {
      // The replay scenario reuses the keys the scenario before it answered.
      const [m, b] = await measure(
        [
          { app: now, key: s.key('now') },
          { app: before, key: s.key('before') },
        ],
        s.path,
      );
      if (!m || !b) throw new Error('no figures');
      rows.push([
        s.name,
        String(round(m.roundTrips, 2)),
        String(round(b.roundTrips, 2)),
        String(round(m.msPerRequest, 2)),
        String(round(b.msPerRequest, 2)),
      ]);
      results.push({ scenario: s.name, now: m, baseline: b });
    }
    console.log(`\n${REQUESTS} sequential requests per figure, PostgreSQL:\n`);
    console.log(table(rows));
    console.log(
      '\nround trips: statements node-postgres sent per request (BEGIN, COMMIT and SAVEPOINT\n' +
        'included); baseline: the same requests through one transaction around the handler.',
    );
    if (SMOKE) console.log('(smoke run: figures are not measurements)');
    mkdirSync('bench/results', { recursive: true });
    const file = `bench/results/${resultsFile('idempotency')}`;
    writeFileSync(
      file,
      `${JSON.stringify({ requests: REQUESTS, smoke: SMOKE, results }, null, 2)}\n`,
    );
    console.log(`\nWrote ${file}`);
  } finally {
    await db.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

await main();
