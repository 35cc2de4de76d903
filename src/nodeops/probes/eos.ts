import { z } from 'zod';
import type { HttpClient } from '../http.js';
import { describeError, type Observation, type Probe } from './probe.js';

/**
 * EOS (Antelope `nodeos`) chain API, as documented at docs.eosnetwork.com (chain_api_plugin):
 * `/v1/chain/get_info` for the head, `/v1/chain/get_block` (POST `{block_num_or_id}`)
 * for a block's id and producer, `/v1/chain/get_producer_schedule` for the active
 * schedule; `/v1/net/connections` (net_api_plugin, often not exposed) for peers.
 */
const Info = z
  .object({
    server_version_string: z.string().optional(),
    server_version: z.string(),
    head_block_num: z.number().int(),
    head_block_id: z.string(),
    last_irreversible_block_num: z.number().int(),
  })
  .loose();
const Block = z
  .object({ id: z.string(), block_num: z.number().int(), producer: z.string() })
  .loose();
const Schedule = z.object({
  active: z.object({ producers: z.array(z.object({ producer_name: z.string() }).loose()) }).loose(),
});

export function createEosProbe(http: HttpClient): Probe {
  const base = (url: string) => url.replace(/\/+$/, '');
  const call = async (url: string, path: string, body?: unknown) => {
    const r = await http.call(`${base(url)}${path}`, {
      ...(body === undefined ? {} : { body }),
      idempotent: true,
    });
    if (r.status !== 200) throw new Error(`${path} answered HTTP ${r.status}`);
    return r.json;
  };
  const block = async (url: string, height: number) =>
    Block.parse(await call(url, '/v1/chain/get_block', { block_num_or_id: height }));
  return {
    family: 'eos',
    async observe(url): Promise<Observation> {
      try {
        const [info, peers] = await Promise.all([
          call(url, '/v1/chain/get_info'),
          call(url, '/v1/net/connections').catch(() => undefined),
        ]);
        const i = Info.parse(info);
        return {
          reachable: true,
          height: i.head_block_num,
          hash: i.head_block_id.toLowerCase(),
          syncing: false,
          version: i.server_version_string ?? i.server_version,
          ...(Array.isArray(peers) ? { peers: peers.length } : {}),
        };
      } catch (err) {
        return { reachable: false, error: describeError(err) };
      }
    },
    async hashAt(url, height) {
      try {
        return (await block(url, height)).id.toLowerCase();
      } catch {
        return undefined;
      }
    },
    async schedule(url) {
      try {
        const s = Schedule.parse(await call(url, '/v1/chain/get_producer_schedule', {}));
        return s.active.producers.map((p) => p.producer_name);
      } catch {
        return undefined;
      }
    },
    async producerAt(url, height) {
      try {
        return (await block(url, height)).producer;
      } catch {
        return undefined;
      }
    },
  };
}
