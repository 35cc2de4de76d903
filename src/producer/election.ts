import type { EtcdClient, EtcdKv } from './etcd.js';

/** Where one chain's election keeps its keys in etcd. */
export function chainKeys(root: string, chain: string) {
  const base = `${root}/${chain}/`;
  return {
    prefix: base,
    leader: `${base}leader`,
    mark: `${base}mark`,
    switchover: `${base}switchover`,
    released: `${base}released`,
    healthFailover: `${base}health-failover`,
  };
}

export type ElectionState = 'standby' | 'active' | 'draining' | 'stopped';

/** Why this region stopped being active. */
export type LossReason =
  'renewal_failed' | 'lease_expired' | 'fence_failed' | 'switchover' | 'shutdown';

export interface ElectionChange {
  chain: string;
  region: string;
  kind: 'activated' | 'deactivated';
  reason?: LossReason | 'switchover' | 'campaign';
}

export interface ElectionOptions {
  etcd: EtcdClient;
  root: string;
  chain: string;
  region: string;
  /** etcd lease TTL. */
  ttlSeconds: number;
  /**
   * Fraction of the TTL the local clock may run slow against etcd's: signing stops
   * `ttl × (1 − margin)` after the renewal was sent, before etcd can have expired it.
   */
  clockMargin: number;
  /** After an involuntary loss, no region campaigns for this long (Consul's lock-delay). */
  lockDelayMs: number;
  /** How often a standby looks at the leader key (and an active one at switchovers). */
  pollMs: number;
  /** Monotonic milliseconds (tests run it slow or fast to simulate clock-rate skew). */
  clock?: () => number;
  /** Runs the region's producer hooks; awaited before the lease is released. */
  onChange?: (change: ElectionChange) => Promise<void>;
  /**
   * Whether this region may campaign now (the health gate: a banned region never does).
   * Asked before every campaign, a switchover target's included.
   */
  canCampaign?: () => boolean;
  /** Each lease renewal the active region tried: `ok` false when etcd did not renew it. */
  onRenewal?: (ok: boolean) => void;
  /** Instance name written in the leader key (host and pid by default). */
  instance?: string;
  now?: () => number;
}

/** A switchover an operator asked for: the holder steps down, the target takes over. */
export interface SwitchoverRequest {
  /** Region to promote; when unset, any region but `from`. */
  to?: string | undefined;
  /** Region to drain (the current holder when unset). */
  from?: string | undefined;
  /** Wall-clock ms after which the request is ignored. */
  until: number;
  by: string;
}

export interface LeaderRecord {
  region: string;
  instance: string;
  lease: string;
  at: number;
}

export interface ElectionStatus {
  chain: string;
  region: string;
  state: ElectionState;
  leader: LeaderRecord | undefined;
  /** Milliseconds this region may still sign without another renewal (0 when not active). */
  safeForMs: number;
  renewals: number;
}

/**
 * One chain's region election on an etcd lease. The holder of the `leader` key is the
 * active region. The holder renews its lease every TTL/3 and may sign only while
 * `signingLease()` returns its lease: that stops `ttl × (1 − clockMargin)` after the last
 * renewal was *sent*, so before etcd (which counts from when it received it) can have
 * expired the lease, even with a local clock running that much slow. The signer's etcd
 * transaction also checks the lease (see signer.ts): a paused holder that wakes up after
 * losing is refused there too.
 */
export interface RegionElection {
  readonly chain: string;
  readonly region: string;
  start(): void;
  /** Steps down (running the stop hook) and releases the lease without a lock delay. */
  stop(): Promise<void>;
  /** The lease to fence signatures with, or undefined when this region may not sign. */
  signingLease(): string | undefined;
  /** The signer saw the fence fail: this region is no longer the holder. */
  fenceFailed(): void;
  status(): ElectionStatus;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the record it expects
function parse<T>(kv: EtcdKv | undefined): T | undefined {
  if (!kv) return undefined;
  try {
    return JSON.parse(kv.value) as T;
  } catch {
    return undefined;
  }
}

export function createRegionElection(o: ElectionOptions): RegionElection {
  const clock = o.clock ?? (() => performance.now());
  const now = o.now ?? Date.now;
  const keys = chainKeys(o.root, o.chain);
  const instance = o.instance ?? `${o.region}:${process.pid}`;
  const ttlMs = o.ttlSeconds * 1000;
  const renewEveryMs = Math.max(50, Math.floor(ttlMs / 3));

  let state: ElectionState = 'stopped';
  let lease: string | undefined;
  let safeUntil = 0;
  let lastRenewAt = 0;
  let renewals = 0;
  let notBefore = 0;
  let lastSeenLeader: LeaderRecord | undefined;
  let fenceLost = false;
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  async function change(kind: ElectionChange['kind'], reason: ElectionChange['reason']) {
    try {
      await o.onChange?.({ chain: o.chain, region: o.region, kind, reason });
    } catch {
      // A failing hook must not keep the election from moving on; the hook logs it.
    }
  }

  function activeWindowOk(): boolean {
    return state === 'active' && lease !== undefined && !fenceLost && clock() < safeUntil;
  }

  async function release(id: string, reason: LossReason): Promise<void> {
    // Voluntary: mark the release so standbys skip the lock delay, then drop the lease.
    try {
      await o.etcd.txn({
        compare: [{ key: keys.leader, target: 'LEASE', lease: id }],
        success: [
          { delete: { key: keys.leader } },
          { put: { key: keys.released, value: JSON.stringify({ lease: id, reason, at: now() }) } },
        ],
      });
      await o.etcd.revokeLease(id);
    } catch {
      // The lease expires by itself; the fence holds meanwhile.
    }
  }

  async function loseInvoluntarily(reason: LossReason) {
    const id = lease;
    state = 'standby';
    lease = undefined;
    safeUntil = 0;
    notBefore = clock() + o.lockDelayMs;
    await change('deactivated', reason);
    if (id) {
      // Best effort: if etcd answers again, free the key now rather than at expiry.
      o.etcd.revokeLease(id).catch(() => {});
    }
  }

  async function campaign(switchover: SwitchoverRequest | undefined): Promise<boolean> {
    if (o.canCampaign && !o.canCampaign()) return false;
    const sentAt = clock();
    const granted = await o.etcd.grantLease(o.ttlSeconds);
    const record: LeaderRecord = { region: o.region, instance, lease: granted.id, at: now() };
    const r = await o.etcd.txn({
      compare: [{ key: keys.leader, target: 'CREATE', createRevision: '0' }],
      success: [
        { put: { key: keys.leader, value: JSON.stringify(record), lease: granted.id } },
        ...(switchover ? [{ delete: { key: keys.switchover } }] : []),
      ],
    });
    if (!r.succeeded) {
      o.etcd.revokeLease(granted.id).catch(() => {});
      return false;
    }
    lease = granted.id;
    fenceLost = false;
    safeUntil = sentAt + granted.ttl * 1000 * (1 - o.clockMargin);
    lastRenewAt = sentAt;
    lastSeenLeader = record;
    state = 'active';
    await change('activated', switchover ? 'switchover' : 'campaign');
    return true;
  }

  function switchoverApplies(s: SwitchoverRequest | undefined): s is SwitchoverRequest {
    return s !== undefined && s.until > now();
  }

  async function tick(): Promise<void> {
    if (state === 'active') {
      const id = lease;
      if (id === undefined || fenceLost) return loseInvoluntarily('fence_failed');
      if (clock() >= safeUntil) return loseInvoluntarily('renewal_failed');
      if (clock() - lastRenewAt >= renewEveryMs) {
        const sentAt = clock();
        try {
          const ttl = await o.etcd.keepAlive(id);
          if (ttl <= 0) {
            o.onRenewal?.(false);
            await loseInvoluntarily('lease_expired');
            return;
          }
          o.onRenewal?.(true);
          renewals++;
          lastRenewAt = sentAt;
          safeUntil = Math.max(safeUntil, sentAt + ttl * 1000 * (1 - o.clockMargin));
        } catch {
          // Retried next tick; signing stops by itself at safeUntil.
          o.onRenewal?.(false);
        }
      }
      const kvs = await o.etcd.range(keys.switchover).catch(() => []);
      const s = parse<SwitchoverRequest>(kvs[0]);
      if (
        switchoverApplies(s) &&
        ((s.to !== undefined && s.to !== o.region) || s.from === o.region)
      ) {
        state = 'draining';
        await change('deactivated', 'switchover');
        await release(id, 'switchover');
        lease = undefined;
        safeUntil = 0;
        state = 'standby';
        // Let the target take it; if it does not within the request's life, campaign again.
        notBefore = clock() + Math.max(0, s.until - now());
      }
      return;
    }
    if (state !== 'standby') return;
    const kvs = await o.etcd.range(keys.prefix, { prefix: true });
    const get = (k: string) => kvs.find((kv) => kv.key === k);
    const leader = parse<LeaderRecord>(get(keys.leader));
    const switchover = parse<SwitchoverRequest>(get(keys.switchover));
    if (leader) {
      lastSeenLeader = leader;
      // Another region holds it: whatever this region was waiting for (its start-up, the
      // target of its own handover) is over; a loss from here on gets the lock delay below.
      if (leader.region !== o.region) notBefore = Math.min(notBefore, clock());
      return;
    }
    if (switchoverApplies(switchover)) {
      // A handover the holder made voluntarily: its target campaigns at once, even in a
      // lock delay; the others leave it the chance.
      const mine = switchover.to === o.region || (!switchover.to && switchover.from !== o.region);
      if (mine) await campaign(switchover);
      return;
    }
    if (lastSeenLeader) {
      // The lock delay runs from when the loss is first seen, also while an earlier wait
      // (this process's start-up) is still running: the two overlap rather than add up.
      const released = parse<{ lease: string }>(get(keys.released));
      const seen = lastSeenLeader;
      lastSeenLeader = undefined;
      if (released?.lease !== seen.lease && o.lockDelayMs > 0) {
        notBefore = Math.max(notBefore, clock() + o.lockDelayMs);
      }
    }
    if (clock() < notBefore) return;
    await campaign(undefined);
  }

  async function run() {
    while (!stopping) {
      try {
        await tick();
      } catch {
        // etcd unreachable: a standby waits, an active region's window runs out (tick).
      }
      const wait =
        state === 'active'
          ? Math.max(5, Math.min(o.pollMs, renewEveryMs - (clock() - lastRenewAt)))
          : o.pollMs;
      await sleep(wait);
    }
  }

  return {
    chain: o.chain,
    region: o.region,
    start() {
      if (loop) return;
      state = 'standby';
      // A process that just started cannot know whether a holder was lost a moment ago:
      // it waits the lock delay before its first campaign, as every standby would.
      notBefore = clock() + o.lockDelayMs;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
      const id = lease;
      if (state === 'active' && id) {
        state = 'draining';
        await change('deactivated', 'shutdown');
        await release(id, 'shutdown');
      }
      lease = undefined;
      state = 'stopped';
    },
    signingLease() {
      return activeWindowOk() ? lease : undefined;
    },
    fenceFailed() {
      fenceLost = true;
      wake?.();
    },
    status() {
      return {
        chain: o.chain,
        region: o.region,
        state,
        leader: state === 'active' && lease ? lastSeenLeader : lastSeenLeader,
        safeForMs: activeWindowOk() ? Math.round(safeUntil - clock()) : 0,
        renewals,
      };
    },
  };
}
