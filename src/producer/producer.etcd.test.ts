import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import type { Stoppable } from '../platform/modules/descriptor.js';
import {
  runProducerExportMark,
  runProducerImportMark,
  runProducerStatus,
  runProducerSwitchover,
} from './cli.js';
import { verifySignature } from './keys.js';
import { encodeSignBytes } from './sign-bytes.js';
import { etcdClusterUrls, testRoot } from './testing/etcd-env.js';

const PW = 'correct horse battery staple';
const SYSTEM = { type: 'system' as const, id: 'test' };
const blockA = `${'aa'.repeat(32)}:1:${'bb'.repeat(32)}`;
const blockB = `${'cc'.repeat(32)}:1:${'dd'.repeat(32)}`;

const vote = (height: bigint, blockId: string, chainId = 'cosmoshub-4') =>
  Buffer.from(
    encodeSignBytes({
      kind: 'precommit',
      height,
      round: 0,
      blockId,
      chainId,
      timestamp: { seconds: 1_700_000_000n, nanos: 0 },
    }),
  ).toString('base64');

const until = async (cond: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('producer API on a real etcd cluster', () => {
  let t: TestApp;
  let admin: string;
  let role: Stoppable | undefined;
  const hooks = mkdtempSync(join(tmpdir(), 'vw-producer-hooks-'));
  const hookLog = join(hooks, 'hooks.log');

  beforeAll(async () => {
    t = await createTestApp({
      VW_PRODUCER_REGION: 'eu',
      VW_PRODUCER_ETCD_ENDPOINTS: etcdClusterUrls().join(','),
      VW_PRODUCER_ETCD_PREFIX: testRoot(),
      VW_PRODUCER_LEASE_TTL_SECONDS: '2',
      VW_PRODUCER_POLL_MS: '50',
      VW_PRODUCER_CHAINS: JSON.stringify([
        {
          key: 'cosmoshub-4',
          chainId: 'cosmoshub-4',
          startCommand: `echo "start $VW_PRODUCER_CHAIN $VW_PRODUCER_REGION $VW_PRODUCER_REASON" >> ${hookLog}`,
          stopCommand: `echo "stop $VW_PRODUCER_CHAIN $VW_PRODUCER_REGION $VW_PRODUCER_REASON" >> ${hookLog}`,
        },
      ]),
    });
    await t.vw.identity.createAdmin({ email: 'root@example.com', password: PW }, SYSTEM);
    const s = await t.request('POST', '/v1/sessions', {
      body: { email: 'root@example.com', password: PW },
    });
    admin = s.body.token as string;
    role = await t.vw.producer.start();
  });
  afterAll(async () => {
    await role?.stop();
    await t.close();
  });

  const sign = (body: Record<string, unknown>, chain = 'cosmoshub-4') =>
    t.request('POST', `/v1/producer/chains/${chain}/signatures`, { token: admin, body });
  const markHeight = async () =>
    (await t.request('GET', '/v1/producer/chains/cosmoshub-4/mark', { token: admin })).body.mark
      .height as string;

  it('signs as the active region with a sealed key, and refuses what could double sign', async () => {
    const noKey = await sign({ sign_bytes: vote(1n, blockA) });
    expect(noKey.status).toBe(409);
    expect(noKey.body.error.code).toBe('key_missing');
    const key = await t.request('PUT', '/v1/producer/chains/cosmoshub-4/key', {
      token: admin,
      body: {},
    });
    expect(key.status, key.text).toBe(200);
    const { rows } = await t.testDb.db.query<{ sealed_private_key: string }>(
      'SELECT sealed_private_key FROM producer_keys',
    );
    expect(rows[0]?.sealed_private_key).not.toContain(key.body.public_key);

    await until(async () => {
      const s = await t.request('GET', '/v1/producer/chains/cosmoshub-4', { token: admin });
      return s.body.local_state === 'active' && s.body.active_region === 'eu';
    });
    const ok = await sign({ sign_bytes: vote(10n, blockA), height: '10' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ height: '10', round: 0, step: 3, repeat: false, region: 'eu' });
    expect(
      verifySignature(
        'ed25519',
        Buffer.from(key.body.public_key as string, 'hex'),
        Buffer.from(ok.body.signed_bytes as string, 'base64'),
        Buffer.from(ok.body.signature as string, 'base64'),
      ),
    ).toBe(true);

    const again = await sign({ sign_bytes: vote(10n, blockA) });
    expect(again.body).toMatchObject({ repeat: true, signature: ok.body.signature });

    const other = await sign({ sign_bytes: vote(10n, blockB) });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'double_sign_attempt', param: 'block_id' });
    await until(async () => {
      const e = await t.testDb.db.query<{ payload: { block_id: string } }>(
        "SELECT payload FROM outbox_events WHERE type = 'producer.double_sign_attempt'",
      );
      return e.rows[0]?.payload.block_id === blockB;
    });

    const lower = await sign({ sign_bytes: vote(9n, blockA) });
    expect(lower.body.error.code).toBe('mark_regression');
    const garbage = await sign({ sign_bytes: Buffer.from('not a vote').toString('base64') });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('sign_bytes_invalid');
    const mismatch = await sign({ sign_bytes: vote(11n, blockA), height: '12' });
    expect(mismatch.body.error).toMatchObject({ code: 'sign_request_mismatch', param: 'height' });
    const wrongChainId = await sign({ sign_bytes: vote(11n, blockA, 'osmosis-1') });
    expect(wrongChainId.body.error.code).toBe('sign_request_mismatch');
    const unknown = await sign({ sign_bytes: vote(11n, blockA) }, 'nochain');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('chain_unknown');
    // None of the refused requests moved the mark.
    expect(await markHeight()).toBe('10');
  });

  it('exports the mark, refuses a stale import and audits a raised one', async () => {
    const exported = await t.request('GET', '/v1/producer/chains/cosmoshub-4/mark', {
      token: admin,
    });
    expect(exported.body).toMatchObject({
      format: 'vaultwire.producer.mark.v1',
      chain: 'cosmoshub-4',
      mark: { height: '10', round: 0, step: 3, block_id: blockA },
    });
    const stale = await t.request('PUT', '/v1/producer/chains/cosmoshub-4/mark', {
      token: admin,
      body: { ...exported.body, mark: { height: '9', round: 0, step: 3 } },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('mark_stale');
    const raised = await t.request('PUT', '/v1/producer/chains/cosmoshub-4/mark', {
      token: admin,
      body: { ...exported.body, mark: { height: '500', round: 0, step: 1 } },
    });
    expect(raised.status, raised.text).toBe(200);
    expect(await markHeight()).toBe('500');
    const below = await sign({ sign_bytes: vote(400n, blockA) });
    expect(below.body.error.code).toBe('mark_regression');
    const audit = await t.vw.audit.list({ limit: 10, action: 'producer.mark_imported' });
    expect(audit.events[0]?.data).toMatchObject({ height: '500' });
  });

  it('answers the vaultwire producer commands', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => errors.push(l) };
    expect(await runProducerStatus(t.vw.producer, io, {})).toBe(0);
    expect(lines[0]).toMatch(
      /^cosmoshub-4 {2}active=eu {2}here=eu:active {2}mark=500\/0\/1 {2}key=[0-9a-f]{64}$/,
    );
    expect(await runProducerExportMark(t.vw.producer, io, { chain: 'cosmoshub-4' })).toBe(0);
    const exported = JSON.parse(lines.at(-1) ?? '') as { mark: { height: string } };
    expect(exported.mark.height).toBe('500');
    const file = join(hooks, 'mark.json');
    writeFileSync(file, JSON.stringify(exported));
    expect(
      await runProducerImportMark(t.vw.producer, io, SYSTEM, { chain: 'cosmoshub-4', file }),
    ).toBe(1);
    expect(errors.at(-1)).toMatch(/^error: mark_stale/);
    expect(await runProducerSwitchover(t.vw.producer, io, SYSTEM, { chain: 'cosmoshub-4' })).toBe(
      2,
    );
  });

  it('drains the region on a switchover: stop hook, lease released, audited', async () => {
    const r = await t.request('POST', '/v1/producer/chains/cosmoshub-4/switchover', {
      token: admin,
      body: { to: 'us' },
    });
    expect(r.status, r.text).toBe(202);
    await until(async () => {
      const s = await t.request('GET', '/v1/producer/chains/cosmoshub-4', { token: admin });
      return s.body.local_state === 'standby' && s.body.active_region === null;
    });
    const refused = await sign({ sign_bytes: vote(501n, blockA) });
    expect(refused.body.error.code).toBe('region_not_active');
    expect(readFileSync(hookLog, 'utf8').trim().split('\n')).toEqual([
      'start cosmoshub-4 eu campaign',
      'stop cosmoshub-4 eu switchover',
    ]);
    const audit = await t.vw.audit.list({ limit: 10, action: 'producer.switchover_requested' });
    expect(audit.events[0]).toMatchObject({ targetId: 'cosmoshub-4', data: { to: 'us' } });
  });
});

describe('producer module without configuration', () => {
  it('is inert: its role does nothing and its routes say it is not configured', async () => {
    const t = await createTestApp();
    try {
      const role = await t.vw.producer.start();
      await role.stop();
      expect(t.vw.producer.configured).toBe(false);
      const r = await t.vw.producer.sign('cosmoshub-4', { signBytes: new Uint8Array() });
      expect(r).toMatchObject({ code: 'chain_unknown' });
    } finally {
      await t.close();
    }
  });
});
