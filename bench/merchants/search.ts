/**
 * `npm run bench:merchants-search`: invoice search over 1,000,000 invoices on PostgreSQL.
 *
 * A fresh database, migrated; the search indexes dropped, BENCH_ROWS invoices loaded in
 * one `INSERT … SELECT generate_series` (90 % in one merchant account, the rest across
 * 100 others; one USD option each; on-chain ones with a deposit address and a payment
 * with a transaction hash), the indexes rebuilt and the table analysed. Then, for each
 * query kind, BENCH_QUERIES searches through the merchants module's own
 * `invoices.search` (the SQL of the route plus loading the page of 20), each with a fresh
 * random value, and p50/p99.
 *
 * Baseline in the same run, on the same data: the same queries with the search indexes
 * dropped inside a transaction that is rolled back (what the table had before them: the
 * planner falls back to sequential or primary-key scans), at most BENCH_BASELINE_QUERIES
 * each and BENCH_BASELINE_SECONDS per kind; and a primary-key lookup of one invoice.
 *
 * Each kind's plan is shown as well: EXPLAIN of the search statement for one of its inputs,
 * reduced to the scans it makes (index names, or "Seq Scan on <table>"). A sequential scan
 * of the invoices or payments table is a failed floor whatever its time on this data size.
 *
 * Floor (issue 20): p99 ≤ 50 ms for each query kind over 1,000,000 invoices; printed and
 * recorded, the exit code is non-zero only when the bench itself fails. The machine is
 * shared: figures are noisy.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_ROWS (1,000,000; smoke 10,000), BENCH_QUERIES (200; smoke 10). Results go to
 * stdout and bench/results/merchants-search.json (…search.smoke.json in smoke mode).
 * BENCH_KEEP_DATABASE=<name>: load into that database and keep it; a later run with the
 * same name and BENCH_ROWS finds it loaded, applies any new migrations and measures at
 * once (loading a million invoices takes minutes). Drop it by hand when done.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLedgerService } from '../../src/ledger/service.js';
import { createInvoiceService, type InvoiceSearchInput } from '../../src/merchants/invoices.js';
import {
  invoiceSearchSql,
  planRows,
  textCandidatesSql,
  textEstimateSql,
  textWindowSql,
  type TextMatch,
} from '../../src/merchants/search.js';
import { migrationSources } from '../../src/migrations.js';
import { openDb } from '../../src/platform/db/drivers.js';
import type { Db } from '../../src/platform/db/db.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { isFailure } from '../../src/platform/failure.js';
import { REPO_ROOT } from '../../test/support/process.js';
import { adminSql, withDatabase } from '../lib/database.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { percentile, round, table } from '../lib/stats.js';

const ADMIN_URL =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = setting('BENCH_ROWS', 1_000_000, 10_000);
const QUERIES = setting('BENCH_QUERIES', 200, 10);
const BASELINE_QUERIES = setting('BENCH_BASELINE_QUERIES', 20, 3);
const BASELINE_SECONDS = setting('BENCH_BASELINE_SECONDS', 15, 5);
const FLOOR_MS = 50;
const KEEP_DATABASE = process.env['BENCH_KEEP_DATABASE'];
const MAIN = 'mca_bench_main';
const OTHERS = 100;
const WORDS = [
  'coffee',
  'tea',
  'mug',
  'grinder',
  'kettle',
  'filter',
  'beans',
  'espresso',
  'latte',
  'cup',
  'saucer',
  'spoon',
  'sugar',
  'milk',
  'cocoa',
  'chai',
  'matcha',
  'scale',
  'timer',
  'brush',
  'blue',
  'red',
  'green',
  'black',
  'white',
  'small',
  'large',
  'ceramic',
  'glass',
  'steel',
  'gift',
  'box',
  'set',
  'pack',
  'bag',
  'jar',
  'tin',
  'pot',
  'press',
  'drip',
  'organic',
  'decaf',
  'roast',
  'dark',
  'light',
  'medium',
  'single',
  'origin',
  'blend',
  'house',
];
const STATUSES = ['paid', 'expired', 'open', 'underpaid', 'processing', 'overpaid', 'paid_late'];
const DAY = 86_400_000;

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
const rnd = (n: number) => Math.floor(Math.random() * n);

/** Invoice number `n` (1-based) of the main account; its id and derived fields follow the load SQL. */
const invoiceId = (n: number) => `inv_${String(n).padStart(26, '0')}`;

async function load(db: Db, rows: number): Promise<{ start: Date; mainRows: number }> {
  const start = new Date(Date.now() - 365 * DAY);
  await db.query(
    `INSERT INTO merchants (id, name, live_account_id, test_account_id, created_by)
     SELECT 'mch_bench_' || m, 'Bench ' || m,
            CASE WHEN m = 0 THEN $1 ELSE 'mca_bench_' || m END, 'mca_bench_test_' || m, 'usr_bench'
       FROM generate_series(0, $2::int) m`,
    [MAIN, OTHERS],
  );
  // Row n: 9 in 10 belong to the main account; ids sort like n (and so like created_at).
  await db.query(
    `INSERT INTO merchant_invoices (id, account_id, merchant_id, livemode, currency, amount, status,
        paid_value, description, order_id, customer_email, metadata, chain_key, address,
        expires_at, paid_at, created_at, updated_at)
     SELECT 'inv_' || lpad(n::text, 26, '0'),
            CASE WHEN n % 10 = 0 THEN 'mca_bench_' || (1 + n % ${OTHERS}) ELSE $1 END,
            CASE WHEN n % 10 = 0 THEN 'mch_bench_' || (1 + n % ${OTHERS}) ELSE 'mch_bench_0' END,
            true, 'USD', 100 + (n::bigint * 7919) % 1000000,
            (ARRAY['paid','paid','paid','paid','paid','paid','paid','paid','paid','paid','paid','paid','paid','paid',
                   'expired','expired','expired','expired','open','underpaid'])[1 + (n * 31) % 20],
            0,
            ($3::text[])[1 + n % 50] || ' ' || ($3::text[])[1 + (n / 50) % 50] || ' ' || ($3::text[])[1 + (n / 2500) % 50],
            'ord-' || n,
            'customer' || (n % 200000) || '@example.com',
            jsonb_build_object('sku', 'SKU-' || (n % 100000), 'channel', CASE WHEN n % 3 = 0 THEN 'web' ELSE 'pos' END),
            CASE WHEN n % 3 = 0 THEN 'local' END,
            CASE WHEN n % 3 = 0 THEN '0x' || md5(n::text) || substr(md5('a' || n), 1, 8) END,
            $2::timestamptz + (n * interval '365 days' / $4::int) + interval '15 minutes',
            NULL,
            $2::timestamptz + (n * interval '365 days' / $4::int),
            $2::timestamptz + (n * interval '365 days' / $4::int)
       FROM generate_series(1, $4::int) n`,
    [MAIN, start, WORDS, rows],
  );
  await db.query(
    `INSERT INTO merchant_invoice_options (invoice_id, asset, scale, amount_due, rate_num, rate_den, on_chain)
     SELECT id, 'USD', 2, amount, 1, 1, chain_key IS NOT NULL FROM merchant_invoices`,
  );
  await db.query(
    `INSERT INTO merchant_payments (id, invoice_id, account_id, asset, amount, method, status, tx_hash, created_at)
     SELECT 'pay_' || substr(id, 5), id, account_id, 'USD', amount, 'chain', 'confirmed',
            '0x' || md5(id) || md5(id || 'x'), created_at
       FROM merchant_invoices WHERE address IS NOT NULL AND status = 'paid'`,
  );
  return { start, mainRows: rows - Math.floor(rows / 10) };
}

/** Row numbers of the main account (n % 10 != 0). */
function mainRow(rows: number): number {
  for (;;) {
    const n = 1 + rnd(rows);
    if (n % 10 !== 0) return n;
  }
}

const md5Hex = (s: string) => createHash('md5').update(s).digest('hex');

type Kind = { name: string; make: () => InvoiceSearchInput };

function kinds(rows: number, start: Date): Kind[] {
  const at = (n: number) => new Date(start.getTime() + (n * 365 * DAY) / rows);
  return [
    { name: 'id', make: () => ({ id: invoiceId(mainRow(rows)) }) },
    { name: 'status', make: () => ({ status: pick(STATUSES) as 'paid' }) },
    {
      name: 'amount range',
      make: () => {
        const lo = 100 + rnd(990_000);
        return {
          currency: 'USD',
          amountGte: (lo / 100).toFixed(2),
          amountLte: ((lo + 10_000) / 100).toFixed(2),
        };
      },
    },
    {
      name: 'date range (1 day)',
      make: () => {
        const from = at(rnd(rows));
        return { createdGte: from, createdLt: new Date(from.getTime() + DAY) };
      },
    },
    {
      name: 'customer email',
      make: () => ({ customerEmail: `Customer${mainRow(rows) % 200_000}@example.com` }),
    },
    { name: 'order id', make: () => ({ orderId: `ord-${mainRow(rows)}` }) },
    {
      name: 'deposit address',
      make: () => {
        let n = mainRow(rows);
        while (n % 3 !== 0 || n % 10 === 0) n = mainRow(rows);
        return {
          address: `0x${md5Hex(String(n)) + md5Hex(`a${n}`).slice(0, 8)}`.toUpperCase(),
        };
      },
    },
    {
      name: 'tx hash',
      make: () => {
        // Any main-account row with an address; paid ones have a payment, others find nothing.
        let n = mainRow(rows);
        while (n % 3 !== 0 || n % 10 === 0) n = mainRow(rows);
        const id = invoiceId(n);
        return { txHash: `0x${md5Hex(id)}${md5Hex(`${id}x`)}` };
      },
    },
    { name: 'text: common word', make: () => ({ text: pick(WORDS) }) },
    {
      name: 'text: two words',
      make: () => ({ text: `${pick(WORDS)} ${pick(WORDS)}` }),
    },
    { name: 'text: rare token', make: () => ({ text: `SKU-${rnd(100_000)}` }) },
    {
      name: 'text: substring',
      make: () => ({ text: pick(WORDS).slice(1, 5) }),
    },
    {
      name: 'combined',
      make: () => {
        const from = at(rnd(rows));
        return {
          status: 'paid' as const,
          currency: 'USD',
          amountGte: '100.00',
          createdGte: from,
          createdLt: new Date(from.getTime() + 30 * DAY),
          text: pick(WORDS),
        };
      },
    },
  ];
}

interface Measured {
  kind: string;
  queries: number;
  p50Ms: number;
  p99Ms: number;
  meanHits: number;
}

async function measure(
  search: (input: InvoiceSearchInput) => Promise<number>,
  kind: Kind,
  count: number,
  seconds: number,
): Promise<Measured> {
  const samples: number[] = [];
  let hits = 0;
  const deadline = performance.now() + seconds * 1000;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const input = kind.make();
    const t0 = performance.now();
    hits += await search(input);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return {
    kind: kind.name,
    queries: samples.length,
    p50Ms: round(percentile(samples, 0.5), 2),
    p99Ms: round(percentile(samples, 0.99), 2),
    meanHits: round(hits / Math.max(1, samples.length), 1),
  };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The scans of a plan, in plan order: `Index Scan using x`, `Seq Scan on t`, … */
function scans(node: PlanNode, out: string[] = []): string[] {
  const type = node['Node Type'];
  if (node['Index Name']) out.push(`${type} using ${node['Index Name']}`);
  else if (node['Relation Name']) out.push(`${type} on ${node['Relation Name']}`);
  for (const child of node.Plans ?? []) scans(child, out);
  return out;
}

/**
 * The scans PostgreSQL plans for one input of a kind: the statement the service runs; for
 * free text, the planner's estimate that orders its steps and each step (see
 * `textWindowSql`): the newest invoices read in order, the capped gathering of matches with
 * bitmap scans only, the walk past the cap.
 */
async function planOf(db: Db, input: InvoiceSearchInput, textMatch: TextMatch): Promise<string[]> {
  // The bench's only currency is USD at scale 2; the service parses amounts the same way.
  const cents = (s: string | undefined) =>
    s === undefined ? undefined : BigInt(Math.round(Number(s) * 100));
  const filters = {
    ...input,
    amountGte: cents(input.amountGte),
    amountLte: cents(input.amountLte),
  };
  const explain = async (sql: { text: string; values: unknown[] }, bitmapOnly: boolean) =>
    db.transaction(async (tx) => {
      if (bitmapOnly) {
        await tx.query('SET LOCAL enable_seqscan = off');
        await tx.query('SET LOCAL enable_indexscan = off');
        await tx.query('SET LOCAL enable_indexonlyscan = off');
      }
      const { rows } = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) ${sql.text}`,
        sql.values,
      );
      const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
      if (!plan) throw new Error('EXPLAIN returned no plan');
      return scans(plan);
    });
  const walk = await explain(invoiceSearchSql(MAIN, filters, { limit: 21 }, textMatch), false);
  if (input.text === undefined) return walk;
  const window = await explain(textWindowSql(MAIN, filters, { limit: 21 }, textMatch), false);
  const gather = await explain(textCandidatesSql(MAIN, filters, { limit: 21 }, textMatch), true);
  // The planner's estimate that orders the steps (see `TEXT_GATHER_FIRST` in search.ts).
  const estimate = textEstimateSql(MAIN, input.text, textMatch);
  const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(estimate.text, estimate.values);
  return [
    `expected ${Math.round(planRows(rows[0]?.['QUERY PLAN']))} matches`,
    ...window.map((s) => `newest: ${s}`),
    ...gather.map((s) => `candidates: ${s}`),
    ...walk.map((s) => `past the cap: ${s}`),
  ];
}

const seqScanOfData = (plan: readonly string[]) =>
  plan.some((s) => /(^|: )Seq Scan on merchant_(invoices|payments)$/.test(s));

const SEARCH_INDEXES = [
  'merchant_invoices_search_status_idx',
  'merchant_invoices_search_amount_idx',
  'merchant_invoices_search_created_idx',
  'merchant_invoices_search_email_idx',
  'merchant_invoices_search_address_idx',
  'merchant_invoices_search_tsv_idx',
  'merchant_invoices_search_trgm_idx',
  'merchant_payments_search_tx_idx',
];

async function main(): Promise<void> {
  announceSmoke(`${ROWS} invoices, ${QUERIES} queries per kind`);
  const name = KEEP_DATABASE ?? `vw_bench_search_${Date.now().toString(36)}`;
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error('BENCH_KEEP_DATABASE: lower-case letters, digits, _');
  await adminSql(ADMIN_URL, `CREATE DATABASE "${name}"`).catch((err: unknown) => {
    // A kept database from an earlier run: reused below when it holds the same rows.
    if (KEEP_DATABASE === undefined || (err as { code?: string }).code !== '42P04') throw err;
  });
  const url = withDatabase(ADMIN_URL, name);
  const db = await openDb({ databaseUrl: url });
  try {
    await migrate(db, { sources: migrationSources() });
    const ledger = createLedgerService({ db });
    const kept = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM merchant_invoices`);
    const reuse = KEEP_DATABASE !== undefined && Number(kept.rows[0]?.n) === ROWS;
    if (!reuse && Number(kept.rows[0]?.n) !== 0) {
      throw new Error(`database ${name} holds another data set: drop it first`);
    }
    if (!reuse) {
      const usd = await ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
      if (!usd.ok) throw new Error('cannot create USD');
    }

    // Index definitions as the migration made them, dropped for the load and rebuilt.
    const { rows: defs } = await db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY($1::text[])`,
      [SEARCH_INDEXES],
    );
    let start: Date;
    let loadSeconds = 0;
    let indexSeconds = 0;
    if (reuse) {
      // Row n was created at start + n × 365 days ÷ rows (see `load`).
      const { rows: first } = await db.query<{ start: Date }>(
        `SELECT created_at - interval '365 days' / $2::int AS start FROM merchant_invoices WHERE id = $1`,
        [invoiceId(1), ROWS],
      );
      if (!first[0]) throw new Error(`database ${name} has no invoice 1`);
      start = first[0].start;
      console.log(`Reusing the ${ROWS.toLocaleString('en')} invoices kept in ${name}.`);
    } else {
      for (const d of defs) await db.query(`DROP INDEX ${d.indexname}`);
      let t0 = performance.now();
      ({ start } = await load(db, ROWS));
      loadSeconds = (performance.now() - t0) / 1000;
      t0 = performance.now();
      for (const d of defs) await db.query(d.indexdef);
      await db.query('ANALYZE merchant_invoices');
      await db.query('ANALYZE merchant_payments');
      await db.query('ANALYZE merchant_invoice_options');
      indexSeconds = (performance.now() - t0) / 1000;
      console.log(
        `Loaded ${ROWS.toLocaleString('en')} invoices in ${round(loadSeconds)} s; ${defs.length} search indexes built in ${round(indexSeconds)} s.`,
      );
    }

    const invoices = createInvoiceService({
      db,
      ledger,
      outbox: {
        publish: () => Promise.reject(new Error('the search publishes nothing')),
        publishEachStatement: () => {
          throw new Error('the search publishes nothing');
        },
      },
      price: () => Promise.reject(new Error('the search prices nothing')),
      merchant: () => Promise.resolve(undefined),
      walletSpend: () => Promise.reject(new Error('the search pays nothing')),
      clock: () => new Date(),
      settings: { assets: ['USD'] },
    });
    let textMatch = '';
    const search = async (input: InvoiceSearchInput) => {
      const r = await invoices.search(MAIN, input, { limit: 21 });
      if (isFailure(r)) throw new Error(`search refused: ${r.code}`);
      textMatch = r.textMatch;
      return Math.min(20, r.invoices.length);
    };
    const all = kinds(ROWS, start);
    // Warm the caches the way a running server has them.
    for (const k of all) await measure(search, k, 3, 30);

    const indexed: Measured[] = [];
    for (const k of all) indexed.push(await measure(search, k, QUERIES, 60));
    const plans: string[][] = [];
    for (const k of all) plans.push(await planOf(db, k.make(), textMatch as TextMatch));

    // Baseline: the same queries without the search indexes, rolled back afterwards.
    const baseline: Measured[] = [];
    const rolledBack = new Error('baseline done');
    await db
      .transaction(async () => {
        for (const d of defs) await db.query(`DROP INDEX ${d.indexname}`);
        for (const k of all) {
          baseline.push(await measure(search, k, BASELINE_QUERIES, BASELINE_SECONDS));
        }
        throw rolledBack;
      })
      .catch((err: unknown) => {
        if (err !== rolledBack) throw err;
      });
    const pk = await measure(
      async (input) => {
        const { rows } = await db.query('SELECT id FROM merchant_invoices WHERE id = $1', [
          input.id,
        ]);
        return rows.length;
      },
      all[0] as Kind,
      QUERIES,
      30,
    );

    const out: string[][] = [
      ['query kind', 'p50 ms', 'p99 ms', 'hits', 'no index p50', 'no index p99', 'floor'],
    ];
    const results = indexed.map((m, i) => {
      const b = baseline[i] as Measured;
      const plan = plans[i] ?? [];
      const met = m.p99Ms <= FLOOR_MS && !seqScanOfData(plan);
      out.push([
        m.kind,
        String(m.p50Ms),
        String(m.p99Ms),
        String(m.meanHits),
        String(b.p50Ms),
        String(b.p99Ms),
        met ? 'met' : 'NOT met',
      ]);
      return { ...m, plan, baseline: b, floorMet: met };
    });
    const floorMet = results.every((r) => r.floorMet);
    console.log(
      `Invoice search, ${ROWS.toLocaleString('en')} invoices (${textMatch}); page of 20 loaded with options and payments; PostgreSQL, shared machine (noisy):`,
    );
    console.log(table(out));
    console.log('Plans (EXPLAIN of one search of each kind):');
    for (const r of results) console.log(`  ${r.kind}: ${[...new Set(r.plan)].join(', ')}`);
    console.log(
      `Baseline primary-key lookup (SELECT id … WHERE id = $1): p50 ${pk.p50Ms} ms, p99 ${pk.p99Ms} ms.`,
    );
    console.log(
      `Floor p99 ≤ ${FLOOR_MS} ms for every query kind: ${floorMet ? 'met' : 'NOT met'}.`,
    );
    if (results.some((r) => r.queries === 0 || r.baseline.queries === 0)) {
      throw new Error('a query kind ran no query');
    }
    mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(REPO_ROOT, 'bench/results', resultsFile('merchants-search')),
      `${JSON.stringify(
        {
          smoke: SMOKE,
          rows: ROWS,
          mainAccountRows: ROWS - Math.floor(ROWS / 10),
          textMatch,
          loadSeconds: round(loadSeconds),
          indexSeconds: round(indexSeconds),
          floorMs: FLOOR_MS,
          floorMet,
          primaryKeyLookup: pk,
          results,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await db.close();
    if (KEEP_DATABASE === undefined) {
      await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  }
}

await main();
