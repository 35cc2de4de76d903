import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/db.js';
import type { Logger } from '../observability/logger.js';
import { metricOnce } from '../observability/metrics.js';
import { formatAnchorLine, type AnchorSigner, type AuditAnchor } from './anchor.js';
import type { AnchorSink } from './anchor-sinks.js';

/** Lease under which the one anchor writer of a deployment runs (the `scheduler` role). */
export const AUDIT_ANCHOR_LEASE = 'scheduler.audit-anchor';

/**
 * The anchor writer: exports the audit chain head to the configured sinks whenever it
 * has moved. Run `run` in one process only (under `AUDIT_ANCHOR_LEASE`); `anchorOnce`
 * is one pass of it.
 */
export interface AuditAnchorer {
  /** Names of the configured sinks; none means anchoring is off. */
  readonly sinks: readonly AnchorSink['name'][];
  /**
   * Anchors the head if it moved since the last anchor, and offers the last anchor again
   * to every sink that has not taken it yet. A sink that fails is logged and counted,
   * never thrown: the others still get the anchor.
   */
  anchorOnce(options?: { fence?: () => Promise<void> }): Promise<AnchorPass>;
  /** Passes every interval until `signal` aborts. `fence` guards the database write. */
  run(ctx: { signal: AbortSignal; fence: () => Promise<void> }): Promise<void>;
  /** The last anchor and the sinks that took it, from the database (display only). */
  last(): Promise<AnchorRecord | undefined>;
}

export interface AnchorRecord extends AuditAnchor {
  sinks: string[];
}

export type AnchorPass =
  | { kind: 'empty_chain' }
  /** Nothing to do: the head has not moved and every sink has the last anchor. */
  | { kind: 'unchanged'; anchor: AuditAnchor }
  | {
      kind: 'offered';
      anchor: AuditAnchor;
      /** True when this pass took a new anchor (the head moved). */
      fresh: boolean;
      delivered: AnchorSink['name'][];
      failed: AnchorSink['name'][];
    };

interface AnchorRow {
  seq: bigint;
  hash: string;
  occurred_at: Date;
  anchored_at: Date;
  key_id: string;
  hmac: string;
  sinks: string[];
}

export function createAuditAnchorer(deps: {
  db: Db;
  logger: Logger;
  registry: Registry;
  signer: AnchorSigner;
  sinks: readonly AnchorSink[];
  intervalMs: number;
  now?: () => number;
}): AuditAnchorer {
  const { db, signer } = deps;
  const logger = deps.logger.child({ module: 'audit-anchor' });
  const now = deps.now ?? Date.now;
  const metrics = anchorMetrics(deps.registry);

  const last = async (): Promise<AnchorRecord | undefined> => {
    const { rows } = await db.query<AnchorRow>(
      'SELECT seq, hash, occurred_at, anchored_at, key_id, hmac, sinks FROM audit_anchor_last',
    );
    const r = rows[0];
    return r
      ? {
          seq: r.seq,
          hash: r.hash,
          occurredAt: r.occurred_at,
          anchoredAt: r.anchored_at,
          keyId: r.key_id,
          hmac: r.hmac,
          sinks: r.sinks,
        }
      : undefined;
  };

  const readHead = async () => {
    const { rows } = await db.query<{
      seq: bigint;
      head_hash: string;
      hash: string | null;
      occurred_at: Date | null;
    }>(
      `SELECT h.seq, h.hash AS head_hash, e.hash, e.occurred_at
         FROM audit_chain_head h LEFT JOIN audit_events e ON e.seq = h.seq`,
    );
    const h = rows[0];
    if (!h) throw new Error('audit_chain_head is missing; the audit migration did not run');
    if (h.seq === 0n) return undefined;
    // Anchoring a head its own newest event contradicts would vouch for a broken chain.
    if (h.hash !== h.head_hash || h.occurred_at === null) {
      metrics.mismatches.inc();
      throw new Error(
        `the audit chain head (seq ${h.seq}) does not match its newest event; not anchoring it: run \`vaultwire audit verify\``,
      );
    }
    return { seq: h.seq, hash: h.hash, occurredAt: h.occurred_at };
  };

  // Catches a rewrite reaching back past the last anchor when it happens rather than at
  // the next audit; the anchor files stay the proof.
  const checkLastStillHolds = async (prev: AnchorRecord) => {
    const { rows } = await db.query<{ hash: string }>(
      'SELECT hash FROM audit_events WHERE seq = $1',
      [prev.seq],
    );
    const found = rows[0]?.hash;
    if (found === prev.hash) return;
    metrics.mismatches.inc();
    logger.error(
      {
        seq: String(prev.seq),
        anchoredAt: prev.anchoredAt.toISOString(),
        anchoredHash: prev.hash,
        found: found ?? null,
      },
      'the audit chain no longer holds its last anchored head: events were rewritten or removed; run `vaultwire audit verify --anchors <file>`',
    );
  };

  const save = async (record: AnchorRecord, fence?: () => Promise<void>) => {
    await db.transaction(async (tx) => {
      await fence?.();
      await tx.query(
        `INSERT INTO audit_anchor_last
           (singleton, seq, hash, occurred_at, anchored_at, key_id, hmac, sinks, updated_at)
         VALUES (true, $1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (singleton) DO UPDATE SET
           seq = EXCLUDED.seq, hash = EXCLUDED.hash, occurred_at = EXCLUDED.occurred_at,
           anchored_at = EXCLUDED.anchored_at, key_id = EXCLUDED.key_id,
           hmac = EXCLUDED.hmac, sinks = EXCLUDED.sinks, updated_at = now()`,
        [
          record.seq,
          record.hash,
          record.occurredAt,
          record.anchoredAt,
          record.keyId,
          record.hmac,
          record.sinks,
        ],
      );
    });
  };

  const anchorOnce: AuditAnchorer['anchorOnce'] = async (options = {}) => {
    const head = await readHead();
    if (!head) return { kind: 'empty_chain' };
    const prev = await last();
    if (prev) await checkLastStillHolds(prev);
    const same = prev?.seq === head.seq && prev.hash === head.hash && prev.keyId === signer.keyId;
    const anchor: AuditAnchor = same ? prev : signer.sign(head, new Date(now()));
    const taken = new Set(same ? prev.sinks : []);
    const pending = deps.sinks.filter((s) => !taken.has(s.name));
    if (pending.length === 0) return { kind: 'unchanged', anchor };

    const line = formatAnchorLine(anchor);
    const outcomes = await Promise.allSettled(pending.map((s) => s.write(line)));
    const delivered: AnchorSink['name'][] = [];
    const failed: AnchorSink['name'][] = [];
    outcomes.forEach((outcome, i) => {
      const sink = pending[i];
      if (!sink) return;
      if (outcome.status === 'fulfilled') {
        delivered.push(sink.name);
        taken.add(sink.name);
        metrics.writes.inc({ sink: sink.name, outcome: 'ok' });
        metrics.lastSuccess.set({ sink: sink.name }, now() / 1000);
        metrics.lastSeq.set({ sink: sink.name }, Number(anchor.seq));
      } else {
        failed.push(sink.name);
        metrics.writes.inc({ sink: sink.name, outcome: 'failed' });
        logger.warn(
          { sink: sink.name, seq: String(anchor.seq), err: outcome.reason as unknown },
          'could not export the audit anchor; retrying at the next tick',
        );
      }
    });
    await save({ ...anchor, sinks: [...taken] }, options.fence);
    return { kind: 'offered', anchor, fresh: !same, delivered, failed };
  };

  return {
    sinks: deps.sinks.map((s) => s.name),
    anchorOnce,
    last,
    async run({ signal, fence }) {
      while (!signal.aborted) {
        try {
          await anchorOnce({ fence });
        } catch (err) {
          logger.error({ err }, 'audit anchor pass failed; retrying at the next tick');
        }
        await sleep(deps.intervalMs, undefined, { signal }).catch(() => undefined);
      }
    },
  };
}

function anchorMetrics(registry: Registry) {
  return {
    writes: metricOnce(
      registry,
      'vaultwire_audit_anchor_writes_total',
      () =>
        new Counter({
          name: 'vaultwire_audit_anchor_writes_total',
          help: 'Audit anchors offered to a sink, by sink (file, url) and outcome (ok, failed)',
          labelNames: ['sink', 'outcome'] as const,
          registers: [registry],
        }),
    ),
    lastSuccess: metricOnce(
      registry,
      'vaultwire_audit_anchor_last_success_timestamp_seconds',
      () =>
        new Gauge({
          name: 'vaultwire_audit_anchor_last_success_timestamp_seconds',
          help: 'When a sink last took an audit anchor (Unix time), in the process holding the anchor lease',
          labelNames: ['sink'] as const,
          registers: [registry],
        }),
    ),
    lastSeq: metricOnce(
      registry,
      'vaultwire_audit_anchor_last_seq',
      () =>
        new Gauge({
          name: 'vaultwire_audit_anchor_last_seq',
          help: 'Audit chain seq of the last anchor a sink took',
          labelNames: ['sink'] as const,
          registers: [registry],
        }),
    ),
    mismatches: metricOnce(
      registry,
      'vaultwire_audit_anchor_mismatch_total',
      () =>
        new Counter({
          name: 'vaultwire_audit_anchor_mismatch_total',
          help: 'Times the anchor writer found the audit chain contradicting its head or its last anchor (tampering or a restore)',
          registers: [registry],
        }),
    ),
  };
}
