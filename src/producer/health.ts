import type { EtcdClient } from './etcd.js';
import type { RegionElection } from './election.js';

/**
 * A region's health for one chain, as the node checks see its producer (validator) nodes.
 * `unknown`: no validator node of that region is watched, or the checks have not run
 * lately; it never triggers a failover and never keeps a region from campaigning.
 */
export interface RegionHealth {
  region: string;
  state: 'healthy' | 'unhealthy' | 'unknown';
  /** Every validator node of the region is banned: it is never made active. */
  banned: boolean;
  /** Wall-clock ms since when it has been out of consensus (`unhealthy`). */
  since?: number | undefined;
  /** What the checks found (`stalled,lagging`, a ban reason). */
  reason?: string | undefined;
  /** Every validator node of the region not banned is unreachable (down, not just behind). */
  down?: boolean | undefined;
  /**
   * Wall-clock ms of the last time a check found the region in consensus: the newest
   * healthy check, or (out of consensus) when its last node left consensus. Unset when
   * never seen healthy.
   */
  lastHealthyAt?: number | undefined;
  /** Wall-clock ms of the newest check of the region's validator nodes. */
  checkedAt?: number | undefined;
}

/** Where the producer learns region health (the node-ops checks, see nodeops-health.ts). */
export interface HealthSource {
  regions(chain: string): Promise<RegionHealth[]>;
}

export interface HealthFailoverPolicy {
  /** The active region hands over once it has been unhealthy this long; 0: never. */
  unhealthyForMs: number;
  /** A region must have been seen healthy this long before it is handed the role. */
  healthyForMs: number;
  /** At most one health-driven failover of a chain within this window (no flapping). */
  cooldownMs: number;
  /** Hand over to an unhealthy (not banned) region when no region is healthy. */
  whenAllUnhealthy: boolean;
}

/** What the active region decided on one look at the health of every region. */
export type FailoverDecision =
  | { action: 'stay'; why: 'healthy' | 'unknown' | 'not_yet' | 'no_target' | 'cooldown' }
  | { action: 'hand_over'; to: string; reason: string };

/**
 * The pure decision of the active region `self`: hand over when it has been unhealthy
 * (or banned) for `unhealthyForMs` and another region, not banned, has been healthy for
 * `healthyForMs` (or, with `whenAllUnhealthy`, is merely not banned and not unknown), and
 * no health failover of the chain happened within `cooldownMs`.
 */
export function decideFailover(p: {
  self: string;
  regions: readonly RegionHealth[];
  healthySince: ReadonlyMap<string, number>;
  lastFailoverAt: number | undefined;
  now: number;
  policy: HealthFailoverPolicy;
}): FailoverDecision {
  const { policy, now } = p;
  const mine = p.regions.find((r) => r.region === p.self);
  if (!mine || (mine.state === 'unknown' && !mine.banned))
    return { action: 'stay', why: 'unknown' };
  if (mine.state === 'healthy' && !mine.banned) return { action: 'stay', why: 'healthy' };
  if (!mine.banned && now - (mine.since ?? now) < policy.unhealthyForMs) {
    return { action: 'stay', why: 'not_yet' };
  }
  const others = p.regions.filter((r) => r.region !== p.self && !r.banned);
  const healthy = others
    .filter((r) => r.state === 'healthy')
    .map((r) => ({ r, for: now - (p.healthySince.get(r.region) ?? now) }))
    .filter((x) => x.for >= policy.healthyForMs)
    .sort((a, b) => b.for - a.for || a.r.region.localeCompare(b.r.region));
  const target =
    healthy[0]?.r ??
    (policy.whenAllUnhealthy
      ? others
          .filter((r) => r.state === 'unhealthy')
          .sort((a, b) => (b.since ?? 0) - (a.since ?? 0) || a.region.localeCompare(b.region))[0]
      : undefined);
  if (!target) return { action: 'stay', why: 'no_target' };
  if (p.lastFailoverAt !== undefined && now - p.lastFailoverAt < policy.cooldownMs) {
    return { action: 'stay', why: 'cooldown' };
  }
  const outFor = mine.since !== undefined ? ` for ${Math.round((now - mine.since) / 1000)} s` : '';
  return {
    action: 'hand_over',
    to: target.region,
    reason: mine.banned
      ? `banned${mine.reason ? `: ${mine.reason}` : ''}`
      : `out of consensus${outFor}${mine.reason ? ` (${mine.reason})` : ''}`,
  };
}

/** May this region campaign? Never when banned; not when unhealthy while another is healthy. */
export function mayCampaign(self: string, regions: readonly RegionHealth[]): boolean {
  const mine = regions.find((r) => r.region === self);
  if (!mine) return true;
  if (mine.banned) return false;
  if (mine.state !== 'unhealthy') return true;
  return !regions.some((r) => r.region !== self && !r.banned && r.state === 'healthy');
}

/** The etcd record of a chain's last health failover (shared by every region: the cooldown). */
export interface HealthFailoverRecord {
  from: string;
  to: string;
  reason: string;
  at: number;
}

export interface HealthFailover {
  /** One look at the health of every region; hands over when the decision says so. */
  tick(): Promise<FailoverDecision | undefined>;
  /** The latest verdict for the election's campaign gate (true until the first look). */
  mayCampaign(): boolean;
  regions(): readonly RegionHealth[];
}

/**
 * Health-driven failover of one chain in one region. The active region hands over by
 * writing a switchover request to the chosen region (the election drains, runs the stop
 * hook and releases the lease; the target campaigns at once) and a `health-failover`
 * record whose time every region reads for the cooldown. `onFailover` audits and publishes.
 */
export function createHealthFailover(o: {
  chain: string;
  region: string;
  election: Pick<RegionElection, 'status'>;
  source: HealthSource;
  etcd: EtcdClient;
  keys: { switchover: string; healthFailover: string };
  policy: HealthFailoverPolicy;
  now?: () => number;
  /** How long the switchover request stays valid. */
  requestTtlMs: number;
  onFailover?: (f: HealthFailoverRecord) => Promise<void>;
  onError?: (err: unknown) => void;
}): HealthFailover {
  const now = o.now ?? Date.now;
  const healthySince = new Map<string, number>();
  let latest: RegionHealth[] = [];
  let campaignOk = true;

  return {
    mayCampaign: () => campaignOk,
    regions: () => latest,
    async tick() {
      let regions: RegionHealth[];
      try {
        regions = await o.source.regions(o.chain);
      } catch (err) {
        // No health data: keep the last gate, decide nothing.
        o.onError?.(err);
        return undefined;
      }
      const t = now();
      for (const r of regions) {
        if (r.state === 'healthy' && !r.banned) {
          if (!healthySince.has(r.region)) healthySince.set(r.region, t);
        } else healthySince.delete(r.region);
      }
      latest = regions;
      campaignOk = mayCampaign(o.region, regions);
      if (o.policy.unhealthyForMs <= 0 || o.election.status().state !== 'active') return undefined;
      const kv = await o.etcd.range(o.keys.healthFailover);
      let last: HealthFailoverRecord | undefined;
      try {
        last = kv[0] ? (JSON.parse(kv[0].value) as HealthFailoverRecord) : undefined;
      } catch {
        last = undefined;
      }
      const d = decideFailover({
        self: o.region,
        regions,
        healthySince,
        lastFailoverAt: last?.at,
        now: t,
        policy: o.policy,
      });
      if (d.action !== 'hand_over') return d;
      const record: HealthFailoverRecord = { from: o.region, to: d.to, reason: d.reason, at: t };
      await o.etcd.put(o.keys.healthFailover, JSON.stringify(record));
      await o.etcd.put(
        o.keys.switchover,
        JSON.stringify({
          to: d.to,
          from: o.region,
          until: t + o.requestTtlMs,
          by: 'system:health',
        }),
      );
      await o.onFailover?.(record);
      return d;
    },
  };
}
