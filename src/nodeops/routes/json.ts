import type { Alert, Notice } from '../alerts.js';
import type { Chain, Channel, FleetNode } from '../fleet.js';
import type { BackupGroup, BackupRegionStatus, ServiceMonitor } from '../monitors.js';

/** API views of the node-ops records (snake_case, ISO times). */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function chainJson(c: Chain) {
  return {
    object: 'nodeops_chain' as const,
    key: c.key,
    family: c.family,
    references: c.references,
    lcd_url: c.lcdUrl,
    release_feed: c.releaseFeed,
    thresholds: Object.fromEntries(
      Object.entries(c.thresholds as Record<string, number | undefined>).flatMap(([k, v]) =>
        v === undefined ? [] : [[k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`), v]],
      ),
    ),
    source: c.source,
    created_at: c.createdAt.toISOString(),
  };
}

export function nodeJson(n: FleetNode, lastAlert?: Alert) {
  const s = n.lastState;
  return {
    id: n.id,
    object: 'nodeops_node' as const,
    name: n.name,
    chain: n.chain,
    region: n.region,
    role: n.role,
    url: n.url,
    validator_address: n.validatorAddress,
    producer_name: n.producerName,
    source: n.source,
    height: s?.height ?? null,
    lag: s?.lag ?? null,
    peers: s?.peers ?? null,
    version: s?.version ?? null,
    state: s?.state ?? 'unknown',
    checked_at: s?.checked_at ?? null,
    out_of_consensus_since: iso(n.outSince),
    banned: n.bannedAt !== null,
    banned_at: iso(n.bannedAt),
    ban_reason: n.banReason,
    banned_by: n.bannedBy,
    last_alert: lastAlert
      ? {
          id: lastAlert.id,
          kind: lastAlert.kind,
          status: lastAlert.status,
          opened_at: lastAlert.openedAt.toISOString(),
        }
      : null,
    created_at: n.createdAt.toISOString(),
  };
}

export function alertJson(a: Alert) {
  return {
    id: a.id,
    object: 'nodeops_alert' as const,
    node_id: a.nodeId,
    node: a.node,
    monitor_id: a.monitorId,
    monitor: a.monitor,
    producer_chain: a.producerChain,
    chain: a.chain,
    region: a.region,
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    summary: a.summary,
    details: a.details,
    opened_at: a.openedAt.toISOString(),
    acknowledged_at: iso(a.acknowledgedAt),
    acknowledged_by: a.acknowledgedBy,
    silenced_until: iso(a.silencedUntil),
    resolved_at: iso(a.resolvedAt),
  };
}

export function noticeJson(n: Notice) {
  return { id: n.id, kind: n.kind, text: n.text, created_at: n.createdAt.toISOString() };
}

export function channelJson(c: Channel) {
  return {
    id: c.id,
    object: 'nodeops_channel' as const,
    name: c.name,
    kind: c.kind,
    settings: c.settings,
    min_severity: c.minSeverity,
    chains: c.chains,
    source: c.source,
    created_at: c.createdAt.toISOString(),
  };
}

export function monitorJson(m: ServiceMonitor) {
  const st = m.lastState;
  return {
    id: m.id,
    object: 'nodeops_monitor' as const,
    name: m.name,
    kind: m.kind,
    chain: m.chain,
    region: m.region,
    settings: Object.fromEntries(
      Object.entries(m.settings as Record<string, unknown>).map(([k, v]) => [
        k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
        v,
      ]),
    ),
    state: st?.state ?? 'unknown',
    checked_at: st?.checked_at ?? null,
    last: st ?? null,
    last_push_at: iso(m.lastPushAt),
    source: m.source,
    created_at: m.createdAt.toISOString(),
  };
}

function backupRegionJson(r: BackupRegionStatus) {
  return {
    region: r.region,
    monitor: r.monitor,
    newest_at: iso(r.newestAt),
    age_seconds: r.ageSeconds,
    height: r.height,
    max_age_seconds: r.maxAgeSeconds,
    stale: r.stale,
    stale_since: iso(r.staleSince),
    checked_at: iso(r.checkedAt),
  };
}

export function backupGroupJson(g: BackupGroup) {
  return {
    chain: g.chain,
    freshest: g.freshest ? backupRegionJson(g.freshest) : null,
    regions: g.regions.map(backupRegionJson),
  };
}
