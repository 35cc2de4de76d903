import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db/db.js';
import type { AppEnv } from './context.js';
import { ApiError } from './errors.js';

/**
 * `Idempotency-Key` for every POST.
 *
 * The key row is inserted in the same database transaction as the request's own writes
 * (handlers' `db` calls join it through AsyncLocalStorage), so:
 * - the same key and body again replays the stored response (`Idempotent-Replayed: true`);
 * - the same key with another body or path gets 409 `idempotency_error`;
 * - two concurrent requests with one key: the second blocks on the key's primary key
 *   until the first commits, then replays it. One write, never two.
 *
 * A response is stored when the handler answered below 500 without throwing. A thrown
 * error (validation, auth, a fault) or a 5xx rolls everything back, the key included,
 * so a retry runs afresh, because nothing happened.
 */

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

class Rollback extends Error {}

export function idempotency(deps: { db: Db }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new ApiError(
        400,
        'invalid_request_error',
        'idempotency_key_invalid',
        'Idempotency-Key must be 1 to 255 printable ASCII characters',
        'Idempotency-Key',
      );
    }
    const principal = c.get('principal');
    // Anonymous callers get a namespace per client IP, so one caller cannot collide with
    // (or read back) another's keys.
    const owner = principal.kind === 'user' ? principal.userId : `anonymous:${c.get('clientIp')}`;
    const body = await c.req.text();
    const path = c.req.path;
    const requestHash = createHash('sha256').update(`POST ${path}\n`).update(body).digest('hex');

    try {
      await deps.db.transaction(async (tx) => {
        const claimed = await tx.query(
          `INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status, response_body)
           VALUES ($1, $2, 'POST', $3, $4, 0, '')
           ON CONFLICT (principal, key) DO NOTHING`,
          [owner, key, path, requestHash],
        );
        if (claimed.rowCount === 0) {
          const { rows } = await tx.query<{
            path: string;
            request_hash: string;
            status: number;
            response_body: string;
          }>(
            'SELECT path, request_hash, status, response_body FROM idempotency_keys WHERE principal = $1 AND key = $2',
            [owner, key],
          );
          const prior = rows[0];
          if (!prior) throw new Error('idempotency key vanished while being read');
          if (prior.request_hash !== requestHash) {
            throw new ApiError(
              409,
              'idempotency_error',
              'idempotency_key_reused',
              prior.path === path
                ? 'This Idempotency-Key was already used with a different request body'
                : `This Idempotency-Key was already used for ${prior.path}`,
              'Idempotency-Key',
            );
          }
          c.res = new Response(prior.response_body, {
            status: prior.status,
            headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
          });
          return;
        }

        await next();
        if (c.error !== undefined || c.res.status >= 500) throw new Rollback();
        const responseBody = c.get('idempotencyStoredBody') ?? (await c.res.clone().text());
        await tx.query(
          'UPDATE idempotency_keys SET status = $3, response_body = $4 WHERE principal = $1 AND key = $2',
          [owner, key, c.res.status, responseBody],
        );
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  };
}
