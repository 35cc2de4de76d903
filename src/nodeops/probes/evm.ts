import { z } from 'zod';
import type { HttpClient } from '../http.js';
import { describeError, type Observation, type Probe } from './probe.js';

/**
 * EVM JSON-RPC (ethereum.org/developers/docs/apis/json-rpc): one batch per poll of
 * `eth_getBlockByNumber("latest")`, `eth_syncing`, `net_peerCount` and
 * `web3_clientVersion`; `eth_getBlockByNumber(n)` for the hash at a height.
 */
const Reply = z.object({
  id: z.number(),
  result: z.unknown().optional(),
  error: z.object({ message: z.string() }).loose().optional(),
});
const BlockHeader = z.object({ number: z.string(), hash: z.string() }).loose();
const hexNumber = (v: unknown) => (typeof v === 'string' ? Number.parseInt(v, 16) : undefined);

export function createEvmProbe(http: HttpClient): Probe {
  const batch = async (url: string, calls: [string, unknown[]][]) => {
    const r = await http.call(url, {
      body: calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params })),
      idempotent: true,
    });
    if (r.status !== 200) throw new Error(`JSON-RPC answered HTTP ${r.status}`);
    const replies = z.array(Reply).parse(r.json);
    const byId = new Map(replies.map((x) => [x.id, x]));
    return calls.map((_, i) => byId.get(i));
  };
  return {
    family: 'evm',
    async observe(url): Promise<Observation> {
      try {
        const [block, syncing, peers, version] = await batch(url, [
          ['eth_getBlockByNumber', ['latest', false]],
          ['eth_syncing', []],
          ['net_peerCount', []],
          ['web3_clientVersion', []],
        ]);
        if (block?.error) throw new Error(`eth_getBlockByNumber: ${block.error.message}`);
        const head = BlockHeader.parse(block?.result);
        const peerCount = hexNumber(peers?.result);
        return {
          reachable: true,
          height: Number.parseInt(head.number, 16),
          hash: head.hash.toLowerCase(),
          syncing: syncing?.result !== false && syncing?.result !== undefined,
          ...(peerCount !== undefined && !Number.isNaN(peerCount) ? { peers: peerCount } : {}),
          ...(typeof version?.result === 'string' ? { version: version.result } : {}),
        };
      } catch (err) {
        return { reachable: false, error: describeError(err) };
      }
    },
    async hashAt(url, height) {
      try {
        const [block] = await batch(url, [
          ['eth_getBlockByNumber', [`0x${height.toString(16)}`, false]],
        ]);
        if (!block?.result) return undefined;
        return BlockHeader.parse(block.result).hash.toLowerCase();
      } catch {
        return undefined;
      }
    },
  };
}
