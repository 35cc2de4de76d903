import { createHash } from 'node:crypto';
import type { Db, Statement } from '../db/db.js';
import { newId } from '../ids.js';
import { readAnchorFile, type AnchorSigner, type LocatedAnchor } from './anchor.js';

/**
 * The tamper-evident audit log of security-relevant actions, used by every module.
 *
 * @example
 * await db.transaction(async () => {
 *   await db.query('UPDATE users SET role = $2 WHERE id = $1', [id, role]);
 *   await audit.record({ action: 'user.role_changed', actorType: 'user', actorId: adminId,
 *     targetType: 'user', targetId: id, data: { from, to: role } });
 * });
 */
export interface AuditLog {
  /**
   * Appends one event. Joins the caller's transaction when there is one, so the event
   * commits or rolls back with the change it describes. Appends are serialised on the
   * chain head until that transaction ends: record near the end of a transaction, after
   * the other row locks are taken. Never put secrets in `data`.
   */
  record(entry: AuditEntry): Promise<AuditEvent>;
  /**
   * Appends one event without waiting on the chain: for paths that run many times a
   * second. Joins the caller's transaction like `record`, but takes no shared lock; the
   * event is linked into the chain by `seal` after it commits (the api role seals every
   * AUDIT_SEAL_INTERVAL_MS). Its seq is its place in sealing order, not in commit order.
   */
  enqueue(entry: AuditEntry): Promise<{ id: string; occurredAt: Date }>;
  /**
   * `enqueue` of several entries as one statement to embed, for changes made many at once
   * in one statement (a batch of redemptions): entry k (from 1) is written only where
   * `keep` holds, an SQL condition on `entry` (its number) that may read the larger
   * statement's CTEs, so each entry commits with its own change or not at all. `keep` must
   * contain no `$`.
   */
  enqueueEachStatement(entries: readonly AuditEntry[], keep: string): Statement;
  /**
   * Links committed `enqueue`d events into the chain, oldest first, in one transaction:
   * each is chained exactly once. Safe to run from many processes at once (they queue on
   * the chain head). Returns how many it linked; call again while it returns `limit`.
   */
  seal(options?: { limit?: number }): Promise<number>;
  /** Events, newest first; seals waiting events first, so every committed one is listed. */
  list(query: AuditQuery): Promise<{ events: AuditEvent[]; hasMore: boolean }>;
  /**
   * Seals waiting events, then walks the whole chain and reports the first broken link. With `anchors` (the text of
   * an anchor file, see anchor.ts) it also checks each anchor's HMAC and that the chain
   * still holds every anchored hash at its seq: the check that catches a tail rewritten
   * consistently or cut off, which the links alone cannot.
   */
  verify(options?: AuditVerifyOptions): Promise<AuditVerifyResult>;
}

export interface AuditVerifyOptions {
  batchSize?: number;
  anchors?: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface AuditEntry {
  /** `<noun>.<past-tense verb>`, e.g. `api_key.revoked`. */
  action: string;
  actorType: 'user' | 'system' | 'anonymous';
  /** `usr_…`, or a system actor such as `cli`. */
  actorId?: string | undefined;
  /** The session or API key used (`ses_…`, `key_…`). */
  credentialId?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
  data?: Record<string, JsonValue> | undefined;
}

export interface AuditEvent {
  seq: bigint;
  id: string;
  occurredAt: Date;
  action: string;
  actorType: AuditEntry['actorType'];
  actorId: string | null;
  credentialId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  data: Record<string, JsonValue>;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  limit: number;
  /** An event id: return events older than it. */
  startingAfter?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
}

export interface BrokenLink {
  /** For `anchor_invalid`, the seq the line claims (0 when it has none). */
  seq: bigint;
  reason:
    | 'hash_mismatch'
    | 'prev_hash_mismatch'
    | 'seq_gap'
    | 'head_mismatch'
    /** An anchor line is malformed, under another key, or fails its HMAC. */
    | 'anchor_invalid'
    /** The chain holds another hash at an anchored seq: rewritten at or before it. */
    | 'anchor_mismatch'
    /** An anchored seq is past the end of the chain: events were cut off. */
    | 'anchor_beyond_head';
  expected: string;
  actual: string;
  /** The anchor that failed, for the three `anchor_` reasons. */
  anchor?: { line: number; anchoredAt: Date | null };
}

export type AuditVerifyResult =
  | {
      ok: true;
      events: number;
      head: { seq: bigint; hash: string };
      /** With the `anchors` option: how many were checked and the one with the highest seq. */
      anchors?: { checked: number; newest: { seq: bigint; hash: string; anchoredAt: Date } | null };
    }
  | { ok: false; events: number; broken: BrokenLink };

/** How often the api role links `enqueue`d events into the chain. */
export const AUDIT_SEAL_INTERVAL_MS = 100;

/** prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: one byte string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('audit data holds a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`audit data holds a ${typeof value}; use strings for bigints`);
}

type Hashed = Omit<AuditEvent, 'hash'>;

/**
 * The hash of one event: SHA-256 over the previous hash and a canonical JSON array of the
 * event's fields in a fixed order. Exported so an auditor can re-check an export.
 */
export function eventHash(e: Hashed): string {
  const body = canonicalJson([
    e.seq.toString(),
    e.id,
    e.occurredAt.toISOString(),
    e.action,
    e.actorType,
    e.actorId,
    e.credentialId,
    e.targetType,
    e.targetId,
    e.ip,
    e.requestId,
    e.data,
  ]);
  return createHash('sha256').update(`${e.prevHash}\n${body}`).digest('hex');
}

interface Row {
  seq: bigint;
  id: string;
  occurred_at: Date;
  action: string;
  actor_type: AuditEntry['actorType'];
  actor_id: string | null;
  credential_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  data: Record<string, JsonValue>;
  prev_hash: string;
  hash: string;
}

const COLUMNS =
  'seq, id, occurred_at, action, actor_type, actor_id, credential_id, target_type, target_id, ip, request_id, data, prev_hash, hash';

const PENDING_COLUMNS =
  'id, occurred_at, action, actor_type, actor_id, credential_id, target_type, target_id, ip, request_id, data';

/** Waiting events linked per sealing transaction. */
const SEAL_BATCH = 500;

function toEvent(r: Row): AuditEvent {
  return {
    seq: r.seq,
    id: r.id,
    occurredAt: r.occurred_at,
    action: r.action,
    actorType: r.actor_type,
    actorId: r.actor_id,
    credentialId: r.credential_id,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    requestId: r.request_id,
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function createAuditLog(deps: {
  db: Db;
  now?: () => number;
  /** Checks anchor HMACs in `verify`; required to verify with `anchors`. */
  anchorSigner?: AnchorSigner;
}): AuditLog {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  const sealOnce = (limit: number): Promise<number> =>
    db.transaction(async (tx) => {
      // The head first: concurrent sealers queue here, and each then sees the waiting
      // events the one before it left.
      const { rows: heads } = await tx.query<{ seq: bigint; hash: string }>(
        'SELECT seq, hash FROM audit_chain_head FOR UPDATE',
      );
      const head = heads[0];
      if (!head) throw new Error('audit_chain_head is missing; the audit migration did not run');
      // Deleted and chained in one transaction: a waiting event is sealed exactly once.
      // Events of transactions still open are invisible here and wait for the next pass.
      const { rows } = await tx.query<
        Omit<Row, 'seq' | 'prev_hash' | 'hash'> & { pending_seq: bigint }
      >(
        `DELETE FROM audit_pending
          WHERE pending_seq IN (SELECT pending_seq FROM audit_pending
                                 ORDER BY pending_seq LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING pending_seq, ${PENDING_COLUMNS}`,
        [limit],
      );
      if (rows.length === 0) return 0;
      rows.sort((a, b) => (a.pending_seq < b.pending_seq ? -1 : 1));
      let prevHash = head.hash;
      let seq = head.seq;
      const chained = rows.map((r) => {
        seq += 1n;
        const event: Hashed = { ...toEvent({ ...r, seq, prev_hash: prevHash, hash: '' }) };
        const hash = eventHash(event);
        prevHash = hash;
        return { ...event, hash };
      });
      // One statement; rows go in in seq order (WITH ORDINALITY), as the link trigger
      // checks each against the head it moves.
      await tx.query(
        `INSERT INTO audit_events (${COLUMNS})
         SELECT seq, id, occurred_at, action, actor_type, actor_id, credential_id, target_type,
                target_id, ip, request_id, data, prev_hash, hash
           FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[],
                       $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                       $12::jsonb[], $13::text[], $14::text[])
                WITH ORDINALITY AS e(seq, id, occurred_at, action, actor_type, actor_id,
                                     credential_id, target_type, target_id, ip, request_id,
                                     data, prev_hash, hash, n)
          ORDER BY n`,
        [
          chained.map((e) => e.seq.toString()),
          chained.map((e) => e.id),
          chained.map((e) => e.occurredAt),
          chained.map((e) => e.action),
          chained.map((e) => e.actorType),
          chained.map((e) => e.actorId),
          chained.map((e) => e.credentialId),
          chained.map((e) => e.targetType),
          chained.map((e) => e.targetId),
          chained.map((e) => e.ip),
          chained.map((e) => e.requestId),
          chained.map((e) => canonicalJson(e.data)),
          chained.map((e) => e.prevHash),
          chained.map((e) => e.hash),
        ],
      );
      return chained.length;
    });

  const pendingInsert = (entry: AuditEntry): Statement => ({
    sql: `INSERT INTO audit_pending (${PENDING_COLUMNS})
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`,
    params: [
      newId('aud'),
      // Millisecond precision survives the round trip through timestamptz exactly.
      new Date(now()),
      entry.action,
      entry.actorType,
      entry.actorId ?? null,
      entry.credentialId ?? null,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.ip ?? null,
      entry.requestId ?? null,
      canonicalJson(entry.data ?? {}),
    ],
  });

  const pendingInsertEach = (entries: readonly AuditEntry[], keep: string): Statement => ({
    // Arrays, so the text is one whatever the batch's size (and can be kept prepared).
    sql: `INSERT INTO audit_pending (${PENDING_COLUMNS})
          SELECT e.id, e.occurred_at, e.action, e.actor_type, e.actor_id, e.credential_id,
                 e.target_type, e.target_id, e.ip, e.request_id, e.data::jsonb
            FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
                        $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
                 WITH ORDINALITY AS e(id, occurred_at, action, actor_type, actor_id,
                                      credential_id, target_type, target_id, ip, request_id,
                                      data, entry)
           WHERE ${keep}
           ORDER BY e.entry`,
    params: [
      entries.map(() => newId('aud')),
      // As ISO text: millisecond precision survives the round trip exactly.
      entries.map(() => new Date(now()).toISOString()),
      entries.map((e) => e.action),
      entries.map((e) => e.actorType),
      entries.map((e) => e.actorId ?? null),
      entries.map((e) => e.credentialId ?? null),
      entries.map((e) => e.targetType ?? null),
      entries.map((e) => e.targetId ?? null),
      entries.map((e) => e.ip ?? null),
      entries.map((e) => e.requestId ?? null),
      entries.map((e) => canonicalJson(e.data ?? {})),
    ],
  });

  const sealAll = async (): Promise<void> => {
    while ((await sealOnce(SEAL_BATCH)) === SEAL_BATCH) {
      // More were waiting than one pass takes.
    }
  };

  return {
    async enqueue(entry) {
      const statement = pendingInsert(entry);
      await db.query(statement.sql, statement.params);
      return { id: statement.params[0] as string, occurredAt: statement.params[1] as Date };
    },

    enqueueEachStatement: (entries, keep) => pendingInsertEach(entries, keep),

    seal(options = {}) {
      return sealOnce(options.limit ?? SEAL_BATCH);
    },

    record(entry) {
      // Round-trip through canonical JSON: what is hashed is exactly what jsonb stores.
      const dataJson = canonicalJson(entry.data ?? {});
      const data = JSON.parse(dataJson) as Record<string, JsonValue>;
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ seq: bigint; hash: string }>(
          'SELECT seq, hash FROM audit_chain_head FOR UPDATE',
        );
        const head = rows[0];
        if (!head) throw new Error('audit_chain_head is missing; the audit migration did not run');
        const event: Hashed = {
          seq: head.seq + 1n,
          id: newId('aud'),
          // Millisecond precision survives the round trip through timestamptz exactly.
          occurredAt: new Date(now()),
          action: entry.action,
          actorType: entry.actorType,
          actorId: entry.actorId ?? null,
          credentialId: entry.credentialId ?? null,
          targetType: entry.targetType ?? null,
          targetId: entry.targetId ?? null,
          ip: entry.ip ?? null,
          requestId: entry.requestId ?? null,
          data,
          prevHash: head.hash,
        };
        const hash = eventHash(event);
        await tx.query(
          `INSERT INTO audit_events (${COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14)`,
          [
            event.seq,
            event.id,
            event.occurredAt,
            event.action,
            event.actorType,
            event.actorId,
            event.credentialId,
            event.targetType,
            event.targetId,
            event.ip,
            event.requestId,
            dataJson,
            event.prevHash,
            hash,
          ],
        );
        return { ...event, hash };
      });
    },

    async list(q) {
      await sealAll();
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM audit_events
          WHERE ($1::text IS NULL OR seq < (SELECT seq FROM audit_events WHERE id = $1))
            AND ($2::text IS NULL OR action = $2)
            AND ($3::text IS NULL OR actor_id = $3)
            AND ($4::text IS NULL OR target_id = $4)
          ORDER BY seq DESC
          LIMIT $5`,
        [
          q.startingAfter ?? null,
          q.action ?? null,
          q.actorId ?? null,
          q.targetId ?? null,
          q.limit + 1,
        ],
      );
      return { events: rows.slice(0, q.limit).map(toEvent), hasMore: rows.length > q.limit };
    },

    async verify(options = {}) {
      let anchors: LocatedAnchor[] | undefined;
      if (options.anchors !== undefined) {
        if (!deps.anchorSigner) throw new Error('verifying anchors needs the anchor signer');
        const read = readAnchorFile(options.anchors, deps.anchorSigner);
        if (!read.ok) {
          return {
            ok: false,
            events: 0,
            broken: {
              seq: read.seq ?? 0n,
              reason: 'anchor_invalid',
              expected: 'an anchor line signed by this deployment',
              actual: read.problem,
              anchor: { line: read.line, anchoredAt: null },
            },
          };
        }
        anchors = read.anchors;
      }
      await sealAll();
      // One snapshot for the walk, so appends made meanwhile do not look like a cut.
      return db.transaction(() => walkChain(db, options.batchSize ?? 1000, anchors), {
        isolation: 'repeatable read',
      });
    },
  };
}

async function walkChain(
  db: Db,
  batch: number,
  anchors: readonly LocatedAnchor[] | undefined,
): Promise<AuditVerifyResult> {
  // Several anchors may name one seq (a head that stood still across a failover).
  const anchoredAt = new Map<bigint, LocatedAnchor[]>();
  for (const a of anchors ?? []) {
    const list = anchoredAt.get(a.anchor.seq);
    if (list) list.push(a);
    else anchoredAt.set(a.anchor.seq, [a]);
  }
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let events = 0;
  for (;;) {
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2`,
      [expectedSeq, batch],
    );
    for (const row of rows) {
      const e = toEvent(row);
      if (e.seq !== expectedSeq) {
        return {
          ok: false,
          events,
          broken: {
            seq: expectedSeq,
            reason: 'seq_gap',
            expected: `event ${expectedSeq}`,
            actual: `next event is ${e.seq}`,
          },
        };
      }
      if (e.prevHash !== prevHash) {
        return {
          ok: false,
          events,
          broken: {
            seq: e.seq,
            reason: 'prev_hash_mismatch',
            expected: prevHash,
            actual: e.prevHash,
          },
        };
      }
      const recomputed = eventHash(e);
      if (recomputed !== e.hash) {
        return {
          ok: false,
          events,
          broken: { seq: e.seq, reason: 'hash_mismatch', expected: recomputed, actual: e.hash },
        };
      }
      const differs = anchoredAt.get(e.seq)?.find((a) => a.anchor.hash !== e.hash);
      if (differs) {
        return {
          ok: false,
          events,
          broken: {
            seq: e.seq,
            reason: 'anchor_mismatch',
            expected: differs.anchor.hash,
            actual: e.hash,
            anchor: { line: differs.line, anchoredAt: differs.anchor.anchoredAt },
          },
        };
      }
      prevHash = e.hash;
      expectedSeq += 1n;
      events += 1;
    }
    if (rows.length < batch) break;
  }
  const { rows: heads } = await db.query<{ seq: bigint; hash: string }>(
    'SELECT seq, hash FROM audit_chain_head',
  );
  const head = heads[0];
  const lastSeq = expectedSeq - 1n;
  // A head beyond the last row means events were cut off the end of the chain.
  if (head?.seq !== lastSeq || head.hash !== prevHash) {
    return {
      ok: false,
      events,
      broken: {
        seq: head && head.seq > lastSeq ? lastSeq + 1n : lastSeq,
        reason: 'head_mismatch',
        expected: `head at ${lastSeq} ${prevHash}`,
        actual: head ? `head at ${head.seq} ${head.hash}` : 'no head row',
      },
    };
  }
  let past: LocatedAnchor | undefined;
  let newest: LocatedAnchor | undefined;
  for (const a of anchors ?? []) {
    if (a.anchor.seq > lastSeq && (!past || a.anchor.seq < past.anchor.seq)) past = a;
    if (!newest || a.anchor.seq > newest.anchor.seq) newest = a;
  }
  if (past) {
    return {
      ok: false,
      events,
      broken: {
        seq: past.anchor.seq,
        reason: 'anchor_beyond_head',
        expected: `event ${past.anchor.seq} with hash ${past.anchor.hash}`,
        actual: `the chain ends at seq ${lastSeq}`,
        anchor: { line: past.line, anchoredAt: past.anchor.anchoredAt },
      },
    };
  }
  return {
    ok: true,
    events,
    head: { seq: head.seq, hash: head.hash },
    ...(anchors
      ? {
          anchors: {
            checked: anchors.length,
            newest: newest
              ? {
                  seq: newest.anchor.seq,
                  hash: newest.anchor.hash,
                  anchoredAt: newest.anchor.anchoredAt,
                }
              : null,
          },
        }
      : {}),
  };
}
