import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnVaultwire, type VaultwireProcess } from '../support/process.js';

/**
 * The README's walkthrough, as written: its shell block runs top to bottom under
 * `bash -e -o pipefail` against a freshly started server on the embedded database with
 * the default (`dev`) settings, so a seam in the README fails here before a reader hits it.
 */
function walkthroughScript(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Walkthrough'));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no "## Walkthrough" section with a sh block');
  return block;
}

function bash(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => {
      resolve({ code, out });
    });
  });
}

let server: VaultwireProcess | undefined;
afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.exited;
});

describe('README walkthrough', () => {
  it('runs top to bottom against a started server', { timeout: 240_000 }, async () => {
    // The reader's shell and server share a data directory (./data); here a fresh one.
    const shared = { VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-readme-')) };
    server = spawnVaultwire(['start'], { ...shared, PORT: '0', LOG_LEVEL: 'info' });
    const port = Number((await server.waitForLog('api listening', 120_000))['port']);
    const script = walkthroughScript();
    expect(script).toContain('http://127.0.0.1:8080');
    const run = await bash(script.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`), shared);
    expect(run.code, run.out).toBe(0);
    // What a reader checks by eye: Bob's handle, the payment, his balance, a statement.
    expect(run.out).toContain('"handle":"bob"');
    expect(run.out).toMatch(/"object":"payment".*"asset":"USD","amount":"25.00","note":"Dinner"/);
    expect(run.out).toMatch(/"asset":"USD","kind":"fiat","available":"25.00"/);
    // The CLI, run while the server holds the embedded database.
    expect(run.out).toMatch(/^USD\b.*25\.00/m);
    // Ada's USD: 500 deposited, 100 spent on BTC, 25 paid to Bob.
    expect(run.out).toMatch(/^[^,]+,closing_balance,,,,,375\.00$/m);
  });
});
