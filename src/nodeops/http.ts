import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { SsrfGuard } from '../platform/net/ssrf.js';

/**
 * Every request the monitor makes (to nodes, references and alert channels) goes out
 * through this client: the connection resolves host names through the platform's SSRF
 * guard, which refuses loopback, private and metadata addresses unless the operator
 * allowed their range (`nodeops.ssrfAllow`), and pins the address it checked. IP
 * literals, which skip the lookup, are checked here.
 */
export interface HttpClient {
  /** GET, or POST with a JSON body; resolves with the status and the parsed JSON (or text). */
  call(
    url: string,
    options?: {
      body?: unknown;
      timeoutMs?: number;
      /**
       * A read that may be sent again: retried once when the connection was closed under
       * it (a node that drops idle keep-alive connections, as Hardhat does after 10 ms).
       */
      idempotent?: boolean;
    },
  ): Promise<{ status: number; json: unknown; text: string }>;
  close(): Promise<void>;
}

const USER_AGENT = 'vaultwire-nodeops';

export class HttpError extends Error {
  override name = 'HttpError';
}

export function createHttpClient(deps: {
  guard: SsrfGuard;
  timeoutMs: number;
  /**
   * Requests in flight at once; more wait their turn here, before their timeout starts.
   * A poll of thousands of nodes otherwise queues its requests inside the connection
   * pool, where they time out waiting and a healthy node reads as unreachable.
   */
  maxInFlight?: number;
}): HttpClient {
  const maxInFlight = deps.maxInFlight ?? Number.POSITIVE_INFINITY;
  const agent = new Agent({
    connect: buildConnector({ lookup: deps.guard.lookup, timeout: deps.timeoutMs }),
    keepAliveTimeout: 30_000,
    // Many nodes behind one origin (a gateway with a path per node, the scripted chain)
    // get as many connections as requests may be in flight, so none queues in the pool.
    connections: Number.isFinite(maxInFlight) ? Math.max(8, maxInFlight) : 8,
  });
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    if (inFlight < maxInFlight) {
      inFlight++;
      return;
    }
    // The slot is handed over by release(), so inFlight stays counted.
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };
  const client: HttpClient = {
    async call(url, options = {}) {
      await acquire();
      try {
        return await once(url, options);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (options.idempotent && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) {
          return await once(url, options);
        }
        throw err;
      } finally {
        release();
      }
    },
    close: () => agent.close(),
  };
  return client;

  async function once(
    url: string,
    options: { body?: unknown; timeoutMs?: number },
  ): Promise<{ status: number; json: unknown; text: string }> {
    const u = new URL(url);
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    if (isIP(host) !== 0) {
      const why = deps.guard.forbidden(host);
      if (why !== undefined) throw new HttpError(`refused: ${host} is a ${why} address`);
    }
    const timeoutMs = options.timeoutMs ?? deps.timeoutMs;
    const res = await request(u, {
      dispatcher: agent,
      method: options.body === undefined ? 'GET' : 'POST',
      // GitHub's API (release feeds) refuses requests without a User-Agent.
      headers:
        options.body === undefined
          ? { accept: 'application/json', 'user-agent': USER_AGENT }
          : {
              'content-type': 'application/json',
              accept: 'application/json',
              'user-agent': USER_AGENT,
            },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json, text };
  }
}
