import { describe, expect, it } from 'vitest';
import {
  evaluateNode,
  majorityHash,
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
});
