import type { HealthSource, RegionHealth } from './health.js';

/**
 * The part of the node-ops service the producer reads: its fleet of nodes with their
 * last checks (`nodeops` module, `NodeopsService.fleet.listNodes`). Structural, so the
 * producer depends on the shape it uses and nothing else of that module.
 */
export interface NodeFleetView {
  listNodes(filter?: { chain?: string | undefined }): Promise<
    {
      chain: string;
      region: string;
      role: string;
      outSince: Date | null;
      bannedAt: Date | null;
      banReason: string | null;
      lastState: { state: string; checked_at: string } | null;
    }[]
  >;
}

/**
 * The backup freshness the producer reads (`NodeopsService.monitors.backupStatus`): per
 * region, whether its backup check fires, since when, and when the check was last written.
 */
export interface BackupFreshnessView {
  backupStatus(filter?: { chain?: string | undefined }): Promise<
    {
      chain: string | null;
      regions: {
        region: string;
        stale: boolean;
        staleSince: Date | null;
        evaluatedAt: Date | null;
      }[];
    }[]
  >;
}

/**
 * Region health from the node-ops checks: a region's producer nodes are its `validator`
 * nodes of the chain. Healthy when one of them, not banned, is in consensus by a check
 * newer than `staleMs`; unhealthy when every one not banned is out of consensus (since the
 * latest of their `outSince`); banned when all are banned; otherwise unknown (no validator
 * watched, or the checks stale: the monitor is not running). With `backups`, a region whose
 * backup check for the chain fires (by a verdict newer than `staleMs`) is unhealthy too,
 * since its `backup_stale` alert opened: a region that could not restore its node is no
 * place to keep the producer.
 */
export function nodeopsHealthSource(o: {
  fleet: NodeFleetView;
  backups?: BackupFreshnessView | undefined;
  /** The node-ops chain key of a producer chain (the same key unless mapped). */
  chainKey: (producerChain: string) => string;
  staleMs: number;
  now?: () => number;
}): HealthSource {
  const now = o.now ?? Date.now;
  return {
    async regions(chain) {
      const key = o.chainKey(chain);
      const nodes = (await o.fleet.listNodes({ chain: key })).filter((n) => n.role === 'validator');
      const t = now();
      const staleBackups = new Map<string, number>();
      for (const g of o.backups ? await o.backups.backupStatus({ chain: key }) : []) {
        for (const b of g.regions) {
          const current = b.evaluatedAt !== null && t - b.evaluatedAt.getTime() <= o.staleMs;
          if (b.stale && current) {
            const since = b.staleSince?.getTime() ?? t;
            staleBackups.set(b.region, Math.min(since, staleBackups.get(b.region) ?? since));
          }
        }
      }
      const byRegion = new Map<string, typeof nodes>();
      for (const n of nodes) byRegion.set(n.region, [...(byRegion.get(n.region) ?? []), n]);
      const checked = (n: (typeof nodes)[number]) =>
        n.lastState === null ? undefined : Date.parse(n.lastState.checked_at);
      const newest = (ns: typeof nodes) => {
        const times = ns.map(checked).filter((x): x is number => x !== undefined);
        return times.length > 0 ? Math.max(...times) : undefined;
      };
      const byNodes = [...byRegion].map(([region, ns]): RegionHealth => {
        const live = ns.filter((n) => n.bannedAt === null);
        const checkedAt = newest(ns);
        if (live.length === 0) {
          return {
            region,
            state: 'unhealthy',
            banned: true,
            reason: ns.map((n) => n.banReason).find(Boolean) ?? 'banned',
            checkedAt,
          };
        }
        const fresh = live.filter((n) => {
          const at = checked(n);
          return at !== undefined && t - at <= o.staleMs;
        });
        const down =
          fresh.length === live.length &&
          fresh.every((n) => n.lastState?.state.split(',').includes('unreachable'));
        const inConsensus = fresh.filter((n) => n.outSince === null);
        if (inConsensus.length > 0) {
          return {
            region,
            state: 'healthy',
            banned: false,
            down: false,
            lastHealthyAt: newest(inConsensus),
            checkedAt,
          };
        }
        if (fresh.length === live.length) {
          const since = Math.max(...live.map((n) => n.outSince?.getTime() ?? t));
          const reasons = [...new Set(live.map((n) => n.lastState?.state ?? ''))]
            .filter((s) => s && s !== 'ok')
            .join(',');
          return {
            region,
            state: 'unhealthy',
            banned: false,
            since,
            reason: reasons || undefined,
            down,
            // The last of its nodes left consensus then: until that moment it was in.
            lastHealthyAt: since,
            checkedAt,
          };
        }
        return { region, state: 'unknown', banned: false, checkedAt };
      });
      for (const region of staleBackups.keys()) {
        if (!byRegion.has(region)) byNodes.push({ region, state: 'unknown', banned: false });
      }
      return byNodes.map((r): RegionHealth => {
        const since = staleBackups.get(r.region);
        if (since === undefined || r.banned) return r;
        if (r.state === 'unhealthy') {
          return {
            ...r,
            since: Math.min(r.since ?? since, since),
            reason: r.reason ? `${r.reason},backup_stale` : 'backup_stale',
          };
        }
        return { ...r, state: 'unhealthy', banned: false, since, reason: 'backup_stale' };
      });
    },
  };
}
