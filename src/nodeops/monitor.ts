import type { Db } from '../platform/db/db.js';
import type { LeaseManager } from '../platform/leases/leases.js';
import type { Logger } from '../platform/observability/logger.js';
import type { Alert, Alerts } from './alerts.js';
import { alertFromRow } from './alerts.js';
import { noticeText, type ChannelSender } from './channels.js';
import {
  CONDITION_KINDS,
  CONSENSUS_KINDS,
  SEVERITY_OF,
  countMisses,
  evaluateNode,
  majorityHash,
  missedRounds,
  recordSignature,
  rememberHeight,
  type ConditionKind,
  type HeightMemory,
  type ProducerRounds,
  type SigningRecord,
  type Verdict,
} from './checks.js';
import type { Chain, FleetInternal, FleetNode, NodeState } from './fleet.js';
import { chainFromRow, nodeFromRow } from './fleet.js';
import type { NodeopsMetrics } from './metrics.js';
import type { MonitorRunner } from './monitors.js';
import type { Observation, Probe, ValidatorStanding } from './probes/probe.js';
import type { ReleaseFeed } from './releases.js';
import type { Family, NodeopsSettings } from './settings.js';

/**
 * The monitor: every `intervalMs` it polls every node and reference of the fleet, runs
 * the checks, and — in the one replica that holds the `nodeops.monitor` lease — turns
 * verdicts into alert state (opened, resolved, bans) and sends the notices. Every replica
 * observes (its memory of heights stays warm and its metrics current), so a standby that
 * takes the lease over carries on without a blind spell. Writes are fenced by the lease:
 * a stale holder's late write is refused.
 */
export interface Monitor {
  /** One poll of the whole fleet; `write` only as the lease holder. */
  tick(options?: { write?: boolean; fence?: () => Promise<void> }): Promise<TickReport>;
  /** Sends due deliveries; resolves with how many were sent. */
  sendPending(fence?: () => Promise<void>): Promise<number>;
  /** Runs until stopped: observes always, writes and sends while holding the lease. */
  start(): { stop(): Promise<void> };
}

export interface TickReport {
  nodes: number;
  opened: Alert[];
  resolved: Alert[];
  banned: string[];
  unbanned: string[];
}

export interface MonitorDeps {
  db: Db;
  fleet: FleetInternal;
  alerts: Alerts;
  leases: LeaseManager;
  logger: Logger;
  metrics: NodeopsMetrics;
  probes: Record<Family, Probe>;
  releases: ReleaseFeed;
  send: ChannelSender;
  settings: NodeopsSettings;
  now: () => number;
  instanceId: string;
  /** Backup, uptime and heartbeat monitors, checked alongside the nodes. */
  watch?: MonitorRunner | undefined;
}

/** What a node's family-specific checks read this poll, kept for its metrics. */
interface FamilyContext {
  family: Family;
  missedWindow: number;
  signing: SigningRecord | undefined;
  standing: ValidatorStanding | null | undefined;
  rounds: ProducerRounds | undefined;
}

interface ChainMemory {
  /** Reference hashes by height (few, recent). */
  refHashes: Map<number, (string | undefined)[]>;
  /** Signers by height, from a reference (or the best own node). */
  signers: Map<number, Set<string>>;
  lastSignedHeight: number;
  /** EOS: the producers' blocks as read, block by block, from `watchedFrom`. */
  producing?: {
    watchedFrom: number;
    scannedTo: number;
    lastProduced: Map<string, number>;
    schedule: string[];
  };
}

const MONITOR_LEASE = 'nodeops.monitor';
const MAX_SIGNATURE_HEIGHTS_PER_TICK = 10;
/** Nodes whose alert state one transaction of a poll writes. */
const WRITE_BATCH = 200;
/** EOS blocks read per chain and poll (0.5 s blocks: a 2 s poll needs 4). */
const MAX_PRODUCER_HEIGHTS_PER_TICK = 240;
/** EOS: blocks a producer makes in a row in its slot of the schedule. */
const EOS_BLOCKS_PER_SLOT = 12;
/** Families whose blocks are final once the node reports them (a hash at a height is kept). */
const FINAL_HEADS: ReadonlySet<Family> = new Set(['cometbft', 'xrpl']);

/**
 * The highest height among answers that came by a moment (and `slackMs` after it), for
 * each moment asked: answers sorted by time, a running maximum, a binary search.
 */
function bestByTime(
  answers: { o: Observation; at: number }[],
  slackMs: number,
): (at: number) => number | undefined {
  const read = answers
    .flatMap((a) =>
      a.o.reachable && a.o.height !== undefined ? [{ at: a.at, h: a.o.height }] : [],
    )
    .sort((a, b) => a.at - b.at);
  const maxUpTo: number[] = [];
  for (const [i, r] of read.entries()) maxUpTo.push(Math.max(r.h, maxUpTo[i - 1] ?? r.h));
  return (at) => {
    let lo = 0;
    let hi = read.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((read[mid] as { at: number }).at <= at + slackMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : maxUpTo[lo - 1];
  };
}

export function createMonitor(deps: MonitorDeps): Monitor {
  const { db, alerts, logger, metrics, settings } = deps;
  const heights = new Map<string, HeightMemory>();
  const signing = new Map<string, SigningRecord>();
  const chainMemory = new Map<string, ChainMemory>();
  const releases = new Map<string, { tag: string | undefined; readAt: number }>();
  // Per node id: the version label and the rippled server_state last exported.
  const infoVersion = new Map<string, string>();
  const serverStates = new Map<string, string>();
  let wake: (() => void) | undefined;

  async function loadFleet(): Promise<{ chains: Chain[]; nodes: FleetNode[] }> {
    const [c, n] = await Promise.all([
      db.query('SELECT * FROM nodeops_chains ORDER BY key'),
      db.query('SELECT * FROM nodeops_nodes ORDER BY chain_key, name'),
    ]);
    return { chains: c.rows.map(chainFromRow), nodes: n.rows.map(nodeFromRow) };
  }

  async function observeChain(chain: Chain, nodes: FleetNode[], now: number) {
    const probe = deps.probes[chain.family];
    // Each answer stamped with when it came. The references are asked first: a poll of
    // thousands of nodes takes seconds, and a node is compared only with heights read by
    // the time its own answer came (and one block time more), so a healthy node read
    // early in a long poll never counts as behind one read later.
    const stamped = (url: string) => probe.observe(url).then((o) => ({ o, at: performance.now() }));
    const refsRead = Promise.all(chain.references.map(stamped));
    const ownRead = Promise.all(nodes.map((n) => stamped(n.url)));
    const [ownT, refsT] = await Promise.all([ownRead, refsRead]);
    const own = ownT.map((x) => x.o);
    const refs = refsT.map((x) => x.o);
    const bestBy = bestByTime([...ownT, ...refsT], chain.thresholds.blockTimeSeconds * 1000);
    const mem: ChainMemory = chainMemory.get(chain.key) ?? {
      refHashes: new Map(),
      signers: new Map(),
      lastSignedHeight: 0,
    };
    chainMemory.set(chain.key, mem);
    const heightsSeen = [...own, ...refs].flatMap((o) =>
      o.reachable && o.height !== undefined ? [o.height] : [],
    );
    const best = heightsSeen.length > 0 ? Math.max(...heightsSeen) : undefined;

    // The reference majority's hash at each height an own node is at.
    const majority = new Map<number, string | undefined>();
    const wanted = new Set(own.flatMap((o) => (o.height !== undefined ? [o.height] : [])));
    await Promise.all(
      [...wanted].map(async (h) => {
        let hashes: (string | undefined)[] | undefined = mem.refHashes.get(h);
        // CometBFT blocks and validated XRP ledgers are final, so a reference's hash at a
        // height is kept; EVM and EOS heads can be replaced, so they are asked every poll.
        if (!hashes || !FINAL_HEADS.has(chain.family) || hashes.some((x) => x === undefined)) {
          hashes = await Promise.all(
            chain.references.map((url, i) => {
              const r = refs[i] as Observation;
              if (!r.reachable || r.height === undefined || r.height < h)
                return Promise.resolve(undefined);
              if (r.height === h) return Promise.resolve(r.hash);
              return probe.hashAt(url, h);
            }),
          );
          mem.refHashes.set(h, hashes);
        }
        // Without references, the own nodes at that height vote among themselves.
        const votes =
          chain.references.length > 0
            ? hashes
            : own.filter((o) => o.height === h).map((o) => o.hash);
        majority.set(h, majorityHash(votes));
      }),
    );
    for (const h of mem.refHashes.keys())
      if (best !== undefined && h < best - 50) mem.refHashes.delete(h);

    // Precommits of the validators, read once per height for the chain.
    const validators = nodes.filter((n) => n.validatorAddress !== null);
    if (validators.length > 0 && probe.signers && best !== undefined) {
      const sourceIdx = refs.findIndex((r) => r.reachable && r.height === best);
      const source =
        sourceIdx >= 0
          ? chain.references[sourceIdx]
          : nodes[own.findIndex((o) => o.reachable && o.height === best)]?.url;
      if (source !== undefined) {
        const from = Math.max(mem.lastSignedHeight + 1, best - MAX_SIGNATURE_HEIGHTS_PER_TICK + 1);
        for (let h = from; h <= best; h++) {
          const set = await probe.signers(source, h);
          if (set === undefined) break;
          mem.signers.set(h, set);
          mem.lastSignedHeight = h;
        }
        for (const v of validators) {
          const record = signing.get(v.id) ?? { heights: [], signed: [] };
          signing.set(v.id, record);
          for (const [h, set] of [...mem.signers].sort((a, b) => a[0] - b[0])) {
            recordSignature(
              record,
              h,
              set.has(v.validatorAddress ?? ''),
              chain.thresholds.missedWindow,
            );
          }
        }
        for (const h of mem.signers.keys())
          if (h < best - MAX_SIGNATURE_HEIGHTS_PER_TICK) mem.signers.delete(h);
      }
    }

    // The source of chain-wide facts: a reference at the best height, else an own node.
    const bestSource = () => {
      if (best === undefined) return undefined;
      const i = refs.findIndex((r) => r.reachable && r.height === best);
      return i >= 0
        ? chain.references[i]
        : nodes[own.findIndex((o) => o.reachable && o.height === best)]?.url;
    };

    // Validators' standing in the staking module (active set, jailed), from the LCD.
    let standings: Map<string, ValidatorStanding> | undefined;
    if (validators.length > 0 && chain.lcdUrl !== null && probe.validatorSet) {
      standings = await probe.validatorSet(chain.lcdUrl);
    }

    // EOS producers: who made each block since watching began.
    const producers = nodes.filter((n) => n.producerName !== null);
    const source = bestSource();
    const producerAt = probe.producerAt?.bind(probe);
    if (
      producers.length > 0 &&
      probe.schedule &&
      producerAt &&
      best !== undefined &&
      source !== undefined
    ) {
      const schedule = await probe.schedule(source);
      if (schedule !== undefined) {
        let p = mem.producing;
        if (p === undefined || best - p.scannedTo > MAX_PRODUCER_HEIGHTS_PER_TICK) {
          // First look, or too far behind to read every block: count afresh from here.
          p = { watchedFrom: best, scannedTo: best - 1, lastProduced: new Map(), schedule };
          mem.producing = p;
        }
        p.schedule = schedule;
        const heightsToRead = Array.from(
          { length: best - p.scannedTo },
          (_, k) => p.scannedTo + 1 + k,
        );
        const made = await Promise.all(heightsToRead.map((h) => producerAt(source, h)));
        for (const [k, h] of heightsToRead.entries()) {
          const who = made[k];
          if (who === undefined) break;
          p.lastProduced.set(who, h);
          p.scannedTo = h;
        }
      }
    }
    const roundsOf = (node: FleetNode): ProducerRounds | undefined => {
      const p = mem.producing;
      if (node.producerName === null || p === undefined || p.scannedTo < p.watchedFrom) {
        return undefined;
      }
      const last = p.lastProduced.get(node.producerName);
      return {
        producer: node.producerName,
        inSchedule: p.schedule.includes(node.producerName),
        roundBlocks: p.schedule.length * EOS_BLOCKS_PER_SLOT,
        since: last ?? p.watchedFrom,
        sawProduce: last !== undefined,
        head: p.scannedTo,
      };
    };

    // The chain's latest release, read every `releaseCheckMs`.
    let latestRelease: string | undefined;
    if (chain.releaseFeed !== null) {
      const known = releases.get(chain.releaseFeed);
      if (known === undefined || now - known.readAt >= settings.releaseCheckMs) {
        const tag = await deps.releases.latest(chain.releaseFeed);
        if (tag === undefined) logger.warn({ chain: chain.key }, 'nodeops release feed not read');
        releases.set(chain.releaseFeed, { tag: tag ?? known?.tag, readAt: now });
      }
      latestRelease = releases.get(chain.releaseFeed)?.tag;
    }

    return nodes.map((node, i) => {
      const observation = own[i] as Observation;
      const memory = observation.height === undefined ? heights.get(node.id) : heights.get(node.id);
      const context: FamilyContext = {
        family: chain.family,
        missedWindow: chain.thresholds.missedWindow,
        signing: node.validatorAddress ? signing.get(node.id) : undefined,
        standing:
          node.validatorAddress === null || standings === undefined
            ? undefined
            : (standings.get(node.validatorAddress) ?? null),
        rounds: roundsOf(node),
      };
      const nodeBest = bestBy((ownT[i] as { at: number }).at);
      const verdicts = evaluateNode({
        name: node.name,
        observation,
        memory,
        best: nodeBest,
        majorityHash:
          observation.height === undefined ? undefined : majority.get(observation.height),
        signing: context.signing,
        standing: context.standing,
        rounds: context.rounds,
        latestRelease,
        thresholds: chain.thresholds,
        now,
      });
      if (observation.height !== undefined) {
        heights.set(node.id, rememberHeight(memory, observation.height, now));
      }
      return { node, observation, verdicts, best: nodeBest, chainBest: best, context };
    });
  }

  /**
   * The family-specific signals behind the checks, as metrics: the per-family dashboards
   * and the Prometheus rules read these, so they see what the checks saw.
   */
  function recordFamily(
    node: FleetNode,
    labels: { chain: string; node: string; region: string; role: string },
    o: Observation,
    verdicts: Record<ConditionKind, Verdict>,
    c: FamilyContext,
  ): void {
    // An unreachable node keeps the version it last reported; a new version replaces the
    // old series so a dashboard never shows a node twice.
    const before = infoVersion.get(node.id);
    const version = o.version ?? before ?? '';
    if (before !== undefined && before !== version) {
      metrics.info.remove({ ...labels, family: c.family, version: before });
    }
    infoVersion.set(node.id, version);
    metrics.info.set({ ...labels, family: c.family, version }, 1);
    if (o.syncing !== undefined) metrics.syncing.set(labels, o.syncing ? 1 : 0);
    const memory = heights.get(node.id);
    if (o.headAgeSeconds !== undefined) metrics.heightAge.set(labels, o.headAgeSeconds);
    else if (memory !== undefined) {
      metrics.heightAge.set(labels, Math.max(0, Math.round((deps.now() - memory.since) / 1000)));
    }
    for (const k of CONDITION_KINDS) {
      const v = verdicts[k];
      if (v.state === 'unknown') metrics.check.remove({ ...labels, check: k });
      else metrics.check.set({ ...labels, check: k }, v.state === 'firing' ? 1 : 0);
    }
    if (c.signing !== undefined && c.signing.signed.length > 0) {
      const m = countMisses(c.signing, c.missedWindow);
      metrics.missedConsecutive.set(labels, m.consecutive);
      metrics.missedInWindow.set(labels, m.missed);
      metrics.signingWindow.set(labels, m.window);
    }
    if (c.standing !== undefined) {
      metrics.activeSet.set(labels, c.standing?.bonded ? 1 : 0);
      metrics.jailed.set(labels, c.standing?.jailed ? 1 : 0);
    }
    if (c.rounds !== undefined) {
      metrics.activeSet.set(labels, c.rounds.inSchedule ? 1 : 0);
      metrics.missedRounds.set(labels, c.rounds.inSchedule ? missedRounds(c.rounds) : 0);
      metrics.producedBehind.set(labels, c.rounds.head - c.rounds.since);
    }
    if (c.family === 'xrpl' && o.serverState !== undefined) {
      const before = serverStates.get(node.id);
      if (before !== undefined && before !== o.serverState) {
        metrics.serverState.set({ ...labels, state: before }, 0);
      }
      serverStates.set(node.id, o.serverState);
      metrics.serverState.set({ ...labels, state: o.serverState }, 1);
    }
  }

  function record(
    node: FleetNode,
    o: Observation,
    verdicts: Record<ConditionKind, Verdict>,
    best: number | undefined,
    context: FamilyContext,
  ): NodeState {
    const labels = { chain: node.chain, node: node.name, region: node.region, role: node.role };
    const firing = CONDITION_KINDS.filter((k) => verdicts[k].state === 'firing');
    metrics.up.set(labels, o.reachable ? 1 : 0);
    if (o.height !== undefined) metrics.height.set(labels, o.height);
    if (o.height !== undefined && best !== undefined) metrics.lag.set(labels, best - o.height);
    if (o.peers !== undefined) metrics.peers.set(labels, o.peers);
    metrics.outOfConsensus.set(labels, firing.some((k) => CONSENSUS_KINDS.has(k)) ? 1 : 0);
    metrics.banned.set(labels, node.bannedAt ? 1 : 0);
    recordFamily(node, labels, o, verdicts, context);
    return {
      height: o.height ?? null,
      lag: o.height !== undefined && best !== undefined ? best - o.height : null,
      peers: o.peers ?? null,
      version: o.version ?? null,
      state: firing.length > 0 ? firing.join(',') : 'ok',
      checked_at: new Date(deps.now()).toISOString(),
    };
  }

  const monitor: Monitor = {
    async tick(options = {}) {
      const now = deps.now();
      const at = new Date(now);
      // Started, not awaited: a slow web service never delays the node polls.
      await deps.watch?.observe(now).catch((err: unknown) => {
        logger.error({ err }, 'nodeops monitors not loaded');
      });
      const { chains, nodes } = await loadFleet();
      const byChain = new Map<string, FleetNode[]>();
      for (const n of nodes) byChain.set(n.chain, [...(byChain.get(n.chain) ?? []), n]);
      const results = (
        await Promise.all(
          chains.map(async (c) => {
            const r = await observeChain(c, byChain.get(c.key) ?? [], now);
            const best = r[0]?.chainBest;
            if (best !== undefined) metrics.referenceHeight.set({ chain: c.key }, best);
            return r.map((x) => ({ ...x, chain: c }));
          }),
        )
      ).flat();
      const report: TickReport = {
        nodes: results.length,
        opened: [],
        resolved: [],
        banned: [],
        unbanned: [],
      };
      const states = results.map((r) => ({
        id: r.node.id,
        state: record(r.node, r.observation, r.verdicts, r.best, r.context),
      }));
      const fence = options.fence ?? (() => Promise.resolve());
      if (deps.watch) {
        const w = await deps.watch
          .write({ at, write: options.write === true, fence })
          .catch((err: unknown) => {
            logger.error({ err }, 'nodeops monitors not written');
            return { opened: [], resolved: [] };
          });
        report.opened.push(...w.opened);
        report.resolved.push(...w.resolved);
      }
      if (!options.write) return report;

      const open = await alerts.open();
      // What each node's verdicts change, decided before any write: most polls change
      // nothing, and a node that does is written with others in one transaction.
      const changes = results.flatMap(({ node, verdicts, chain }) => {
        const toOpen = CONDITION_KINDS.filter(
          (k) => verdicts[k].state === 'firing' && !open.has(`${node.id}/${k}`),
        );
        const toResolve = CONDITION_KINDS.filter(
          (k) => verdicts[k].state === 'clear' && open.has(`${node.id}/${k}`),
        );
        const openConsensus = CONDITION_KINDS.filter(
          (k) =>
            CONSENSUS_KINDS.has(k) &&
            verdicts[k].state !== 'clear' &&
            (open.has(`${node.id}/${k}`) || toOpen.includes(k)),
        );
        const outSince = openConsensus
          .map((k) => open.get(`${node.id}/${k}`)?.openedAt.getTime() ?? now)
          .reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
        const isOut = openConsensus.length > 0;
        const banDue =
          isOut && !node.bannedAt && now - outSince >= chain.thresholds.banAfterSeconds * 1000;
        const inSince = node.inSince?.getTime() ?? now;
        const unbanDue =
          !isOut &&
          node.bannedAt !== null &&
          node.bannedBy === 'auto' &&
          chain.thresholds.unbanAfterSeconds > 0 &&
          now - inSince >= chain.thresholds.unbanAfterSeconds * 1000;
        const outChanged =
          isOut !== (node.outSince !== null) ||
          (!isOut && node.bannedAt !== null && node.inSince === null);
        if (toOpen.length === 0 && toResolve.length === 0 && !banDue && !unbanDue && !outChanged)
          return [];
        return [
          {
            node,
            verdicts,
            toOpen,
            toResolve,
            openConsensus,
            outSince,
            banDue,
            unbanDue,
            out: isOut ? new Date(outSince) : null,
            in: !isOut && node.bannedAt !== null && !unbanDue ? new Date(inSince) : null,
          },
        ];
      });
      // A transaction per batch, not per node: a poll that changes thousands of nodes
      // (a region's network fails) commits a few times instead of thousands, and a batch's
      // alerts, notices and node state still commit together or not at all.
      for (let from = 0; from < changes.length; from += WRITE_BATCH) {
        const batch = changes.slice(from, from + WRITE_BATCH);
        await db.transaction(async (tx) => {
          await tx.query(
            `UPDATE nodeops_nodes n SET out_since = s.out_since, in_since = s.in_since
             FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
               AS s(id, out_since, in_since)
             WHERE n.id = s.id`,
            [batch.map((c) => c.node.id), batch.map((c) => c.out), batch.map((c) => c.in)],
          );
          for (const c of batch) {
            const { node, verdicts } = c;
            for (const kind of c.toOpen) {
              const v = verdicts[kind] as Extract<Verdict, { state: 'firing' }>;
              const alert = await alerts.openAlert(tx, {
                node,
                kind,
                severity: SEVERITY_OF[kind],
                summary: v.summary,
                details: v.details,
                at,
              });
              if (alert) {
                await alerts.notify(tx, alert, 'opened', noticeText('opened', alert, at));
                report.opened.push(alert);
                open.set(`${node.id}/${kind}`, alert);
              }
            }
            for (const kind of c.toResolve) {
              const alert = await alerts.resolveAlert(tx, { nodeId: node.id, kind, at });
              if (alert) {
                const silenced = alert.silencedUntil !== null && alert.silencedUntil > at;
                if (!silenced)
                  await alerts.notify(tx, alert, 'resolved', noticeText('resolved', alert, at));
                report.resolved.push(alert);
              }
            }
            if (c.banDue) {
              const oldest = c.openConsensus
                .map((k) => open.get(`${node.id}/${k}`))
                .filter((a): a is Alert => a !== undefined)
                .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime())[0];
              const reason = `out of consensus for ${Math.round((now - c.outSince) / 1000)} s (${c.openConsensus.join(', ')})`;
              await deps.fleet.banNode(tx, {
                node,
                reason,
                bannedBy: 'auto',
                at,
                actor: { type: 'system', id: 'nodeops' },
              });
              if (oldest)
                await alerts.notify(tx, oldest, 'banned', noticeText('banned', oldest, at));
              report.banned.push(node.id);
            }
            if (c.unbanDue) {
              await deps.fleet.unbanNode(tx, {
                node,
                at,
                actor: { type: 'system', id: 'nodeops' },
              });
              report.unbanned.push(node.id);
            }
          }
          await fence();
        });
      }
      await db.transaction(async (tx) => {
        for (const a of await alerts.remind(tx, settings.remindEverySeconds, at)) {
          await alerts.notify(tx, a, 'reminder', noticeText('reminder', a, at));
        }
        // Producer alerts open from events (producer-alerts.ts); a double-sign attempt's
        // recovery is a quiet spell, which only a clock can observe.
        for (const a of await alerts.resolveQuietDoubleSigns(
          tx,
          settings.doubleSignQuietSeconds,
          at,
        )) {
          const silenced = a.silencedUntil !== null && a.silencedUntil > at;
          if (!silenced) await alerts.notify(tx, a, 'resolved', noticeText('resolved', a, at));
          report.resolved.push(a);
        }
        if (states.length > 0) {
          await tx.query(
            `UPDATE nodeops_nodes n SET last_state = s.state
             FROM unnest($1::text[], $2::jsonb[]) AS s(id, state) WHERE n.id = s.id`,
            [states.map((s) => s.id), states.map((s) => JSON.stringify(s.state))],
          );
        }
        await fence();
      });
      if (report.opened.length + report.resolved.length + report.banned.length > 0) wake?.();
      return report;
    },

    async sendPending(fence) {
      // Claimed in a fenced transaction: only the lease holder claims, and a claimed
      // delivery is not sent by anyone else until the claim runs out.
      const rows = await db.transaction(async (tx) => {
        const claimed = await tx.query(
          `SELECT d.notice_id, d.channel_id, d.attempts, n.kind AS notice_kind, n.text,
                  c.kind AS channel_kind, c.settings AS channel_settings, c.secret_sealed,
                  a.*, nd.name AS node_name, coalesce(nd.region, mo.region, a.details->>'region') AS region,
                  nd.role,
                  mo.name AS monitor_name
           FROM nodeops_deliveries d
           JOIN nodeops_notices n ON n.id = d.notice_id
           JOIN nodeops_alerts a ON a.id = n.alert_id
           LEFT JOIN nodeops_nodes nd ON nd.id = a.node_id
           LEFT JOIN nodeops_monitors mo ON mo.id = a.monitor_id
           JOIN nodeops_channels c ON c.id = d.channel_id
           WHERE d.status = 'pending' AND d.next_at <= $1
             AND (d.claimed_until IS NULL OR d.claimed_until < $1)
           ORDER BY d.notice_id LIMIT 100
           FOR UPDATE OF d SKIP LOCKED`,
          [new Date(deps.now())],
        );
        if (claimed.rows.length === 0) return claimed.rows;
        await tx.query(
          `UPDATE nodeops_deliveries SET claimed_until = $3
           FROM unnest($1::text[], $2::text[]) AS k(notice_id, channel_id)
           WHERE nodeops_deliveries.notice_id = k.notice_id AND nodeops_deliveries.channel_id = k.channel_id`,
          [
            claimed.rows.map((r) => r['notice_id']),
            claimed.rows.map((r) => r['channel_id']),
            new Date(deps.now() + 30_000),
          ],
        );
        if (fence) await fence();
        return claimed.rows;
      });
      let sent = 0;
      await Promise.all(
        rows.map(async (r) => {
          const channelId = r['channel_id'] as string;
          const kind = r['channel_kind'] as string;
          let outcome: { ok: true } | { ok: false; error: string };
          try {
            const sealed = r['secret_sealed'] as string | null;
            await deps.send(
              {
                id: channelId,
                kind: r['channel_kind'] as never,
                settings: r['channel_settings'] as Record<string, unknown>,
                secret:
                  sealed === null ? undefined : await deps.fleet.channelSecret(channelId, sealed),
              },
              {
                kind: r['notice_kind'] as never,
                text: r['text'] as string,
                alert: alertFromRow(r),
              },
            );
            outcome = { ok: true };
          } catch (err) {
            outcome = { ok: false, error: (err as Error).message };
          }
          const attempts = (r['attempts'] as number) + 1;
          await db.transaction(async (tx) => {
            if (outcome.ok) {
              await tx.query(
                `UPDATE nodeops_deliveries SET status = 'sent', sent_at = now(), attempts = $3,
                   claimed_until = NULL
                 WHERE notice_id = $1 AND channel_id = $2`,
                [r['notice_id'], channelId, attempts],
              );
            } else {
              await tx.query(
                `UPDATE nodeops_deliveries SET attempts = $3, last_error = $4, claimed_until = NULL,
                   status = CASE WHEN $3 >= 20 THEN 'failed' ELSE 'pending' END,
                   next_at = now() + make_interval(secs => LEAST(300, power(2, $3)::int))
                 WHERE notice_id = $1 AND channel_id = $2`,
                [r['notice_id'], channelId, attempts, outcome.error],
              );
            }
          });
          metrics.notifications.inc({ channel: kind, outcome: outcome.ok ? 'sent' : 'failed' });
          if (outcome.ok) sent++;
          else
            logger.warn(
              { channel: channelId, attempts, error: outcome.error },
              'nodeops notice not delivered',
            );
        }),
      );
      return sent;
    },

    start() {
      const stop = new AbortController();
      const sleep = (ms: number, signal: AbortSignal) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(done, ms);
          function done() {
            clearTimeout(t);
            signal.removeEventListener('abort', done);
            resolve();
          }
          signal.addEventListener('abort', done, { once: true });
        });
      const lead = { on: false };

      // Observes while another replica leads (memory and metrics stay warm).
      const observe = async () => {
        while (!stop.signal.aborted) {
          const started = deps.now();
          if (!lead.on) {
            await monitor.tick({ write: false }).catch((err: unknown) => {
              logger.error({ err }, 'nodeops poll failed');
            });
          }
          await sleep(Math.max(0, settings.intervalMs - (deps.now() - started)), stop.signal);
        }
      };

      const leadLoop = async () => {
        while (!stop.signal.aborted) {
          const r = await deps.leases
            .runSingleton(
              MONITOR_LEASE,
              async ({ signal, fence }) => {
                lead.on = true;
                metrics.leader.set(1);
                const both = AbortSignal.any([signal, stop.signal]);
                const send = async () => {
                  while (!both.aborted) {
                    await monitor.sendPending(fence).catch((err: unknown) => {
                      logger.error({ err }, 'nodeops send failed');
                    });
                    await new Promise<void>((resolve) => {
                      const t = setTimeout(finish, settings.sendPollMs);
                      function finish() {
                        clearTimeout(t);
                        both.removeEventListener('abort', finish);
                        resolve();
                      }
                      wake = finish;
                      both.addEventListener('abort', finish, { once: true });
                    });
                  }
                };
                const poll = async () => {
                  while (!both.aborted) {
                    const started = deps.now();
                    await monitor.tick({ write: true, fence }).catch((err: unknown) => {
                      if (!both.aborted) logger.error({ err }, 'nodeops poll failed');
                    });
                    await sleep(Math.max(0, settings.intervalMs - (deps.now() - started)), both);
                  }
                };
                await Promise.all([send(), poll()]);
              },
              {
                ttlMs: settings.senderLeaseMs,
                signal: stop.signal,
                holder: `${deps.instanceId}/nodeops`,
              },
            )
            .catch((err: unknown) => {
              logger.warn({ err }, 'nodeops lease lost');
              return { acquired: false as const };
            });
          lead.on = false;
          metrics.leader.set(0);
          if (!r.acquired)
            await sleep(Math.max(100, Math.floor(settings.senderLeaseMs / 3)), stop.signal);
        }
      };
      const running = Promise.all([observe(), leadLoop()]);
      return {
        async stop() {
          stop.abort();
          await running;
        },
      };
    },
  };
  return monitor;
}
