import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depositAddressFromXpub, hdWalletFromMnemonic } from '../../src/chains/custody/hd.js';
import { createEmptyPostgresDb } from '../support/db.js';
import { REPO_ROOT, spawnVaultwire, type VaultwireProcess } from '../support/process.js';

/**
 * The production image's contents, without Docker (none runs here): the Dockerfile's
 * steps done by hand in a folder outside the repository, so nothing resolves from the
 * repository's node_modules: production dependencies only (`npm ci --omit=dev`, what
 * `npm prune --omit=dev` leaves), the compiled tree (`npm run build`), `migrations/`,
 * then its ENTRYPOINT with its ENV under the prod profile against PostgreSQL. This is what
 * breaks an image that the source tests cannot see: a runtime import of a dev dependency,
 * a file read from `src/` or the repository, migrations not found from `dist/`.
 */

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

let dir: string;
let db: Awaited<ReturnType<typeof createEmptyPostgresDb>>;
let p: VaultwireProcess | undefined;

const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vw-image-'));
  for (const f of ['package.json', 'package-lock.json', 'migrations']) {
    cpSync(join(REPO_ROOT, f), join(dir, f), { recursive: true });
  }
  // From the npm cache the CI's own install filled; the registry only for what is missing.
  run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], dir);
  run(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(dir, 'dist'),
    ],
    REPO_ROOT,
  );
  db = await createEmptyPostgresDb();
}, 300_000);

afterAll(async () => {
  p?.kill('SIGKILL');
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the production image (Dockerfile) without Docker', () => {
  it('has no dev dependency, migrates, serves the API and its ops port, and stops cleanly', async () => {
    expect(existsSync(join(dir, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/vitest'))).toBe(false);
    expect(existsSync(join(dir, 'src'))).toBe(false);

    p = spawnVaultwire(
      ['start'],
      {
        NODE_ENV: 'production',
        VW_PROFILE: 'prod',
        VW_DATA_DIR: join(dir, 'data'),
        DATABASE_URL: db.url,
        VW_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'),
        HOST: '127.0.0.1',
        PORT: '0',
        VW_OPS_HOST: '127.0.0.1',
        VW_OPS_PORT: '0',
        VW_PASSWORD_KDF_LOG2N: '10',
        LOG_LEVEL: 'info',
      },
      'dist/bin/vaultwire.js',
      { cwd: dir, nodeArgs: ['--enable-source-maps'] },
    );
    const port = Number((await p.waitForLog('api listening'))['port']);
    const ops = Number((await p.waitForLog(/ops listening/))['port']);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ops}/livez`)).status).toBe(200);
    const signUp = await fetch(`http://127.0.0.1:${port}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', password: 'correct horse battery staple' }),
    });
    expect(signUp.status).toBe(201);
    const bad = await fetch(`http://127.0.0.1:${port}/v1/users`, { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBeTruthy();
    // Migrated from dist/: the schema is there, and the user row in it.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM users');
      expect(rows[0]?.n).toBe('1');
    } finally {
      await c.end();
    }
    p.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('derives deposit addresses on the compiled worker thread, and lets the process exit', () => {
    // The deriver finds `derive-worker.js` beside itself only in the compiled tree; the
    // source tests run the `.ts` path, so this is the one place the shipped path runs.
    // A worker that fails to start is not an error (derivation falls back to the main
    // thread, logged once), so the script reports the warnings it saw. It ends without
    // process.exit: an idle worker must not hold the process open.
    const script = join(dir, 'derive-probe.mjs');
    writeFileSync(
      script,
      `const { createAddressDeriver } = await import('./dist/chains/custody/deriver.js');
const { hdWalletFromMnemonic } = await import('./dist/chains/custody/hd.js');
const warnings = [];
const logger = { warn: (_o, msg) => warnings.push(msg), info() {}, error() {}, debug() {} };
const { depositXpub } = hdWalletFromMnemonic(${JSON.stringify(MNEMONIC)});
const addresses = await createAddressDeriver(logger).derive(depositXpub, [0, 1, 7]);
console.log(JSON.stringify({ addresses, warnings }));
`,
    );
    const r = spawnSync(process.execPath, [script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { addresses: string[]; warnings: string[] };
    expect(out.warnings).toEqual([]);
    const { depositXpub } = hdWalletFromMnemonic(MNEMONIC);
    expect(out.addresses).toEqual([0, 1, 7].map((i) => depositAddressFromXpub(depositXpub, i)));
    expect(out.addresses[0]).toBe('0x9858effd232b4033e47d90003d41ec34ecaeda94');
  });
});
