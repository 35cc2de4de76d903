import { createHash, randomBytes } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Db } from '../platform/db/db.js';
import { fail, isFailure, type Failure } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import { parseEndpointUrl, type SsrfGuard } from '../platform/net/ssrf.js';
import type { Logger } from '../platform/observability/logger.js';
import type { Alert, Alerts } from './alerts.js';
import { noticeText } from './channels.js';
import type { Verdict } from './checks.js';
import { NodeopsError } from './errors.js';
import type { Actor, UrlRefusal } from './fleet.js';
import type { NodeopsMetrics } from './metrics.js';
import {
  MONITOR_CONDITION_KINDS,
  MONITOR_SEVERITY_OF,
  backupVerdict,
  heartbeatVerdict,
  httpVerdicts,
  type BackupObservation,
  type HttpObservation,
  type MonitorConditionKind,
} from './monitor-checks.js';
import type { MonitorProbes } from './monitor-probes.js';
import {
  MonitorSettingsSchema,
  type BackupMonitorSettings,
  type HttpMonitorSettings,
  type MonitorSettings,
  type PushMonitorSettings,
} from './settings.js';

/**
 * Monitors that are not chain nodes: backup freshness per region, uptime of web services,
 * and push heartbeats of jobs. Registered from the YAML file (`nodeops.monitors`) and the
 * API; checked by the node monitor's loop (monitor.ts), whose lease holder turns their
 * verdicts into alerts exactly as it does for nodes (the same alert table, routing,
 * acknowledgement, silences and deduplication).
 */

export type MonitorKind = MonitorSettings['kind'];

/** What a monitor checks, without its identity (and, for push, without the token). */
export type MonitorCheck =
  | Omit<BackupMonitorSettings, 'name' | 'kind' | 'chain' | 'region'>
  | Omit<HttpMonitorSettings, 'name' | 'kind' | 'chain' | 'region'>
  | Omit<PushMonitorSettings, 'name' | 'kind' | 'chain' | 'region' | 'token'>;

/** The last check of a monitor, as the status view shows it. */
export interface MonitorState {
  /** `ok`, or the firing conditions joined by commas; `unknown` before a check decided. */
  state: string;
  checked_at: string;
  /** When the verdict was last written (every poll of the lease holder). */
  evaluated_at?: string;
  /** Backups: the newest backup's time, its age, object and height where known. */
  newest_at?: string | null;
  age_seconds?: number | null;
  object?: string | null;
  height?: number | null;
  /** Uptime: the HTTP status (null: no answer), latency, certificate expiry. */
  status?: number | null;
  latency_ms?: number | null;
  cert_expires_at?: string | null;
  error?: string | null;
}

export interface ServiceMonitor {
  id: string;
  name: string;
  kind: MonitorKind;
  chain: string | null;
  region: string | null;
  settings: MonitorCheck;
  lastPushAt: Date | null;
  lastState: MonitorState | null;
  source: 'config' | 'api';
  createdAt: Date;
}

/** A region's newest backup for a chain (or for backups of no chain). */
export interface BackupRegionStatus {
  region: string;
  monitor: string;
  newestAt: Date | null;
  ageSeconds: number | null;
  height: number | null;
  maxAgeSeconds: number;
  /** True while the region's backup check fires (`backup_stale` open). */
  stale: boolean;
  /** When its open `backup_stale` alert was opened. */
  staleSince: Date | null;
  checkedAt: Date | null;
  /** When the monitor last wrote its verdict: older than a few polls, the monitor is not running. */
  evaluatedAt: Date | null;
}

export interface BackupGroup {
  chain: string | null;
  /** The region holding the newest backup, or null when none was seen. */
  freshest: BackupRegionStatus | null;
  regions: BackupRegionStatus[];
}

/** A monitor as the API creates it: its settings; a push monitor gets a fresh token. */
export type NewMonitor = MonitorSettings extends infer M
  ? M extends { kind: 'push' }
    ? Omit<M, 'token'>
    : M
  : never;

export interface Monitors {
  /** Writes `nodeops.monitors` into the registry (at start); drops config monitors no longer listed. */
  syncConfig(monitors: MonitorSettings[]): Promise<void>;
  list(filter?: {
    kind?: MonitorKind | undefined;
    chain?: string | undefined;
  }): Promise<ServiceMonitor[]>;
  get(idOrName: string): Promise<ServiceMonitor | Failure<NodeopsError.MonitorNotFound>>;
  /** Registers a monitor; a push monitor's token is returned here and never again. */
  create(
    input: NewMonitor,
    actor: Actor,
  ): Promise<
    | { monitor: ServiceMonitor; pushToken?: string | undefined }
    | Failure<NodeopsError.MonitorNameTaken | NodeopsError.BackupPathNotAllowed | UrlRefusal>
  >;
  remove(idOrName: string, actor: Actor): Promise<true | Failure<NodeopsError.MonitorNotFound>>;
  /** A heartbeat from a job: the push monitor whose token it is, or unknown. */
  push(token: string): Promise<ServiceMonitor | Failure<NodeopsError.PushTokenUnknown>>;
  /**
   * Backup freshness by chain: each region's newest backup and whether its check fires,
   * and the region holding the freshest one (what a failover or a restore would use).
   */
  backupStatus(filter?: { chain?: string | undefined }): Promise<BackupGroup[]>;
}

/** The part the node monitor's loop runs: checks, and (as the lease holder) alerts. */
export interface MonitorRunner {
  /** Starts due checks (not awaited: a slow service never delays the node polls). */
  observe(now: number): Promise<void>;
  /** Verdicts of every monitor from its latest check; alerts as the lease holder. */
  write(p: {
    at: Date;
    write: boolean;
    fence: () => Promise<void>;
  }): Promise<{ opened: Alert[]; resolved: Alert[] }>;
}

export interface MonitorsDeps {
  db: Db;
  audit: AuditLog;
  alerts: Alerts;
  guard: SsrfGuard;
  probes: MonitorProbes;
  metrics: NodeopsMetrics;
  logger: Logger;
  backupPathRoots: readonly string[];
  now: () => number;
}

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function monitorFromRow(r: Row): ServiceMonitor {
  return {
    id: r['id'] as string,
    name: r['name'] as string,
    kind: r['kind'] as MonitorKind,
    chain: (r['chain_key'] as string | null) ?? null,
    region: (r['region'] as string | null) ?? null,
    settings: r['settings'] as MonitorCheck,
    lastPushAt: date(r['last_push_at']),
    lastState: (r['last_state'] as MonitorState | null) ?? null,
    source: r['source'] as 'config' | 'api',
    createdAt: new Date(r['created_at'] as string),
  };
}

/** The settings as a full, parsed monitor again (the stored check plus its identity). */
function settingsOf(m: ServiceMonitor): MonitorSettings {
  return MonitorSettingsSchema.parse({
    ...m.settings,
    name: m.name,
    kind: m.kind,
    ...(m.chain === null ? {} : { chain: m.chain }),
    ...(m.region === null ? {} : { region: m.region }),
    // A push monitor's token is not kept; a placeholder satisfies the schema.
    ...(m.kind === 'push' ? { token: 'x'.repeat(24) } : {}),
  });
}

function split(m: MonitorSettings): { check: MonitorCheck; token: string | undefined } {
  if (m.kind === 'push') {
    const { name: _n, kind: _k, chain: _c, region: _r, token, ...check } = m;
    return { check, token };
  }
  const { name: _n, kind: _k, chain: _c, region: _r, ...check } = m;
  return { check, token: undefined };
}

interface Memory {
  startedAt: number;
  inFlight: boolean;
  /** Consecutive failed HTTP checks. */
  failures: number;
  backup?: { observation: BackupObservation; lastNewestAt: number | undefined };
  http?: HttpObservation;
}

export function createMonitors(deps: MonitorsDeps): Monitors & MonitorRunner {
  const { db, audit, alerts, metrics } = deps;
  const memory = new Map<string, Memory>();

  const auditOf = (actor: Actor) =>
    actor.type === 'user'
      ? { actorType: 'user' as const, actorId: actor.id, credentialId: actor.credentialId }
      : { actorType: 'system' as const, actorId: actor.id };

  async function checkUrl(raw: string, param: string): Promise<true | Failure<UrlRefusal>> {
    const url = parseEndpointUrl(raw, { allowHttp: true });
    if (isFailure(url)) return fail(NodeopsError.UrlInvalid, { param });
    const verdict = await deps.guard.check(url.hostname);
    if (!verdict.ok) {
      return verdict.reason === 'unresolvable'
        ? fail(NodeopsError.UrlUnresolvable, { param })
        : fail(NodeopsError.UrlForbiddenAddress, {
            message: `${url.host} resolves to a ${verdict.reason} address; allow its range in nodeops.ssrfAllow to watch it`,
            param,
          });
    }
    return true;
  }

  /** A path set through the API must lie under one of `backupPathRoots` (symbolic links resolved). */
  async function pathAllowed(path: string): Promise<boolean> {
    const real = await realpath(path).catch(() => path);
    const roots = await Promise.all(deps.backupPathRoots.map((r) => realpath(r).catch(() => r)));
    return roots.some(
      (root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep),
    );
  }

  async function loadAll(): Promise<ServiceMonitor[]> {
    const { rows } = await db.query('SELECT * FROM nodeops_monitors ORDER BY name');
    return rows.map(monitorFromRow);
  }

  async function runCheck(m: ServiceMonitor, s: MonitorSettings, mem: Memory): Promise<void> {
    if (s.kind === 'backup') {
      const observation =
        s.path !== undefined
          ? await deps.probes.backupAtPath(s.path, s.heightPattern)
          : await deps.probes.backupAtUrl(s.url ?? '', s.heightPattern);
      mem.backup = {
        observation,
        lastNewestAt:
          observation.ok && observation.newestAt !== undefined
            ? observation.newestAt
            : mem.backup?.lastNewestAt,
      };
      const labels = { monitor: m.name, chain: m.chain ?? '', region: m.region ?? '' };
      metrics.backupMaxAge.set(labels, s.maxAgeSeconds);
      if (observation.ok && observation.newestAt !== undefined) {
        metrics.backupNewest.set(labels, observation.newestAt / 1000);
        if (observation.height !== undefined) metrics.backupHeight.set(labels, observation.height);
      }
    } else if (s.kind === 'http') {
      const o = await deps.probes.http(s.url, s);
      mem.http = o;
      const failed = !o.reachable || httpFailed(o, s);
      mem.failures = failed ? mem.failures + 1 : 0;
      const labels = { monitor: m.name, chain: m.chain ?? '', region: m.region ?? '' };
      metrics.httpLatency.set(labels, o.latencyMs / 1000);
      if (o.certExpiresAt !== undefined) metrics.certExpiry.set(labels, o.certExpiresAt / 1000);
    }
  }

  const httpFailed = (o: HttpObservation, s: HttpMonitorSettings) =>
    httpVerdicts({
      name: '',
      url: s.url,
      observation: o,
      failures: 1,
      settings: { ...s, failureThreshold: 1 },
      now: 0,
    }).down.state === 'firing';

  /** Every condition of the monitor, from its latest check. */
  function verdictsOf(
    m: ServiceMonitor,
    s: MonitorSettings,
    now: number,
  ): { verdicts: Partial<Record<MonitorConditionKind, Verdict>>; state: MonitorState } {
    const mem = memory.get(m.id);
    const checkedAt = new Date(now).toISOString();
    if (s.kind === 'backup') {
      if (!mem?.backup) return { verdicts: {}, state: { state: 'unknown', checked_at: checkedAt } };
      const o = mem.backup.observation;
      const verdicts = backupVerdict({
        name: m.name,
        where: s.path ?? s.url ?? '',
        observation: o,
        lastNewestAt: mem.backup.lastNewestAt,
        settings: s,
        now,
      });
      const newest = o.ok ? o.newestAt : undefined;
      return {
        verdicts,
        state: {
          state: stateOf(verdicts),
          checked_at: new Date(mem.startedAt).toISOString(),
          newest_at: newest === undefined ? null : new Date(newest).toISOString(),
          age_seconds: newest === undefined ? null : Math.round((now - newest) / 1000),
          object: o.ok ? (o.object ?? null) : null,
          height: o.ok ? (o.height ?? null) : null,
          error: o.ok ? null : o.error,
        },
      };
    }
    if (s.kind === 'http') {
      if (!mem?.http) return { verdicts: {}, state: { state: 'unknown', checked_at: checkedAt } };
      const o = mem.http;
      const verdicts = httpVerdicts({
        name: m.name,
        url: s.url,
        observation: o,
        failures: mem.failures,
        settings: s,
        now,
      });
      return {
        verdicts,
        state: {
          state: stateOf(verdicts),
          checked_at: new Date(mem.startedAt).toISOString(),
          status: o.reachable ? o.status : null,
          latency_ms: Math.round(o.latencyMs),
          cert_expires_at:
            o.certExpiresAt === undefined ? null : new Date(o.certExpiresAt).toISOString(),
          error: o.reachable ? null : o.error,
        },
      };
    }
    const verdicts = heartbeatVerdict({
      name: m.name,
      lastPushAt: m.lastPushAt?.getTime(),
      since: m.createdAt.getTime(),
      settings: s,
      now,
    });
    return { verdicts, state: { state: stateOf(verdicts), checked_at: checkedAt } };
  }

  const stateOf = (v: Partial<Record<MonitorConditionKind, Verdict>>) => {
    const firing = MONITOR_CONDITION_KINDS.filter((k) => v[k]?.state === 'firing');
    if (firing.length > 0) return firing.join(',');
    return Object.values(v).some((x) => x.state === 'unknown') ? 'unknown' : 'ok';
  };

  const monitors: Monitors & MonitorRunner = {
    async syncConfig(list) {
      await db.transaction(async (tx) => {
        for (const m of list) {
          const { check, token } = split(m);
          await tx.query(
            `INSERT INTO nodeops_monitors (id, name, kind, chain_key, region, settings, push_token_hash, source)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'config')
             ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, chain_key = EXCLUDED.chain_key,
               region = EXCLUDED.region, settings = EXCLUDED.settings,
               push_token_hash = EXCLUDED.push_token_hash, source = 'config', updated_at = now()`,
            [
              newId('nmo'),
              m.name,
              m.kind,
              m.chain ?? null,
              m.region ?? null,
              JSON.stringify(check),
              token === undefined ? null : hashToken(token),
            ],
          );
        }
        await tx.query(
          `DELETE FROM nodeops_monitors WHERE source = 'config' AND NOT (name = ANY($1))`,
          [list.map((m) => m.name)],
        );
      });
    },

    async list(filter = {}) {
      const { rows } = await db.query(
        `SELECT * FROM nodeops_monitors
         WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR chain_key = $2)
         ORDER BY name`,
        [filter.kind ?? null, filter.chain ?? null],
      );
      return rows.map(monitorFromRow);
    },

    async get(idOrName) {
      const { rows } = await db.query('SELECT * FROM nodeops_monitors WHERE id = $1 OR name = $1', [
        idOrName,
      ]);
      return rows[0] ? monitorFromRow(rows[0]) : fail(NodeopsError.MonitorNotFound);
    },

    async create(input, actor) {
      if (input.kind === 'backup' && input.path !== undefined && !(await pathAllowed(input.path))) {
        return fail(NodeopsError.BackupPathNotAllowed);
      }
      const url = input.kind === 'push' ? undefined : input.url;
      if (url !== undefined) {
        const ok = await checkUrl(url, 'url');
        if (isFailure(ok)) return ok;
      }
      const token = input.kind === 'push' ? randomBytes(24).toString('base64url') : undefined;
      const { check } = split(input.kind === 'push' ? { ...input, token: token ?? '' } : input);
      return db.transaction(async (tx) => {
        const { rows } = await tx.query(
          `INSERT INTO nodeops_monitors (id, name, kind, chain_key, region, settings, push_token_hash, source)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'api') ON CONFLICT (name) DO NOTHING RETURNING *`,
          [
            newId('nmo'),
            input.name,
            input.kind,
            input.chain ?? null,
            input.region ?? null,
            JSON.stringify(check),
            token === undefined ? null : hashToken(token),
          ],
        );
        if (!rows[0]) return fail(NodeopsError.MonitorNameTaken);
        const monitor = monitorFromRow(rows[0]);
        await audit.record({
          action: 'nodeops_monitor.created',
          ...auditOf(actor),
          targetType: 'nodeops_monitor',
          targetId: monitor.id,
          data: { name: monitor.name, kind: monitor.kind },
        });
        return { monitor, ...(token === undefined ? {} : { pushToken: token }) };
      });
    },

    async remove(idOrName, actor) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query(
          'DELETE FROM nodeops_monitors WHERE id = $1 OR name = $1 RETURNING id, name',
          [idOrName],
        );
        const row = rows[0];
        if (!row) return fail(NodeopsError.MonitorNotFound);
        await audit.record({
          action: 'nodeops_monitor.removed',
          ...auditOf(actor),
          targetType: 'nodeops_monitor',
          targetId: row['id'] as string,
          data: { name: row['name'] as string },
        });
        return true as const;
      });
    },

    async push(token) {
      const { rows } = await db.query(
        `UPDATE nodeops_monitors SET last_push_at = $2
         WHERE push_token_hash = $1 AND kind = 'push' RETURNING *`,
        [hashToken(token), new Date(deps.now())],
      );
      if (!rows[0]) return fail(NodeopsError.PushTokenUnknown);
      const m = monitorFromRow(rows[0]);
      metrics.heartbeat.set(
        { monitor: m.name, chain: m.chain ?? '', region: m.region ?? '' },
        deps.now() / 1000,
      );
      return m;
    },

    async backupStatus(filter = {}) {
      const list = await monitors.list({ kind: 'backup', chain: filter.chain });
      const open = await db.query<{ monitor_id: string; opened_at: Date }>(
        `SELECT monitor_id, opened_at FROM nodeops_alerts
         WHERE kind = 'backup_stale' AND status <> 'resolved' AND monitor_id IS NOT NULL`,
      );
      const staleSince = new Map(
        open.rows.map((r) => [r.monitor_id, new Date(r.opened_at)] as const),
      );
      const groups = new Map<string, BackupGroup>();
      for (const m of list) {
        const s = m.settings as Omit<BackupMonitorSettings, 'name' | 'kind' | 'chain' | 'region'>;
        const st = m.lastState;
        const region: BackupRegionStatus = {
          region: m.region ?? '',
          monitor: m.name,
          newestAt: st?.newest_at ? new Date(st.newest_at) : null,
          ageSeconds: st?.newest_at
            ? Math.round((deps.now() - Date.parse(st.newest_at)) / 1000)
            : null,
          height: st?.height ?? null,
          maxAgeSeconds: s.maxAgeSeconds,
          stale: staleSince.has(m.id),
          staleSince: staleSince.get(m.id) ?? null,
          checkedAt: st?.checked_at ? new Date(st.checked_at) : null,
          evaluatedAt: st?.evaluated_at ? new Date(st.evaluated_at) : null,
        };
        const key = m.chain ?? '';
        const g = groups.get(key) ?? { chain: m.chain, freshest: null, regions: [] };
        g.regions.push(region);
        if (
          region.newestAt !== null &&
          (g.freshest?.newestAt == null || region.newestAt > g.freshest.newestAt)
        ) {
          g.freshest = region;
        }
        groups.set(key, g);
      }
      return [...groups.values()];
    },

    async observe(now) {
      const list = await loadAll();
      for (const m of list) {
        if (m.kind === 'push') continue;
        const s = settingsOf(m);
        const mem = memory.get(m.id) ?? { startedAt: 0, inFlight: false, failures: 0 };
        memory.set(m.id, mem);
        if (mem.inFlight || now - mem.startedAt < s.intervalSeconds * 1000) continue;
        mem.inFlight = true;
        mem.startedAt = now;
        void runCheck(m, s, mem)
          .catch((err: unknown) => {
            deps.logger.warn({ err, monitor: m.name }, 'nodeops monitor check failed');
          })
          .finally(() => {
            mem.inFlight = false;
          });
      }
      const ids = new Set(list.map((m) => m.id));
      for (const id of memory.keys()) if (!ids.has(id)) memory.delete(id);
    },

    async write(p) {
      const now = p.at.getTime();
      const list = await loadAll();
      const evaluated = list.map((m) => ({ m, ...verdictsOf(m, settingsOf(m), now) }));
      for (const { m, state } of evaluated) {
        if (state.state === 'unknown') continue;
        metrics.monitorOk.set(
          { monitor: m.name, kind: m.kind, chain: m.chain ?? '', region: m.region ?? '' },
          state.state === 'ok' ? 1 : 0,
        );
      }
      const out = { opened: [] as Alert[], resolved: [] as Alert[] };
      if (!p.write) return out;
      const open = await alerts.open();
      for (const { m, verdicts } of evaluated) {
        const toOpen = MONITOR_CONDITION_KINDS.filter(
          (k) => verdicts[k]?.state === 'firing' && !open.has(`${m.id}/${k}`),
        );
        const toResolve = MONITOR_CONDITION_KINDS.filter(
          (k) => verdicts[k]?.state === 'clear' && open.has(`${m.id}/${k}`),
        );
        if (toOpen.length === 0 && toResolve.length === 0) continue;
        await db.transaction(async (tx) => {
          for (const kind of toOpen) {
            const v = verdicts[kind] as Extract<Verdict, { state: 'firing' }>;
            const alert = await alerts.openMonitorAlert(tx, {
              monitor: { id: m.id, chain: m.chain },
              kind,
              severity: MONITOR_SEVERITY_OF[kind],
              summary: v.summary,
              details: v.details,
              at: p.at,
            });
            if (alert) {
              await alerts.notify(tx, alert, 'opened', noticeText('opened', alert, p.at));
              out.opened.push(alert);
            }
          }
          for (const kind of toResolve) {
            const alert = await alerts.resolveMonitorAlert(tx, { monitorId: m.id, kind, at: p.at });
            if (alert) {
              const silenced = alert.silencedUntil !== null && alert.silencedUntil > p.at;
              if (!silenced) {
                await alerts.notify(tx, alert, 'resolved', noticeText('resolved', alert, p.at));
              }
              out.resolved.push(alert);
            }
          }
          await p.fence();
        });
      }
      if (evaluated.length > 0) {
        await db.transaction(async (tx) => {
          await tx.query(
            `UPDATE nodeops_monitors m SET last_state = s.state
             FROM unnest($1::text[], $2::jsonb[]) AS s(id, state) WHERE m.id = s.id`,
            [
              evaluated.map((e) => e.m.id),
              evaluated.map((e) =>
                JSON.stringify({ ...e.state, evaluated_at: p.at.toISOString() }),
              ),
            ],
          );
          await p.fence();
        });
      }
      return out;
    },
  };
  return monitors;
}
