/**
 * `npm run bench:commerce`: coupon code generation, redemptions and checkouts on a real
 * PostgreSQL server, in process (the services, no HTTP).
 *
 * 1. Code generation: N codes (default 1,000,000) generated as the API's job does it
 *    (`startGeneration`, then the job runs), against baselines measured in the same run on
 *    the same database: a COPY (FROM STDIN, pg-copy-streams) of N random 10-character
 *    strings, sorted, into a one-column table with a unique index (what keeping N strings
 *    distinct in the database costs at COPY speed), and the same COPY into a table with no
 *    index. Floor (issue 21): ≤ 10 s and ≤ 1.5× the unique COPY.
 *    Then a page of 100 codes listed at the start and at the end of those codes (keyset
 *    over the listing chunks: the last page should cost what the first does).
 * 2. Redemptions with random codes: C concurrent callers each redeem a random generated
 *    single-use code for an order of 10.00 for BENCH_SECONDS, through the redemption API's
 *    path without HTTP (`ExternalRedemptions.redeem`, what POST /v1/campaigns/redemptions
 *    calls: the code's campaign looked up with concurrent callers' codes in one statement,
 *    its rules from the in-process cache, the discount computed, then
 *    `campaigns.reserve` outside a transaction, where concurrent calls share one
 *    statement and one commit (migration 0131); nothing is read back). No actor is given,
 *    so no audit entry is written (over HTTP it rides in the same statement). Floor
 *    ≥ 5,000/s.
 *    Its baseline in the same run: the same callers each making one autocommitted
 *    single-row INSERT (one commit per call).
 * 3. One capped campaign: a shared code, the campaign capped at K; C callers redeem until
 *    it is exhausted. Floor ≥ 2,000/s; afterwards exactly K redemptions must exist.
 * 4. Checkouts with inventory reservation on one hot variant: C callers check out guest
 *    carts of one unit; reserved units must equal the orders made.
 *
 * Environment: TEST_DATABASE_URL or BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_CODES, BENCH_SECONDS, BENCH_CLIENTS,
 * BENCH_CAP, BENCH_SMOKE=1 (small), BENCH_PART=1 (code generation and its listing only;
 * results in commerce-generation.json), BENCH_PART=2 (the redemption parts only, 2 and 3,
 * with their baseline, over BENCH_CODES codes generated first; results in
 * commerce-redemptions.json). Each rate is printed with the CPU it cost per call, of this
 * process and of the database's backends (/proc), which a shared machine's load blurs
 * less than the rate. Floors are printed and, outside smoke mode, make
 * the exit code non-zero when missed. Results: bench/results/commerce.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_ALPHABET, generateCodes } from '../../src/campaigns/codes.js';
import { createExternalRedemptions } from '../../src/campaigns/redemptions.js';
import { GenerateCodesQueue } from '../../src/campaigns/service.js';
import { isFailure } from '../../src/platform/failure.js';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { merchantOf, plainUser } from '../../test/fixtures/commerce/setup.js';
import { cpuSince, type CpuSpent } from '../lib/proc-cpu.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { round, table } from '../lib/stats.js';

const URL_ =
  process.env['BENCH_DATABASE_URL'] ??
  process.env['TEST_DATABASE_URL'] ??
  'postgres://postgres@127.0.0.1:5432/postgres';
process.env['VW_TEST_DB'] = 'postgres';
process.env['TEST_DATABASE_URL'] = URL_;

const CODES = setting('BENCH_CODES', 1_000_000, 5_000);
const SECONDS = setting('BENCH_SECONDS', 5, 0.5);
const CLIENTS = setting('BENCH_CLIENTS', 16, 4);
const CAP = setting('BENCH_CAP', 20_000, 200);
const STOCK = setting('BENCH_STOCK', 5_000, 100);
/** BENCH_PART=1: part 1 only (code generation and its listing). */
const ONLY_GENERATION = process.env['BENCH_PART'] === '1';
/** BENCH_PART=2: parts 2 and 3 only (redemptions, random and capped, and their baseline). */
const ONLY_REDEMPTIONS = process.env['BENCH_PART'] === '2';
/** The database the bench runs in, whose backends' CPU is counted (set in main). */
let benchDatabase: string | undefined;

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
};

/** COPY FROM STDIN of `lines` into `table`, on one connection of the test database. */
async function copyLines(url: string, sql: string, lines: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    const stream = client.query(copyFrom(sql));
    const chunks = function* () {
      for (let at = 0; at < lines.length; at += 10_000) {
        yield `${lines.slice(at, at + 10_000).join('\n')}\n`;
      }
    };
    await pipeline(Readable.from(chunks()), stream);
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

async function codeGeneration(t: TestApp, url: string) {
  const strings = [
    ...new Set(generateCodes({ length: 10, prefix: '', alphabet: DEFAULT_ALPHABET }, CODES + 1000)),
  ]
    .slice(0, CODES)
    .sort();
  await t.vw.db.exec(`CREATE TABLE bench_copy_unique (s text NOT NULL);
    CREATE UNIQUE INDEX bench_copy_unique_s ON bench_copy_unique (s);
    CREATE TABLE bench_copy_plain (s text NOT NULL);`);
  const copyUnique = await copyLines(url, 'COPY bench_copy_unique (s) FROM STDIN', strings);
  const copyPlain = await copyLines(url, 'COPY bench_copy_plain (s) FROM STDIN', strings);
  await t.vw.db.exec('DROP TABLE bench_copy_unique; DROP TABLE bench_copy_plain;');

  const campaign = await t.vw.campaigns.create('usr_bench', {
    name: 'Bench',
    channel: 'bench',
    currency: 'USD',
    startsAt: new Date(Date.now() - 60_000),
    rule: { kind: 'percentage', percentBps: 500 },
  });
  if (isFailure(campaign)) throw new Error(campaign.code);
  const started = performance.now();
  const gen = await t.vw.campaigns.startGeneration('usr_bench', campaign.id, { count: CODES });
  if (isFailure(gen)) throw new Error(gen.code);
  await t.vw.jobs.runDue({ queues: [GenerateCodesQueue.name] });
  const seconds = (performance.now() - started) / 1000;
  const after = await t.vw.campaigns.getGeneration('usr_bench', campaign.id, gen.id);
  const { rows } = await t.vw.db.query<{ n: bigint; d: bigint }>(
    `SELECT count(*) AS n, count(DISTINCT code) AS d
       FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
      WHERE b.campaign_id = $1`,
    [campaign.id],
  );
  check(
    !isFailure(after) && after.status === 'succeeded' && after.generated === CODES,
    'generation job did not finish',
  );
  check(
    rows.at(0)?.n === BigInt(CODES) && rows.at(0)?.d === BigInt(CODES),
    'codes missing or repeated',
  );
  return { campaignId: campaign.id, seconds, copyUnique, copyPlain };
}

/** Runs `work` from `clients` callers for `seconds`; counts the calls that returned true. */
async function measure(
  clients: number,
  seconds: number,
  work: (caller: number, i: number) => Promise<boolean>,
  until?: () => boolean,
) {
  let ok = 0;
  let refused = 0;
  const deadline = performance.now() + seconds * 1000;
  const spent = cpuSince(benchDatabase);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, caller) => {
      for (let i = 0; performance.now() < deadline && !(until?.() ?? false); i++) {
        if (await work(caller, i)) ok++;
        else refused++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = spent();
  return { ok, refused, seconds: elapsed, cpu, cpuPerCall: perCall(cpu, ok + refused) };
}

/** CPU microseconds per call, of this process and of the database's backends. */
function perCall(cpu: CpuSpent, calls: number) {
  return {
    nodeMicros: Math.round((cpu.nodeSeconds * 1e6) / Math.max(1, calls)),
    databaseMicros: Math.round((cpu.databaseSeconds * 1e6) / Math.max(1, calls)),
  };
}

const cpuNote = (r: { cpuPerCall: ReturnType<typeof perCall> }) =>
  `CPU/call node ${r.cpuPerCall.nodeMicros} µs, db ${r.cpuPerCall.databaseMicros} µs`;

/**
 * A page of 100 of the generated codes, first and last: the listing pages by keyset over
 * its chunks of codes, so the last page should cost what the first does. Median of 20 reads.
 */
async function listingPages(t: TestApp, campaignId: string) {
  const { rows } = await t.vw.db.query<{ code: string }>(
    `SELECT c.code FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
      WHERE b.campaign_id = $1 ORDER BY c.batch DESC, c.code COLLATE "C" DESC LIMIT 1 OFFSET 100`,
    [campaignId],
  );
  const deep = rows.at(0)?.code;
  if (deep === undefined) throw new Error('no codes to list');
  const pageMs = async (startingAfter?: string) => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const page = await t.vw.campaigns.listCodes('usr_bench', campaignId, {
        limit: 100,
        ...(startingAfter !== undefined ? { startingAfter } : {}),
      });
      times.push(performance.now() - started);
      check(!isFailure(page) && page.length === 100, 'a listing page came back short');
    }
    return times.sort((x, y) => x - y)[10] ?? 0;
  };
  return { firstPageMs: await pageMs(), lastPageMs: await pageMs(deep) };
}

/** The merchant the bench's campaigns are made for (a nominal id: no merchant row is needed). */
const BENCH_MERCHANT = 'usr_bench';

async function redemptionsRandom(t: TestApp, campaignId: string) {
  const { rows } = await t.vw.db.query<{ code: string }>(
    `SELECT c.code FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
      WHERE b.campaign_id = $1`,
    [campaignId],
  );
  const codes = rows.map((r) => r.code);
  // Shuffled: each caller takes the next unused code at random positions of the index.
  for (let i = codes.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [codes[i], codes[j]] = [codes[j] ?? '', codes[i] ?? ''];
  }
  const api = createExternalRedemptions({
    db: t.vw.db,
    campaigns: t.vw.campaigns,
    clock: () => new Date(),
  });
  let next = 0;
  const r = await measure(CLIENTS, SECONDS, async () => {
    const code = codes[next++ % codes.length] ?? '';
    const res = await api.redeem(BENCH_MERCHANT, {
      code,
      orderRef: `bench-${randomBytes(8).toString('hex')}`,
      customer: 'bench-buyer',
      currency: 'USD',
      orderTotal: 1000n,
    });
    return !isFailure(res);
  });
  return { ...r, perSecond: r.ok / r.seconds };
}

/**
 * What one commit per call costs on this server: the same callers for the same time, each
 * making one autocommitted single-row INSERT (one round trip and one commit, no guard to
 * evaluate). Redemptions share their commits (group commit), so they can pass it; the
 * ratio of the two is what compares across machines and loads.
 */
async function commitCeiling(t: TestApp) {
  await t.vw.db.exec('CREATE TABLE bench_commit_ceiling (n bigint NOT NULL, at timestamptz)');
  try {
    const r = await measure(CLIENTS, SECONDS, async (caller, i) => {
      await t.vw.db.query('INSERT INTO bench_commit_ceiling (n, at) VALUES ($1, now())', [
        caller * 1_000_000_000 + i,
      ]);
      return true;
    });
    return { ...r, perSecond: r.ok / r.seconds };
  } finally {
    await t.vw.db.exec('DROP TABLE bench_commit_ceiling');
  }
}

async function redemptionsCapped(t: TestApp) {
  const campaign = await t.vw.campaigns.create('usr_bench', {
    name: 'Capped',
    channel: 'bench',
    currency: 'USD',
    startsAt: new Date(Date.now() - 60_000),
    rule: { kind: 'fixed', amount: 100n },
    redemptionLimit: CAP,
  });
  if (isFailure(campaign)) throw new Error(campaign.code);
  const code = `CAPPED${randomBytes(4).toString('hex').toUpperCase()}`;
  const added = await t.vw.campaigns.addCode('usr_bench', campaign.id, { code });
  if (isFailure(added)) throw new Error(added.code);
  const state = { exhausted: false };
  const r = await measure(
    CLIENTS,
    SMOKE ? 30 : 120,
    async () => {
      const res = await t.vw.campaigns.reserve({
        code,
        orderId: `ord_cap_${randomBytes(8).toString('hex')}`,
        customerKey: `usr_${randomBytes(4).toString('hex')}`,
        currency: 'USD',
        discount: 100n,
        orderTotal: 1000n,
      });
      if (isFailure(res)) state.exhausted = true;
      return !isFailure(res);
    },
    () => state.exhausted,
  );
  const { rows } = await t.vw.db.query<{ used: number; n: bigint }>(
    `SELECT (SELECT sum(used) FROM campaign_cap_shards WHERE campaign_id = $1)::int AS used,
            (SELECT count(*) FROM campaign_redemptions WHERE campaign_id = $1) AS n`,
    [campaign.id],
  );
  // Exhausted: exactly CAP granted. Out of time first: the counters match what was granted.
  const exhausted = state.exhausted;
  const granted = exhausted ? CAP : r.ok;
  check(r.ok === granted, `capped campaign gave ${r.ok} redemptions, cap ${CAP}`);
  check(
    rows.at(0)?.used === granted && rows.at(0)?.n === BigInt(granted),
    'capped campaign counters disagree with the redemptions granted',
  );
  return { ...r, cap: CAP, exhausted, perSecond: r.ok / r.seconds, exact: r.ok === granted };
}

async function checkouts(t: TestApp) {
  // A store belongs to a merchant tenant; each checkout opens its invoice.
  const owner = await plainUser(t, 'bench-store-owner@example.com');
  const tenant = await merchantOf(t, owner.id, 'Bench merchant');
  const store = await t.vw.commerce.catalog.createStore(owner.id, {
    merchantId: tenant.id,
    name: 'Hot store',
    position: { x: 1, y: 1 },
    taxBps: 0,
  });
  if (isFailure(store)) throw new Error(store.code);
  const product = await t.vw.commerce.catalog.createProduct(owner.id, store.id, {
    name: 'Hot item',
    variants: [{ sku: 'HOT', name: 'One size', prices: { USD: '5.00' }, stock: STOCK }],
  });
  if (isFailure(product)) throw new Error(product.code);
  const variant = product.variants[0];
  if (!variant) throw new Error('no variant');
  const orders = t.vw.commerce.orders;
  let soldOut = false;
  const r = await measure(
    CLIENTS,
    SECONDS,
    async () => {
      const made = await orders.createCart({ storeId: store.id, currency: 'USD' });
      if (isFailure(made) || made.secret === null) throw new Error('cart');
      const access = { secret: made.secret };
      const set = await orders.setItem(made.cart.id, access, variant.id, 1);
      if (isFailure(set)) throw new Error(set.code);
      const order = await orders.checkout(made.cart.id, access, { email: 'b@example.com' });
      if (isFailure(order)) soldOut = true;
      return !isFailure(order);
    },
    () => soldOut,
  );
  const { rows } = await t.vw.db.query<{ reserved: number; n: bigint }>(
    `SELECT reserved, (SELECT count(*) FROM commerce_orders WHERE store_id = $2) AS n
       FROM commerce_variants WHERE id = $1`,
    [variant.id, store.id],
  );
  check(
    rows.at(0)?.reserved === r.ok && rows.at(0)?.n === BigInt(r.ok),
    'reserved units disagree with orders',
  );
  check(r.ok <= STOCK, 'oversold');
  return { ...r, stock: STOCK, perSecond: r.ok / r.seconds, soldOut };
}

/** Part 1 alone (BENCH_PART=1): code generation and the listing of its codes. */
async function generationOnly(t: TestApp, url: string): Promise<void> {
  const gen = await codeGeneration(t, url);
  const ratio = gen.seconds / gen.copyUnique;
  const listing = await listingPages(t, gen.campaignId);
  const floors = { generationSeconds: gen.seconds <= 10, generationVsCopy: ratio <= 1.5 };
  console.log(
    table([
      ['measure', 'figure', 'baseline / floor'],
      [
        `generate ${CODES} codes`,
        `${round(gen.seconds, 2)} s (${round(ratio, 2)}× unique COPY)`,
        `COPY unique ${round(gen.copyUnique, 2)} s, COPY plain ${round(gen.copyPlain, 2)} s; floor ≤ 10 s, ≤ 1.5×`,
      ],
      [
        `list a page of 100 of the ${CODES} codes`,
        `last page ${round(listing.lastPageMs, 1)} ms`,
        `first page ${round(listing.firstPageMs, 1)} ms (median of 20 each)`,
      ],
    ]),
  );
  finish('commerce-generation', {
    smoke: SMOKE,
    machine: 'shared: 2 cores, other work running; figures are noisy',
    codes: CODES,
    generation: { ...gen, ratioToUniqueCopy: ratio },
    listing,
    floors,
    checks: failures,
  });
}

/** Parts 2 and 3 alone (BENCH_PART=2): redemptions, random and capped, with the baseline. */
async function redemptionsOnly(t: TestApp, url: string): Promise<void> {
  const gen = await codeGeneration(t, url);
  const before = t.vw.campaigns.reserveBatching();
  const random = await redemptionsRandom(t, gen.campaignId);
  const after = t.vw.campaigns.reserveBatching();
  const ceiling = await commitCeiling(t);
  const capped = await redemptionsCapped(t);
  const floors = {
    redemptionsRandom: random.perSecond >= 5000,
    redemptionsCapped: capped.perSecond >= 2000,
  };
  const batches = after.batches - before.batches;
  console.log(
    table([
      ['measure', 'figure', 'baseline / floor'],
      [
        'redemptions, random codes',
        `${round(random.perSecond)}/s (${round(random.perSecond / ceiling.perSecond, 2)}× INSERT); ${cpuNote(random)}`,
        `floor ≥ 5,000/s (${CLIENTS} callers); one-row INSERT per commit ${round(ceiling.perSecond)}/s, ${cpuNote(ceiling)}`,
      ],
      [
        '  their batches',
        `${batches} batches, ${round((after.items - before.items) / Math.max(1, batches), 1)} items each`,
        '',
      ],
      [
        `redemptions, one campaign capped at ${CAP}`,
        `${round(capped.perSecond)}/s, ${capped.ok} granted; ${cpuNote(capped)}`,
        `floor ≥ 2,000/s, exactly ${CAP}`,
      ],
    ]),
  );
  finish('commerce-redemptions', {
    smoke: SMOKE,
    machine: 'shared: 2 cores, other work running; figures are noisy',
    loadAverage: loadavg(),
    codes: CODES,
    clients: CLIENTS,
    redemptionsRandom: { ...random, ratioToInsertPerCommit: random.perSecond / ceiling.perSecond },
    commitCeiling: ceiling,
    redemptionsCapped: capped,
    floors,
    checks: failures,
  });
}

/** Writes the results and sets the exit code: checks failed, or floors missed in a full run. */
function finish(
  name: string,
  result: { floors: Record<string, boolean>; [k: string]: unknown },
): void {
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, resultsFile(name)), `${JSON.stringify(result, null, 2)}\n`);
  if (failures.length > 0) {
    console.error(`FAILED: ${failures.join('; ')}`);
    process.exitCode = 1;
  } else if (!SMOKE && Object.values(result.floors).some((ok) => !ok)) {
    console.error(`floors missed: ${JSON.stringify(result.floors)}`);
    process.exitCode = 1;
  }
}

async function main(): Promise<void> {
  announceSmoke(`${CODES} codes, ${SECONDS} s per rate, ${CLIENTS} callers, cap ${CAP}`);
  const t = await createTestApp({ VW_COMMERCE_RESERVATION_TTL_SECONDS: '3600' });
  try {
    await t.vw.ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
    const url = t.testDb.url;
    if (!url) throw new Error('the bench needs PostgreSQL');
    benchDatabase = new URL(url).pathname.slice(1);
    if (ONLY_GENERATION) {
      await generationOnly(t, url);
      return;
    }
    if (ONLY_REDEMPTIONS) {
      await redemptionsOnly(t, url);
      return;
    }
    const gen = await codeGeneration(t, url);
    const ratio = gen.seconds / gen.copyUnique;
    const listing = await listingPages(t, gen.campaignId);
    const random = await redemptionsRandom(t, gen.campaignId);
    const ceiling = await commitCeiling(t);
    const capped = await redemptionsCapped(t);
    const checkout = await checkouts(t);

    const floors = {
      generationSeconds: gen.seconds <= 10,
      generationVsCopy: ratio <= 1.5,
      redemptionsRandom: random.perSecond >= 5000,
      redemptionsCapped: capped.perSecond >= 2000,
    };
    console.log(
      table([
        ['measure', 'figure', 'baseline / floor'],
        [
          `generate ${CODES} codes`,
          `${round(gen.seconds, 2)} s (${round(ratio, 2)}× unique COPY)`,
          `COPY unique ${round(gen.copyUnique, 2)} s, COPY plain ${round(gen.copyPlain, 2)} s; floor ≤ 10 s, ≤ 1.5×`,
        ],
        [
          `list a page of 100 of the ${CODES} codes`,
          `last page ${round(listing.lastPageMs, 1)} ms`,
          `first page ${round(listing.firstPageMs, 1)} ms (median of 20 each)`,
        ],
        [
          'redemptions, random codes',
          `${round(random.perSecond)}/s (${round(random.perSecond / ceiling.perSecond, 2)}× INSERT); ${cpuNote(random)}`,
          `floor ≥ 5,000/s (${CLIENTS} callers); one-row INSERT per commit ${round(ceiling.perSecond)}/s, ${cpuNote(ceiling)}`,
        ],
        [
          `redemptions, one campaign capped at ${CAP}`,
          `${round(capped.perSecond)}/s, ${capped.ok} granted`,
          `floor ≥ 2,000/s, exactly ${CAP}`,
        ],
        [
          'checkouts, one hot variant',
          `${round(checkout.perSecond)}/s, ${checkout.ok} orders`,
          `stock ${STOCK}${checkout.soldOut ? ' (sold out)' : ''}`,
        ],
      ]),
    );
    const result = {
      smoke: SMOKE,
      machine: 'shared: 2 cores, other work running; figures are noisy',
      codes: CODES,
      clients: CLIENTS,
      generation: { ...gen, ratioToUniqueCopy: ratio },
      listing,
      redemptionsRandom: {
        ...random,
        ratioToInsertPerCommit: random.perSecond / ceiling.perSecond,
      },
      commitCeiling: ceiling,
      redemptionsCapped: capped,
      checkouts: checkout,
      floors,
      checks: failures,
    };
    finish('commerce', result);
  } finally {
    await t.close();
  }
}

await main();
