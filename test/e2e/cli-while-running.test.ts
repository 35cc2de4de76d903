import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnVaultwire, type VaultwireProcess } from '../support/process.js';

/**
 * The CLI while `vaultwire start` holds the embedded database: each command runs in the
 * server (through the control socket in the data directory) and answers as it would
 * alone, exit codes included.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'vw-cli-live-'));
const env = {
  VW_DATA_DIR: dataDir,
  VW_PASSWORD_KDF_LOG2N: '10',
  PATH: process.env['PATH'] ?? '',
  HOME: process.env['HOME'] ?? '',
};

function cli(
  args: string[],
  stdin?: string,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/bin/vaultwire.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...env, ...extraEnv },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdin.end(stdin ?? '');
    p.on('close', (code) => {
      resolve({ code, out, err });
    });
  });
}

let server: VaultwireProcess;
let port: number;
beforeAll(async () => {
  server = spawnVaultwire(['start'], { ...env, PORT: '0', LOG_LEVEL: 'info' });
  port = Number((await server.waitForLog('api listening', 120_000))['port']);
  await server.waitForLog(/^vaultwire started/);
}, 180_000);
afterAll(async () => {
  server.kill('SIGTERM');
  await server.exited;
});

describe('the CLI on the embedded database', () => {
  it('opens the database itself when no server runs there', { timeout: 120_000 }, async () => {
    const alone = await cli(['assets', 'list'], undefined, {
      VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-cli-alone-')),
    });
    expect(alone.code, alone.err).toBe(0);
    expect(alone.out).toMatch(/^No assets/);
  });

  it(
    'runs commands in the server, with their output and exit codes',
    { timeout: 180_000 },
    async () => {
      const assets = await cli(['assets', 'list']);
      expect(assets.code, assets.err).toBe(0);
      expect(assets.out).toMatch(/^USD\s+fiat\s+scale\s+2/m);

      const admin = await cli(
        ['admin', 'create', '--email', 'ops@example.com', '--password-stdin'],
        'correct horse battery staple\n',
      );
      expect(admin.code, admin.err).toBe(0);
      // The admin exists for the server too: it can log in over HTTP.
      const login = await fetch(`http://127.0.0.1:${port}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'ops@example.com',
          password: 'correct horse battery staple',
        }),
      });
      expect(login.status).toBe(201);

      const fund = await cli([
        'wallet',
        'fund',
        '--user',
        'ops@example.com',
        '--asset',
        'USD',
        '--amount',
        '12.50',
      ]);
      expect(fund.code, fund.err).toBe(0);
      const balances = await cli(['wallet', 'balances', '--user', 'ops@example.com']);
      expect(balances.out).toMatch(/USD.*12\.50/);

      const unknown = await cli(['wallet', 'balances', '--user', 'nobody@example.com']);
      expect(unknown.code).toBe(1);
      expect(unknown.err).not.toBe('');

      const usage = await cli(['wallet', 'balances']);
      expect(usage.code).toBe(1);
      expect(usage.err).toMatch(/--user/);

      const verify = await cli(['ledger', 'verify']);
      expect(verify.code, verify.err).toBe(0);
    },
  );
});
