import type { Observation, ValidatorStanding } from './probes/probe.js';
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
  'inactive',
  'jailed',
  'missed_rounds',
  'peers_low',
  'outdated',
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/**
 * The kinds that put a node out of consensus (and count towards its ban). `peers_low` and
 * `outdated` are warnings only: a node with few peers, or an older release, can still be
 * on the chain.
 */
export const CONSENSUS_KINDS: ReadonlySet<ConditionKind> = new Set([
  'unreachable',
  'syncing',
  'stalled',
  'lagging',
  'forked',
  'missed_signatures',
  'inactive',
  'jailed',
  'missed_rounds',
]);

export const SEVERITY_OF: Record<ConditionKind, Severity> = {
  unreachable: 'critical',
  syncing: 'critical',
  stalled: 'critical',
  lagging: 'critical',
  forked: 'critical',
  missed_signatures: 'critical',
  inactive: 'critical',
  jailed: 'critical',
  missed_rounds: 'critical',
  peers_low: 'warning',
  outdated: 'warning',
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
  /**
   * A CometBFT validator's standing in the staking module (from the LCD): null when its
   * address is not among the chain's validators at all, undefined when not known.
   */
  standing?: ValidatorStanding | null | undefined;
  /** An EOS producer's rounds, as the monitor counted them; undefined when not known. */
  rounds?: ProducerRounds | undefined;
  /** The newest release's tag from the chain's release feed; undefined when not known. */
  latestRelease?: string | undefined;
  thresholds: Thresholds;
  now: number;
}

/** What the monitor knows of an EOS producer's part in the schedule. */
export interface ProducerRounds {
  producer: string;
  inSchedule: boolean;
  /** Blocks in one round: schedule length × 12. */
  roundBlocks: number;
  /** The last block it was seen to produce, or where watching began if none yet. */
  since: number;
  sawProduce: boolean;
  /** The last block whose producer was read. */
  head: number;
}

/** Every check's verdict for one node in one poll. */
export function evaluateNode(input: NodeInput): Record<ConditionKind, Verdict> {
  const { observation: o, thresholds: t } = input;
  const unknown: Verdict = { state: 'unknown' };
  const clear: Verdict = { state: 'clear' };
  const participation = {
    inactive: inactiveVerdict(input),
    jailed: jailedVerdict(input),
    missed_rounds: roundsVerdict(input),
  };
  if (o.reachable && o.height === undefined && o.syncing) {
    // A rippled server that has no validated ledger yet answers, but has no height.
    return {
      unreachable: clear,
      syncing: {
        state: 'firing',
        summary: `${input.name} has no validated ledger (server state ${o.serverState ?? 'unknown'})`,
        details: { server_state: o.serverState ?? null },
      },
      stalled: unknown,
      lagging: unknown,
      forked: unknown,
      missed_signatures: signingVerdict(input),
      ...participation,
      peers_low: unknown,
      outdated: outdatedVerdict(input),
    };
  }
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
      ...participation,
      peers_low: unknown,
      outdated: unknown,
    };
  }
  const height = o.height;
  return {
    unreachable: clear,
    syncing: o.syncing
      ? {
          state: 'firing',
          summary:
            o.serverState === undefined
              ? `${input.name} is catching up (syncing) at height ${height}`
              : `${input.name} is in server state ${o.serverState} at ledger ${height}`,
          details: { height, ...(o.serverState ? { server_state: o.serverState } : {}) },
        }
      : clear,
    stalled: stallVerdict(input, height),
    lagging: lagVerdict(input, height),
    forked: forkVerdict(input),
    missed_signatures: signingVerdict(input),
    ...participation,
    outdated: outdatedVerdict(input),
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

/** A validator's misses as the signing check counts them (also exported as metrics). */
export function countMisses(
  r: SigningRecord,
  missedWindow: number,
): { consecutive: number; missed: number; window: number } {
  let consecutive = 0;
  for (let i = r.signed.length - 1; i >= 0 && r.signed[i] === false; i--) consecutive++;
  const window = r.signed.slice(-missedWindow);
  return { consecutive, missed: window.filter((s) => !s).length, window: window.length };
}

function signingVerdict(input: NodeInput): Verdict {
  const r = input.signing;
  if (r === undefined || r.signed.length === 0) return { state: 'unknown' };
  const t = input.thresholds;
  const { consecutive, missed, window } = countMisses(r, t.missedWindow);
  if (consecutive >= t.missedConsecutive || missed >= t.missedWindowMax) {
    const last = r.heights[r.heights.length - 1] ?? 0;
    return {
      state: 'firing',
      summary:
        consecutive >= t.missedConsecutive
          ? `${input.name} missed ${consecutive} precommits in a row (last at height ${last})`
          : `${input.name} missed ${missed} of the last ${window} precommits`,
      details: { consecutive, missed_in_window: missed, window, height: last },
    };
  }
  return { state: 'clear' };
}

function inactiveVerdict(input: NodeInput): Verdict {
  const { standing, rounds } = input;
  if (rounds !== undefined) {
    return rounds.inSchedule
      ? { state: 'clear' }
      : {
          state: 'firing',
          summary: `${input.name}: producer ${rounds.producer} is not in the active schedule`,
          details: { producer: rounds.producer },
        };
  }
  if (standing === undefined) return { state: 'unknown' };
  if (standing === null) {
    return {
      state: 'firing',
      summary: `${input.name}: its validator address is not among the chain's validators`,
      details: {},
    };
  }
  if (standing.bonded) return { state: 'clear' };
  return {
    state: 'firing',
    summary: `${input.name}: validator ${standing.moniker} is not in the active set (not bonded)`,
    details: { moniker: standing.moniker },
  };
}

function jailedVerdict(input: NodeInput): Verdict {
  const s = input.standing;
  if (s === undefined || s === null) return { state: 'unknown' };
  if (!s.jailed) return { state: 'clear' };
  return {
    state: 'firing',
    summary: `${input.name}: validator ${s.moniker} is jailed`,
    details: { moniker: s.moniker },
  };
}

/**
 * An EOS producer makes 12 blocks in a row once per round (schedule length × 12 blocks),
 * so more than a round of blocks without one of its own is a missed round, wherever in
 * the round the count began.
 */
/** Whole rounds since the producer's last block (or since watching began). */
export function missedRounds(r: ProducerRounds): number {
  return r.roundBlocks > 0 ? Math.floor((r.head - r.since) / r.roundBlocks) : 0;
}

function roundsVerdict(input: NodeInput): Verdict {
  const r = input.rounds;
  if (r === undefined || !r.inSchedule || r.roundBlocks <= 0) return { state: 'unknown' };
  const missed = missedRounds(r);
  if (missed < input.thresholds.missedRounds) return { state: 'clear' };
  return {
    state: 'firing',
    summary: r.sawProduce
      ? `${input.name}: producer ${r.producer} missed ${missed} round${missed === 1 ? '' : 's'} (no block since ${r.since}, head ${r.head})`
      : `${input.name}: producer ${r.producer} made no block in ${r.head - r.since} blocks (${missed} round${missed === 1 ? '' : 's'})`,
    details: {
      producer: r.producer,
      missed_rounds: missed,
      last_produced: r.sawProduce ? r.since : null,
      head: r.head,
    },
  };
}

/** `major.minor.patch` found in a version string or tag (`v0.38.12`, `Geth/v1.14.8-stable/…`). */
export function parseVersion(v: string): [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function outdatedVerdict(input: NodeInput): Verdict {
  const running = input.observation.version;
  if (input.latestRelease === undefined || running === undefined) return { state: 'unknown' };
  const a = parseVersion(running);
  const b = parseVersion(input.latestRelease);
  if (!a || !b) return { state: 'unknown' };
  const older = a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
  if (!older) return { state: 'clear' };
  return {
    state: 'firing',
    summary: `${input.name} runs ${running}; the latest release is ${input.latestRelease}`,
    details: { running, latest: input.latestRelease },
  };
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
