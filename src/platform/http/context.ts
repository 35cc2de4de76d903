import type { Logger } from '../observability/logger.js';
import type { Principal } from './access.js';

/** What every request carries through the middleware chain. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    principal: Principal;
    clientIp: string;
    /** Set when no route matched (keeps metric labels bounded). */
    unmatched: boolean;
  };
}
