/**
 * `npm run bench:freeze`: how long a wallet freeze takes to answer while the frozen
 * user's own payments stream in, against the same freeze with no payments running
 * (the baseline, measured in the same run). After each freeze the user's ledger entries
 * are counted twice, 50 ms apart: any movement after the freeze answered is reported.
 *
 * Each round: BENCH_LOOPS loops each send one payment at a time (POST /v1/payments
 * through the in-process HTTP app, half with an Idempotency-Key), an operator freezes
 * the payer through the API, the loops keep sending (refused now), the operator
 * unfreezes. BENCH_FREEZES freezes per loop count. Just before each freeze the same
 * operator reads the same wallet (GET /v1/admin/wallets/@payer): that control shows what
 * any request costs under the load (the event loop and the connection pool are shared
 * with the loops), apart from what the freeze waits for. A payment's own latency (p50)
 * is printed too: a freeze should wait for about one payment in flight, not for the
 * stream.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_LOOPS (default 0,4,8), BENCH_FREEZES (default 40; 3 with BENCH_SMOKE=1).
 * Any payment that moves after its freeze answered fails the run (non-zero exit).
 */
import { performance } from 'node:perf_hooks';
import { isFailure } from '../../src/platform/failure.js';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { announceSmoke, setting } from '../lib/smoke.js';
import { percentile, round, table } from '../lib/stats.js';

const LOOP_COUNTS = (process.env['BENCH_LOOPS'] ?? '0,4,8').split(',').map(Number);
const FREEZES = setting('BENCH_FREEZES', 40, 3);
announceSmoke('bench:freeze');
process.env['TEST_DATABASE_URL'] =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
process.env['VW_TEST_DB'] = 'postgres';

const GENEROUS = {
  perTransaction: { USD: '1000000.00' },
  daily: { USD: '100000000.00' },
  perHour: 1_000_000,
};
const PASSWORD = 'benchmark password 1234';

async function login(t: TestApp, email: string): Promise<string> {
  const r = await t.request('POST', '/v1/sessions', { body: { email, password: PASSWORD } });
  if (r.status !== 201) throw new Error(`login: ${r.text}`);
  return (r.body as { token: string }).token;
}

async function main(): Promise<void> {
  const t = await createTestApp({
    VW_WALLET_TEST_RAIL_SETTLE_MS: '0',
    VW_WALLET_LIMITS: JSON.stringify({
      unverified: GENEROUS,
      verified: GENEROUS,
      enhanced: GENEROUS,
    }),
  });
  try {
    await t.vw.ledger.createAsset({ code: 'USD', kind: 'fiat', scale: 2 });
    const ops = await t.vw.identity.createAdmin(
      { email: 'ops@example.com', password: PASSWORD, handle: 'ops' },
      { type: 'system', id: 'bench' },
    );
    if (isFailure(ops)) throw new Error(ops.code);
    const opsToken = await login(t, 'ops@example.com');
    const ids: string[] = [];
    for (const handle of ['payer', 'payee']) {
      const r = await t.request('POST', '/v1/users', {
        body: { email: `${handle}@example.com`, password: PASSWORD, handle },
      });
      if (r.status !== 201) throw new Error(r.text);
      ids.push((r.body as { id: string }).id);
    }
    const userId = ids[0];
    if (!userId) throw new Error('no payer id');
    const payer = await login(t, 'payer@example.com');
    const deposit = await t.request('POST', '/v1/fiat_deposits', {
      token: payer,
      body: { asset: 'USD', amount: '10000000.00' },
    });
    if (deposit.status !== 201) throw new Error(deposit.text);
    await t.vw.wallet.processFiat('deposit', (deposit.body as { id: string }).id);

    const entries = async () => {
      const { rows } = await t.vw.db.query<{ n: bigint }>(
        `SELECT count(*) AS n FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
          WHERE a.owner = $1`,
        [userId],
      );
      return Number(rows[0]?.n ?? 0n);
    };

    const rows: string[][] = [
      [
        'payment loops',
        'freezes',
        'p50 ms',
        'p99 ms',
        'max ms',
        'read p50',
        'read p99',
        'paid',
        'payment p50',
        'moved after',
      ],
    ];
    for (const loops of LOOP_COUNTS) {
      const state = { running: true, paid: 0, n: 0 };
      const payments: number[] = [];
      const loop = async () => {
        for (let i = 0; state.running && i < 1_000_000; i++) {
          const key = state.n++;
          const sent = performance.now();
          const r = await t.request('POST', '/v1/payments', {
            token: payer,
            body: { to: '@payee', asset: 'USD', amount: '0.01' },
            ...(key % 2 === 0 ? { headers: { 'idempotency-key': `bench-${loops}-${key}` } } : {}),
          });
          if (r.status === 201) {
            state.paid++;
            payments.push(performance.now() - sent);
          } else if (r.status !== 403) throw new Error(`payment: ${r.status} ${r.text}`);
        }
      };
      const running = Array.from({ length: loops }, loop);
      const latencies: number[] = [];
      const reads: number[] = [];
      let movedAfter = 0;
      for (let i = 0; i < FREEZES; i++) {
        await new Promise((r) => setTimeout(r, 150));
        // The control: a read of the same wallet by the same operator, just before.
        const readStarted = performance.now();
        const read = await t.request('GET', '/v1/admin/wallets/@payer', { token: opsToken });
        reads.push(performance.now() - readStarted);
        if (read.status !== 200) throw new Error(`read: ${read.text}`);
        const started = performance.now();
        const f = await t.request('POST', '/v1/admin/wallets/@payer/freeze', {
          token: opsToken,
          body: { reason: 'bench' },
        });
        latencies.push(performance.now() - started);
        if (f.status !== 200) throw new Error(`freeze: ${f.text}`);
        const at = await entries();
        await new Promise((r) => setTimeout(r, 50));
        movedAfter += (await entries()) - at;
        const u = await t.request('POST', '/v1/admin/wallets/@payer/unfreeze', {
          token: opsToken,
          body: { reason: 'bench' },
        });
        if (u.status !== 200) throw new Error(`unfreeze: ${u.text}`);
      }
      state.running = false;
      await Promise.all(running);
      const sorted = [...latencies].sort((a, b) => a - b);
      const readSorted = [...reads].sort((a, b) => a - b);
      const paySorted = [...payments].sort((a, b) => a - b);
      rows.push([
        String(loops),
        String(FREEZES),
        String(round(percentile(sorted, 0.5))),
        String(round(percentile(sorted, 0.99))),
        String(round(sorted.at(-1) ?? Number.NaN)),
        String(round(percentile(readSorted, 0.5))),
        String(round(percentile(readSorted, 0.99))),
        String(state.paid),
        String(round(percentile(paySorted, 0.5))),
        String(movedAfter),
      ]);
    }
    console.log(table(rows));
    console.log('(0 loops: the baseline, a freeze with nothing else running)');
    const moved = rows.slice(1).some((row) => row[row.length - 1] !== '0');
    if (moved) {
      console.error('FAILED: money moved after a freeze had answered');
      process.exitCode = 1;
    }
  } finally {
    await t.close();
  }
}

await main();
