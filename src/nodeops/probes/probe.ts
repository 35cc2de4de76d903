import type { Family } from '../settings.js';

/** What one poll of a node (or reference) endpoint saw. */
export interface Observation {
  reachable: boolean;
  /** Why it was not reachable (timeout, refused, bad answer). */
  error?: string;
  height?: number;
  /** Hash of the block at `height`. */
  hash?: string;
  /** `catching_up` (CometBFT) or `eth_syncing` not false (EVM). */
  syncing?: boolean;
  peers?: number;
  version?: string;
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
