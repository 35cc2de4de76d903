import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { HttpClient } from '../http.js';
import { describeError, type Observation, type Probe, type ValidatorStanding } from './probe.js';

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

/**
 * Cosmos SDK staking REST (`GET /cosmos/staking/v1beta1/validators`, the gRPC gateway's
 * JSON): validators with their consensus public key, `jailed` and `status`, paged by
 * `pagination.key` / `next_key`.
 */
const StakingValidators = z.object({
  validators: z.array(
    z
      .object({
        consensus_pubkey: z.object({ key: z.string() }).loose(),
        jailed: z.boolean(),
        status: z.string(),
        description: z.object({ moniker: z.string() }).loose().optional(),
        operator_address: z.string(),
      })
      .loose(),
  ),
  pagination: z.object({ next_key: z.string().nullable().optional() }).loose().nullish(),
});
/** Pages read at most (a chain has a few hundred validators; 500 per page). */
const MAX_VALIDATOR_PAGES = 10;

/** A CometBFT consensus address: the first 20 bytes of SHA-256 of the Ed25519 public key. */
export function consensusAddress(pubkeyBase64: string): string {
  return createHash('sha256')
    .update(Buffer.from(pubkeyBase64, 'base64'))
    .digest('hex')
    .slice(0, 40)
    .toUpperCase();
}

/** `block_id_flag` 2: the validator precommitted the block (1 absent, 3 nil). */
const BLOCK_ID_FLAG_COMMIT = 2;

/**
 * How long a node's peer count read from `/net_info` is used before it is read again.
 * Peers come and go over minutes; reading them once every few polls instead of every
 * poll halves the requests a poll makes (5,000 nodes: 5,000 instead of 10,000).
 */
export const PEERS_MAX_AGE_MS = 30_000;

export function createCometbftProbe(
  http: HttpClient,
  options: { now?: () => number; peersMaxAgeMs?: number } = {},
): Probe {
  const now = options.now ?? Date.now;
  const peersMaxAgeMs = options.peersMaxAgeMs ?? PEERS_MAX_AGE_MS;
  const peersRead = new Map<string, { peers: number; at: number }>();
  const peersOf = async (url: string): Promise<number | undefined> => {
    const known = peersRead.get(url);
    if (known && now() - known.at < peersMaxAgeMs) return known.peers;
    const net = NetInfo.safeParse(await get(url, '/net_info').catch(() => undefined));
    if (!net.success) {
      peersRead.delete(url);
      return undefined;
    }
    const peers = Number(net.data.result.n_peers);
    peersRead.set(url, { peers, at: now() });
    return peers;
  };
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
        const [status, peers] = await Promise.all([get(url, '/status'), peersOf(url)]);
        const s = Status.parse(status).result;
        return {
          reachable: true,
          height: Number(s.sync_info.latest_block_height),
          hash: s.sync_info.latest_block_hash.toUpperCase(),
          syncing: s.sync_info.catching_up,
          version: s.node_info.version,
          ...(peers === undefined ? {} : { peers }),
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
    async validatorSet(lcdUrl) {
      try {
        const out = new Map<string, ValidatorStanding>();
        let key: string | undefined;
        for (let page = 0; page < MAX_VALIDATOR_PAGES; page++) {
          const query = `?pagination.limit=500${key ? `&pagination.key=${encodeURIComponent(key)}` : ''}`;
          const body = StakingValidators.parse(
            await get(lcdUrl, `/cosmos/staking/v1beta1/validators${query}`),
          );
          for (const v of body.validators) {
            out.set(consensusAddress(v.consensus_pubkey.key), {
              bonded: v.status === 'BOND_STATUS_BONDED',
              jailed: v.jailed,
              moniker: v.description?.moniker || v.operator_address,
            });
          }
          key = body.pagination?.next_key ?? undefined;
          if (!key) return out;
        }
        return out;
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
