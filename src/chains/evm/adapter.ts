import { getAddress, isAddress } from 'viem';
import type { ChainAdapter } from '../adapter.js';
import type { ChainSettings } from '../settings.js';
import { chainEventId, type BlockRef, type ChainBlock, type ChainEvent } from '../types.js';
import { compileFilters, decodeLogs, type RpcLog } from './decode.js';
import { RpcCallError, type RpcPool } from './rpc.js';

/** A block as `eth_getBlockByNumber(n, true)` returns it (the fields we read). */
interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  logsBloom: string;
  baseFeePerGas?: string;
  transactions: RpcTx[];
}

interface RpcTx {
  hash: string;
  from: string;
  to: string | null;
  value: string;
  transactionIndex: string;
}

interface RpcReceipt {
  status?: string;
  blockHash: string;
}

const ZERO_BLOOM = `0x${'0'.repeat(512)}`;

/** The node answered with a block or logs that do not hang together (try again later). */
export class InconsistentChainDataError extends Error {
  override name = 'InconsistentChainDataError';
}

export interface EvmAdapter extends ChainAdapter {
  readonly rpc: RpcPool;
  readonly chainId: number;
}

/**
 * The EVM adapter over JSON-RPC.
 *
 * Blocks come by number with their transactions. At the tip, a block's logs are fetched
 * by its hash (EIP-234), and not at all when its bloom is zero. While catching up, one
 * `eth_getLogs` covers the range and is checked against each block: a log whose block
 * hash differs (the range straddled a reorg), a gap in log indexes, or a non-empty bloom
 * with no logs (some nodes answer empty near the tip) makes us refetch that block's logs
 * by hash and, if they still do not add up, throw so the follower retries instead of
 * storing a block with missing events.
 *
 * Every log of the range is fetched whatever the filters (they are applied after), so a
 * `LogInterest` costs no extra RPC call: the logs of the contracts it names are kept.
 */
export function createEvmAdapter(deps: {
  settings: ChainSettings;
  rpc: RpcPool;
  onEmptyLogsRetry?: () => void;
}): EvmAdapter {
  const { settings, rpc } = deps;
  const chainKey = settings.key;
  const filters = compileFilters(settings.logFilters);

  const toRef = (b: RpcBlock): BlockRef => ({
    number: BigInt(b.number),
    hash: b.hash.toLowerCase(),
    parentHash: b.parentHash.toLowerCase(),
    timestamp: Number(b.timestamp),
  });

  const getLogs = async (from: bigint, to: bigint): Promise<RpcLog[]> => {
    try {
      return await rpc.request<RpcLog[]>('eth_getLogs', [
        { fromBlock: hex(from), toBlock: hex(to) },
      ]);
    } catch (err) {
      // Providers cap results per call: split the range and ask again.
      if (err instanceof RpcCallError && to > from) {
        const mid = from + (to - from) / 2n;
        const [a, b] = await Promise.all([getLogs(from, mid), getLogs(mid + 1n, to)]);
        return a.concat(b);
      }
      throw err;
    }
  };

  const logsComplete = (block: RpcBlock, logs: RpcLog[]): boolean => {
    if (block.logsBloom === ZERO_BLOOM) return logs.length === 0;
    if (logs.length === 0) return false;
    // logIndex is block-wide: all of a block's logs are exactly 0..n-1.
    const seen = new Set<number>();
    for (const l of logs) seen.add(Number(l.logIndex));
    if (seen.size !== logs.length) return false;
    for (let i = 0; i < logs.length; i++) if (!seen.has(i)) return false;
    return true;
  };

  /** `first`: this is the first fetch of the block's logs, not a retry of a range query. */
  const logsByHash = async (block: RpcBlock, first = false): Promise<RpcLog[]> => {
    if (!first) deps.onEmptyLogsRetry?.();
    for (let attempt = 0; attempt < 3; attempt++) {
      const logs = await rpc.request<RpcLog[]>('eth_getLogs', [{ blockHash: block.hash }]);
      if (logsComplete(block, logs)) return logs;
      if (attempt < 2) deps.onEmptyLogsRetry?.();
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
    throw new InconsistentChainDataError(
      `${chainKey}: node returns incomplete logs for block ${BigInt(block.number)} ${block.hash}`,
    );
  };

  const nativeTransfers = async (block: RpcBlock): Promise<ChainEvent[]> => {
    const valued = block.transactions.filter((t) => t.to !== null && BigInt(t.value) > 0n);
    if (valued.length === 0) return [];
    // A reverted transaction moves no value: only successful ones are transfers.
    const receipts = await Promise.all(
      valued.map((t) => rpc.request<RpcReceipt | null>('eth_getTransactionReceipt', [t.hash])),
    );
    const hash = block.hash.toLowerCase();
    const events: ChainEvent[] = [];
    valued.forEach((t, i) => {
      const r = receipts[i];
      if (!r || r.blockHash.toLowerCase() !== hash) {
        throw new InconsistentChainDataError(`${chainKey}: receipt of ${t.hash} is not in ${hash}`);
      }
      if (r.status !== '0x1') return;
      const txIndex = Number(t.transactionIndex);
      events.push({
        id: chainEventId(chainKey, hash, txIndex, -1),
        chainKey,
        blockNumber: BigInt(block.number),
        blockHash: hash,
        txHash: t.hash.toLowerCase(),
        txIndex,
        logIndex: -1,
        itemIndex: 0,
        kind: 'native',
        contract: null,
        from: t.from.toLowerCase(),
        to: (t.to ?? '').toLowerCase(),
        tokenId: null,
        amount: BigInt(t.value).toString(),
        filter: null,
        topics: null,
        data: null,
        decoded: null,
      });
    });
    return events;
  };

  return {
    chainKey,
    family: 'evm',
    rpc,
    chainId: settings.chainId,
    async getHead() {
      const b = await rpc.request<RpcBlock | null>('eth_getBlockByNumber', ['latest', false]);
      if (!b) throw new InconsistentChainDataError(`${chainKey}: node has no latest block`);
      return toRef(b);
    },
    async getBlockRef(number) {
      const b = await rpc.request<RpcBlock | null>('eth_getBlockByNumber', [hex(number), false]);
      return b ? toRef(b) : undefined;
    },
    async getBlockRefByHash(hash) {
      const b = await rpc.request<RpcBlock | null>('eth_getBlockByHash', [hash, false]);
      return b ? toRef(b) : undefined;
    },
    async fetchBlocks(from, to, interest) {
      if (to < from) return [];
      const numbers: bigint[] = [];
      for (let n = from; n <= to; n++) numbers.push(n);
      const getBlocks = () =>
        Promise.all(
          numbers.map((n) => rpc.request<RpcBlock | null>('eth_getBlockByNumber', [hex(n), true])),
        );
      // At the tip (one block) the block comes first and its logs by hash only if its
      // bloom has any; catching up, one range query runs beside the block fetches.
      const [blocks, rangeLogs] =
        from === to ? [await getBlocks(), []] : await Promise.all([getBlocks(), getLogs(from, to)]);
      const byBlock = new Map<string, RpcLog[]>();
      for (const log of rangeLogs) {
        if (log.removed) continue;
        const key = log.blockHash.toLowerCase();
        let list = byBlock.get(key);
        if (!list) byBlock.set(key, (list = []));
        list.push(log);
      }
      const out: ChainBlock[] = [];
      for (const b of blocks) {
        // The range is past the head (it moved back): return what exists.
        if (!b) break;
        const hash = b.hash.toLowerCase();
        let logs = byBlock.get(hash) ?? [];
        if (!logsComplete(b, logs)) {
          logs =
            from === to && b.logsBloom !== ZERO_BLOOM
              ? await logsByHash(b, true)
              : await logsByHash(b);
        }
        logs.sort((x, y) => Number(x.logIndex) - Number(y.logIndex));
        const ref = toRef(b);
        const events = [
          ...(await nativeTransfers(b)),
          ...decodeLogs(chainKey, ref.number, hash, logs, filters, interest),
        ].sort(
          (x, y) => x.txIndex - y.txIndex || x.logIndex - y.logIndex || x.itemIndex - y.itemIndex,
        );
        out.push({ ...ref, events });
      }
      return out;
    },
    async transactionStatus(txHash) {
      // A node answers null for a hash it never saw and for one still in its mempool;
      // a receipt exists once the transaction is in a block, reverted or not.
      const r = await rpc.request<RpcReceipt | null>('eth_getTransactionReceipt', [txHash]);
      return r ? 'mined' : 'unknown';
    },
    normalizeAddress(address) {
      return isAddress(address, { strict: true }) ? getAddress(address).toLowerCase() : undefined;
    },
    health: () => rpc.health(),
  };
}

export function hex(n: bigint | number): string {
  return `0x${n.toString(16)}`;
}
