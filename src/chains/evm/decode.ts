import { decodeEventLog, parseAbi, type Abi } from 'viem';
import type { LogInterest } from '../adapter.js';
import { SUBSCRIBED_FILTER, type LogFilterSettings } from '../settings.js';
import { chainEventId, type ChainEvent } from '../types.js';

/** keccak256 of the event signatures we decode without an ABI. */
export const TOPIC_TRANSFER = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
export const TOPIC_TRANSFER_SINGLE =
  '0xc3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62';
export const TOPIC_TRANSFER_BATCH =
  '0x4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb';

export { SUBSCRIBED_FILTER } from '../settings.js';

/** A log as JSON-RPC returns it (hex quantities). */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

/** A compiled log filter: lowercase addresses and topics, and the ABI to decode with. */
export interface CompiledFilter {
  name: string;
  addresses: Set<string> | null;
  topics: (Set<string> | null)[];
  abi: Abi | null;
}

export function compileFilters(filters: readonly LogFilterSettings[]): CompiledFilter[] {
  return filters.map((f) => ({
    name: f.name,
    addresses:
      f.address === undefined
        ? null
        : new Set((Array.isArray(f.address) ? f.address : [f.address]).map((a) => a.toLowerCase())),
    topics: f.topics.map((t) =>
      t === null ? null : new Set((Array.isArray(t) ? t : [t]).map((x) => x.toLowerCase())),
    ),
    abi: f.abi.length > 0 ? parseAbi<readonly string[]>(f.abi) : null,
  }));
}

export function matchesFilter(f: CompiledFilter, log: RpcLog): boolean {
  if (f.addresses && !f.addresses.has(log.address.toLowerCase())) return false;
  for (let i = 0; i < f.topics.length; i++) {
    const want = f.topics[i];
    if (!want) continue;
    const got = log.topics[i];
    if (got === undefined || !want.has(got.toLowerCase())) return false;
  }
  return true;
}

const topicAddress = (topic: string | undefined): string | null =>
  topic === undefined ? null : `0x${topic.slice(26).toLowerCase()}`;

const word = (data: string, index: number): bigint =>
  BigInt(`0x${data.slice(2 + index * 64, 2 + (index + 1) * 64) || '0'}`);

/**
 * Turns one block's logs into events: ERC-20 / ERC-721 transfers (told apart by the
 * number of indexed topics), ERC-1155 single and batch transfers (one event per item),
 * and every log a configured filter matches, ABI-decoded when the filter has an ABI.
 * Malformed logs (a "Transfer" with the wrong shape) are not token transfers and are
 * skipped rather than guessed at.
 *
 * A log of a contract `interest` wants comes out raw (filter `subscribed`, no ABI)
 * unless it is already there in a form its topics and data can be read from: a filter
 * matched it, or it is an ERC-20 / ERC-721 transfer (whose raw log is fully rebuilt
 * from its fields). So each log reaches a contract-log subscriber once.
 */
export function decodeLogs(
  chainKey: string,
  blockNumber: bigint,
  blockHash: string,
  logs: readonly RpcLog[],
  filters: readonly CompiledFilter[],
  interest?: LogInterest,
): ChainEvent[] {
  const out: ChainEvent[] = [];
  for (const log of logs) {
    const txIndex = Number(log.transactionIndex);
    const logIndex = Number(log.logIndex);
    const contract = log.address.toLowerCase();
    const base = {
      chainKey,
      blockNumber,
      blockHash,
      txHash: log.transactionHash,
      txIndex,
      logIndex,
      contract,
      filter: null,
      topics: null,
      data: null,
      decoded: null,
    };
    const t0 = log.topics[0]?.toLowerCase();
    const dataLen = (log.data.length - 2) / 2;
    let rawCovered = false;
    if (t0 === TOPIC_TRANSFER) {
      if (log.topics.length === 3 && dataLen === 32) {
        rawCovered = true;
        out.push({
          ...base,
          id: chainEventId(chainKey, blockHash, txIndex, logIndex),
          itemIndex: 0,
          kind: 'erc20',
          from: topicAddress(log.topics[1]),
          to: topicAddress(log.topics[2]),
          tokenId: null,
          amount: word(log.data, 0).toString(),
        });
      } else if (log.topics.length === 4 && dataLen === 0) {
        rawCovered = true;
        out.push({
          ...base,
          id: chainEventId(chainKey, blockHash, txIndex, logIndex),
          itemIndex: 0,
          kind: 'erc721',
          from: topicAddress(log.topics[1]),
          to: topicAddress(log.topics[2]),
          tokenId: BigInt(log.topics[3] ?? '0x0').toString(),
          amount: '1',
        });
      }
    } else if (t0 === TOPIC_TRANSFER_SINGLE && log.topics.length === 4 && dataLen === 64) {
      out.push({
        ...base,
        id: chainEventId(chainKey, blockHash, txIndex, logIndex),
        itemIndex: 0,
        kind: 'erc1155',
        from: topicAddress(log.topics[2]),
        to: topicAddress(log.topics[3]),
        tokenId: word(log.data, 0).toString(),
        amount: word(log.data, 1).toString(),
      });
    } else if (t0 === TOPIC_TRANSFER_BATCH && log.topics.length === 4) {
      const items = decodeBatch(log.data);
      items?.forEach(([id, value], item) => {
        out.push({
          ...base,
          id: chainEventId(chainKey, blockHash, txIndex, logIndex, item),
          itemIndex: item,
          kind: 'erc1155',
          from: topicAddress(log.topics[2]),
          to: topicAddress(log.topics[3]),
          tokenId: id.toString(),
          amount: value.toString(),
        });
      });
    }
    // A raw log event under a filter's name (a configured filter, or a subscription's).
    const rawLog = (filter: string, decoded: ChainEvent['decoded']) => {
      out.push({
        ...base,
        id: chainEventId(chainKey, blockHash, txIndex, logIndex, 0, filter),
        itemIndex: 0,
        kind: 'log',
        from: null,
        to: null,
        tokenId: null,
        amount: null,
        filter,
        topics: log.topics.map((t) => t.toLowerCase()),
        data: log.data,
        decoded,
      });
    };
    for (const f of filters) {
      if (!matchesFilter(f, log)) continue;
      rawCovered = true;
      rawLog(f.name, f.abi ? decodeWithAbi(f.abi, log) : null);
    }
    if (!rawCovered && interest?.wants(contract)) rawLog(SUBSCRIBED_FILTER, null);
  }
  return out;
}

/** `(uint256[] ids, uint256[] values)` from ABI-encoded data; null when malformed. */
function decodeBatch(data: string): [bigint, bigint][] | null {
  try {
    const idsOffset = Number(word(data, 0)) / 32;
    const valuesOffset = Number(word(data, 1)) / 32;
    const n = Number(word(data, idsOffset));
    if (n !== Number(word(data, valuesOffset)) || n > 10_000) return null;
    const items: [bigint, bigint][] = [];
    for (let i = 0; i < n; i++) {
      items.push([word(data, idsOffset + 1 + i), word(data, valuesOffset + 1 + i)]);
    }
    return items;
  } catch {
    return null;
  }
}

function decodeWithAbi(abi: Abi, log: RpcLog): ChainEvent['decoded'] {
  try {
    const d = decodeEventLog({
      abi,
      data: log.data as `0x${string}`,
      topics: log.topics as [`0x${string}`, ...`0x${string}`[]],
    });
    return {
      eventName: String(d.eventName),
      args: jsonSafe(d.args) as Record<string, unknown>,
    };
  } catch {
    return null;
  }
}

/** bigint to decimal strings, so decoded args fit JSON. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}
