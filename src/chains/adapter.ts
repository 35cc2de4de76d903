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
   * to that exact block hash; the caller checks the parent links.
   */
  fetchBlocks(from: bigint, to: bigint): Promise<ChainBlock[]>;
  /** Normalises an address for storage and comparison; `undefined` if malformed. */
  normalizeAddress(address: string): string | undefined;
  health(): EndpointHealth[];
}
