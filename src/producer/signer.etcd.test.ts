import { afterEach, describe, expect, it } from 'vitest';
import { isFailure } from '../platform/failure.js';
import { createRegionElection, type ElectionChange, type RegionElection } from './election.js';
import { createEtcdClient, type EtcdClient } from './etcd.js';
import { randomPrivateKey, signingKey, verifySignature } from './keys.js';
import { createChainSigner } from './signer.js';
import { encodeSignBytes } from './sign-bytes.js';
import { etcdClusterUrls, testRoot } from './testing/etcd-env.js';

const key = signingKey('ed25519', randomPrivateKey('ed25519'));
const blockA = `${'aa'.repeat(32)}:1:${'bb'.repeat(32)}`;
const blockB = `${'cc'.repeat(32)}:1:${'dd'.repeat(32)}`;

function vote(height: bigint, round: number, blockId: string, seconds = 1_700_000_000n) {
  const signBytes = encodeSignBytes({
    kind: 'precommit',
    height,
    round,
    blockId,
    chainId: 'test-1',
    timestamp: { seconds, nanos: 0 },
  });
  return { height, round, step: 3, blockId, signBytes };
}

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('region election and fenced signer on a 3-member etcd cluster', () => {
  const clients: EtcdClient[] = [];
  const elections: RegionElection[] = [];
  afterEach(async () => {
    await Promise.all(elections.splice(0).map((e) => e.stop()));
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  function region(root: string, name: string, extra: { lockDelayMs?: number } = {}) {
    const etcd = createEtcdClient({ endpoints: etcdClusterUrls(), timeoutMs: 500 });
    clients.push(etcd);
    const changes: ElectionChange[] = [];
    const election = createRegionElection({
      etcd,
      root,
      chain: 'test-1',
      region: name,
      ttlSeconds: 2,
      clockMargin: 0.2,
      lockDelayMs: extra.lockDelayMs ?? 0,
      pollMs: 50,
      onChange: (c) => {
        changes.push(c);
        return Promise.resolve();
      },
    });
    elections.push(election);
    const refusals: string[] = [];
    const signer = createChainSigner({
      etcd,
      root,
      chain: 'test-1',
      region: name,
      election,
      key: () => Promise.resolve(key),
      onRefusal: (r) => refusals.push(r.reason),
    });
    return { etcd, election, signer, changes, refusals };
  }

  it('lets one region sign, refuses the standby, repeats and regressions, and alerts on a double sign', async () => {
    const root = testRoot();
    const a = region(root, 'eu');
    const b = region(root, 'us');
    a.election.start();
    await until(() => a.election.status().state === 'active');
    b.election.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(b.election.status().state).toBe('standby');

    const first = await a.signer.sign(vote(10n, 0, blockA));
    if (isFailure(first)) throw new Error(first.code);
    expect(verifySignature('ed25519', key.publicKey, first.signedBytes, first.signature)).toBe(
      true,
    );

    const fromStandby = await b.signer.sign(vote(11n, 0, blockA));
    expect(isFailure(fromStandby) && fromStandby.code).toBe('region_not_active');

    // The same vote again, with a later timestamp: the first bytes' signature comes back.
    const repeat = await a.signer.sign(vote(10n, 0, blockA, 1_700_000_009n));
    if (isFailure(repeat)) throw new Error(repeat.code);
    expect(repeat.repeat).toBe(true);
    expect(Buffer.from(repeat.signature)).toEqual(Buffer.from(first.signature));

    const other = await a.signer.sign(vote(10n, 0, blockB));
    expect(isFailure(other) && other.code).toBe('double_sign_attempt');
    const lower = await a.signer.sign(vote(9n, 5, blockA));
    expect(isFailure(lower) && lower.code).toBe('mark_regression');
    expect(a.refusals).toEqual(['double_sign_attempt', 'mark_regression']);
    expect((await b.signer.mark())?.height).toBe(10n);
  });

  it('hands over on a switchover: the old region steps down first, the new one signs above the mark', async () => {
    const root = testRoot();
    const a = region(root, 'eu');
    const b = region(root, 'us', { lockDelayMs: 60_000 });
    a.election.start();
    await until(() => a.election.status().state === 'active');
    b.election.start();
    expect(isFailure(await a.signer.sign(vote(5n, 0, blockA)))).toBe(false);

    await a.etcd.put(
      `${root}/test-1/switchover`,
      JSON.stringify({ to: 'us', until: Date.now() + 30_000, by: 'test' }),
    );
    // No lock delay on a voluntary handover, though the target has a minute of it.
    await until(() => b.election.status().state === 'active', 5000);
    expect(a.changes.map((c) => `${c.kind}:${c.reason}`)).toEqual([
      'activated:campaign',
      'deactivated:switchover',
    ]);
    expect(b.changes.map((c) => `${c.kind}:${c.reason}`)).toEqual(['activated:switchover']);
    const old = await a.signer.sign(vote(6n, 0, blockA));
    expect(isFailure(old) && old.code).toBe('region_not_active');
    expect(isFailure(await b.signer.sign(vote(5n, 0, blockB)))).toBe(true);
    expect(isFailure(await b.signer.sign(vote(6n, 0, blockB)))).toBe(false);
  });

  it('fences a holder whose lease was taken away: its next signature is refused in etcd', async () => {
    const root = testRoot();
    const a = region(root, 'eu');
    a.election.start();
    await until(() => a.election.status().state === 'active');
    // Someone else holds the key now (as after a pause past the lease and a takeover),
    // though this process still believes its window is open.
    const lease = a.election.signingLease();
    expect(lease).toBeDefined();
    await a.etcd.put(
      `${root}/test-1/leader`,
      JSON.stringify({ region: 'us', instance: 'x', lease: '1', at: 0 }),
    );
    const r = await a.signer.sign(vote(1n, 0, blockA));
    expect(isFailure(r) && r.code).toBe('region_not_active');
    await until(() => a.election.status().state !== 'active');
    expect(a.changes.at(-1)).toMatchObject({ kind: 'deactivated', reason: 'fence_failed' });
    expect(await a.signer.mark()).toBeUndefined();
  });

  it('refuses to import a mark at or below the current one', async () => {
    const root = testRoot();
    const a = region(root, 'eu');
    a.election.start();
    await until(() => a.election.status().state === 'active');
    expect(isFailure(await a.signer.sign(vote(100n, 0, blockA)))).toBe(false);
    const base = { blockId: '', signBytes: '', region: 'import', at: Date.now() };
    const stale = await a.signer.raiseMark({ height: 99n, round: 9, step: 3, ...base });
    expect(isFailure(stale) && stale.code).toBe('mark_stale');
    const same = await a.signer.raiseMark({ height: 100n, round: 0, step: 3, ...base });
    expect(isFailure(same) && same.code).toBe('mark_stale');
    expect(isFailure(await a.signer.raiseMark({ height: 200n, round: 0, step: 1, ...base }))).toBe(
      false,
    );
    const below = await a.signer.sign(vote(150n, 0, blockA));
    expect(isFailure(below) && below.code).toBe('mark_regression');
    // An imported mark carries no bytes: the same HRS is refused, not signed again.
    const at = await a.signer.sign({ ...vote(200n, 0, ''), step: 1 });
    expect(isFailure(at) && at.code).toBe('already_signed');
  });
});
