import { Agent, request } from 'undici';

/**
 * A small etcd v3 client over its JSON gateway (`/v3/kv/*`, `/v3/lease/*`), which every
 * etcd 3.4+ serves on the client port. Why not the `etcd3` npm package: it speaks gRPC
 * through `@grpc/grpc-js` and `protobufjs` (an install script, a large dependency tree)
 * for the five calls the producer module makes; each of those is one JSON POST here,
 * over undici, which the platform already uses.
 *
 * Requests go to one endpoint; on a network error, a timeout or a 5xx the next endpoint
 * is tried, so a dead or partitioned member costs one timeout, not an outage.
 */
export interface EtcdClient {
  range(key: string, options?: { prefix?: boolean }): Promise<EtcdKv[]>;
  put(key: string, value: string, options?: { lease?: string }): Promise<void>;
  delete(key: string): Promise<void>;
  /** One atomic transaction: every compare holds → `success` ops, else `failure` ops. */
  txn(t: EtcdTxn): Promise<EtcdTxnResult>;
  grantLease(ttlSeconds: number): Promise<{ id: string; ttl: number }>;
  /** The lease's TTL after this renewal; 0 when the lease no longer exists. */
  keepAlive(leaseId: string): Promise<number>;
  revokeLease(leaseId: string): Promise<void>;
  close(): Promise<void>;
}

export interface EtcdKv {
  key: string;
  value: string;
  createRevision: string;
  modRevision: string;
  lease: string;
}

export type EtcdCompare =
  | { key: string; target: 'CREATE'; createRevision: string }
  | { key: string; target: 'MOD'; modRevision: string }
  | { key: string; target: 'VALUE'; value: string }
  | { key: string; target: 'LEASE'; lease: string };

export type EtcdOp =
  | { put: { key: string; value: string; lease?: string } }
  | { delete: { key: string } }
  | { range: { key: string; prefix?: boolean } };

export interface EtcdTxn {
  compare: EtcdCompare[];
  success: EtcdOp[];
  failure?: EtcdOp[];
}

export interface EtcdTxnResult {
  succeeded: boolean;
  revision: string;
  /** The key-values of each `range` op of the branch that ran, in order. */
  ranges: EtcdKv[][];
}

export class EtcdUnavailableError extends Error {
  override name = 'EtcdUnavailableError';
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

/** The key just after every key with `prefix` (etcd's range_end for a prefix). */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    const b = bytes.readUInt8(i);
    if (b < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end.writeUInt8(b + 1, i);
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

interface RawKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  lease?: string;
}

const kv = (r: RawKv): EtcdKv => ({
  key: unb64(r.key),
  value: unb64(r.value),
  createRevision: r.create_revision ?? '0',
  modRevision: r.mod_revision ?? '0',
  lease: r.lease ?? '0',
});

function rangeBody(key: string, prefix?: boolean) {
  return prefix ? { key: b64(key), range_end: prefixEnd(key) } : { key: b64(key) };
}

function opBody(op: EtcdOp) {
  if ('put' in op) {
    return {
      request_put: {
        key: b64(op.put.key),
        value: b64(op.put.value),
        ...(op.put.lease ? { lease: op.put.lease } : {}),
      },
    };
  }
  if ('delete' in op) return { request_delete_range: { key: b64(op.delete.key) } };
  return { request_range: rangeBody(op.range.key, op.range.prefix) };
}

function compareBody(c: EtcdCompare) {
  const key = b64(c.key);
  switch (c.target) {
    case 'CREATE':
      return { key, target: 'CREATE', result: 'EQUAL', create_revision: c.createRevision };
    case 'MOD':
      return { key, target: 'MOD', result: 'EQUAL', mod_revision: c.modRevision };
    case 'VALUE':
      return { key, target: 'VALUE', result: 'EQUAL', value: b64(c.value) };
    case 'LEASE':
      return { key, target: 'LEASE', result: 'EQUAL', lease: c.lease };
  }
}

export interface EtcdClientOptions {
  endpoints: readonly string[];
  /** Per request, before the next endpoint is tried. */
  timeoutMs?: number;
}

export function createEtcdClient(options: EtcdClientOptions): EtcdClient {
  if (options.endpoints.length === 0) throw new Error('etcd: no endpoints');
  const endpoints = options.endpoints.map((e) => e.replace(/\/+$/, ''));
  const timeoutMs = options.timeoutMs ?? 1000;
  const agent = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
  let current = 0;

  async function call<T>(path: string, body: unknown): Promise<T> {
    let lastError: unknown;
    for (let tried = 0; tried < endpoints.length; tried++) {
      const endpoint = endpoints[current] ?? endpoints[0];
      try {
        const res = await request(`${endpoint}${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
          dispatcher: agent,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await res.body.text();
        if (res.statusCode >= 500) throw new EtcdUnavailableError(`${endpoint}${path}: ${text}`);
        if (res.statusCode >= 400) throw new Error(`etcd ${path}: ${res.statusCode} ${text}`);
        return JSON.parse(text) as T;
      } catch (err) {
        if (
          !(err instanceof EtcdUnavailableError) &&
          err instanceof Error &&
          /^etcd /.test(err.message)
        ) {
          throw err;
        }
        lastError = err;
        current = (current + 1) % endpoints.length;
      }
    }
    throw new EtcdUnavailableError(
      `no etcd endpoint answered (${endpoints.join(', ')}): ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }

  return {
    async range(key, o = {}) {
      const r = await call<{ kvs?: RawKv[] }>('/v3/kv/range', rangeBody(key, o.prefix));
      return (r.kvs ?? []).map(kv);
    },
    async put(key, value, o = {}) {
      await call('/v3/kv/put', {
        key: b64(key),
        value: b64(value),
        ...(o.lease ? { lease: o.lease } : {}),
      });
    },
    async delete(key) {
      await call('/v3/kv/deleterange', { key: b64(key) });
    },
    async txn(t) {
      const r = await call<{
        succeeded?: boolean;
        header?: { revision?: string };
        responses?: { response_range?: { kvs?: RawKv[] } }[];
      }>('/v3/kv/txn', {
        compare: t.compare.map(compareBody),
        success: t.success.map(opBody),
        failure: (t.failure ?? []).map(opBody),
      });
      return {
        succeeded: r.succeeded === true,
        revision: r.header?.revision ?? '0',
        ranges: (r.responses ?? [])
          .filter((x) => x.response_range !== undefined)
          .map((x) => (x.response_range?.kvs ?? []).map(kv)),
      };
    },
    async grantLease(ttl) {
      const r = await call<{ ID?: string; TTL?: string; error?: string }>('/v3/lease/grant', {
        TTL: ttl,
      });
      if (!r.ID) throw new EtcdUnavailableError(`etcd lease grant: ${r.error ?? 'no ID'}`);
      return { id: r.ID, ttl: Number(r.TTL ?? ttl) };
    },
    async keepAlive(leaseId) {
      const r = await call<{ result?: { TTL?: string } }>('/v3/lease/keepalive', { ID: leaseId });
      return Number(r.result?.TTL ?? 0);
    },
    async revokeLease(leaseId) {
      await call('/v3/lease/revoke', { ID: leaseId });
    },
    async close() {
      await agent.close();
    },
  };
}
