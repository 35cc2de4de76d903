import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { isFailure } from '../platform/failure.js';
import type { Stoppable } from '../platform/modules/descriptor.js';
import { startScriptedChain, type ScriptedChain } from '../nodeops/simulator.js';
import { nodeopsHealthSource } from './nodeops-health.js';
import { createProducerService, type ProducerService } from './service.js';
import { DEFAULT_PRODUCER_SETTINGS } from './settings.js';
import { etcdClusterUrls, testRoot } from './testing/etcd-env.js';

/**
 * "Backup stale" as a failover input, end to end: both regions' validator nodes stay in
 * consensus on a scripted CometBFT chain, the real node-ops monitor checks each region's
 * backup directory, and two producer services campaign on the real etcd cluster, reading
 * region health through the node-ops service (fleet and backup freshness). When the
 * active region's newest backup grows older than its limit, the role moves to the region
 * whose backups are fresh.
 */
const UNHEALTHY_MS = 1000;
let chain: ScriptedChain;
let t: TestApp;
let monitor: { stop(): Promise<void> };
const roles: Stoppable[] = [];
const services = new Map<string, ProducerService>();
const root = testRoot();
const dirs = {
  eu: mkdtempSync(join(tmpdir(), 'vw-backup-eu-')),
  us: mkdtempSync(join(tmpdir(), 'vw-backup-us-')),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

function backup(dir: string, ageMs: number) {
  const p = join(dir, 'snapshot.tar.lz4');
  writeFileSync(p, 'backup');
  const at = new Date(Date.now() - ageMs);
  utimesSync(p, at, at);
}

function producer(region: string): ProducerService {
  const service = createProducerService({
    db: t.vw.db,
    secretBox: t.vw.secretBox,
    audit: t.vw.audit,
    outbox: t.vw.outbox,
    logger: t.vw.logger,
    registry: new Registry(),
    settings: {
      ...DEFAULT_PRODUCER_SETTINGS,
      region,
      etcdEndpoints: etcdClusterUrls(),
      etcdPrefix: root,
      chains: [{ key: 'hub-1', algorithm: 'ed25519', format: 'cometbft', nodeopsChain: 'hub' }],
      leaseTtlSeconds: 2,
      lockDelayMs: 200,
      pollMs: 50,
      healthFailover: {
        unhealthyForMs: UNHEALTHY_MS,
        healthyForMs: 300,
        cooldownMs: 60_000,
        whenAllUnhealthy: false,
        staleMs: 3000,
        pollMs: 100,
      },
    },
    health: nodeopsHealthSource({
      fleet: t.vw.nodeops.fleet,
      backups: t.vw.nodeops.monitors,
      chainKey: () => 'hub',
      staleMs: 3000,
    }),
  });
  services.set(region, service);
  return service;
}

async function activeRegion(): Promise<string | undefined> {
  const s = await services.get('eu')?.status('hub-1');
  return s && !isFailure(s) ? s.activeRegion : undefined;
}

beforeAll(async () => {
  backup(dirs.eu, 60_000);
  backup(dirs.us, 60_000);
  chain = await startScriptedChain({ chainId: 'hub-1', blockTimeMs: 300 });
  for (const n of ['val-eu', 'val-us', 'ref']) chain.addNode(n);
  t = await createTestApp({
    VW_NODEOPS: JSON.stringify({
      enabled: true,
      intervalMs: 100,
      ssrfAllow: ['127.0.0.0/8'],
      chains: [
        {
          key: 'hub',
          family: 'cometbft',
          blockTimeSeconds: 0.3,
          lagBlocks: 1000,
          banAfterSeconds: 3600,
          references: [chain.nodeUrl('ref')],
        },
      ],
      nodes: ['eu', 'us'].map((region) => ({
        name: `val-${region}`,
        chain: 'hub',
        region,
        role: 'validator',
        url: chain.nodeUrl(`val-${region}`),
      })),
      monitors: (['eu', 'us'] as const).map((region) => ({
        name: `hub-backup-${region}`,
        kind: 'backup',
        chain: 'hub',
        region,
        path: dirs[region],
        maxAgeSeconds: 3600,
        intervalSeconds: 0.2,
      })),
    }),
  });
  monitor = t.vw.nodeops.createMonitor().start();
  const eu = producer('eu');
  const us = producer('us');
  roles.push(await eu.start());
  await until('eu active', async () => (await activeRegion()) === 'eu');
  roles.push(await us.start());
}, 60_000);

afterAll(async () => {
  for (const r of roles) await r.stop();
  await monitor.stop();
  await t.close();
  await chain.close();
});

describe('backup stale as a producer failover input', () => {
  it('hands the role from the active region once its backups are stale, to the region with fresh ones', async () => {
    // Everything healthy: nothing moves.
    await sleep(UNHEALTHY_MS + 1000);
    expect(await activeRegion()).toBe('eu');

    backup(dirs.eu, 2 * 3600_000);
    await until('us active', async () => (await activeRegion()) === 'us');
    const { rows } = await t.vw.db.query<{ payload: { from: string; to: string; reason: string } }>(
      `SELECT payload FROM outbox_events WHERE type = 'producer.failover.health' AND aggregate_id = 'hub-1' ORDER BY seq`,
    );
    expect(rows.map((r) => r.payload)).toMatchObject([{ from: 'eu', to: 'us' }]);
    expect(rows[0]?.payload.reason).toMatch(/backup_stale/);
    // The node itself never left consensus: the backup alone moved the role.
    const node = await t.vw.nodeops.fleet.getNode('val-eu');
    expect(!isFailure(node) && node.outSince).toBe(null);
  });
});
