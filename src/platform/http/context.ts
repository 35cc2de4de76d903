import type { Context } from 'hono';
import type { Logger } from '../observability/logger.js';
import type { Principal } from './access.js';
import type { IdempotencyClaim } from './idempotency.js';

/** What every request carries through the middleware chain. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The server's logger; a request logs through `requestLog(c)`, which adds its id. */
    rootLogger: Logger;
    /** `requestLog(c)`'s logger, once made. */
    logger: Logger | undefined;
    principal: Principal;
    clientIp: string;
    /** Set when no route matched (keeps metric labels bounded). */
    unmatched: boolean;
    /**
     * Set by a handler whose response holds a secret shown once (a new API key): the
     * idempotency store keeps this body instead, so the secret is never stored and a
     * replay answers without it.
     */
    idempotencyStoredBody: string | undefined;
    /** What the access log shows for the path, when the path holds a secret (a till's token). */
    logPath: string | undefined;
    /** The Idempotency-Key claim this POST holds while its handler runs, if any. */
    idempotency: IdempotencyClaim | undefined;
  };
}

/**
 * The request's logger (every line carries its request id), made on first use: most
 * requests log nothing but the access line, and making a pino child for each was 4 % of
 * a balance read's server CPU when that line was off too (bench:api profile).
 */
export function requestLog(c: Context<AppEnv>): Logger {
  let log = c.get('logger');
  if (!log) {
    log = c.get('rootLogger').child({ requestId: c.get('requestId') });
    c.set('logger', log);
  }
  return log;
}
