/**
 * `npm run bench:chains`: how fast the chain follower ingests ERC-20 Transfer logs, and
 * how fast Ponder indexes the same events, in the same run, from the same local node.
 *
 * 1. A local Hardhat node gets BENCH_BLOCKS blocks (default 2,000), each holding one
 *    `batchTransfer` that emits BENCH_LOGS Transfer logs (default 100), then 40 empty
 *    blocks so every one of them is past Ponder's finality for this chain (30).
 * 2. Vaultwire's follower, on a fresh embedded PGlite database on disk (the default of
 *    both products), reads every block (with its transactions), every log, decodes and
 *    stores the events, the outbox messages and the cursor: blocks/s and events/s from
 *    its first step to its cursor reaching the head.
 * 3. Ponder (from npm, `ponder start`, its PGlite default), indexing the token's
 *    Transfer events into a table: events/s from its server answering `/health` (so its
 *    build time is not counted against it) to `/ready` (historical indexing done).
 *
 * Results go to stdout and bench/results/chains.json. Floor: the follower at least
 * 1.5x Ponder's events/s. Ponder is installed on first use into bench/chains/ponder
 * (its own lockfile) with `npm ci --ignore-scripts`.
 *
 * Environment: BENCH_BLOCKS, BENCH_LOGS, BENCH_SKIP_PONDER=1 (follower only).
 * BENCH_SMOKE=1: 20 blocks x 10 logs, Ponder included (see bench/lib/smoke.ts). A run
 * whose baseline fails exits non-zero: a comparison without its baseline is no result.
 */
import { migrationSources } from '../../src/migrations.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { encodeFunctionData, type Address } from 'viem';
import { createEvmAdapter } from '../../src/chains/evm/adapter.js';
import { createRpcPool } from '../../src/chains/evm/rpc.js';
import { createFollower } from '../../src/chains/follower.js';
import { createChainMetrics } from '../../src/chains/metrics.js';
import { ChainSettingsSchema } from '../../src/chains/settings.js';
import { openDb } from '../../src/platform/db/drivers.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createLogger } from '../../src/platform/observability/logger.js';
import { createOutbox } from '../../src/platform/outbox/outbox.js';
import { createPostgresJobQueue } from '../../src/platform/queue/postgres.js';
import { contractAbi, startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { freePort } from '../../test/support/ports.js';
import { tokenConstructorArgs } from '../../test/fixtures/chains/harness.js';
import { announceSmoke, resultsFile, setting, SMOKE } from '../lib/smoke.js';
import { round, table } from '../lib/stats.js';

const BLOCKS = setting('BENCH_BLOCKS', 2000, 20);
const LOGS = setting('BENCH_LOGS', 100, 10);
const SKIP_PONDER = process.env['BENCH_SKIP_PONDER'] === '1';
const FINALITY_PADDING = 40;
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));
const logger = createLogger({ level: 'silent' });

interface Measured {
  seconds: number;
  blocks: number;
  events: number;
  blocksPerSecond: number;
  eventsPerSecond: number;
}

async function fill(node: LocalNode): Promise<{ token: Address; first: bigint; last: bigint }> {
  const from = node.accounts[0];
  if (!from) throw new Error('no account');
  const token = await node.deploy('VwToken', tokenConstructorArgs('Bench', 'BNCH', 18));
  const abi = contractAbi('VwToken');
  await node.send({
    from,
    to: token,
    data: encodeFunctionData({ abi, functionName: 'mint', args: [from, 10n ** 30n] }),
  });
  const recipients = Array.from(
    { length: LOGS },
    (_, i): Address => `0x${(0x1000 + i).toString(16).padStart(40, '0')}`,
  );
  const data = encodeFunctionData({ abi, functionName: 'batchTransfer', args: [recipients, 1n] });
  const started = performance.now();
  let first = 0n;
  let last = 0n;
  for (let i = 0; i < BLOCKS; i++) {
    const r = await node.send({ from, to: token, data, gas: BigInt(60_000 + LOGS * 40_000) });
    if (r.status !== '0x1') throw new Error(`batchTransfer failed in block ${r.blockNumber}`);
    if (i === 0) first = BigInt(r.blockNumber);
    last = BigInt(r.blockNumber);
    if ((i + 1) % 500 === 0) {
      process.stderr.write(
        `  filled ${i + 1}/${BLOCKS} blocks (${round((performance.now() - started) / 1000)} s)\n`,
      );
    }
  }
  await node.mine(FINALITY_PADDING);
  return { token, first, last };
}

async function runFollower(node: LocalNode, expected: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'vw-bench-chains-'));
  const db = await openDb({ dataDir: dir });
  try {
    await migrate(db, { sources: migrationSources() });
    const registry = new Registry();
    const jobs = createPostgresJobQueue({
      db,
      logger,
      registry,
      instanceId: 'bench',
      visibilityMs: 30_000,
      pollMs: 1000,
    });
    const outbox = createOutbox({ db, jobs, logger, registry });
    const settings = ChainSettingsSchema.parse({
      key: 'bench',
      chainId: node.chainId,
      rpcUrls: [node.url],
      confirmations: 12,
      startBlock: 0,
      nativeAsset: { code: 'ETH', decimals: 18 },
    });
    const metrics = createChainMetrics(registry);
    const rpc = createRpcPool({ chainKey: 'bench', urls: settings.rpcUrls, metrics });
    const adapter = createEvmAdapter({ settings, rpc });
    const follower = createFollower({ db, adapter, settings, outbox, metrics, logger });
    const ctx = {
      signal: new AbortController().signal,
      token: 1n,
      holder: 'bench',
      fence: () => Promise.resolve(),
    };
    const started = performance.now();
    let blocks = 0;
    for (;;) {
      const r = await follower.step(ctx);
      if (r.kind === 'advanced') blocks += r.blocks;
      else if (r.kind === 'idle') break;
      else throw new Error(`unexpected step: ${r.kind}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await db.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM chain_events WHERE kind = 'erc20' AND stage = 'confirmed'`,
    );
    const events = Number(rows[0]?.n ?? 0);
    if (events !== expected)
      throw new Error(`follower stored ${events} transfers, expected ${expected}`);
    return {
      seconds,
      blocks,
      events,
      blocksPerSecond: blocks / seconds,
      eventsPerSecond: events / seconds,
    };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function ensurePonder(): string {
  const root = join(here, 'ponder');
  if (!existsSync(join(root, 'node_modules', 'ponder'))) {
    process.stderr.write('installing ponder into bench/chains/ponder (npm ci --ignore-scripts)…\n');
    const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('npm ci of ponder failed');
  }
  return root;
}

const PONDER_CONFIG = `import { createConfig } from 'ponder';
import { erc20Abi } from 'viem';
export default createConfig({
  chains: { local: { id: Number(process.env.BENCH_CHAIN_ID), rpc: process.env.BENCH_RPC_URL } },
  contracts: {
    Token: { chain: 'local', abi: erc20Abi, address: process.env.BENCH_TOKEN, startBlock: 0 },
  },
});
`;
const PONDER_SCHEMA = `import { onchainTable } from 'ponder';
export const transfer = onchainTable('transfer', (t) => ({
  id: t.text().primaryKey(),
  from: t.hex().notNull(),
  to: t.hex().notNull(),
  amount: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
}));
`;
const PONDER_INDEX = `import { ponder } from 'ponder:registry';
import { transfer } from 'ponder:schema';
ponder.on('Token:Transfer', async ({ event, context }) => {
  await context.db.insert(transfer).values({
    id: event.id,
    from: event.args.from,
    to: event.args.to,
    amount: event.args.value,
    blockNumber: event.block.number,
  });
});
`;
const PONDER_API = `import { db } from 'ponder:api';
import schema from 'ponder:schema';
import { Hono } from 'hono';
import { count } from 'ponder';
const app = new Hono();
app.get('/count', async (c) => {
  const rows = await db.select({ n: count() }).from(schema.transfer);
  return c.json({ n: rows[0]?.n ?? 0 });
});
export default app;
`;

async function runPonder(node: LocalNode, token: Address, expected: number): Promise<Measured> {
  const root = ensurePonder();
  // A fresh project (cold RPC cache, empty PGlite) that resolves ponder from ./ponder.
  const app = mkdtempSync(join(tmpdir(), 'vw-bench-ponder-'));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  writeFileSync(join(app, 'ponder.config.ts'), PONDER_CONFIG);
  writeFileSync(join(app, 'ponder.schema.ts'), PONDER_SCHEMA);
  mkdirSync(join(app, 'src', 'api'), { recursive: true });
  writeFileSync(join(app, 'src', 'index.ts'), PONDER_INDEX);
  writeFileSync(join(app, 'src', 'api', 'index.ts'), PONDER_API);
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [
      join(root, 'node_modules', 'ponder', 'dist', 'esm', 'bin', 'ponder.js'),
      '--root',
      app,
      '--log-level',
      'warn',
      'start',
      '--port',
      String(port),
      '--hostname',
      '127.0.0.1',
      '--schema',
      'bench',
    ],
    {
      cwd: app,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? app,
        BENCH_RPC_URL: node.url,
        BENCH_CHAIN_ID: String(node.chainId),
        BENCH_TOKEN: token,
        PONDER_TELEMETRY_DISABLED: 'true',
        CI: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  proc.stdout.on('data', (b: Buffer) => output.push(b.toString()));
  proc.stderr.on('data', (b: Buffer) => output.push(b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const status = async (path: string) => {
    try {
      return (await fetch(url + path)).status;
    } catch {
      return 0;
    }
  };
  const waitFor = async (path: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`ponder exited: ${output.join('').slice(-3000)}`);
      if ((await status(path)) === 200) return performance.now();
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(
      `ponder ${path} not 200 within ${timeoutMs} ms: ${output.join('').slice(-3000)}`,
    );
  };
  try {
    const started = await waitFor('/health', 120_000);
    const done = await waitFor('/ready', 900_000);
    const body = (await (await fetch(`${url}/count`)).json()) as { n: number | string };
    if (Number(body.n) !== expected)
      throw new Error(`ponder indexed ${body.n} transfers, expected ${expected}`);
    const seconds = (done - started) / 1000;
    return {
      seconds,
      blocks: BLOCKS,
      events: expected,
      blocksPerSecond: BLOCKS / seconds,
      eventsPerSecond: expected / seconds,
    };
  } finally {
    proc.kill('SIGKILL');
    rmSync(app, { recursive: true, force: true });
  }
}

announceSmoke('the chain follower against Ponder');
const node = await startLocalNode({ blockGasLimit: 60_000_000 });
try {
  process.stderr.write(`filling the node: ${BLOCKS} blocks x ${LOGS} Transfer logs…\n`);
  const { token } = await fill(node);
  const expected = BLOCKS * LOGS + 1; // plus the mint
  process.stderr.write('vaultwire follower…\n');
  const follower = await runFollower(node, expected);
  let ponder: Measured | undefined;
  let ponderError: string | undefined;
  if (!SKIP_PONDER) {
    process.stderr.write('ponder…\n');
    try {
      ponder = await runPonder(node, token, expected);
    } catch (err) {
      ponderError = (err as Error).message;
    }
  }
  const ratio = ponder ? follower.eventsPerSecond / ponder.eventsPerSecond : undefined;
  const rows: string[][] = [
    ['', 'seconds', 'blocks/s', 'events/s'],
    [
      'vaultwire follower',
      String(round(follower.seconds, 2)),
      String(round(follower.blocksPerSecond)),
      String(Math.round(follower.eventsPerSecond)),
    ],
  ];
  if (ponder) {
    rows.push([
      'ponder (pglite)',
      String(round(ponder.seconds, 2)),
      String(round(ponder.blocksPerSecond)),
      String(Math.round(ponder.eventsPerSecond)),
    ]);
  }
  console.log(
    `\nchains ingest: ${BLOCKS} blocks x ${LOGS} ERC-20 Transfer logs, local Hardhat node, ${cpus().length} cores\n`,
  );
  console.log(table(rows));
  if (ratio !== undefined) {
    const floor = SMOKE ? 'not checked in a smoke run' : ratio >= 1.5 ? 'met' : 'NOT met';
    console.log(
      `\nratio (follower / ponder events/s): ${round(ratio, 2)}x  (floor 1.5x: ${floor})`,
    );
  } else if (ponderError) {
    console.log(`\nponder failed: ${ponderError.slice(0, 2000)}`);
    process.exitCode = 1;
  }
  mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(repo, 'bench', 'results', resultsFile('chains')),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        blocks: BLOCKS,
        logsPerBlock: LOGS,
        cores: cpus().length,
        node: process.version,
        follower,
        ponder: ponder ?? null,
        ponderVersion: '0.16.10',
        ponderError: ponderError ?? null,
        ratio: ratio ?? null,
        floor: 1.5,
        floorMet: ratio === undefined ? null : ratio >= 1.5,
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  await node.stop();
}
