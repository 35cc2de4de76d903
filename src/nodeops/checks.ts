import type { Observation } from './probes/probe.js';
import { stallSeconds, type Severity, type Thresholds } from './settings.js';

/**
 * The checks, as pure functions of what the probes saw and what the monitor remembers:
 * no I/O, so every definition of "out of consensus" is unit-tested on its own.
 */

export const CONDITION_KINDS = [
  'unreachable',
  'syncing',
  'stalled',
  'lagging',
  'forked',
  'missed_signatures',
  'peers_low',
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/**
 * The kinds that put a node out of consensus (and count towards its ban). `peers_low` is
 * a warning only: a node with few peers can still be on the chain.
 */
export const CONSENSUS_KINDS: ReadonlySet<ConditionKind> = new Set([
  'unreachable',
  'syncing',
  'stalled',
  'lagging',
  'forked',
  'missed_signatures',
]);

export const SEVERITY_OF: Record<ConditionKind, Severity> = {
  unreachable: 'critical',
  syncing: 'critical',
  stalled: 'critical',
  lagging: 'critical',
  forked: 'critical',
  missed_signatures: 'critical',
  peers_low: 'warning',
};

/**
 * `firing` and `clear` are observations; `unknown` keeps whatever state the alert has
 * (after a restart, a stall cannot be told from a slow chain until enough time passed,
 * and an alert must then neither be resolved nor opened again).
 */
export type Verdict =
  | { state: 'firing'; summary: string; details: Record<string, unknown> }
  | { state: 'clear' }
  | { state: 'unknown' };

/** What the monitor remembers of a node's height between polls. */
export interface HeightMemory {
  height: number;
  /** When `height` was first seen (ms). */
  since: number;
  /** True once a change of height was observed: `since` is then the time of that change. */
  sawChange: boolean;
}

/** Updates the memory of a node's height with a new observation. */
export function rememberHeight(
  memory: HeightMemory | undefined,
  height: number,
  now: number,
): HeightMemory {
  if (memory === undefined) return { height, since: now, sawChange: false };
  if (height === memory.height) return memory;
  return { height, since: now, sawChange: true };
}

/** A validator's recent precommits, oldest first (`true`: signed). */
export interface SigningRecord {
  heights: number[];
  signed: boolean[];
}

export function recordSignature(
  record: SigningRecord,
  height: number,
  signed: boolean,
  window: number,
): void {
  const last = record.heights[record.heights.length - 1];
  if (last !== undefined && height <= last) return;
  record.heights.push(height);
  record.signed.push(signed);
  while (record.heights.length > window) {
    record.heights.shift();
    record.signed.shift();
  }
}

export interface NodeInput {
  name: string;
  observation: Observation;
  memory: HeightMemory | undefined;
  /** The highest height among own nodes and references this poll. */
  best: number | undefined;
  /** The reference majority's hash at the node's height; undefined if none is known. */
  majorityHash: string | undefined;
  signing: SigningRecord | undefined;
  thresholds: Thresholds;
  now: number;
}

/** Every check's verdict for one node in one poll. */
export function evaluateNode(input: NodeInput): Record<ConditionKind, Verdict> {
  const { observation: o, thresholds: t } = input;
  const unknown: Verdict = { state: 'unknown' };
  const clear: Verdict = { state: 'clear' };
  if (!o.reachable || o.height === undefined) {
    return {
      unreachable: {
        state: 'firing',
        summary: `${input.name} does not answer: ${o.error ?? 'no height'}`,
        details: { error: o.error ?? null },
      },
      syncing: unknown,
      stalled: unknown,
      lagging: unknown,
      forked: unknown,
      missed_signatures: signingVerdict(input),
      peers_low: unknown,
    };
  }
  const height = o.height;
  return {
    unreachable: clear,
    syncing: o.syncing
      ? {
          state: 'firing',
          summary: `${input.name} is catching up (syncing) at height ${height}`,
          details: { height },
        }
      : clear,
    stalled: stallVerdict(input, height),
    lagging: lagVerdict(input, height),
    forked: forkVerdict(input),
    missed_signatures: signingVerdict(input),
    peers_low:
      o.peers === undefined || t.minPeers === 0
        ? o.peers === undefined
          ? unknown
          : clear
        : o.peers < t.minPeers
          ? {
              state: 'firing',
              summary: `${input.name} has ${o.peers} peer${o.peers === 1 ? '' : 's'} (fewer than ${t.minPeers})`,
              details: { peers: o.peers, min_peers: t.minPeers },
            }
          : clear,
  };
}

function stallVerdict(input: NodeInput, height: number): Verdict {
  const m = input.memory;
  const limit = stallSeconds(input.thresholds) * 1000;
  if (m === undefined || m.height !== height) return { state: 'clear' };
  const still = input.now - m.since;
  if (still < limit) return m.sawChange ? { state: 'clear' } : { state: 'unknown' };
  // Not advancing while the chain does: a chain that halted everywhere is not this node's fault.
  if (input.best === undefined || input.best <= height) return { state: 'unknown' };
  return {
    state: 'firing',
    summary: `${input.name} is stuck at height ${height} for ${Math.round(still / 1000)} s while the chain is at ${input.best}`,
    details: { height, best: input.best, stalled_seconds: Math.round(still / 1000) },
  };
}

function lagVerdict(input: NodeInput, height: number): Verdict {
  if (input.best === undefined) return { state: 'unknown' };
  const lag = input.best - height;
  if (lag <= input.thresholds.lagBlocks) return { state: 'clear' };
  return {
    state: 'firing',
    summary: `${input.name} is ${lag} blocks behind (height ${height}, chain at ${input.best})`,
    details: { height, best: input.best, lag },
  };
}

function forkVerdict(input: NodeInput): Verdict {
  const { hash, height } = input.observation;
  if (hash === undefined || height === undefined || input.majorityHash === undefined) {
    return { state: 'unknown' };
  }
  if (hash === input.majorityHash) return { state: 'clear' };
  return {
    state: 'firing',
    summary: `${input.name} is on a fork: block ${height} is ${hash}, the references have ${input.majorityHash}`,
    details: { height, hash, reference_hash: input.majorityHash },
  };
}

function signingVerdict(input: NodeInput): Verdict {
  const r = input.signing;
  if (r === undefined || r.signed.length === 0) return { state: 'unknown' };
  const t = input.thresholds;
  let consecutive = 0;
  for (let i = r.signed.length - 1; i >= 0 && r.signed[i] === false; i--) consecutive++;
  const window = r.signed.slice(-t.missedWindow);
  const missed = window.filter((s) => !s).length;
  if (consecutive >= t.missedConsecutive || missed >= t.missedWindowMax) {
    const last = r.heights[r.heights.length - 1] ?? 0;
    return {
      state: 'firing',
      summary:
        consecutive >= t.missedConsecutive
          ? `${input.name} missed ${consecutive} precommits in a row (last at height ${last})`
          : `${input.name} missed ${missed} of the last ${window.length} precommits`,
      details: { consecutive, missed_in_window: missed, window: window.length, height: last },
    };
  }
  return { state: 'clear' };
}

/**
 * The hash most references agree on at a height: more than half of those that answered,
 * so one bad public endpoint can neither raise a fork alert nor hide one.
 */
export function majorityHash(hashes: readonly (string | undefined)[]): string | undefined {
  const known = hashes.filter((h): h is string => h !== undefined);
  const counts = new Map<string, number>();
  for (const h of known) counts.set(h, (counts.get(h) ?? 0) + 1);
  for (const [h, n] of counts) if (n * 2 > known.length) return h;
  return undefined;
}
