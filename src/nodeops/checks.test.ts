import { describe, expect, it } from 'vitest';
import {
  evaluateNode,
  majorityHash,
  parseVersion,
  recordSignature,
  rememberHeight,
  type NodeInput,
} from './checks.js';
import { ThresholdsSchema } from './settings.js';

const t = ThresholdsSchema.parse({
  blockTimeSeconds: 6.5,
  lagBlocks: 3,
  minPeers: 2,
  missedConsecutive: 3,
});
const base = (over: Partial<NodeInput> = {}): NodeInput => ({
  name: 'val-eu',
  observation: { reachable: true, height: 100, hash: 'AA', syncing: false, peers: 5 },
  memory: undefined,
  best: 100,
  majorityHash: 'AA',
  signing: undefined,
  thresholds: t,
  now: 1_000_000,
  ...over,
});

describe('node checks (the definitions of out of consensus)', () => {
  it('a node in step with the references is clear on every check', () => {
    const v = evaluateNode(base({ memory: { height: 99, since: 990_000, sawChange: true } }));
    expect(Object.values(v).every((x) => x.state === 'clear' || x.state === 'unknown')).toBe(true);
    expect(v.lagging.state).toBe('clear');
    expect(v.forked.state).toBe('clear');
  });

  it('stalled: same height for twice the block time while the chain moved on', () => {
    const memory = { height: 100, since: 1_000_000 - 13_500, sawChange: true };
    const v = evaluateNode(base({ memory, best: 102 }));
    expect(v.stalled).toMatchObject({ state: 'firing' });
    expect((v.stalled as { summary: string }).summary).toBe(
      'val-eu is stuck at height 100 for 14 s while the chain is at 102',
    );
    // The whole chain halted: not this node's fault, and not a recovery either.
    expect(evaluateNode(base({ memory, best: 100 })).stalled.state).toBe('unknown');
    // Just restarted (no change seen yet) and not long enough: unknown, never "clear".
    const fresh = { height: 100, since: 1_000_000 - 2_000, sawChange: false };
    expect(evaluateNode(base({ memory: fresh, best: 101 })).stalled.state).toBe('unknown');
  });

  it('lagging: more than lagBlocks behind the highest of own nodes and references', () => {
    expect(evaluateNode(base({ best: 103 })).lagging.state).toBe('clear');
    const v = evaluateNode(base({ best: 104 }));
    expect(v.lagging).toMatchObject({ state: 'firing', details: { lag: 4, best: 104 } });
  });

  it('forked: its hash at its height differs from the reference majority', () => {
    const v = evaluateNode(base({ majorityHash: 'BB' }));
    expect(v.forked).toMatchObject({
      state: 'firing',
      details: { hash: 'AA', reference_hash: 'BB' },
    });
    expect(evaluateNode(base({ majorityHash: undefined })).forked.state).toBe('unknown');
  });

  it('the reference majority needs more than half of those that answered', () => {
    expect(majorityHash(['A', 'A', 'B'])).toBe('A');
    expect(majorityHash(['A', 'B'])).toBeUndefined();
    expect(majorityHash(['A', undefined, undefined])).toBe('A');
    expect(majorityHash([])).toBeUndefined();
  });

  it('missed signatures: consecutive misses, or too many in the window', () => {
    const r = { heights: [] as number[], signed: [] as boolean[] };
    for (let h = 1; h <= 10; h++) recordSignature(r, h, h < 9, 100);
    expect(evaluateNode(base({ signing: r })).missed_signatures.state).toBe('clear');
    recordSignature(r, 11, false, 100);
    expect(evaluateNode(base({ signing: r })).missed_signatures).toMatchObject({
      state: 'firing',
      details: { consecutive: 3 },
    });
    const scattered = { heights: [] as number[], signed: [] as boolean[] };
    for (let h = 1; h <= 100; h++) recordSignature(scattered, h, h % 10 !== 0, 100);
    expect(evaluateNode(base({ signing: scattered })).missed_signatures).toMatchObject({
      state: 'firing',
      details: { consecutive: 1, missed_in_window: 10 },
    });
  });

  it('unreachable fires; the height checks keep their state (unknown) meanwhile', () => {
    const v = evaluateNode(base({ observation: { reachable: false, error: 'ECONNREFUSED' } }));
    expect(v.unreachable).toMatchObject({ state: 'firing' });
    expect(v.stalled.state).toBe('unknown');
    expect(v.lagging.state).toBe('unknown');
  });

  it('syncing and few peers fire', () => {
    const v = evaluateNode(
      base({ observation: { reachable: true, height: 100, hash: 'AA', syncing: true, peers: 1 } }),
    );
    expect(v.syncing.state).toBe('firing');
    expect(v.peers_low).toMatchObject({
      state: 'firing',
      summary: 'val-eu has 1 peer (fewer than 2)',
    });
  });

  it('the height memory records when a change was seen', () => {
    const m1 = rememberHeight(undefined, 5, 1000);
    expect(m1).toEqual({ height: 5, since: 1000, sawChange: false });
    expect(rememberHeight(m1, 5, 2000)).toBe(m1);
    expect(rememberHeight(m1, 6, 3000)).toEqual({ height: 6, since: 3000, sawChange: true });
  });

  it('jailed and inactive: from the validator’s standing in the staking module', () => {
    const jailed = evaluateNode(
      base({ standing: { bonded: false, jailed: true, moniker: 'hub-val' } }),
    );
    expect(jailed.jailed).toMatchObject({
      state: 'firing',
      summary: 'val-eu: validator hub-val is jailed',
    });
    expect(jailed.inactive).toMatchObject({ state: 'firing' });
    const active = evaluateNode(base({ standing: { bonded: true, jailed: false, moniker: 'v' } }));
    expect(active.jailed.state).toBe('clear');
    expect(active.inactive.state).toBe('clear');
    // Not among the validators at all: inactive; unknown standing (no LCD): no verdict.
    expect(evaluateNode(base({ standing: null })).inactive.state).toBe('firing');
    expect(evaluateNode(base()).inactive.state).toBe('unknown');
    expect(evaluateNode(base()).jailed.state).toBe('unknown');
  });

  it('missed_rounds: more than a round of blocks (schedule × 12) without one of the producer’s', () => {
    const rounds = { producer: 'bpaaa', inSchedule: true, roundBlocks: 252, sawProduce: true };
    expect(
      evaluateNode(base({ rounds: { ...rounds, since: 1000, head: 1251 } })).missed_rounds.state,
    ).toBe('clear');
    expect(
      evaluateNode(base({ rounds: { ...rounds, since: 1000, head: 1252 } })).missed_rounds,
    ).toMatchObject({ state: 'firing', details: { missed_rounds: 1, last_produced: 1000 } });
    // Two rounds required by the chain's threshold.
    const two = ThresholdsSchema.parse({ missedRounds: 2 });
    expect(
      evaluateNode(base({ thresholds: two, rounds: { ...rounds, since: 1000, head: 1400 } }))
        .missed_rounds.state,
    ).toBe('clear');
    const out = evaluateNode(base({ rounds: { ...rounds, inSchedule: false, since: 0, head: 9 } }));
    expect(out.inactive).toMatchObject({ state: 'firing' });
    expect(out.missed_rounds.state).toBe('unknown');
  });

  it('outdated: the running version is older than the latest release (a warning)', () => {
    const o = {
      reachable: true,
      height: 100,
      hash: 'AA',
      version: 'Geth/v1.14.8-stable/linux-amd64/go1.22',
    };
    expect(evaluateNode(base({ observation: o, latestRelease: 'v1.14.9' })).outdated).toMatchObject(
      {
        state: 'firing',
      },
    );
    expect(evaluateNode(base({ observation: o, latestRelease: 'v1.14.8' })).outdated.state).toBe(
      'clear',
    );
    expect(evaluateNode(base({ observation: o, latestRelease: 'v1.13.99' })).outdated.state).toBe(
      'clear',
    );
    expect(evaluateNode(base({ observation: o, latestRelease: 'nightly' })).outdated.state).toBe(
      'unknown',
    );
    expect(parseVersion('v0.38.12')).toEqual([0, 38, 12]);
  });

  it('a rippled server without a validated ledger is syncing, not unreachable', () => {
    const v = evaluateNode(
      base({ observation: { reachable: true, syncing: true, serverState: 'connected' } }),
    );
    expect(v.unreachable.state).toBe('clear');
    expect(v.syncing).toMatchObject({
      state: 'firing',
      summary: 'val-eu has no validated ledger (server state connected)',
    });
  });
});
