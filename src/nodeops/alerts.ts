import type { AuditLog } from '../platform/audit/audit.js';
import type { Db, Queryable } from '../platform/db/db.js';
import { fail, type Failure } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import type { ConditionKind } from './checks.js';
import { NodeopsError } from './errors.js';
import type { Actor, FleetNode } from './fleet.js';
import type { MonitorConditionKind } from './monitor-checks.js';
import type { Severity } from './settings.js';

/**
 * Alerts and their notices, in PostgreSQL: an alert is open (firing or acknowledged)
 * until its recovery is observed, so a restarted monitor finds it open and neither sends
 * it again nor loses it. Every notice a person is told (opened, reminder, banned,
 * resolved) is a row with one delivery row per channel that takes it; the sender works
 * through the deliveries.
 */

export type AlertStatus = 'firing' | 'acknowledged' | 'resolved';
export type NoticeKind = 'opened' | 'reminder' | 'banned' | 'unbanned' | 'resolved';
/**
 * What the `producer` module's events tell about a chain's block producer: a refused
 * double-sign attempt (two producers were live), a failover away from an unhealthy region.
 */
export type ProducerAlertKind = 'double_sign_attempt' | 'producer_failover';
/** A chain node's check, a monitor's (backup, uptime, heartbeat), or a producer chain's. */
export type AlertKind = ConditionKind | MonitorConditionKind | ProducerAlertKind;

/** An alert about exactly one node (`nodeId`), one monitor (`monitorId`) or one producer chain (`producerChain`). */
export interface Alert {
  id: string;
  nodeId: string | null;
  node: string | null;
  monitorId: string | null;
  monitor: string | null;
  /** The chain whose block producer the alert is about (then `chain` is the same). */
  producerChain: string | null;
  /** Null for a monitor of no chain (a web service). */
  chain: string | null;
  region: string | null;
  /** The node's role; null for a monitor. */
  role: string | null;
  kind: AlertKind;
  severity: Severity;
  status: AlertStatus;
  summary: string;
  details: Record<string, unknown>;
  openedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  silencedUntil: Date | null;
  resolvedAt: Date | null;
}

export interface Notice {
  id: string;
  alertId: string;
  kind: NoticeKind;
  text: string;
  createdAt: Date;
}

export interface AlertQuery {
  status?: 'open' | AlertStatus | undefined;
  node?: string | undefined;
  /** A monitor's id or name. */
  monitor?: string | undefined;
  chain?: string | undefined;
  limit: number;
  startingAfter?: string | undefined;
}

export interface Alerts {
  list(q: AlertQuery): Promise<Alert[]>;
  get(id: string): Promise<(Alert & { notices: Notice[] }) | Failure<NodeopsError.AlertNotFound>>;
  acknowledge(
    id: string,
    actor: Actor,
  ): Promise<Alert | Failure<NodeopsError.AlertNotFound | NodeopsError.AlertResolved>>;
  /** No reminders and no resolve notice until `until` (the alert stays open and visible). */
  silence(
    id: string,
    until: Date,
    actor: Actor,
  ): Promise<Alert | Failure<NodeopsError.AlertNotFound | NodeopsError.AlertResolved>>;
  /** Open alerts by node (or monitor) id and kind (what the monitor compares its verdicts with). */
  open(): Promise<Map<string, Alert>>;
  /** Opens an alert unless one is open for the node and kind; resolves with it if it opened it. */
  openAlert(
    tx: Queryable,
    p: {
      node: FleetNode;
      kind: ConditionKind;
      severity: Severity;
      summary: string;
      details: Record<string, unknown>;
      at: Date;
    },
  ): Promise<Alert | undefined>;
  /** Opens an alert about a monitor unless one is open for it and the kind. */
  openMonitorAlert(
    tx: Queryable,
    p: {
      monitor: { id: string; chain: string | null };
      kind: MonitorConditionKind;
      severity: Severity;
      summary: string;
      details: Record<string, unknown>;
      at: Date;
    },
  ): Promise<Alert | undefined>;
  /** Opens an alert about a chain's block producer unless one is open for it and the kind. */
  openProducerAlert(
    tx: Queryable,
    p: {
      chain: string;
      kind: ProducerAlertKind;
      severity: Severity;
      summary: string;
      details: Record<string, unknown>;
      at: Date;
    },
  ): Promise<Alert | undefined>;
  /** Resolves the open alert of the producer chain and kind, if there is one. */
  resolveProducerAlert(
    tx: Queryable,
    p: { chain: string; kind: ProducerAlertKind; at: Date },
  ): Promise<Alert | undefined>;
  /**
   * Resolves open double-sign alerts with no refused attempt for `quietSeconds` (the
   * second producer was stopped).
   */
  resolveQuietDoubleSigns(tx: Queryable, quietSeconds: number, at: Date): Promise<Alert[]>;
  /** Resolves the open alert of the node and kind, if there is one. */
  resolveAlert(
    tx: Queryable,
    p: { nodeId: string; kind: ConditionKind; at: Date },
  ): Promise<Alert | undefined>;
  /** Resolves the open alert of the monitor and kind, if there is one. */
  resolveMonitorAlert(
    tx: Queryable,
    p: { monitorId: string; kind: MonitorConditionKind; at: Date },
  ): Promise<Alert | undefined>;
  /** Adds a notice of `alert` for every channel that takes its chain and severity. */
  notify(tx: Queryable, alert: Alert, kind: NoticeKind, text: string): Promise<void>;
  /** Reminders of alerts still firing, unacknowledged and not silenced, every `everySeconds`. */
  remind(tx: Queryable, everySeconds: number, at: Date): Promise<Alert[]>;
}

export const alertSelect = `SELECT a.*, n.name AS node_name,
    coalesce(n.region, m.region, a.details->>'region') AS region,
    n.role, m.name AS monitor_name
  FROM nodeops_alerts a
  LEFT JOIN nodeops_nodes n ON n.id = a.node_id
  LEFT JOIN nodeops_monitors m ON m.id = a.monitor_id`;

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

export function alertFromRow(r: Row): Alert {
  return {
    id: r['id'] as string,
    nodeId: (r['node_id'] as string | null) ?? null,
    node: (r['node_name'] as string | null) ?? null,
    monitorId: (r['monitor_id'] as string | null | undefined) ?? null,
    monitor: (r['monitor_name'] as string | null | undefined) ?? null,
    producerChain: (r['producer_chain'] as string | null | undefined) ?? null,
    chain: (r['chain_key'] as string | null) ?? null,
    region: (r['region'] as string | null) ?? null,
    role: (r['role'] as string | null) ?? null,
    kind: r['kind'] as AlertKind,
    severity: r['severity'] as Severity,
    status: r['status'] as AlertStatus,
    summary: r['summary'] as string,
    details: r['details'] as Record<string, unknown>,
    openedAt: new Date(r['opened_at'] as string),
    acknowledgedAt: date(r['acknowledged_at']),
    acknowledgedBy: (r['acknowledged_by'] as string | null) ?? null,
    silencedUntil: date(r['silenced_until']),
    resolvedAt: date(r['resolved_at']),
  };
}

export function alertPayload(a: Alert): Record<string, unknown> {
  return {
    alert_id: a.id,
    node_id: a.nodeId,
    node: a.node,
    ...(a.monitorId ? { monitor_id: a.monitorId, monitor: a.monitor } : {}),
    ...(a.producerChain ? { producer_chain: a.producerChain } : {}),
    chain: a.chain,
    region: a.region,
    role: a.role,
    kind: a.kind,
    severity: a.severity,
    summary: a.summary,
    opened_at: a.openedAt.toISOString(),
    ...(a.resolvedAt ? { resolved_at: a.resolvedAt.toISOString() } : {}),
  };
}

export function createAlerts(deps: {
  db: Db;
  audit: AuditLog;
  outbox: Outbox;
  now: () => number;
}): Alerts {
  const { db, audit, outbox } = deps;

  async function byId(q: Queryable, id: string, lock = false): Promise<Alert | undefined> {
    const { rows } = await q.query(
      `${alertSelect} WHERE a.id = $1 ${lock ? 'FOR UPDATE OF a' : ''}`,
      [id],
    );
    return rows[0] ? alertFromRow(rows[0]) : undefined;
  }

  const actorFields = (actor: Actor) =>
    actor.type === 'user'
      ? { actorType: 'user' as const, actorId: actor.id, credentialId: actor.credentialId }
      : { actorType: 'system' as const, actorId: actor.id };

  /** An alert belongs to one node, monitor or producer chain (nodeops/0116): its subject column. */
  type Subject = 'node_id' | 'monitor_id' | 'producer_chain';

  /** Opens the subject's alert of a kind unless one is open; publishes it. */
  async function open(
    tx: Queryable,
    subject: Subject,
    subjectId: string,
    chain: string | null,
    p: { kind: string; severity: string; summary: string; details: unknown; at: Date },
  ): Promise<Alert | undefined> {
    const { rows } = await tx.query(
      `INSERT INTO nodeops_alerts (id, ${subject}, chain_key, kind, severity, status, summary,
         details, opened_at, last_notice_at)
       VALUES ($1, $2, $3, $4, $5, 'firing', $6, $7, $8, $8)
       ON CONFLICT (${subject}, kind) WHERE status <> 'resolved' DO NOTHING RETURNING id`,
      [
        newId('nal'),
        subjectId,
        chain,
        p.kind,
        p.severity,
        p.summary,
        JSON.stringify(p.details),
        p.at,
      ],
    );
    return published(tx, rows[0], 'nodeops.alert.opened');
  }

  /** Resolves the subject's open alert of a kind, if any; publishes it. */
  async function resolve(
    tx: Queryable,
    subject: Subject,
    subjectId: string,
    p: { kind: string; at: Date },
  ): Promise<Alert | undefined> {
    const { rows } = await tx.query(
      `UPDATE nodeops_alerts SET status = 'resolved', resolved_at = $3
       WHERE ${subject} = $1 AND kind = $2 AND status <> 'resolved' RETURNING id`,
      [subjectId, p.kind, p.at],
    );
    return published(tx, rows[0], 'nodeops.alert.resolved');
  }

  async function published(
    tx: Queryable,
    row: Record<string, unknown> | undefined,
    type: 'nodeops.alert.opened' | 'nodeops.alert.resolved',
  ): Promise<Alert | undefined> {
    if (!row) return undefined;
    const alert = (await byId(tx, row['id'] as string)) as Alert;
    await outbox.publish({ type, aggregateId: alert.id, payload: alertPayload(alert) });
    return alert;
  }

  return {
    async list(q) {
      const status = q.status ?? null;
      const { rows } = await db.query(
        `${alertSelect}
         WHERE ($1::text IS NULL OR ($1 = 'open' AND a.status <> 'resolved') OR a.status = $1)
           AND ($2::text IS NULL OR a.node_id = $2 OR n.name = $2)
           AND ($3::text IS NULL OR a.chain_key = $3)
           AND ($4::text IS NULL OR a.id < $4)
           AND ($6::text IS NULL OR a.monitor_id = $6 OR m.name = $6)
         ORDER BY a.id DESC LIMIT $5`,
        [
          status,
          q.node ?? null,
          q.chain ?? null,
          q.startingAfter ?? null,
          q.limit,
          q.monitor ?? null,
        ],
      );
      return rows.map(alertFromRow);
    },

    async get(id) {
      const a = await byId(db, id);
      if (!a) return fail(NodeopsError.AlertNotFound);
      const { rows } = await db.query(
        'SELECT * FROM nodeops_notices WHERE alert_id = $1 ORDER BY id',
        [id],
      );
      return {
        ...a,
        notices: rows.map((r) => ({
          id: r['id'] as string,
          alertId: id,
          kind: r['kind'] as NoticeKind,
          text: r['text'] as string,
          createdAt: new Date(r['created_at'] as string),
        })),
      };
    },

    async acknowledge(id, actor) {
      return db.transaction(async (tx) => {
        const a = await byId(tx, id, true);
        if (!a) return fail(NodeopsError.AlertNotFound);
        if (a.status === 'resolved') return fail(NodeopsError.AlertResolved);
        await tx.query(
          `UPDATE nodeops_alerts SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3
           WHERE id = $1`,
          [id, new Date(deps.now()), actor.id],
        );
        await audit.record({
          action: 'nodeops_alert.acknowledged',
          ...actorFields(actor),
          targetType: 'nodeops_alert',
          targetId: id,
        });
        return (await byId(tx, id)) as Alert;
      });
    },

    async silence(id, until, actor) {
      return db.transaction(async (tx) => {
        const a = await byId(tx, id, true);
        if (!a) return fail(NodeopsError.AlertNotFound);
        if (a.status === 'resolved') return fail(NodeopsError.AlertResolved);
        await tx.query('UPDATE nodeops_alerts SET silenced_until = $2 WHERE id = $1', [id, until]);
        await audit.record({
          action: 'nodeops_alert.silenced',
          ...actorFields(actor),
          targetType: 'nodeops_alert',
          targetId: id,
          data: { until: until.toISOString() },
        });
        return (await byId(tx, id)) as Alert;
      });
    },

    async open() {
      const { rows } = await db.query(`${alertSelect} WHERE a.status <> 'resolved'`);
      return new Map(
        rows.map((r) => {
          const a = alertFromRow(r);
          return [`${a.nodeId ?? a.monitorId ?? `producer:${a.producerChain ?? ''}`}/${a.kind}`, a];
        }),
      );
    },

    openAlert: (tx, p) => open(tx, 'node_id', p.node.id, p.node.chain, p),
    openMonitorAlert: (tx, p) => open(tx, 'monitor_id', p.monitor.id, p.monitor.chain, p),
    resolveMonitorAlert: (tx, p) => resolve(tx, 'monitor_id', p.monitorId, p),
    resolveAlert: (tx, p) => resolve(tx, 'node_id', p.nodeId, p),
    async resolveQuietDoubleSigns(tx, quietSeconds, at) {
      const { rows } = await tx.query(
        `UPDATE nodeops_alerts SET status = 'resolved', resolved_at = $1
          WHERE producer_chain IS NOT NULL AND kind = 'double_sign_attempt' AND status <> 'resolved'
            AND (details->>'last_attempt_at')::timestamptz <= $1::timestamptz - make_interval(secs => $2)
          RETURNING id`,
        [at, quietSeconds],
      );
      const out: Alert[] = [];
      for (const r of rows) {
        const a = await published(tx, r, 'nodeops.alert.resolved');
        if (a) out.push(a);
      }
      return out;
    },
    openProducerAlert: (tx, p) => open(tx, 'producer_chain', p.chain, p.chain, p),
    resolveProducerAlert: (tx, p) => resolve(tx, 'producer_chain', p.chain, p),

    async notify(tx, alert, kind, text) {
      const id = newId('nno');
      await tx.query(
        `WITH notice AS (
           INSERT INTO nodeops_notices (id, alert_id, kind, text) VALUES ($1, $2, $3, $4) RETURNING id
         )
         INSERT INTO nodeops_deliveries (notice_id, channel_id)
         SELECT notice.id, c.id FROM notice, nodeops_channels c
         WHERE (c.min_severity = 'warning' OR $5 = 'critical')
           AND (c.chains = '{}' OR $6::text = ANY (c.chains))`,
        [id, alert.id, kind, text, alert.severity, alert.chain],
      );
    },

    async remind(tx, everySeconds, at) {
      if (everySeconds <= 0) return [];
      const { rows } = await tx.query(
        `UPDATE nodeops_alerts SET last_notice_at = $1
         WHERE status = 'firing' AND (silenced_until IS NULL OR silenced_until <= $1)
           AND last_notice_at <= $1 - make_interval(secs => $2)
         RETURNING id`,
        [at, everySeconds],
      );
      const out: Alert[] = [];
      for (const r of rows) out.push((await byId(tx, r['id'] as string)) as Alert);
      return out;
    },
  };
}
