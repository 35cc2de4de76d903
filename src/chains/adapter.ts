import type { BlockRef, ChainBlock, EndpointHealth } from './types.js';

/**
 * What the follower needs from a chain. One implementation per chain family (EVM now);
 * callers never see JSON-RPC, so adding EOS, XRP, Cosmos, Solana or Bitcoin means
 * writing an adapter, not touching the follower or deposits.
 */
export interface ChainAdapter {
  readonly chainKey: string;
  readonly family: 'evm';
  /** The node's current head. */
  getHead(): Promise<BlockRef>;
  /** The block at `number` on the node's canonical chain, if it has one yet. */
  getBlockRef(number: bigint): Promise<BlockRef | undefined>;
  /** A block by hash (canonical or not); used to walk back a fork by parent hash. */
  getBlockRefByHash(hash: string): Promise<BlockRef | undefined>;
  /**
   * Blocks `from..to` with their decoded events, in order. Each block's events belong
   * to that exact block hash; the caller checks the parent links. With `interest`, the
   * logs of the contracts it names come out as raw `log` events (filter `subscribed`)
   * even when no configured log filter matches them.
   */
  fetchBlocks(from: bigint, to: bigint, interest?: LogInterest): Promise<ChainBlock[]>;
  /**
   * Whether the node knows the transaction as included in a block (`mined`, whether it
   * succeeded or reverted) or not at all (`unknown`: never seen, still pending, or dropped).
   *
   * @example
   * if ((await adapter.transactionStatus(hash)) === 'unknown') { … not mined (yet) … }
   */
  transactionStatus(txHash: string): Promise<'mined' | 'unknown'>;
  /** Normalises an address for storage and comparison; `undefined` if malformed. */
  normalizeAddress(address: string): string | undefined;
  health(): EndpointHealth[];
}

/**
 * Contracts whose every log another module needs (webhook contract-log subscriptions),
 * as it stood when read. `version` changes whenever the set does, so blocks decoded
 * under an older version can be told apart and read again.
 */
export interface LogInterest {
  readonly version: number;
  /**
   * How far the interested module's own changes are taken in: an opaque number that
   * never goes down (0 before the first refresh). The follower stores it with its
   * cursor (`chain_cursors.interest_mark`), so that module can tell when the blocks
   * read include a change it made.
   */
  readonly mark: bigint;
  /** `contract` is lowercase; one lookup per log, so it must be O(1). */
  wants(contract: string): boolean;
}

/**
 * Where the follower gets its `LogInterest`. Wired in the composition root; the chains
 * module does not know who is interested.
 */
export interface LogInterestSource {
  /** Catches up with changes; the follower awaits it before it reads new blocks. */
  refresh(): Promise<void>;
  current(chainKey: string): LogInterest;
}
