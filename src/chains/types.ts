import { createHash } from 'node:crypto';

/**
 * Chain-neutral shapes the follower, deposits and the API share. An adapter (EVM today;
 * EOS, XRP, Cosmos, Solana or Bitcoin later) turns its chain's blocks into these.
 */

/** A block as the follower links it: by number and parent hash. */
export interface BlockRef {
  number: bigint;
  hash: string;
  parentHash: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

export type ChainEventKind = 'native' | 'erc20' | 'erc721' | 'erc1155' | 'log';
export type ChainEventStage = 'pending' | 'confirmed' | 'removed';

/** One decoded thing that happened in a block: a transfer or a watched log. */
export interface ChainEvent {
  /** Deterministic: the same event seen twice (retry, restart, backfill) has one id. */
  id: string;
  chainKey: string;
  blockNumber: bigint;
  blockHash: string;
  txHash: string;
  txIndex: number;
  /** Position of the log in the block; -1 for a native value transfer. */
  logIndex: number;
  /** Position inside one log (ERC-1155 batches carry several transfers); else 0. */
  itemIndex: number;
  kind: ChainEventKind;
  /** Emitting contract (lowercase) for token and raw-log events. */
  contract: string | null;
  from: string | null;
  to: string | null;
  tokenId: string | null;
  /** Decimal string in the token's smallest unit. */
  amount: string | null;
  /** The log filter that matched (`kind = log`). */
  filter: string | null;
  /** Raw topics and data (`kind = log`), and the ABI-decoded form when an ABI is given. */
  topics: string[] | null;
  data: string | null;
  decoded: { eventName: string; args: Record<string, unknown> } | null;
}

/** A block with every event the adapter decoded from it. */
export interface ChainBlock extends BlockRef {
  events: ChainEvent[];
}

/**
 * `cev_` + 32 hex chars of sha256 over (chain, block hash, tx index, log index, item).
 * A raw log matched by a filter also names the filter, so one log can be both a token
 * transfer and a watched log without the two sharing an id.
 */
export function chainEventId(
  chainKey: string,
  blockHash: string,
  txIndex: number,
  logIndex: number,
  itemIndex = 0,
  filter?: string,
): string {
  const h = createHash('sha256')
    .update(`${chainKey}/${blockHash.toLowerCase()}/${txIndex}/${logIndex}/${itemIndex}`)
    .update(filter === undefined ? '' : `/${filter}`)
    .digest('hex');
  return `cev_${h.slice(0, 32)}`;
}

/** Health of one RPC endpoint, as shown by chain status. */
export interface EndpointHealth {
  /** The URL with any credentials, path and query removed. */
  url: string;
  healthy: boolean;
  /** Banned by node operations: no request goes to it. */
  banned: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  latencyMs: number | null;
}
