import { z } from 'zod';
import type { HttpClient } from '../http.js';
import { describeError, type Observation, type Probe } from './probe.js';

/**
 * XRP Ledger (`rippled`) JSON-RPC, as documented at xrpl.org (public API methods):
 * POST `{ method, params: [ {…} ] }`, answered `{ result: { …, status: "success" } }`.
 * `server_info` gives `server_state`, `peers`, `build_version` and the last validated
 * ledger (`validated_ledger.seq`, `.hash`); `ledger` gives a validated ledger's hash by
 * index. The height watched is the validated ledger's sequence.
 */
const ServerInfo = z.object({
  result: z
    .object({
      status: z.literal('success'),
      info: z
        .object({
          build_version: z.string(),
          server_state: z.string(),
          peers: z.number().int().optional(),
          validated_ledger: z
            .object({ seq: z.number().int(), hash: z.string(), age: z.number().optional() })
            .loose()
            .optional(),
        })
        .loose(),
    })
    .loose(),
});
const Ledger = z.object({
  result: z
    .object({
      status: z.literal('success'),
      validated: z.boolean().optional(),
      ledger: z.object({ ledger_hash: z.string() }).loose(),
    })
    .loose(),
});

/** The states in which rippled is in step with the network (xrpl.org: server states). */
const IN_STEP = new Set(['full', 'proposing', 'validating']);

export function createXrplProbe(http: HttpClient): Probe {
  const rpc = async (url: string, method: string, params: Record<string, unknown>) => {
    const r = await http.call(url, { body: { method, params: [params] }, idempotent: true });
    if (r.status !== 200) throw new Error(`${method} answered HTTP ${r.status}`);
    return r.json;
  };
  return {
    family: 'xrpl',
    async observe(url): Promise<Observation> {
      try {
        const info = ServerInfo.parse(await rpc(url, 'server_info', {})).result.info;
        const v = info.validated_ledger;
        return {
          reachable: true,
          ...(v ? { height: v.seq, hash: v.hash.toUpperCase() } : {}),
          ...(v?.age !== undefined ? { headAgeSeconds: v.age } : {}),
          syncing: !IN_STEP.has(info.server_state),
          serverState: info.server_state,
          version: info.build_version,
          ...(info.peers !== undefined ? { peers: info.peers } : {}),
        };
      } catch (err) {
        return { reachable: false, error: describeError(err) };
      }
    },
    async hashAt(url, height) {
      try {
        const r = Ledger.parse(await rpc(url, 'ledger', { ledger_index: height })).result;
        return r.validated === false ? undefined : r.ledger.ledger_hash.toUpperCase();
      } catch {
        return undefined;
      }
    },
  };
}
