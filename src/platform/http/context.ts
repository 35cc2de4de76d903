import type { Logger } from '../observability/logger.js';
import type { Principal } from './access.js';
import type { IdempotencyClaim } from './idempotency.js';

/** What every request carries through the middleware chain. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
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
