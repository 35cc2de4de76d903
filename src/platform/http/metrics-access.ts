import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { ApiError } from './errors.js';

/**
 * Who may read `/metrics`, on the API port and on the ops port alike. Prometheus output
 * names endpoints, chains and volumes: it is not for the internet. Allowed:
 * - a client on the same host (loopback peer: a sidecar, `curl` on the box, the tests);
 * - a request that came through no socket at all (an in-process call);
 * - anyone presenting `Authorization: Bearer <VW_METRICS_TOKEN>`, when that is set
 *   (Prometheus in a cluster scrapes pod addresses, never loopback).
 * The peer is the socket's address, never `X-Forwarded-For`: a proxy in front would
 * otherwise make every outside client look local, or let one claim to be.
 * Anything else gets the API's 401 error shape, not a 404: the path is no secret (every
 * deployment has it), and a scraper misconfigured without its token should read
 * "authenticate" in its target's error, not "no such page".
 */
export type MetricsAccess = (c: Context) => Response | null;

export function createMetricsAccess(token: string | undefined): MetricsAccess {
  // Compared as digests: equal lengths for timingSafeEqual, whatever is presented.
  const expected = token ? digest(token) : undefined;
  return (c) => {
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    const socket = env?.incoming?.socket;
    if (socket === undefined || isLoopback(socket.remoteAddress)) return null;
    const header = c.req.header('authorization') ?? '';
    const presented = /^Bearer (\S+)$/i.exec(header)?.[1];
    if (expected && presented !== undefined && timingSafeEqual(expected, digest(presented))) {
      return null;
    }
    const refusal = new ApiError(
      401,
      'authentication_error',
      'metrics_token_required',
      expected
        ? '/metrics needs `Authorization: Bearer` with the metrics token'
        : '/metrics answers only on this host; set VW_METRICS_TOKEN to scrape it from elsewhere',
    );
    return c.json(refusal.toBody(), 401, { 'www-authenticate': 'Bearer' });
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
