import type { Db, Queryable } from '../platform/db/db.js';
import type { DomainEvent } from '../platform/outbox/outbox.js';
import type { Alert, Alerts } from './alerts.js';
import { noticeText } from './channels.js';

/**
 * Alerts about a chain's block producer, from the `producer` module's events (read by
 * their published payloads, never its tables):
 * - `producer.double_sign_attempt` opens a critical `double_sign_attempt` alert; further
 *   refused attempts while it is open are counted into it (no new notice). It resolves
 *   once no attempt was refused for `doubleSignQuietSeconds` (the monitor's tick): the
 *   second producer was stopped.
 * - `producer.failover.health` opens a warning `producer_failover` alert ("active region
 *   eu -> us because …"). It resolves when `producer.region.activated` shows the new
 *   region holding the chain's lease (it may sign) at or after the decision.
 * Events come late, twice and concurrently: opening is deduplicated by the open-alert
 * index, and each handler first locks its chain's row in `nodeops_producer_chains`, so a
 * failover and the activation that ends it are handled one after the other, whichever
 * comes first.
 */
export const PRODUCER_ALERT_EVENTS = [
  'producer.double_sign_attempt',
  'producer.failover.health',
  'producer.region.activated',
] as const;

export interface ProducerAlerts {
  /** Handles one producer event (an outbox subscriber); ignores malformed payloads. */
  handle(event: DomainEvent<Record<string, unknown>>): Promise<void>;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;
const short = (id: string | undefined) => (id === undefined ? '?' : id.slice(0, 12));

export function createProducerAlerts(deps: { db: Db; alerts: Alerts }): ProducerAlerts {
  const { db, alerts } = deps;

  /** The chain's last seen activation, locked until the handler's transaction ends. */
  async function lockChain(tx: Queryable, chain: string) {
    await tx.query(
      `INSERT INTO nodeops_producer_chains (chain_key) VALUES ($1) ON CONFLICT DO NOTHING`,
      [chain],
    );
    const { rows } = await tx.query(
      `SELECT active_region, activated_at FROM nodeops_producer_chains WHERE chain_key = $1 FOR UPDATE`,
      [chain],
    );
    const r = rows[0] ?? {};
    return {
      region: (r['active_region'] as string | null | undefined) ?? null,
      at: r['activated_at'] ? new Date(r['activated_at'] as string) : null,
    };
  }

  async function resolved(tx: Queryable, alert: Alert | undefined, at: Date, extra: string) {
    if (!alert) return;
    const silenced = alert.silencedUntil !== null && alert.silencedUntil > at;
    if (!silenced) {
      await alerts.notify(tx, alert, 'resolved', `${noticeText('resolved', alert, at)}\n${extra}`);
    }
  }

  async function doubleSign(tx: Queryable, chain: string, p: Record<string, unknown>, at: Date) {
    const region = str(p['region']) ?? '?';
    const height = str(p['height']) ?? '?';
    const signedRegion = str(p['signed_region']) ?? 'another region';
    const details = {
      region,
      height,
      round: p['round'],
      step: p['step'],
      block_id: p['block_id'],
      signed_block_id: p['signed_block_id'],
      signed_region: p['signed_region'],
      attempts: 1,
      last_attempt_at: at.toISOString(),
    };
    const alert = await alerts.openProducerAlert(tx, {
      chain,
      kind: 'double_sign_attempt',
      severity: 'critical',
      summary:
        `double-sign attempt refused on ${chain} at height ${height} (round ${String(p['round'])}, step ${String(p['step'])}): ` +
        `${region} asked to sign block ${short(str(p['block_id']))}, ${signedRegion} signed ${short(str(p['signed_block_id']))}. ` +
        `Two producers are live: stop the one in ${region}`,
      details,
      at,
    });
    if (alert) {
      await alerts.notify(tx, alert, 'opened', noticeText('opened', alert, at));
      return;
    }
    // Already open: count the attempt; the quiet period starts again from the latest.
    await tx.query(
      `UPDATE nodeops_alerts
          SET details = details || jsonb_build_object(
                'attempts', coalesce((details->>'attempts')::int, 0) + 1,
                'last_height', $3::text,
                'last_attempt_at', greatest((details->>'last_attempt_at')::timestamptz, $4)::text)
        WHERE producer_chain = $1 AND kind = $2 AND status <> 'resolved'`,
      [chain, 'double_sign_attempt', height, at],
    );
  }

  async function failover(tx: Queryable, chain: string, p: Record<string, unknown>, at: Date) {
    const from = str(p['from']) ?? '?';
    const to = str(p['to']);
    if (to === undefined) return;
    const decidedAt = new Date(str(p['decided_at']) ?? at.toISOString());
    const active = await lockChain(tx, chain);
    const summary = `failover: active region ${from} -> ${to} because ${str(p['reason']) ?? 'unknown'}`;
    const details = {
      from,
      to,
      region: to,
      reason: p['reason'],
      decided_at: decidedAt.toISOString(),
    };
    let alert = await alerts.openProducerAlert(tx, {
      chain,
      kind: 'producer_failover',
      severity: 'warning',
      summary,
      details,
      at,
    });
    if (alert) await alerts.notify(tx, alert, 'opened', noticeText('opened', alert, at));
    else {
      // A failover while another is unfinished: the alert follows the latest decision.
      await tx.query(
        `UPDATE nodeops_alerts SET summary = $3, details = $4
          WHERE producer_chain = $1 AND kind = $2 AND status <> 'resolved'
            AND (details->>'decided_at')::timestamptz <= $5`,
        [chain, 'producer_failover', summary, JSON.stringify(details), decidedAt],
      );
    }
    // The activation may have been handled first (events are not ordered).
    if (active.region === to && active.at !== null && active.at >= decidedAt) {
      alert = await alerts.resolveProducerAlert(tx, { chain, kind: 'producer_failover', at });
      await resolved(
        tx,
        alert,
        at,
        `${to} is the active producer since ${active.at.toISOString()}`,
      );
    }
  }

  async function activated(tx: Queryable, chain: string, p: Record<string, unknown>, at: Date) {
    const region = str(p['region']);
    if (region === undefined) return;
    await lockChain(tx, chain);
    await tx.query(
      `UPDATE nodeops_producer_chains SET active_region = $2, activated_at = $3
        WHERE chain_key = $1 AND (activated_at IS NULL OR activated_at <= $3)`,
      [chain, region, at],
    );
    const { rows } = await tx.query(
      `SELECT 1 FROM nodeops_alerts
        WHERE producer_chain = $1 AND kind = 'producer_failover' AND status <> 'resolved'
          AND details->>'to' = $2 AND (details->>'decided_at')::timestamptz <= $3`,
      [chain, region, at],
    );
    if (rows.length === 0) return;
    const alert = await alerts.resolveProducerAlert(tx, { chain, kind: 'producer_failover', at });
    await resolved(tx, alert, at, `${region} is the active producer since ${at.toISOString()}`);
  }

  return {
    async handle(event) {
      const p = event.payload;
      const chain = str(p['chain']);
      if (chain === undefined) return;
      const at = new Date(event.createdAt);
      await db.transaction(async (tx) => {
        switch (event.type) {
          case 'producer.double_sign_attempt':
            return doubleSign(tx, chain, p, at);
          case 'producer.failover.health':
            return failover(tx, chain, p, at);
          case 'producer.region.activated':
            return activated(tx, chain, p, at);
        }
      });
    },
  };
}
