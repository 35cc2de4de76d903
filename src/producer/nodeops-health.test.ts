import { describe, expect, it } from 'vitest';
import {
  nodeopsHealthSource,
  type BackupFreshnessView,
  type NodeFleetView,
} from './nodeops-health.js';

/**
 * Region health from the node-ops service's views: the validator nodes' checks and, with
 * backups, each region's backup freshness. A fresh verdict that a region's backup is
 * stale makes it unhealthy (a failover input); a verdict the monitor stopped writing
 * moves nothing.
 */
const NOW = 10_000_000;
const STALE_MS = 5000;
const checked = { state: 'ok', checked_at: new Date(NOW - 1000).toISOString() };
const validator = (
  region: string,
  over: Partial<Awaited<ReturnType<NodeFleetView['listNodes']>>[number]> = {},
) => ({
  chain: 'hub',
  region,
  role: 'validator',
  outSince: null,
  bannedAt: null,
  banReason: null,
  lastState: checked,
  ...over,
});
const fleet = (nodes: ReturnType<typeof validator>[]): NodeFleetView => ({
  listNodes: () => Promise.resolve(nodes),
});
const backups = (
  regions: { region: string; stale: boolean; staleSince?: number; evaluatedAgoMs?: number }[],
): BackupFreshnessView & { asked: (string | undefined)[] } => {
  const asked: (string | undefined)[] = [];
  return {
    asked,
    backupStatus: (filter) => {
      asked.push(filter?.chain);
      return Promise.resolve([
        {
          chain: 'hub',
          regions: regions.map((r) => ({
            region: r.region,
            stale: r.stale,
            staleSince: r.staleSince === undefined ? null : new Date(r.staleSince),
            evaluatedAt: new Date(NOW - (r.evaluatedAgoMs ?? 500)),
          })),
        },
      ]);
    },
  };
};
const source = (f: NodeFleetView, b?: BackupFreshnessView) =>
  nodeopsHealthSource({
    fleet: f,
    backups: b,
    chainKey: () => 'hub',
    staleMs: STALE_MS,
    now: () => NOW,
  });

describe('region health with backup freshness', () => {
  it('a region whose backup is stale is unhealthy since its alert opened, though its node is in consensus', async () => {
    const b = backups([
      { region: 'eu', stale: true, staleSince: NOW - 40_000 },
      { region: 'us', stale: false },
    ]);
    const regions = await source(fleet([validator('eu'), validator('us')]), b).regions('hub-1');
    expect(b.asked).toEqual(['hub']);
    // (Matched, not equal: each region also carries its nodes' status fields.)
    expect(regions).toMatchObject([
      {
        region: 'eu',
        state: 'unhealthy',
        banned: false,
        since: NOW - 40_000,
        reason: 'backup_stale',
      },
      { region: 'us', state: 'healthy', banned: false },
    ]);
  });

  it('adds backup_stale to a region already out of consensus, from the earlier of the two', async () => {
    const out = validator('eu', {
      outSince: new Date(NOW - 10_000),
      lastState: { state: 'stalled', checked_at: checked.checked_at },
    });
    const regions = await source(
      fleet([out]),
      backups([{ region: 'eu', stale: true, staleSince: NOW - 60_000 }]),
    ).regions('hub-1');
    expect(regions).toMatchObject([
      {
        region: 'eu',
        state: 'unhealthy',
        banned: false,
        since: NOW - 60_000,
        reason: 'stalled,backup_stale',
      },
    ]);
  });

  it('ignores a stale verdict the monitor stopped writing, and a fresh backup; a banned region stays banned', async () => {
    const regions = await source(
      fleet([validator('eu'), validator('us', { bannedAt: new Date(NOW - 1), banReason: 'ops' })]),
      backups([
        { region: 'eu', stale: true, staleSince: NOW - 60_000, evaluatedAgoMs: STALE_MS + 1 },
        { region: 'us', stale: true, staleSince: NOW - 60_000 },
      ]),
    ).regions('hub-1');
    expect(regions).toMatchObject([
      { region: 'eu', state: 'healthy', banned: false },
      { region: 'us', state: 'unhealthy', banned: true, reason: 'ops' },
    ]);
  });

  it('without the backup view, health is the nodes’ alone', async () => {
    const regions = await source(fleet([validator('eu')])).regions('hub-1');
    expect(regions).toMatchObject([{ region: 'eu', state: 'healthy', banned: false }]);
  });
});
