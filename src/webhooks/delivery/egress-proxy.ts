import { isIP, Socket } from 'node:net';
import { buildConnector, Pool } from 'undici';
import { SsrfBlockedError, type SsrfGuard } from '../ssrf/ssrf.js';

/**
 * Webhook connections through an egress proxy (`VW_WEBHOOK_PROXY`): an HTTP proxy that
 * speaks CONNECT, such as Smokescreen. Every target, http or https, is reached through a
 * tunnel asked for by host name and port (`CONNECT hooks.example.com:443`), so the
 * proxy's own allow and deny rules by name apply; TLS to an https receiver runs inside
 * the tunnel, end to end, verified against the receiver's name.
 *
 * The SSRF guard still applies: before asking for a tunnel, the target's name is resolved
 * here and the connection is refused if any address is loopback, private, link-local or
 * otherwise not public, unless `VW_WEBHOOK_SSRF_ALLOW` allows it. The proxy resolves the
 * name again for its own connection, so it is the proxy that pins the address it
 * connects to; it is expected to filter egress itself (Smokescreen refuses private ranges
 * by default). A name this host cannot resolve is left to the proxy: deployments behind
 * an egress proxy often have no public DNS of their own. The proxy itself is the
 * operator's choice and is not checked (it usually sits at a private address).
 *
 * Undici's ProxyAgent does the same, but keys its pools by origin with one connection
 * bound for all; this connector plugs into the sender's per-endpoint pools instead.
 */
export type EgressProxy = URL;

export function egressProxyConnector(deps: {
  proxy: EgressProxy;
  guard: SsrfGuard;
  connectTimeoutMs: number;
  tls: { ca?: string | Buffer | undefined; rejectUnauthorized: boolean };
}): { connect: buildConnector.connector; close(): Promise<void> } {
  const { proxy, guard, connectTimeoutMs } = deps;
  if (proxy.protocol !== 'http:') {
    throw new Error(`egress proxy must be an http:// URL, got ${proxy.protocol}`);
  }
  // CONNECT takes its socket out of the pool, so this pool holds no idle connections.
  const tunnels = new Pool(proxy.origin, { connect: { timeout: connectTimeoutMs } });
  const auth =
    proxy.username === ''
      ? undefined
      : `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
  const overTunnel = buildConnector({
    timeout: connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelay: 60_000,
    ...deps.tls,
  });

  const vet = async (hostname: string): Promise<void> => {
    const verdict = await guard.check(hostname);
    if (verdict.ok || (verdict.reason === 'unresolvable' && isIP(hostname) === 0)) return;
    throw new SsrfBlockedError(hostname, verdict.address ?? hostname, verdict.reason);
  };

  const connect: buildConnector.connector = (opts, callback) => {
    const port = opts.port === '' ? (opts.protocol === 'https:' ? '443' : '80') : opts.port;
    const authority = `${isIP(opts.hostname) === 6 ? `[${opts.hostname}]` : opts.hostname}:${port}`;
    const signal = AbortSignal.timeout(connectTimeoutMs);
    vet(opts.hostname)
      .then(() =>
        tunnels.connect({
          path: authority,
          headers:
            auth === undefined
              ? { host: authority }
              : { host: authority, 'proxy-authorization': auth },
          signal,
        }),
      )
      .then(
        ({ socket, statusCode }) => {
          if (statusCode !== 200 || !(socket instanceof Socket)) {
            // (An upgraded HTTP/1.1 connection is the proxy's TCP socket itself.)
            socket.on('error', () => undefined).destroy();
            callback(
              new Error(`egress proxy answered ${statusCode} to CONNECT ${authority}`),
              null,
            );
          } else if (opts.protocol === 'https:') {
            overTunnel({ ...opts, httpSocket: socket }, callback);
          } else {
            callback(null, socket);
          }
        },
        (err: unknown) => {
          callback(
            signal.aborted
              ? Object.assign(new Error(`connect through the egress proxy timed out`), {
                  code: 'UND_ERR_CONNECT_TIMEOUT',
                })
              : err instanceof Error
                ? err
                : new Error(String(err)),
            null,
          );
        },
      );
  };

  return { connect, close: () => tunnels.destroy() };
}
