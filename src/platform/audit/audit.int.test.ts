import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { canonicalJson, createAuditLog, eventHash, GENESIS_HASH, type AuditLog } from './audit.js';

let t: TestDb;
let audit: AuditLog;

beforeAll(async () => {
  t = await createTestDb();
  audit = createAuditLog({ db: t.db });
});

afterAll(async () => {
  await t.drop();
});

/** Runs `sql` as the database owner with the append-only triggers off, like an intruder would. */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await t.db.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await tx.query('ALTER TABLE audit_chain_head DISABLE TRIGGER USER');
    await tx.query(sql, params);
    await tx.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    await tx.query('ALTER TABLE audit_chain_head ENABLE TRIGGER USER');
  });
}

async function refusal(sql: string): Promise<string> {
  try {
    await t.db.query(sql);
  } catch (err) {
    return (err as Error).message;
  }
  return 'not refused';
}

describe('audit log', () => {
  it('starts empty and intact', async () => {
    const r = await audit.verify();
    expect(r).toEqual({ ok: true, events: 0, head: { seq: 0n, hash: GENESIS_HASH } });
  });

  it('chains events in order and verifies', async () => {
    const first = await audit.record({
      action: 'user.signed_up',
      actorType: 'user',
      actorId: 'usr_1',
      targetType: 'user',
      targetId: 'usr_1',
      ip: '203.0.113.9',
      requestId: 'req_1',
      data: { email: 'ada@example.com', nested: { z: 1, a: [true, null, 'x'] } },
    });
    expect(first.seq).toBe(1n);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(first.id).toMatch(/^aud_/);
    const second = await audit.record({ action: 'auth.login_failed', actorType: 'anonymous' });
    expect(second.seq).toBe(2n);
    expect(second.prevHash).toBe(first.hash);
    // Several actions in one transaction with other writes.
    await t.db.transaction(async () => {
      await audit.record({ action: 'api_key.created', actorType: 'user', actorId: 'usr_1' });
      await audit.record({ action: 'api_key.revoked', actorType: 'system', actorId: 'cli' });
    });
    const r = await audit.verify({ batchSize: 2 });
    expect(r.ok).toBe(true);
    expect(r.events).toBe(4);
  });

  it('stores exactly what it hashed (jsonb reorders keys; the hash does not care)', async () => {
    const e = await audit.record({
      action: 'x.y',
      actorType: 'system',
      data: { b: 1.5, a: 'ü', c: { y: [], x: {} } },
    });
    const { events } = await audit.list({ limit: 1 });
    expect(events[0]?.id).toBe(e.id);
    expect(events[0] && eventHash(events[0])).toBe(e.hash);
  });

  it('leaves no gap when the transaction that recorded rolls back', async () => {
    const before = await audit.verify();
    await expect(
      t.db.transaction(async () => {
        await audit.record({ action: 'doomed', actorType: 'system' });
        throw new Error('caller fails after recording');
      }),
    ).rejects.toThrow('caller fails');
    const next = await audit.record({ action: 'after', actorType: 'system' });
    expect(before.ok && next.seq).toBe(before.ok ? before.head.seq + 1n : false);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, and moving the head', async () => {
    expect(await refusal("UPDATE audit_events SET action = 'nothing' WHERE seq = 1")).toMatch(
      /append-only/,
    );
    expect(await refusal('DELETE FROM audit_events WHERE seq = 1')).toMatch(/append-only/);
    expect(await refusal('TRUNCATE audit_events')).toMatch(/append-only/);
    expect(await refusal('UPDATE audit_chain_head SET seq = 0')).toMatch(/only moves forward/);
    expect(await refusal('DELETE FROM audit_chain_head')).toMatch(/only moves forward/);
    expect(
      await refusal(
        "INSERT INTO audit_events (seq, id, occurred_at, action, actor_type, prev_hash, hash) VALUES (999, 'aud_x', now(), 'forged', 'system', 'x', 'y')",
      ),
    ).toMatch(/does not extend the chain head/);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('lists newest first with filters and a cursor', async () => {
    const page1 = await audit.list({ limit: 2 });
    expect(page1.hasMore).toBe(true);
    const [a, b] = page1.events;
    expect(a && b && a.seq > b.seq).toBe(true);
    const page2 = await audit.list({ limit: 100, startingAfter: b?.id });
    expect(page2.events.every((e) => b && e.seq < b.seq)).toBe(true);
    const created = await audit.list({ limit: 10, action: 'api_key.created' });
    expect(created.events.map((e) => e.action)).toEqual(['api_key.created']);
  });

  it('names the first altered event when a row is changed behind its back', async () => {
    await tamper('UPDATE audit_events SET data = \'{"email":"eve@example.com"}\' WHERE seq = 2');
    const r = await audit.verify();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.broken.seq).toBe(2n);
    expect(r.broken.reason).toBe('hash_mismatch');
    expect(r.broken.expected).not.toBe(r.broken.actual);
    expect(r.events).toBe(1);
  });

  it('names the next event when the intruder also recomputes the altered row’s hash', async () => {
    const { events } = await audit.list({ limit: 1, action: 'auth.login_failed' });
    const altered = events[0];
    expect(altered?.seq).toBe(2n);
    if (!altered) return;
    await tamper('UPDATE audit_events SET hash = $1 WHERE seq = 2', [eventHash(altered)]);
    const r = await audit.verify();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.broken).toMatchObject({ seq: 3n, reason: 'prev_hash_mismatch', actual: altered.hash });
    expect(r.events).toBe(2);
  });
});

describe('audit log: removed events', () => {
  it('reports a hole in the sequence and a cut tail', async () => {
    const db2 = await createTestDb();
    try {
      const log = createAuditLog({ db: db2.db });
      for (let i = 0; i < 5; i++) await log.record({ action: `a${i}`, actorType: 'system' });
      await db2.db.transaction(async (tx) => {
        await tx.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await tx.query('DELETE FROM audit_events WHERE seq = 5');
        await tx.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
      });
      const cut = await log.verify();
      expect(!cut.ok && cut.broken).toMatchObject({ seq: 5n, reason: 'head_mismatch' });
      await db2.db.transaction(async (tx) => {
        await tx.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await tx.query('DELETE FROM audit_events WHERE seq = 3');
        await tx.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
      });
      const hole = await log.verify();
      expect(!hole.ok && hole.broken).toMatchObject({ seq: 3n, reason: 'seq_gap' });
    } finally {
      await db2.drop();
    }
  });
});

describe('audit log: enqueued events', () => {
  it('chains committed events after the ones recorded before, drops rolled-back ones, and verifies', async () => {
    const db3 = await createTestDb();
    try {
      const log = createAuditLog({ db: db3.db });
      const first = await log.record({ action: 'recorded', actorType: 'system' });
      const kept = await db3.db.transaction(async () => {
        const a = await log.enqueue({
          action: 'invoice.created',
          actorType: 'user',
          actorId: 'mca_1',
          credentialId: 'mck_1',
          targetType: 'merchant_invoice',
          targetId: 'inv_1',
          ip: '203.0.113.9',
          data: { b: 1.5, a: 'ü', c: { y: [], x: {} } },
        });
        const b = await log.enqueue({ action: 'invoice.created', actorType: 'system' });
        return [a.id, b.id];
      });
      await expect(
        db3.db.transaction(async () => {
          await log.enqueue({ action: 'doomed', actorType: 'system' });
          throw new Error('caller fails after enqueueing');
        }),
      ).rejects.toThrow('caller fails');

      // Listing seals first: the two committed events, in enqueue order, after `first`.
      const { events } = await log.list({ limit: 10 });
      expect(events.map((e) => [e.seq, e.id])).toEqual([
        [3n, kept[1]],
        [2n, kept[0]],
        [1n, first.id],
      ]);
      expect(events[1]).toMatchObject({
        prevHash: first.hash,
        actorId: 'mca_1',
        credentialId: 'mck_1',
        targetId: 'inv_1',
        ip: '203.0.113.9',
        data: { a: 'ü', b: 1.5, c: { x: {}, y: [] } },
      });
      expect(events.every((e) => eventHash(e) === e.hash)).toBe(true);
      const r = await log.verify();
      expect(r).toMatchObject({ ok: true, events: 3, head: { seq: 3n, hash: events[0]?.hash } });
      expect(await log.seal()).toBe(0);
    } finally {
      await db3.drop();
    }
  });

  it('refuses to change a waiting event, and catches a sealed one changed behind its back', async () => {
    const db4 = await createTestDb();
    try {
      const log = createAuditLog({ db: db4.db });
      await log.enqueue({ action: 'invoice.created', actorType: 'system', data: { amount: '1' } });
      let message = 'not refused';
      try {
        await db4.db.query(`UPDATE audit_pending SET data = '{"amount":"1000"}'`);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/append-only/);
      expect(await log.seal()).toBe(1);
      await db4.db.transaction(async (tx) => {
        await tx.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await tx.query(`UPDATE audit_events SET data = '{"amount":"1000"}' WHERE seq = 1`);
        await tx.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
      });
      const r = await log.verify();
      expect(!r.ok && r.broken).toMatchObject({ seq: 1n, reason: 'hash_mismatch' });
    } finally {
      await db4.drop();
    }
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"x":2,"y":1}]},"b":1}',
    );
  });

  it('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });
});
