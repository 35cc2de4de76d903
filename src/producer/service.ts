import type { Logger } from '../platform/observability/logger.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db } from '../platform/db/db.js';
import { fail, isFailure, type Failure } from '../platform/failure.js';
import type { Stoppable } from '../platform/modules/descriptor.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import type { Registry } from 'prom-client';
import { createCommandControl, type HookResult, type ProducerControl } from './control.js';
import { createKubernetesControl } from './kubernetes.js';
import {
  chainKeys,
  createRegionElection,
  type ElectionChange,
  type ElectionStatus,
  type RegionElection,
} from './election.js';
import type { ProducerError } from './errors.js';
import {
  createHealthFailover,
  type HealthFailover,
  type HealthFailoverRecord,
  type HealthSource,
  type RegionHealth,
} from './health.js';
import { createEtcdClient, type EtcdClient } from './etcd.js';
import { randomPrivateKey, signingKey, type KeyAlgorithm, type SigningKey } from './keys.js';
import { MarkInterchange, type Mark } from './mark.js';
import { createProducerMetrics, type ProducerMetrics } from './metrics.js';
import { parseSignBytes, SignBytesError } from './sign-bytes.js';
import { createChainSigner, type ChainSigner, type Refusal, type Signature } from './signer.js';
import { RegionName, type ProducerChain, type ProducerSettings } from './settings.js';

/** Who asked (the audit log's actor). */
export interface Actor {
  type: 'user' | 'system';
  id: string;
}

export interface SignInput {
  signBytes: Uint8Array;
  height?: bigint | undefined;
  round?: number | undefined;
  step?: number | undefined;
  blockId?: string | undefined;
}

export interface ChainStatus {
  chain: string;
  algorithm: KeyAlgorithm;
  format: ProducerChain['format'];
  region: string | undefined;
  publicKey: string | undefined;
  election: ElectionStatus | undefined;
  activeRegion: string | undefined;
  mark: Mark | undefined;
  /** Each region's health from the node checks, as this region last saw it. */
  health: readonly RegionHealth[] | undefined;
}

/**
 * One active block producer per chain across regions: the region election, the fenced
 * remote signer and the producer hooks (see docs/producer.md). Inert without chains,
 * a region and etcd endpoints.
 */
export interface ProducerService {
  readonly configured: boolean;
  /** The `producer` role: campaigns for every configured chain. */
  start(): Promise<Stoppable>;
  sign(chain: string, input: SignInput): Promise<Signature | Failure<ProducerError>>;
  status(chain: string): Promise<ChainStatus | Failure<ProducerError>>;
  statusAll(): Promise<ChainStatus[]>;
  switchover(
    chain: string,
    request: { to?: string | undefined; from?: string | undefined },
    actor: Actor,
  ): Promise<
    { to?: string | undefined; from?: string | undefined; until: number } | Failure<ProducerError>
  >;
  exportMark(chain: string): Promise<MarkInterchange | Failure<ProducerError>>;
  importMark(
    chain: string,
    doc: unknown,
    actor: Actor,
  ): Promise<MarkInterchange | Failure<ProducerError>>;
  setKey(
    chain: string,
    privateKeyHex: string | undefined,
    actor: Actor,
  ): Promise<
    { chain: string; algorithm: KeyAlgorithm; publicKey: string } | Failure<ProducerError>
  >;
}

/** Switchover requests expire after this: a target that never shows up does not block. */
const SWITCHOVER_TTL_MS = 60_000;

export function createProducerService(deps: {
  db: Db;
  secretBox: SecretBox;
  audit: AuditLog;
  outbox: Outbox;
  logger: Logger;
  registry: Registry;
  settings: ProducerSettings;
  /** Region health from the node checks; without it, no health-driven failover. */
  health?: HealthSource | undefined;
  now?: () => number;
}): ProducerService {
  const { db, secretBox, audit, outbox, logger, settings } = deps;
  const now = deps.now ?? Date.now;
  const log = logger.child({ module: 'producer' });
  const configured =
    settings.chains.length > 0 &&
    settings.region !== undefined &&
    settings.etcdEndpoints.length > 0;
  const chainsByKey = new Map(settings.chains.map((c) => [c.key, c]));
  const metrics: ProducerMetrics = createProducerMetrics(deps.registry);
  let etcd: EtcdClient | undefined;
  const etcdClient = () =>
    (etcd ??= createEtcdClient({
      endpoints: settings.etcdEndpoints,
      timeoutMs: Math.min(1000, Math.max(200, (settings.leaseTtlSeconds * 1000) / 5)),
    }));
  const elections = new Map<string, RegionElection>();
  const healthWatchers = new Map<string, HealthFailover>();
  const signers = new Map<string, ChainSigner>();
  const keyCache = new Map<string, SigningKey>();

  const keyContext = (chain: string) => `producer_key:${chain}`;

  async function loadKey(chain: ProducerChain): Promise<SigningKey | undefined> {
    const hit = keyCache.get(chain.key);
    if (hit) return hit;
    const { rows } = await db.query<{ algorithm: KeyAlgorithm; sealed_private_key: string }>(
      'SELECT algorithm, sealed_private_key FROM producer_keys WHERE chain_key = $1',
      [chain.key],
    );
    const row = rows[0];
    if (!row) return undefined;
    const priv = await secretBox.decrypt(row.sealed_private_key, keyContext(chain.key));
    const key = signingKey(row.algorithm, priv);
    priv.fill(0);
    keyCache.set(chain.key, key);
    return key;
  }

  function publish(type: string, payload: Record<string, unknown>) {
    outbox
      .publish({ type, aggregateId: String(payload['chain']), payload })
      .catch((err: unknown) => {
        log.error({ err, type }, 'producer event not recorded');
      });
  }

  const onHookResult = (chain: string, event: 'start' | 'stop', r: HookResult) => {
    const ok = r.exitCode === 0 && !r.timedOut;
    (ok ? log.info.bind(log) : log.error.bind(log))(
      {
        chain,
        event,
        command: r.command,
        exitCode: r.exitCode,
        timedOut: r.timedOut,
        output: r.output,
      },
      `producer ${event} hook ${ok ? 'ran' : 'failed'}`,
    );
  };
  const commands: ProducerControl = createCommandControl({
    region: settings.region ?? '',
    hooks: (chain) => chainsByKey.get(chain) ?? {},
    timeoutMs: settings.hookTimeoutMs,
    onResult: onHookResult,
  });
  const kubernetes: ProducerControl = createKubernetesControl({
    region: settings.region ?? '',
    target: (chain) => chainsByKey.get(chain)?.kubernetes,
    timeoutMs: settings.hookTimeoutMs,
    onResult: onHookResult,
  });
  // Each chain's producer adapter: its Kubernetes workload when it names one, else its commands.
  const controlFor = (chain: string) =>
    chainsByKey.get(chain)?.kubernetes ? kubernetes : commands;
  const control: ProducerControl = {
    activated: (chain, reason) => controlFor(chain).activated(chain, reason),
    deactivated: (chain, reason) => controlFor(chain).deactivated(chain, reason),
  };

  async function onChange(c: ElectionChange) {
    metrics.active.set({ chain: c.chain, region: c.region }, c.kind === 'activated' ? 1 : 0);
    metrics.transitions.inc({ chain: c.chain, kind: c.kind, reason: c.reason ?? '' });
    log.warn({ chain: c.chain, region: c.region, reason: c.reason }, `producer region ${c.kind}`);
    publish(`producer.region.${c.kind}`, { chain: c.chain, region: c.region, reason: c.reason });
    // The stop hook is awaited: the lease is released (and the next region may start)
    // only after this region's producer was told to stop.
    if (c.kind === 'activated') await control.activated(c.chain, c.reason ?? '');
    else await control.deactivated(c.chain, c.reason ?? '');
  }

  async function onHealthFailover(chain: string, f: HealthFailoverRecord) {
    metrics.healthFailovers.inc({ chain, from: f.from, to: f.to });
    log.warn({ chain, from: f.from, to: f.to, reason: f.reason }, 'producer health failover');
    await audit.record({
      action: 'producer.health_failover',
      actorType: 'system',
      actorId: 'producer.health',
      targetType: 'producer_chain',
      targetId: chain,
      data: { from: f.from, to: f.to, reason: f.reason },
    });
    publish('producer.failover.health', {
      chain,
      from: f.from,
      to: f.to,
      reason: f.reason,
      decided_at: new Date(f.at).toISOString(),
    });
  }

  function onRefusal(r: Refusal) {
    metrics.refusals.inc({ chain: r.chain, reason: r.reason });
    if (r.reason !== 'double_sign_attempt') return;
    log.error(
      { chain: r.chain, request: { ...r.request, height: String(r.request.height) } },
      'double-sign attempt refused',
    );
    publish('producer.double_sign_attempt', {
      chain: r.chain,
      region: r.region,
      height: String(r.request.height),
      round: r.request.round,
      step: r.request.step,
      block_id: r.request.blockId,
      signed_block_id: r.mark?.blockId,
      signed_region: r.mark?.region,
    });
  }

  function signerFor(chain: ProducerChain): ChainSigner {
    let s = signers.get(chain.key);
    if (!s) {
      s = createChainSigner({
        etcd: etcdClient(),
        root: settings.etcdPrefix,
        chain: chain.key,
        region: settings.region ?? '',
        election: elections.get(chain.key) ?? {
          signingLease: () => undefined,
          fenceFailed: () => {},
        },
        key: () => loadKey(chain),
        onRefusal,
      });
      signers.set(chain.key, s);
    }
    return s;
  }

  const unknown = () => fail('chain_unknown' as const);
  const notConfigured = () =>
    fail('chain_unknown' as const, {
      message:
        'The producer module is not configured (producerChains, producerRegion, producerEtcdEndpoints)',
    });

  async function status(chain: ProducerChain): Promise<ChainStatus> {
    const { rows } = await db.query<{ public_key: string }>(
      'SELECT public_key FROM producer_keys WHERE chain_key = $1',
      [chain.key],
    );
    let activeRegion: string | undefined;
    let mark: Mark | undefined;
    if (configured) {
      try {
        const kv = await etcdClient().range(chainKeys(settings.etcdPrefix, chain.key).leader);
        activeRegion = kv[0] ? (JSON.parse(kv[0].value) as { region: string }).region : undefined;
        mark = await signerFor(chain).mark();
      } catch {
        // etcd unreachable: shown as unknown.
      }
    }
    return {
      chain: chain.key,
      algorithm: chain.algorithm,
      format: chain.format,
      region: settings.region,
      publicKey: rows[0]?.public_key,
      election: elections.get(chain.key)?.status(),
      activeRegion,
      mark,
      // The producer role's latest look; a process without the role (the API, the CLI)
      // asks the node checks itself.
      health:
        healthWatchers.get(chain.key)?.regions() ??
        (await deps.health?.regions(chain.key).catch(() => undefined)),
    };
  }

  return {
    configured,
    async start() {
      const region = settings.region;
      if (!configured || region === undefined) {
        log.info('producer role: no chains, region or etcd endpoints configured; nothing to do');
        return Promise.resolve({ stop: async () => {} });
      }
      const hf = settings.healthFailover;
      for (const chain of settings.chains) {
        let watcher: HealthFailover | undefined;
        const e = createRegionElection({
          etcd: etcdClient(),
          root: settings.etcdPrefix,
          chain: chain.key,
          region,
          ttlSeconds: settings.leaseTtlSeconds,
          clockMargin: settings.clockMarginPercent / 100,
          lockDelayMs: settings.lockDelayMs,
          pollMs: settings.pollMs,
          onChange,
          canCampaign: () => watcher?.mayCampaign() ?? true,
          onRenewal: (ok) => {
            metrics.renewals.inc({ chain: chain.key, result: ok ? 'ok' : 'failed' });
          },
        });
        elections.set(chain.key, e);
        signers.delete(chain.key);
        if (deps.health) {
          watcher = createHealthFailover({
            chain: chain.key,
            region,
            election: e,
            source: deps.health,
            etcd: etcdClient(),
            keys: chainKeys(settings.etcdPrefix, chain.key),
            policy: hf,
            now,
            requestTtlMs: SWITCHOVER_TTL_MS,
            onFailover: (f) => onHealthFailover(chain.key, f),
            onError: (err) => {
              log.warn({ err, chain: chain.key }, 'producer: node health unavailable');
            },
          });
          healthWatchers.set(chain.key, watcher);
        }
        e.start();
      }
      const health = { stopping: false, wake: undefined as (() => void) | undefined };
      const healthLoop = (async () => {
        while (!health.stopping && healthWatchers.size > 0) {
          for (const w of healthWatchers.values()) {
            try {
              await w.tick();
            } catch (err) {
              log.warn({ err }, 'producer health check failed');
            }
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, hf.pollMs);
            health.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      })();
      return {
        stop: async () => {
          health.stopping = true;
          health.wake?.();
          await healthLoop;
          healthWatchers.clear();
          await Promise.all([...elections.values()].map((e) => e.stop()));
          elections.clear();
          signers.clear();
          await etcd?.close();
          etcd = undefined;
        },
      };
    },

    async sign(chainKey, input) {
      const chain = chainsByKey.get(chainKey);
      if (!chain || !configured) return configured ? unknown() : notConfigured();
      if (!elections.has(chain.key)) return fail('producer_not_running');
      let req: { height: bigint; round: number; step: number; blockId: string };
      if (chain.format === 'cometbft') {
        let m;
        try {
          m = parseSignBytes(input.signBytes);
        } catch (err) {
          if (err instanceof SignBytesError) {
            return fail('sign_bytes_invalid', { message: `sign_bytes: ${err.message}` });
          }
          throw err;
        }
        if (chain.chainId !== undefined && m.chainId !== chain.chainId) {
          return fail('sign_request_mismatch', {
            message: `The sign bytes name chain id ${JSON.stringify(m.chainId)}, not ${chain.chainId}`,
            param: 'sign_bytes',
          });
        }
        for (const [name, given, actual] of [
          ['height', input.height, m.height],
          ['round', input.round, m.round],
          ['step', input.step, m.step],
          ['block_id', input.blockId, m.blockId],
        ] as const) {
          if (given !== undefined && given !== actual) {
            return fail('sign_request_mismatch', {
              message: `${name} does not match the sign bytes (${String(actual)})`,
              param: name,
            });
          }
        }
        req = m;
      } else {
        const { height, round, step, blockId } = input;
        if (
          height === undefined ||
          round === undefined ||
          step === undefined ||
          blockId === undefined
        ) {
          return fail('sign_request_mismatch', {
            message: 'A raw-format chain needs height, round, step and block_id',
            param: 'height',
          });
        }
        req = { height, round, step, blockId };
      }
      const r = await signerFor(chain).sign({ ...req, signBytes: input.signBytes });
      if (!isFailure(r)) {
        metrics.signatures.inc({ chain: chain.key, repeat: String(r.repeat) });
        metrics.lastSignature.set({ chain: chain.key }, now() / 1000);
      }
      return r;
    },

    async status(chainKey) {
      const chain = chainsByKey.get(chainKey);
      if (!chain) return unknown();
      return status(chain);
    },
    async statusAll() {
      return Promise.all(settings.chains.map(status));
    },

    async switchover(chainKey, request, actor) {
      const chain = chainsByKey.get(chainKey);
      if (!chain || !configured) return configured ? unknown() : notConfigured();
      for (const [param, v] of [
        ['to', request.to],
        ['from', request.from],
      ] as const) {
        if (v !== undefined && !RegionName.safeParse(v).success) {
          return fail('region_unknown', { param });
        }
      }
      if (request.to !== undefined && deps.health) {
        const regions = await deps.health.regions(chain.key).catch(() => []);
        if (regions.some((r) => r.region === request.to && r.banned)) {
          return fail('region_banned', {
            message: `Region ${request.to}: every validator node of ${chain.key} is banned by the node checks; it is never made active`,
          });
        }
      }
      const body = {
        to: request.to,
        from: request.from,
        until: now() + SWITCHOVER_TTL_MS,
        by: `${actor.type}:${actor.id}`,
      };
      try {
        await etcdClient().put(
          chainKeys(settings.etcdPrefix, chain.key).switchover,
          JSON.stringify(body),
        );
      } catch {
        return fail('etcd_unavailable');
      }
      await audit.record({
        action: 'producer.switchover_requested',
        actorType: actor.type,
        actorId: actor.id,
        targetType: 'producer_chain',
        targetId: chain.key,
        data: {
          ...(request.to ? { to: request.to } : {}),
          ...(request.from ? { from: request.from } : {}),
        },
      });
      publish('producer.switchover.requested', {
        chain: chain.key,
        to: request.to,
        from: request.from,
        by: body.by,
      });
      return { to: request.to, from: request.from, until: body.until };
    },

    async exportMark(chainKey) {
      const chain = chainsByKey.get(chainKey);
      if (!chain || !configured) return configured ? unknown() : notConfigured();
      let mark: Mark | undefined;
      try {
        mark = await signerFor(chain).mark();
      } catch {
        return fail('etcd_unavailable');
      }
      const { rows } = await db.query<{ public_key: string }>(
        'SELECT public_key FROM producer_keys WHERE chain_key = $1',
        [chain.key],
      );
      return {
        format: 'vaultwire.producer.mark.v1',
        chain: chain.key,
        ...(rows[0] ? { public_key: rows[0].public_key } : {}),
        mark: {
          height: String(mark?.height ?? 0n),
          round: mark?.round ?? 0,
          step: mark?.step ?? 0,
          block_id: mark?.blockId ?? '',
        },
      };
    },

    async importMark(chainKey, doc, actor) {
      const chain = chainsByKey.get(chainKey);
      if (!chain || !configured) return configured ? unknown() : notConfigured();
      const parsed = MarkInterchange.safeParse(doc);
      if (!parsed.success || parsed.data.chain !== chain.key) {
        return fail('mark_invalid', {
          message: parsed.success
            ? `The document is for chain ${parsed.data.chain}, not ${chain.key}`
            : `mark: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
        });
      }
      const m = parsed.data.mark;
      const r = await signerFor(chain).raiseMark({
        height: BigInt(m.height),
        round: m.round,
        step: m.step,
        blockId: m.block_id,
        signBytes: '',
        region: `import:${actor.id}`,
        at: now(),
      });
      if (isFailure(r)) return r;
      await audit.record({
        action: 'producer.mark_imported',
        actorType: actor.type,
        actorId: actor.id,
        targetType: 'producer_chain',
        targetId: chain.key,
        data: { height: m.height, round: m.round, step: m.step },
      });
      publish('producer.mark.imported', {
        chain: chain.key,
        height: m.height,
        round: m.round,
        step: m.step,
        by: `${actor.type}:${actor.id}`,
      });
      return parsed.data;
    },

    async setKey(chainKey, privateKeyHex, actor) {
      const chain = chainsByKey.get(chainKey);
      if (!chain) return unknown();
      if (privateKeyHex !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(privateKeyHex)) {
        return fail('key_invalid');
      }
      const priv = privateKeyHex
        ? Buffer.from(privateKeyHex.replace(/^0x/, ''), 'hex')
        : Buffer.from(randomPrivateKey(chain.algorithm));
      let key: SigningKey;
      try {
        key = signingKey(chain.algorithm, priv);
      } catch {
        return fail('key_invalid');
      }
      const sealed = await secretBox.encrypt(priv, keyContext(chain.key));
      priv.fill(0);
      const publicKey = Buffer.from(key.publicKey).toString('hex');
      await db.query(
        `INSERT INTO producer_keys (chain_key, algorithm, public_key, sealed_private_key)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (chain_key) DO UPDATE
           SET algorithm = EXCLUDED.algorithm, public_key = EXCLUDED.public_key,
               sealed_private_key = EXCLUDED.sealed_private_key, created_at = now()`,
        [chain.key, chain.algorithm, publicKey, sealed],
      );
      keyCache.delete(chain.key);
      await audit.record({
        action: 'producer.key_set',
        actorType: actor.type,
        actorId: actor.id,
        targetType: 'producer_chain',
        targetId: chain.key,
        data: {
          algorithm: chain.algorithm,
          public_key: publicKey,
          imported: privateKeyHex !== undefined,
        },
      });
      return { chain: chain.key, algorithm: chain.algorithm, publicKey };
    },
  };
}
