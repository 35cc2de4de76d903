/**
 * What this module asks of the chains module beyond its outbox notices, wired in the
 * composition root (src/app.ts): how far the follower has read, blocks for a backfill
 * (the chain adapter's `fetchBlocks`, see src/chains/adapter.ts), and whether the node
 * knows a transaction as mined. The shapes are the narrow part of the chains module's
 * `ChainBlock` we rely on, so its adapters fit without this module importing its code.
 */
export interface ChainSource {
  /**
   * The follower's last block read and its confirmed height; undefined before it started.
   * `interestMark`: the change-log sequence (see ../changes.ts) of the contract-log
   * interest the follower read its last new blocks under, null before it read any under
   * one. Every block above `cursor` is read with the contracts of every subscription
   * whose change is at or below that mark.
   */
  heights(
    chainKey: string,
  ): Promise<{ cursor: bigint; confirmed: bigint; interestMark: bigint | null } | undefined>;
  /**
   * Blocks `from..to` of the node's canonical chain with their decoded events, in order.
   * With `contracts` (lowercase), every log of those comes out too, as the follower emits
   * them for contract-log subscriptions (same ids).
   */
  fetchBlocks(
    chainKey: string,
    from: bigint,
    to: bigint,
    contracts?: readonly string[],
  ): Promise<SourceBlock[]>;
  /** True when the node has a receipt for the hash (it was mined, in any block). */
  isMined(chainKey: string, txHash: string): Promise<boolean>;
}

export interface SourceBlock {
  number: bigint;
  hash: string;
  parentHash: string;
  /** Seconds since the epoch. */
  timestamp: number;
  events: SourceEvent[];
}

/** One decoded event as the follower stores it; its `id` is the `cev_…` id notices carry. */
export interface SourceEvent {
  id: string;
  blockNumber: bigint;
  txHash: string;
  txIndex: number;
  logIndex: number;
  itemIndex: number;
  kind: 'native' | 'erc20' | 'erc721' | 'erc1155' | 'log';
  contract: string | null;
  from: string | null;
  to: string | null;
  tokenId: string | null;
  amount: string | null;
  filter: string | null;
  topics: string[] | null;
  data: string | null;
  decoded: { eventName: string; args: Record<string, unknown> } | null;
}
