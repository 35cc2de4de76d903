import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * No network call inside a database transaction. A transaction that waits on a price
 * source, a DNS server or a chain node holds its connection and its locks for as long as
 * the far side takes, and one slow peer then stalls every request that needs the pool.
 *
 * Every `Db` registers a probe here (is the calling code inside one of my transactions?).
 * The outbound paths report themselves: every HTTP request made with undici (global
 * `fetch`, the webhook sender's pools, viem's chain RPC transport) and with `node:http` is
 * seen through their diagnostics channels, and the paths those do not cover (DNS
 * lookups, SMTP) call `networkCall(what)` before they go out.
 *
 * Off in production (a probe per outbound call is cheap, but an answer nobody acts on is
 * not worth it); tests switch it to `throw` (test/support/network-guard.ts), where a
 * violation fails the test that made it.
 */

export type NetworkGuardMode = 'off' | 'record' | 'throw';

export interface NetworkViolation {
  /** What went out: `GET https://…`, `dns lookup example.com`, … */
  what: string;
  stack: string;
}

export class NetworkInTransactionError extends Error {
  override name = 'NetworkInTransactionError';
}

const probes = new Set<() => boolean>();
const violations: NetworkViolation[] = [];
let mode: NetworkGuardMode = 'off';

/** Called by each `Db`; the returned function removes the probe (on close). */
export function registerTransactionProbe(inTransaction: () => boolean): () => void {
  probes.add(inTransaction);
  return () => probes.delete(inTransaction);
}

const exempt = new AsyncLocalStorage<true>();

function inAnyTransaction(): boolean {
  if (exempt.getStore()) return false;
  for (const probe of probes) if (probe()) return true;
  return false;
}

/**
 * Runs `fn` unguarded: for a test that means to call out from inside a transaction
 * (a chain reorganised while a follower's commit is in flight), never for product code.
 */
export function allowNetworkInTransaction<T>(fn: () => Promise<T>): Promise<T> {
  return exempt.run(true, fn);
}

function record(what: string): NetworkInTransactionError {
  const err = new NetworkInTransactionError(`network call inside a database transaction: ${what}`);
  violations.push({ what, stack: err.stack ?? '' });
  return err;
}

/**
 * Reports an outbound call about to be made. In `throw` mode, throws when the caller is
 * inside a database transaction (so the call is not made).
 */
export function networkCall(what: string): void {
  if (mode === 'off' || !inAnyTransaction()) return;
  const err = record(what);
  if (mode === 'throw') throw err;
}

// A diagnostics-channel subscriber cannot fail the publisher's call (Node reports a
// subscriber's exception as uncaught instead), so requests seen here are recorded, and
// `throw` mode fails the test afterwards through `takeNetworkViolations`.
function onUndiciRequest(message: unknown): void {
  if (!inAnyTransaction()) return;
  const request = (
    message as { request?: { method?: string; origin?: string | URL; path?: string } }
  ).request;
  const origin = request?.origin === undefined ? '' : String(request.origin);
  record(`${request?.method ?? 'HTTP'} ${origin}${request?.path ?? ''}`);
}

function onHttpRequest(message: unknown): void {
  if (!inAnyTransaction()) return;
  const req = (message as { request?: { method?: string; host?: string; path?: string } }).request;
  record(`${req?.method ?? 'HTTP'} ${req?.host ?? ''}${req?.path ?? ''}`);
}

/** Switches the guard (tests: `throw`). */
export function setNetworkGuard(next: NetworkGuardMode): void {
  const wasOn = mode !== 'off';
  mode = next;
  if (next !== 'off' && !wasOn) {
    diagnosticsChannel.subscribe('undici:request:create', onUndiciRequest);
    diagnosticsChannel.subscribe('http.client.request.start', onHttpRequest);
  } else if (next === 'off' && wasOn) {
    diagnosticsChannel.unsubscribe('undici:request:create', onUndiciRequest);
    diagnosticsChannel.unsubscribe('http.client.request.start', onHttpRequest);
  }
}

/** The violations seen since the last call, oldest first; clears them. */
export function takeNetworkViolations(): NetworkViolation[] {
  return violations.splice(0, violations.length);
}
