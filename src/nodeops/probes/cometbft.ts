import { z } from 'zod';
import type { HttpClient } from '../http.js';
import { describeError, type Observation, type Probe } from './probe.js';

/**
 * CometBFT (Tendermint) RPC over HTTP GET, as documented at
 * docs.cometbft.com/v0.38/rpc: `/status`, `/net_info`, `/block?height=`, `/commit?height=`.
 * Every answer is a JSON-RPC envelope `{ jsonrpc, id, result }`; heights are decimal
 * strings and hashes upper-case hex.
 */
const Status = z.object({
  result: z.object({
    node_info: z.object({ version: z.string(), network: z.string() }).loose(),
    sync_info: z
      .object({
        latest_block_hash: z.string(),
        latest_block_height: z.string().regex(/^\d+$/),
        catching_up: z.boolean(),
      })
      .loose(),
  }),
});
const NetInfo = z.object({ result: z.object({ n_peers: z.string().regex(/^\d+$/) }).loose() });
const Block = z.object({ result: z.object({ block_id: z.object({ hash: z.string() }) }).loose() });
const Commit = z.object({
  result: z.object({
    signed_header: z.object({
      commit: z.object({
        signatures: z.array(
          z.object({ block_id_flag: z.number(), validator_address: z.string() }).loose(),
        ),
      }),
    }),
  }),
});

/** `block_id_flag` 2: the validator precommitted the block (1 absent, 3 nil). */
const BLOCK_ID_FLAG_COMMIT = 2;

export function createCometbftProbe(http: HttpClient): Probe {
  const get = async (base: string, path: string) => {
    const url = `${base.replace(/\/+$/, '')}${path}`;
    const r = await http.call(url, { idempotent: true });
    if (r.status !== 200) throw new Error(`${path} answered HTTP ${r.status}`);
    return r.json;
  };
  return {
    family: 'cometbft',
    async observe(url): Promise<Observation> {
      try {
        const [status, net] = await Promise.all([
          get(url, '/status'),
          get(url, '/net_info').catch(() => undefined),
        ]);
        const s = Status.parse(status).result;
        const peers = NetInfo.safeParse(net);
        return {
          reachable: true,
          height: Number(s.sync_info.latest_block_height),
          hash: s.sync_info.latest_block_hash.toUpperCase(),
          syncing: s.sync_info.catching_up,
          version: s.node_info.version,
          ...(peers.success ? { peers: Number(peers.data.result.n_peers) } : {}),
        };
      } catch (err) {
        return { reachable: false, error: describeError(err) };
      }
    },
    async hashAt(url, height) {
      try {
        return Block.parse(
          await get(url, `/block?height=${height}`),
        ).result.block_id.hash.toUpperCase();
      } catch {
        return undefined;
      }
    },
    async signers(url, height) {
      try {
        const c = Commit.parse(await get(url, `/commit?height=${height}`));
        return new Set(
          c.result.signed_header.commit.signatures
            .filter((s) => s.block_id_flag === BLOCK_ID_FLAG_COMMIT)
            .map((s) => s.validator_address.toUpperCase()),
        );
      } catch {
        return undefined;
      }
    },
  };
}
