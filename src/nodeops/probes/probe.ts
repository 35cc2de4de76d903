import type { Family } from '../settings.js';

/** What one poll of a node (or reference) endpoint saw. */
export interface Observation {
  reachable: boolean;
  /** Why it was not reachable (timeout, refused, bad answer). */
  error?: string;
  height?: number;
  /** Hash of the block at `height`. */
  hash?: string;
  /**
   * `catching_up` (CometBFT), `eth_syncing` not false (EVM), or a rippled
   * `server_state` other than full, proposing or validating (XRP Ledger).
   */
  syncing?: boolean;
  /** The node's own word for its state, where it has one (rippled `server_state`). */
  serverState?: string;
  peers?: number;
  version?: string;
  /** Seconds since the node's head was closed, where the node says (rippled `validated_ledger.age`). */
  headAgeSeconds?: number;
}

/**
 * A family's view of a node's API: the few questions the checks ask. The chain-specific
 * JSON lives in each adapter; the checks (`checks.ts`) see only these answers.
 */
export interface Probe {
  readonly family: Family;
  observe(url: string): Promise<Observation>;
  /** The hash of the block at `height`, or undefined when the node does not have it. */
  hashAt(url: string, height: number): Promise<string | undefined>;
  /**
   * The consensus addresses (upper-case hex) whose precommit for block `height` is in
   * the commit; undefined when the family has no such notion or the node cannot say.
   */
  signers?(url: string, height: number): Promise<Set<string> | undefined>;
  /**
   * CometBFT with a Cosmos SDK REST (LCD) URL: every validator of the staking module by
   * consensus address (upper-case hex), bonded (in the active set) or not, jailed or not.
   */
  validatorSet?(lcdUrl: string): Promise<Map<string, ValidatorStanding> | undefined>;
  /** EOS: the active producer schedule, in order. */
  schedule?(url: string): Promise<string[] | undefined>;
  /** EOS: the producer of block `height`. */
  producerAt?(url: string, height: number): Promise<string | undefined>;
}

export interface ValidatorStanding {
  bonded: boolean;
  jailed: boolean;
  moniker: string;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code =
      (err as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
