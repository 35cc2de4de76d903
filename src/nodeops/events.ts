import { defineEvents } from '../platform/events/registry.js';

/**
 * The node-ops module's events. They concern the operators' fleet, not any user, so they
 * have no owner and go to operators' (staff) webhook endpoints.
 */
const noOwner = () => [];

export const NODEOPS_EVENT_REGISTRY = defineEvents('nodeops', [
  {
    type: 'nodeops.alert.opened',
    description:
      'A node check fired (unreachable, syncing, stalled, lagging, forked, missed_signatures, inactive, jailed, missed_rounds, peers_low, outdated), or a monitor’s (backup_stale, down, slow, cert_expiring, heartbeat_missed), or a producer chain’s (double_sign_attempt, producer_failover, from the producer module’s events): the alert is open until recovery is observed',
    payload:
      'alert_id, node_id, node (null for a monitor), monitor_id, monitor (monitors only), producer_chain (producer alerts only), chain (null for a monitor of no chain), region, role, kind, severity, summary, opened_at',
    owners: noOwner,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'nodeops.alert.resolved',
    description: 'The condition of an open alert was observed to have cleared',
    payload:
      'alert_id, node_id, node, monitor_id, monitor (monitors only), producer_chain (producer alerts only), chain, region, role, kind, severity, summary, opened_at, resolved_at',
    owners: noOwner,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'nodeops.node.banned',
    description:
      'A node was banned: out of consensus for longer than its chain’s banAfterSeconds, or by an operator',
    payload: 'node_id, node, chain, region, role, reason, banned_by, banned_at',
    owners: noOwner,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'nodeops.node.unbanned',
    description:
      'A ban was lifted: by an operator, or automatically after the node was back in consensus for unbanAfterSeconds',
    payload: 'node_id, node, chain, region, role, unbanned_by, unbanned_at',
    owners: noOwner,
    visibility: 'public',
    operator: true,
  },
]);
