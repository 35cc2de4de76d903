import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp } from '../../../test/support/app.js';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { createPostgresLeaseManager } from '../leases/postgres.js';
import { createLogger } from '../observability/logger.js';
import { createOutbox } from '../outbox/outbox.js';
import { createPostgresJobQueue } from '../queue/postgres.js';
import { startSchedulerRole, type SchedulerRole } from '../roles/scheduler.js';
import { createAnchorSigner, parseAnchorLine } from './anchor.js';
import { createFileAnchorSink } from './anchor-sinks.js';
import { AUDIT_ANCHOR_LEASE, createAuditAnchorer } from './anchorer.js';
import { createAuditLog } from './audit.js';
import { auditVerifyCommand } from './cli.js';

/** The anchor writer as deployed: a `scheduler` singleton, one process at a time. */

const logger = createLogger({ level: 'silent' });
const signer = createAnchorSigner(Buffer.alloc(32, 5));
const dir = mkdtempSync(join(tmpdir(), 'vw-anchorer-'));
let t: TestDb;
const roles = new Map<string, SchedulerRole>();

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await Promise.all([...roles.values()].map((r) => r.stop()));
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** One process running the scheduler role, anchoring into a file of its own. */
function processNamed(name: string) {
  const registry = new Registry();
  const jobs = createPostgresJobQueue({
    db: t.db,
    logger,
    registry,
    instanceId: name,
    visibilityMs: 30_000,
    pollMs: 50,
  });
  const outbox = createOutbox({ db: t.db, jobs, logger, registry });
  const leases = createPostgresLeaseManager({
    db: t.db,
    logger,
    registry,
    instanceId: name,
    defaultTtlMs: 1_000,
  });
  const file = join(dir, `${name}.jsonl`);
  const anchorer = createAuditAnchorer({
    db: t.db,
    logger,
    registry,
    signer,
    sinks: [createFileAnchorSink(file)],
    intervalMs: 50,
  });
  roles.set(
    name,
    startSchedulerRole({
      db: t.db,
      jobs,
      outbox,
      leases,
      logger,
      singletons: [{ lease: AUDIT_ANCHOR_LEASE, run: (ctx) => anchorer.run(ctx) }],
      settings: { pollMs: 50, leaseTtlMs: 1_000, jobRetentionDays: 7 },
    }),
  );
  return { file, leases };
}

const seqsIn = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (parseAnchorLine(l) as { seq: bigint }).seq)
    : [];

describe('audit anchor writer in the scheduler role', () => {
  it('anchors from one process only, and the standby takes over when it stops', async () => {
    const audit = createAuditLog({ db: t.db, anchorSigner: signer });
    await audit.record({ action: 'test.first', actorType: 'system' });
    const a = processNamed('a');
    const b = processNamed('b');

    let leader = '';
    await vi.waitFor(
      async () => {
        const holder = (await a.leases.holders()).find((h) => h.name === AUDIT_ANCHOR_LEASE);
        leader = holder?.holder.split('/')[0] ?? '';
        expect(leader).toMatch(/^[ab]$/);
        expect(seqsIn(join(dir, `${leader}.jsonl`))).toEqual([1n]);
      },
      { timeout: 10_000 },
    );
    const standby = leader === 'a' ? b : a;
    const leaderFile = join(dir, `${leader}.jsonl`);

    await audit.record({ action: 'test.second', actorType: 'system' });
    await audit.record({ action: 'test.third', actorType: 'system' });
    // A tick may fall between the two records (then 2 is anchored too); either way
    // the leader anchors the newest entry and the standby anchors nothing.
    await vi.waitFor(
      () => {
        expect(seqsIn(leaderFile).at(-1)).toBe(3n);
      },
      { timeout: 10_000 },
    );
    const leaderSeqs = seqsIn(leaderFile);
    expect([
      [1n, 3n],
      [1n, 2n, 3n],
    ]).toContainEqual(leaderSeqs);
    expect(seqsIn(standby.file)).toEqual([]);

    await roles.get(leader)?.stop();
    roles.delete(leader);
    await audit.record({ action: 'test.fourth', actorType: 'system' });
    await vi.waitFor(
      () => {
        expect(seqsIn(standby.file)).toEqual([4n]);
      },
      { timeout: 10_000 },
    );
    expect(seqsIn(leaderFile)).toEqual(leaderSeqs);

    // Both files together are the deployment's anchors.
    const all = readFileSync(leaderFile, 'utf8') + readFileSync(standby.file, 'utf8');
    expect(await audit.verify({ anchors: all })).toMatchObject({
      ok: true,
      anchors: { checked: leaderSeqs.length + 1, newest: { seq: 4n } },
    });
  });
});

describe('audit anchoring as configured', () => {
  it('runs in the scheduler of a built app and verifies from the command line', async () => {
    const file = join(dir, 'app.jsonl');
    const app = await createTestApp({
      VW_AUDIT_ANCHOR_FILE: file,
      VW_AUDIT_ANCHOR_INTERVAL_SECONDS: '1',
      VW_LEASE_TTL_MS: '1000',
    });
    try {
      await app.vw.audit.record({ action: 'test.configured', actorType: 'system' });
      await app.vw.start(['scheduler']);
      await vi.waitFor(
        () => {
          expect(seqsIn(file)).toEqual([1n]);
        },
        { timeout: 10_000 },
      );
      const out: string[] = [];
      const code = await auditVerifyCommand(
        {
          audit: app.vw.audit,
          anchorer: app.vw.auditAnchorer,
          output: { out: (l) => out.push(l), err: (l) => out.push(l) },
        },
        { anchors: file },
      );
      expect(out.join('\n')).toMatch(/Matches all 1 anchors/);
      expect(code).toBe(0);
    } finally {
      await app.close();
    }
  });
});
