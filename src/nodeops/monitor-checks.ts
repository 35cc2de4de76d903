import type { Verdict } from './checks.js';
import type {
  BackupMonitorSettings,
  HttpMonitorSettings,
  PushMonitorSettings,
} from './settings.js';
import type { Severity } from './settings.js';

/**
 * The checks of monitors that are not chain nodes — backup freshness, HTTP uptime, push
 * heartbeats — as pure functions of what was observed and what is remembered, like the
 * node checks in checks.ts.
 */

export const MONITOR_CONDITION_KINDS = [
  'backup_stale',
  'down',
  'slow',
  'cert_expiring',
  'heartbeat_missed',
] as const;
export type MonitorConditionKind = (typeof MONITOR_CONDITION_KINDS)[number];

export const MONITOR_SEVERITY_OF: Record<MonitorConditionKind, Severity> = {
  backup_stale: 'critical',
  down: 'critical',
  slow: 'warning',
  cert_expiring: 'warning',
  heartbeat_missed: 'critical',
};

/** What reading a backup location found: its newest backup, or why it could not be read. */
export type BackupObservation =
  | {
      ok: true;
      /** ms since the epoch of the newest backup; undefined: no backup there at all. */
      newestAt: number | undefined;
      /** The newest backup's file name or object URL. */
      object?: string | undefined;
      /** Its block height, where known (file name pattern, object metadata). */
      height?: number | undefined;
    }
  | { ok: false; error: string };

const DAY_MS = 86_400_000;

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} days`;
}

/**
 * Stale when the newest backup is older than `maxAgeSeconds`, or there is none. A
 * location that cannot be read is stale only once the newest backup last seen there
 * (`lastNewestAt`) would be: one failed read of an object store is not a lost backup.
 */
export function backupVerdict(p: {
  name: string;
  where: string;
  observation: BackupObservation;
  lastNewestAt: number | undefined;
  settings: Pick<BackupMonitorSettings, 'maxAgeSeconds'>;
  now: number;
}): Record<'backup_stale', Verdict> {
  const maxMs = p.settings.maxAgeSeconds * 1000;
  const o = p.observation;
  if (!o.ok) {
    if (p.lastNewestAt !== undefined && p.now - p.lastNewestAt <= maxMs) {
      return { backup_stale: { state: 'unknown' } };
    }
    return {
      backup_stale: {
        state: 'firing',
        summary: `${p.name}: the backups at ${p.where} cannot be read (${o.error})`,
        details: { error: o.error, max_age_seconds: p.settings.maxAgeSeconds },
      },
    };
  }
  if (o.newestAt === undefined) {
    return {
      backup_stale: {
        state: 'firing',
        summary: `${p.name}: no backup found at ${p.where}`,
        details: { max_age_seconds: p.settings.maxAgeSeconds },
      },
    };
  }
  const old = p.now - o.newestAt;
  if (old <= maxMs) return { backup_stale: { state: 'clear' } };
  return {
    backup_stale: {
      state: 'firing',
      summary: `${p.name}: the newest backup is ${age(old)} old (limit ${age(maxMs)}), ${o.object ?? p.where} of ${new Date(o.newestAt).toISOString()}`,
      details: {
        newest_at: new Date(o.newestAt).toISOString(),
        age_seconds: Math.round(old / 1000),
        max_age_seconds: p.settings.maxAgeSeconds,
        object: o.object ?? null,
        height: o.height ?? null,
      },
    },
  };
}

/** One HTTP check of a web service. */
export type HttpObservation =
  | {
      reachable: true;
      status: number;
      latencyMs: number;
      body: string;
      json: unknown;
      /** ms since the epoch when the TLS certificate expires (https only). */
      certExpiresAt?: number | undefined;
    }
  | { reachable: false; error: string; latencyMs: number; certExpiresAt?: number | undefined };

/**
 * An RFC 6901 JSON Pointer (`/data/status`) into a parsed body. Written here rather than
 * taken from a library: no JSON Pointer package is among the project's dependencies, and
 * the whole algorithm is the eight lines below.
 */
export function jsonPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let at: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Why an answer does not count as up, or undefined when it does. */
export function httpFailure(
  o: Extract<HttpObservation, { reachable: true }>,
  s: Pick<HttpMonitorSettings, 'expectStatus' | 'keyword' | 'jsonPointer' | 'jsonEquals'>,
): string | undefined {
  const statusOk =
    s.expectStatus.length > 0
      ? s.expectStatus.includes(o.status)
      : o.status >= 200 && o.status < 300;
  if (!statusOk) {
    return `HTTP ${o.status}${s.expectStatus.length > 0 ? ` (expected ${s.expectStatus.join(' or ')})` : ''}`;
  }
  if (s.keyword !== undefined && !o.body.includes(s.keyword)) {
    return `the body does not contain "${s.keyword}"`;
  }
  if (s.jsonPointer !== undefined) {
    const v = jsonPointer(o.json, s.jsonPointer);
    if (v === undefined) return `the body has nothing at ${s.jsonPointer}`;
    if (s.jsonEquals !== undefined && v !== s.jsonEquals) {
      return `${s.jsonPointer} is ${JSON.stringify(v)}, expected ${JSON.stringify(s.jsonEquals)}`;
    }
  }
  return undefined;
}

/**
 * `down` after `failureThreshold` failed checks in a row (`failures` counts them, this one
 * included); a failure below the threshold keeps the alert as it is. `slow` when an
 * answer that counts as up took longer than `maxLatencyMs`; `cert_expiring` when the TLS
 * certificate expires within `certExpiryDays`.
 */
export function httpVerdicts(p: {
  name: string;
  url: string;
  observation: HttpObservation;
  failures: number;
  settings: HttpMonitorSettings;
  now: number;
}): Record<'down' | 'slow' | 'cert_expiring', Verdict> {
  const { observation: o, settings: s } = p;
  const why = o.reachable ? httpFailure(o, s) : `unreachable: ${o.error}`;
  const down: Verdict =
    why === undefined
      ? { state: 'clear' }
      : p.failures >= s.failureThreshold
        ? {
            state: 'firing',
            summary: `${p.name} is down: ${p.url} ${why}`,
            details: {
              url: p.url,
              reason: why,
              failures: p.failures,
              ...(o.reachable ? { status: o.status } : {}),
            },
          }
        : { state: 'unknown' };
  const slow: Verdict =
    why !== undefined || s.maxLatencyMs === undefined
      ? why === undefined
        ? { state: 'clear' }
        : { state: 'unknown' }
      : o.latencyMs > s.maxLatencyMs
        ? {
            state: 'firing',
            summary: `${p.name} is slow: ${p.url} answered in ${Math.round(o.latencyMs)} ms (limit ${s.maxLatencyMs} ms)`,
            details: {
              url: p.url,
              latency_ms: Math.round(o.latencyMs),
              max_latency_ms: s.maxLatencyMs,
            },
          }
        : { state: 'clear' };
  let cert: Verdict = { state: 'unknown' };
  if (!p.url.startsWith('https:') || s.certExpiryDays === 0) cert = { state: 'clear' };
  else if (o.certExpiresAt !== undefined) {
    const left = o.certExpiresAt - p.now;
    cert =
      left > s.certExpiryDays * DAY_MS
        ? { state: 'clear' }
        : {
            state: 'firing',
            summary:
              left <= 0
                ? `${p.name}: the TLS certificate of ${p.url} expired on ${new Date(o.certExpiresAt).toISOString()}`
                : `${p.name}: the TLS certificate of ${p.url} expires in ${age(left)} (${new Date(o.certExpiresAt).toISOString()})`,
            details: {
              url: p.url,
              expires_at: new Date(o.certExpiresAt).toISOString(),
              days_left: Math.floor(left / DAY_MS),
              cert_expiry_days: s.certExpiryDays,
            },
          };
  }
  return { down, slow, cert_expiring: cert };
}

/**
 * A push monitor fires when no call came in for `maxSilenceSeconds`, counted from the last
 * call or, before the first, from when the monitor was created.
 */
export function heartbeatVerdict(p: {
  name: string;
  lastPushAt: number | undefined;
  since: number;
  settings: Pick<PushMonitorSettings, 'maxSilenceSeconds'>;
  now: number;
}): Record<'heartbeat_missed', Verdict> {
  const from = p.lastPushAt ?? p.since;
  const silent = p.now - from;
  if (silent <= p.settings.maxSilenceSeconds * 1000)
    return { heartbeat_missed: { state: 'clear' } };
  return {
    heartbeat_missed: {
      state: 'firing',
      summary:
        p.lastPushAt === undefined
          ? `${p.name}: no heartbeat yet, ${age(silent)} after it was set up (limit ${age(p.settings.maxSilenceSeconds * 1000)})`
          : `${p.name}: no heartbeat for ${age(silent)} (limit ${age(p.settings.maxSilenceSeconds * 1000)}), the last at ${new Date(p.lastPushAt).toISOString()}`,
      details: {
        last_push_at: p.lastPushAt === undefined ? null : new Date(p.lastPushAt).toISOString(),
        silent_seconds: Math.round(silent / 1000),
        max_silence_seconds: p.settings.maxSilenceSeconds,
      },
    },
  };
}

/** The block height in a backup's name, by the monitor's pattern (its first capture group). */
export function heightFromName(name: string, pattern: string | undefined): number | undefined {
  if (pattern === undefined) return undefined;
  const m = new RegExp(pattern).exec(name);
  const v = m?.[1];
  return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}
