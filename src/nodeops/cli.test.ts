import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnVaultwire } from '../../test/support/process.js';

/**
 * `vaultwire monitors …` and `vaultwire backups status`, run as an operator runs them:
 * the real command in a child process on the embedded database, output and exit codes
 * as printed. Each command opens the data directory itself, so what one wrote the next
 * one reads.
 */
const root = mkdtempSync(join(tmpdir(), 'vw-nodeops-cli-'));
const backups = join(root, 'backups');
mkdirSync(backups);
writeFileSync(join(backups, 'hub-12345.tar.zst'), 'x');
const env = {
  VW_DATA_DIR: join(root, 'data'),
  VW_PASSWORD_KDF_LOG2N: '10',
  VW_NODEOPS: JSON.stringify({ backupPathRoots: [backups], ssrfAllow: ['127.0.0.0/8'] }),
};

async function vaultwire(...args: string[]): Promise<{ code: number | string; out: string }> {
  const p = spawnVaultwire(args, env);
  const code = await p.exited;
  // Log lines are JSON; what the command prints for a person is not.
  return { code, out: p.lines.filter((l) => l !== '' && !l.startsWith('{')).join('\n') };
}

describe('vaultwire monitors and backups', () => {
  it(
    'adds, lists and removes monitors, refuses bad ones without writing, and shows backups by region',
    { timeout: 1_200_000 },
    async () => {
      const web = await vaultwire(
        'monitors',
        'add',
        'status-page',
        '--kind',
        'http',
        '--url',
        'http://127.0.0.1:9/health',
        '--keyword',
        'ok',
        '--expect-status',
        '200,204',
      );
      expect(web.code, web.out).toBe(0);
      expect(web.out).toMatch(/^Added http monitor status-page \(nmo_[0-9A-Z]+\)$/);

      const job = await vaultwire('monitors', 'add', 'snapshot-job', '--kind', 'push');
      expect(job.code, job.out).toBe(0);
      expect(job.out).toMatch(/Push token \(shown only now\): [A-Za-z0-9_-]{24,}/);

      const snap = await vaultwire(
        'monitors',
        'add',
        'hub-snap-eu',
        '--kind',
        'backup',
        '--chain',
        'hub',
        '--region',
        'eu',
        '--path',
        backups,
        '--max-age',
        '3600',
      );
      expect(snap.code, snap.out).toBe(0);

      // Refused: a backup monitor needs a region (and nothing is written: see the list).
      const noRegion = await vaultwire(
        'monitors',
        'add',
        'bad-1',
        '--kind',
        'backup',
        '--path',
        backups,
      );
      expect(noRegion.code).toBe(1);
      expect(noRegion.out).toMatch(/^Not added: region: /m);
      const list = await vaultwire('monitors', 'list');
      expect(list.code).toBe(0);
      const lines = list.out.split('\n');
      expect(lines.map((l) => l.split(/\s+/)[0]).sort()).toEqual([
        'hub-snap-eu',
        'snapshot-job',
        'status-page',
      ]);
      expect(list.out).toMatch(/^hub-snap-eu\s+backup\s+hub\s+eu\s+unknown\s+\/\S+backups$/m);
      expect(list.out).toMatch(
        /^status-page\s+http\s+-\s+-\s+unknown\s+http:\/\/127\.0\.0\.1:9\/health$/m,
      );

      const status = await vaultwire('backups', 'status');
      expect(status.code).toBe(0);
      expect(status.out).toMatch(/^hub: freshest in no region \(no backup seen\)$/m);
      expect(status.out).toMatch(/^\s+eu\s+hub-snap-eu\s+none\s+age=-s\s+max=3600s\s+unknown$/m);

      const removed = await vaultwire('monitors', 'remove', 'status-page');
      expect(removed).toEqual({ code: 0, out: 'Removed status-page' });
      const after = await vaultwire('monitors', 'list', '--kind', 'http');
      expect(after).toEqual({ code: 0, out: 'No monitors.' });
    },
  );
});
