import { readdir, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Agent, buildConnector, request } from 'undici';
import type { SsrfGuard } from '../platform/net/ssrf.js';
import { heightFromName, type BackupObservation, type HttpObservation } from './monitor-checks.js';
import type { HttpMonitorSettings } from './settings.js';

/**
 * The I/O of the monitors that are not chain nodes: reading where backups are kept (a
 * file system path, an HTTP(S) object) and checking a web service (status, body, latency,
 * TLS certificate). Every outbound connection resolves through the SSRF guard, as the node
 * probes' do (http.ts).
 */
export interface MonitorProbes {
  backupAtPath(path: string, heightPattern?: string): Promise<BackupObservation>;
  backupAtUrl(url: string, heightPattern?: string): Promise<BackupObservation>;
  http(url: string, settings: HttpMonitorSettings): Promise<HttpObservation>;
  close(): Promise<void>;
}

/** A directory's entries looked at, at most (a backup directory is pruned, not endless). */
const MAX_ENTRIES = 10_000;
/** Body bytes read for keyword and JSON checks. */
const MAX_BODY = 1_000_000;
const USER_AGENT = 'vaultwire-nodeops';

export function createMonitorProbes(deps: { guard: SsrfGuard; timeoutMs: number }): MonitorProbes {
  const agents = new Map<string, Agent>();
  const agentFor = (ca: string | undefined, timeoutMs: number) => {
    const key = `${ca ?? ''}|${timeoutMs}`;
    let a = agents.get(key);
    if (!a) {
      a = new Agent({
        connect: buildConnector({
          lookup: deps.guard.lookup,
          timeout: timeoutMs,
          ...(ca === undefined ? {} : { ca }),
        }),
        keepAliveTimeout: 10_000,
        connections: 4,
      });
      agents.set(key, a);
    }
    return a;
  };

  /** IP literals skip the guarded lookup, so they are checked here. */
  const refusedLiteral = (u: URL): string | undefined => {
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    if (isIP(host) === 0) return undefined;
    const why = deps.guard.forbidden(host);
    return why === undefined ? undefined : `refused: ${host} is a ${why} address`;
  };

  /** The certificate's expiry, read on a connection of its own (undici does not show it). */
  const certExpiry = (u: URL, ca: string | undefined, timeoutMs: number) =>
    new Promise<number | undefined>((resolve) => {
      const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      const socket = tlsConnect({
        host,
        port: Number(u.port || 443),
        ...(isIP(host) === 0 ? { servername: host } : {}),
        lookup: deps.guard.lookup,
        // Only the expiry is read here; whether the certificate is trusted is the main
        // request's business (an untrusted one makes the service `down`).
        rejectUnauthorized: false,
        ...(ca === undefined ? {} : { ca }),
        timeout: timeoutMs,
      });
      const done = (v: number | undefined) => {
        socket.destroy();
        resolve(v);
      };
      socket.once('secureConnect', () => {
        const validTo = socket.getPeerCertificate().valid_to;
        const t = validTo ? Date.parse(validTo) : Number.NaN;
        done(Number.isFinite(t) ? t : undefined);
      });
      socket.once('error', () => {
        done(undefined);
      });
      socket.once('timeout', () => {
        done(undefined);
      });
    });

  return {
    async backupAtPath(path, heightPattern) {
      try {
        const s = await stat(path);
        if (!s.isDirectory()) {
          const name = path.split('/').pop() ?? path;
          return {
            ok: true,
            newestAt: s.mtimeMs,
            object: path,
            height: heightFromName(name, heightPattern),
          };
        }
        const names = (await readdir(path)).slice(0, MAX_ENTRIES);
        let newest: { at: number; name: string } | undefined;
        for (const name of names) {
          const e = await stat(join(path, name)).catch(() => undefined);
          if (!e?.isFile()) continue;
          if (!newest || e.mtimeMs > newest.at) newest = { at: e.mtimeMs, name };
        }
        return newest
          ? {
              ok: true,
              newestAt: newest.at,
              object: join(path, newest.name),
              height: heightFromName(newest.name, heightPattern),
            }
          : { ok: true, newestAt: undefined };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'ENOENT') return { ok: true, newestAt: undefined };
        return { ok: false, error: typeof code === 'string' ? code : (err as Error).message };
      }
    },

    async backupAtUrl(url, heightPattern) {
      const u = new URL(url);
      const refused = refusedLiteral(u);
      if (refused) return { ok: false, error: refused };
      try {
        const res = await request(u, {
          dispatcher: agentFor(undefined, deps.timeoutMs),
          method: 'HEAD',
          headers: { 'user-agent': USER_AGENT },
          headersTimeout: deps.timeoutMs,
          signal: AbortSignal.timeout(deps.timeoutMs),
        });
        await res.body.dump();
        if (res.statusCode === 404) return { ok: true, newestAt: undefined };
        if (res.statusCode !== 200) return { ok: false, error: `HTTP ${res.statusCode}` };
        const header = (name: string) => {
          const v = res.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        const lastModified = header('last-modified');
        const at = lastModified === undefined ? Number.NaN : Date.parse(lastModified);
        if (!Number.isFinite(at)) return { ok: false, error: 'no Last-Modified header' };
        // The height, where the store keeps it: object metadata (S3 `x-amz-meta-height`),
        // a plain header, or the object's name.
        const h = header('x-amz-meta-height') ?? header('x-backup-height');
        const height =
          h !== undefined && /^\d{1,15}$/.test(h)
            ? Number(h)
            : heightFromName(decodeURIComponent(u.pathname.split('/').pop() ?? ''), heightPattern);
        return { ok: true, newestAt: at, object: url, height };
      } catch (err) {
        return { ok: false, error: (err as { code?: string }).code ?? (err as Error).name };
      }
    },

    async http(url, s) {
      const u = new URL(url);
      const refused = refusedLiteral(u);
      if (refused) return { reachable: false, error: refused, latencyMs: 0 };
      const started = performance.now();
      const cert =
        u.protocol === 'https:' && s.certExpiryDays > 0
          ? certExpiry(u, s.caCert, s.timeoutMs)
          : Promise.resolve(undefined);
      try {
        const res = await request(u, {
          dispatcher: agentFor(s.caCert, s.timeoutMs),
          method: s.method,
          headers: { 'user-agent': USER_AGENT, accept: '*/*' },
          headersTimeout: s.timeoutMs,
          bodyTimeout: s.timeoutMs,
          signal: AbortSignal.timeout(s.timeoutMs),
        });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        }
        const latencyMs = performance.now() - started;
        const body = Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8');
        let json: unknown;
        if (s.jsonPointer !== undefined) {
          try {
            json = JSON.parse(body) as unknown;
          } catch {
            json = undefined;
          }
        }
        return {
          reachable: true,
          status: res.statusCode,
          latencyMs,
          body,
          json,
          certExpiresAt: await cert,
        };
      } catch (err) {
        const e = err as { code?: string; message?: string; name?: string };
        return {
          reachable: false,
          error: e.code ?? e.name ?? 'error',
          latencyMs: performance.now() - started,
          certExpiresAt: await cert,
        };
      }
    },

    async close() {
      await Promise.all([...agents.values()].map((a) => a.close()));
      agents.clear();
    },
  };
}
