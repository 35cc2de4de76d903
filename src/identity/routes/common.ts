import type { Context } from 'hono';
import type { AppEnv } from '../../platform/http/context.js';
import { ApiError } from '../../platform/http/errors.js';
import type { RateLimiter } from '../../platform/http/rate-limit.js';
import { requireUser as caller, type UserPrincipal } from '../../platform/http/route-helpers.js';
import type { Metrics } from '../../platform/observability/metrics.js';
import { IdentityError, identityApiError } from '../errors.js';
import type { Actor } from '../model.js';
import type { ScopeRegistry } from '../scopes.js';
import type { IdentityService } from '../service.js';

/** What the identity route files share: the deps, who acts, the login throttle. */

export interface IdentityRouteDeps {
  identity: IdentityService;
  scopes: ScopeRegistry;
  rateLimiter: RateLimiter;
  metrics: Metrics;
  settings: { rateLimitLoginPerMin: number };
  now?: () => number;
}

/** The deps as each resource's routes take them, with the throttle built once. */
export interface IdentityRouteKit {
  deps: IdentityRouteDeps;
  identity: IdentityService;
  now: () => number;
  /** Counts an attempt against `key`; over the limit it throws 429 `rate_limited`. */
  throttle: (key: string, onLimited?: () => void) => Promise<void>;
}

type Ctx = Context<AppEnv>;

export function routeKit(deps: IdentityRouteDeps): IdentityRouteKit {
  return {
    deps,
    identity: deps.identity,
    now: deps.now ?? Date.now,
    throttle: async (key, onLimited) => {
      const r = await deps.rateLimiter.take(key, deps.settings.rateLimitLoginPerMin);
      if (!r.ok) {
        deps.metrics.rateLimited.inc({ scope: 'login' });
        onLimited?.();
        throw new ApiError(
          429,
          'rate_limit_error',
          'rate_limited',
          `Too many attempts; retry after ${r.retryAfterSeconds} s`,
          undefined,
          { 'retry-after': String(r.retryAfterSeconds) },
        );
      }
    },
  };
}

export function actorOf(c: Ctx): Actor {
  const p = c.get('principal');
  const where = { ip: c.get('clientIp'), requestId: c.get('requestId') };
  return p.kind === 'user'
    ? { type: 'user', id: p.userId, role: p.role, credentialId: p.credentialId, ...where }
    : { type: 'anonymous', ...where };
}

export function sessionCaller(c: Ctx): UserPrincipal {
  const p = caller(c);
  if (p.via !== 'session') throw identityApiError(IdentityError.SessionRequired);
  return p;
}

/**
 * Requests that carry a password take no Idempotency-Key: the idempotency store keeps a
 * fast SHA-256 of the request body, which would be an unsalted password hash at rest.
 * They are safe to retry without one (sign-up answers 409, login opens another session).
 */
export function refuseIdempotencyKey(c: Ctx): void {
  if (c.req.header('idempotency-key') !== undefined) {
    throw new ApiError(
      400,
      'invalid_request_error',
      'idempotency_key_not_allowed',
      'This request carries a password and takes no Idempotency-Key; it is safe to retry without one',
      'Idempotency-Key',
    );
  }
}
