import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { auditVerifyCommand } from '../platform/audit/cli.js';
import { openDb } from '../platform/db/drivers.js';
import {
  adminCreateCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  type IdentityCliDeps,
} from './cli.js';

const PW = 'correct horse battery staple';

let t: TestApp;
let lines: { out: string[]; err: string[] };
let deps: IdentityCliDeps;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t.close();
});

function fresh(): IdentityCliDeps {
  lines = { out: [], err: [] };
  deps = {
    identity: t.vw.identity,
    scopes: t.vw.scopes,
    actor: { type: 'system', id: 'cli:tester' },
    output: {
      out: (l) => lines.out.push(l),
      err: (l) => lines.err.push(l),
    },
  };
  return deps;
}

describe('CLI command functions', () => {
  it('creates an admin, refusing a missing or weak password and a duplicate', async () => {
    expect(
      await adminCreateCommand(fresh(), { email: 'ops@example.com', password: undefined }),
    ).toBe(2);
    expect(lines.err.join()).toMatch(/--password-stdin/);
    expect(await adminCreateCommand(fresh(), { email: 'ops@example.com', password: 'short' })).toBe(
      2,
    );
    expect(await t.vw.identity.findUserByEmail('ops@example.com')).toBeUndefined();

    expect(await adminCreateCommand(fresh(), { email: 'Ops@Example.com', password: PW })).toBe(0);
    expect(lines.out.join()).toMatch(/Created admin usr_\w+ <ops@example.com>/);
    expect(await t.vw.identity.findUserByEmail('ops@example.com')).toMatchObject({
      role: 'admin',
    });
    expect(await adminCreateCommand(fresh(), { email: 'ops@example.com', password: PW })).toBe(1);
    expect(lines.err.join()).toMatch(/already exists/);

    const { events } = await t.vw.audit.list({ limit: 1, action: 'admin.created' });
    expect(events[0]).toMatchObject({ actorType: 'system', actorId: 'cli:tester' });
    expect(JSON.stringify(events[0]?.data)).not.toContain(PW);
  });

  let keyId = '';
  let secret = '';

  it('creates a key and prints only the secret on stdout', async () => {
    expect(
      await keysCreateCommand(fresh(), {
        email: 'ops@example.com',
        name: 'ci',
        scopes: 'profile:read, keys:read',
      }),
    ).toBe(0);
    expect(lines.out).toHaveLength(1);
    secret = lines.out[0] ?? '';
    expect(secret).toMatch(/^vwk_/);
    keyId = /key_\w+/.exec(lines.err.join())?.[0] ?? '';
    const me = await t.request('GET', '/v1/me', { token: secret });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe('ops@example.com');
  });

  it('refuses unknown scopes, unknown owners and bad dates', async () => {
    expect(
      await keysCreateCommand(fresh(), {
        email: 'ops@example.com',
        name: 'x',
        scopes: 'nope:read',
      }),
    ).toBe(2);
    expect(lines.err.join()).toMatch(/Unknown scope: nope:read.*profile:read/);
    expect(
      await keysCreateCommand(fresh(), {
        email: 'ghost@example.com',
        name: 'x',
        scopes: 'profile:read',
      }),
    ).toBe(1);
    expect(
      await keysCreateCommand(fresh(), {
        email: 'ops@example.com',
        name: 'x',
        scopes: 'profile:read',
        expiresAt: 'next tuesday',
      }),
    ).toBe(2);
  });

  it('lists keys without their secrets', async () => {
    expect(await keysListCommand(fresh(), {})).toBe(0);
    const text = lines.out.join('\n');
    expect(text).toContain(keyId);
    expect(text).toContain(`vwk_…${secret.slice(-4)}`);
    expect(text).not.toContain(secret.slice(4, 40));
    expect(await keysListCommand(fresh(), { email: 'ops@example.com', json: true })).toBe(0);
    const listed = JSON.parse(lines.out.join('\n')) as { id: string; status: string }[];
    expect(listed).toEqual([expect.objectContaining({ id: keyId, status: 'active' })]);
  });

  it('revokes a key: it stops working; revoking again is harmless; unknown ids fail', async () => {
    expect(await keysRevokeCommand(fresh(), keyId)).toBe(0);
    expect(lines.out.join()).toMatch(/Revoked/);
    expect((await t.request('GET', '/v1/me', { token: secret })).status).toBe(401);
    expect(await keysRevokeCommand(fresh(), keyId)).toBe(0);
    expect(lines.out.join()).toMatch(/already revoked/);
    expect(await keysRevokeCommand(fresh(), 'key_01JD7Q4Z8R3M5N6P7Q8R9S0T1V')).toBe(1);
  });

  it('verifies the audit chain, then names the first broken link after tampering', async () => {
    const out = fresh().output;
    expect(await auditVerifyCommand({ audit: t.vw.audit, output: out })).toBe(0);
    expect(lines.out.join()).toMatch(/Audit chain intact: \d+ events/);

    await t.vw.db.transaction(async (tx) => {
      await tx.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
      await tx.query("UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = 2");
      await tx.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    });
    expect(await auditVerifyCommand({ audit: t.vw.audit, output: fresh().output })).toBe(1);
    expect(lines.err.join()).toMatch(/BROKEN at seq 2 \(hash_mismatch\)/);
    expect(
      await auditVerifyCommand({ audit: t.vw.audit, output: fresh().output }, { json: true }),
    ).toBe(1);
    expect(JSON.parse(lines.out.join('\n'))).toMatchObject({ ok: false, broken: { seq: '2' } });
  });
});

describe('the vaultwire binary (PGlite data folder)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vw-cli-'));
  const env = {
    PATH: process.env['PATH'] ?? '',
    VW_DATA_DIR: dataDir,
    VW_PASSWORD_KDF_LOG2N: '10',
    VW_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'info',
  };
  const run = (args: string[], input?: string, extraEnv: Record<string, string> = {}) => {
    // `node --import tsx` rather than the tsx wrapper: one process per command, not two.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/bin/vaultwire.ts', ...args], {
      env: { ...env, ...extraEnv },
      input: input ?? '',
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs admin create, keys create/list/revoke and audit verify end to end', async () => {
    const help = run(['admin', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--password-stdin/);
    expect(help.out).toMatch(/never taken as an argument/);

    const admin = run(
      ['admin', 'create', '--email', 'root@example.com', '--password-stdin'],
      `${PW}\n`,
    );
    expect(admin.err).toBe('');
    expect(admin.code).toBe(0);
    expect(admin.out).toMatch(/Created admin usr_/);

    const fromEnv = run(['admin', 'create', '--email', 'second@example.com'], undefined, {
      VW_ADMIN_PASSWORD: PW,
    });
    expect(fromEnv.code).toBe(0);

    const noPassword = run(['admin', 'create', '--email', 'third@example.com']);
    expect(noPassword.err).toMatch(/No password given/);
    expect(noPassword.code).toBe(2);

    const created = run([
      'keys',
      'create',
      '--email',
      'root@example.com',
      '--name',
      'deploy',
      '--scopes',
      'profile:read,audit:read',
    ]);
    expect(created.code).toBe(0);
    const key = created.out.trim();
    expect(key).toMatch(/^vwk_[0-9A-Za-z]{49}$/);
    const keyId = /key_\w+/.exec(created.err)?.[0] ?? '';
    expect(keyId).toMatch(/^key_/);

    const listed = run(['keys', 'list', '--email', 'root@example.com']);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(keyId);
    expect(listed.out).not.toContain(key.slice(4, 40));

    expect(run(['keys', 'revoke', keyId]).code).toBe(0);
    expect(run(['keys', 'list', '--json']).out).toContain('"status": "revoked"');

    const intact = run(['audit', 'verify']);
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(/Audit chain intact: 4 events/);

    const db = await openDb({ dataDir });
    try {
      await db.transaction(async (tx) => {
        await tx.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await tx.query("UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 3");
        await tx.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
      });
    } finally {
      await db.close();
    }
    const broken = run(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/BROKEN at seq 3/);
  }, 240_000);
});
