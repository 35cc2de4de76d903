import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { Db } from '../db/db.js';
import { newId } from '../ids.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { ANONYMOUS, type Principal } from './access.js';
import type { AppEnv } from './context.js';
import { renderDocsPage } from './docs.js';
import { ApiError, typeForStatus } from './errors.js';
import { idempotency } from './idempotency.js';
import type { RateLimiter } from './rate-limit.js';
import type { MetricsAccess } from './metrics-access.js';
import { mountHealthRoutes } from './ops.js';

export type Authenticate = (token: string) => Promise<Principal | undefined>;

export interface HttpDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  rateLimiter: RateLimiter;
  /** Resolves a bearer token; `undefined` means the token is not valid. */
  authenticate: Authenticate;
  /** Readiness: every check must pass for `/readyz` to answer 200. */
  readiness: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** Who may read /metrics (see metrics-access.ts). */
  metricsAccess: MetricsAccess;
  settings: {
    bodyLimitBytes: number;
    rateLimitPerIp: number;
    rateLimitPerKey: number;
    trustProxy: boolean;
    version: string;
  };
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export type HttpApp = OpenAPIHono<AppEnv>;

/**
 * The HTTP edge every module mounts its routes on: request ids, access logs and
 * metrics, per-IP and per-credential rate limits, bearer authentication, body limits,
 * idempotency keys, the single error shape, health, metrics and the OpenAPI document.
 */
export function createHttpApp(deps: HttpDeps): HttpApp {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues, result.target);
    },
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`vwk_…`) or a session token (`vws_…`)',
  });

  const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', requestId);
    c.set('principal', ANONYMOUS);
    c.set('clientIp', clientIp(c, deps.settings.trustProxy));
    const log = deps.logger.child({ requestId });
    c.set('logger', log);
    deps.metrics.httpInFlight.inc();
    try {
      await next();
    } finally {
      deps.metrics.httpInFlight.dec();
      // Label by route template, never by raw path, to keep metric cardinality bounded.
      const route = c.get('unmatched') ? 'unmatched' : routePath(c);
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.httpDuration.observe(
        { method: c.req.method, route, status: String(c.res.status) },
        seconds,
      );
      c.res.headers.set('request-id', requestId);
      c.res.headers.set('x-content-type-options', 'nosniff');
      c.res.headers.set('cache-control', c.res.headers.get('cache-control') ?? 'no-store');
      const principal = c.get('principal');
      log.info(
        {
          method: c.req.method,
          path: c.req.path,
          route,
          status: c.res.status,
          ms: Math.round(seconds * 1000 * 10) / 10,
          ip: c.get('clientIp'),
          principal: principal.kind === 'user' ? principal.credentialId : 'anonymous',
        },
        'request',
      );
    }
  };
  app.use('*', requestContext);

  // PostgreSQL text cannot hold NUL: refuse it in the path and query as in bodies.
  app.use('/v1/*', async (c, next) => {
    if (/%00/.test(c.req.url)) {
      const query = [...new URL(c.req.url).searchParams].find(
        ([k, v]) => k.includes('\0') || v.includes('\0'),
      );
      throw new ApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        'The URL may not contain the NUL character (%00)',
        query?.[0],
      );
    }
    await next();
  });

  // Per-IP budget first, before any work (including authentication) is done.
  app.use('/v1/*', async (c, next) => {
    const ip = c.get('clientIp');
    const r = await deps.rateLimiter.take(`ip:${ip}`, deps.settings.rateLimitPerIp);
    if (!r.ok) throw rateLimited(deps, 'ip', r.retryAfterSeconds);
    await next();
  });

  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim());
      const principal = match?.[1] ? await deps.authenticate(match[1]) : undefined;
      if (!principal) {
        throw new ApiError(
          401,
          'authentication_error',
          'invalid_credentials',
          'The bearer token is not valid, expired or revoked',
        );
      }
      c.set('principal', principal);
      if (principal.kind === 'user') {
        const r = await deps.rateLimiter.take(
          `cred:${principal.credentialId}`,
          deps.settings.rateLimitPerKey,
        );
        if (!r.ok) throw rateLimited(deps, 'credential', r.retryAfterSeconds);
      }
    }
    await next();
  });

  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.settings.bodyLimitBytes,
      onError: () => {
        throw new ApiError(
          413,
          'invalid_request_error',
          'body_too_large',
          `The request body is larger than ${deps.settings.bodyLimitBytes} bytes`,
        );
      },
    }),
  );

  app.use('/v1/*', async (c, next) => {
    const method = c.req.method;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const type = c.req.header('content-type') ?? '';
      // Node hands every POST a body stream, even an empty one, so look at the bytes
      // (already bounded by the body limit, and cached for the handler).
      const text = await c.req.text();
      const hasBody = text.length > 0;
      if (hasBody && !/^application\/json\b/i.test(type)) {
        throw new ApiError(
          415,
          'invalid_request_error',
          'unsupported_media_type',
          'Send the request body as JSON with `Content-Type: application/json`',
        );
      }
      // PostgreSQL text cannot hold NUL; refuse it here rather than fail deep in a query.
      if (text.includes('\\u0000') || text.includes('\u0000')) {
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_invalid',
          'Strings may not contain the NUL character (\\u0000)',
        );
      }
    }
    await next();
  });

  app.use('/v1/*', idempotency({ db: deps.db }));

  app.onError((err, c) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) {
      c.get('logger').error({ err }, 'unhandled error');
    }
    for (const [k, v] of Object.entries(apiError.headers ?? {})) c.header(k, v);
    return c.json(apiError.toBody(), apiError.status);
  });

  app.notFound((c) => {
    c.set('unmatched', true);
    return c.json(
      new ApiError(
        404,
        'not_found_error',
        'route_not_found',
        `No route ${c.req.method} ${c.req.path}`,
      ).toBody(),
      404,
    );
  });

  mountHealthRoutes(app, deps);

  const openApiConfig = {
    openapi: '3.1.0',
    info: {
      title: 'Vaultwire API',
      version: deps.settings.version,
      description:
        'Versioned REST API of Vaultwire. Errors share one shape; every POST accepts an `Idempotency-Key`; lists use cursor pagination.',
    },
    servers: [{ url: '/' }],
  };
  app.doc31('/openapi.json', openApiConfig);
  app.get('/docs', (c) => {
    const doc = app.getOpenAPI31Document(openApiConfig);
    return c.html(renderDocsPage(doc as Parameters<typeof renderDocsPage>[0]));
  });

  return app;
}

function rateLimited(deps: HttpDeps, scope: string, retryAfter: number): ApiError {
  deps.metrics.rateLimited.inc({ scope });
  return new ApiError(
    429,
    'rate_limit_error',
    'rate_limited',
    `Too many requests; retry after ${retryAfter} s`,
    undefined,
    { 'retry-after': String(retryAfter) },
  );
}

function clientIp(c: Context<AppEnv>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

export function validationError(issues: readonly Issue[], target?: string): ApiError {
  const first = issues[0];
  if (!first)
    return new ApiError(400, 'invalid_request_error', 'parameter_invalid', 'Invalid request');
  const path = first.path.map(String).join('.');
  if (first.code === 'unrecognized_keys') {
    const key = first.keys?.[0] ?? '';
    const param = path ? `${path}.${key}` : key;
    return new ApiError(
      400,
      'invalid_request_error',
      'parameter_unknown',
      `Unknown parameter: ${param}`,
      param,
    );
  }
  const missing = first.code === 'invalid_type' && /received undefined/.test(first.message);
  const where =
    target === 'query' ? 'query parameter' : target === 'param' ? 'path parameter' : 'parameter';
  return new ApiError(
    400,
    'invalid_request_error',
    missing ? 'parameter_missing' : 'parameter_invalid',
    missing
      ? `Missing ${where}: ${path}`
      : `Invalid ${where} ${path || '(body)'}: ${first.message}`,
    path || undefined,
  );
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    const status = err.status;
    const malformed = status === 400 && /json/i.test(err.message);
    return new ApiError(
      status,
      typeForStatus(status),
      malformed ? 'body_malformed_json' : 'invalid_request',
      malformed ? 'The request body is not valid JSON' : err.message || 'Bad request',
    );
  }
  return new ApiError(
    500,
    'api_error',
    'internal_error',
    'Something went wrong on our side; it has been logged',
  );
}
