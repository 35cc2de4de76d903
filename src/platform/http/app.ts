import type { ServerResponse } from 'node:http';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { sqlState, type Db } from '../db/db.js';
import { newId } from '../ids.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { ANONYMOUS, type Principal } from './access.js';
import { requestLog, type AppEnv } from './context.js';
import { mountApiReference } from './docs.js';
import { ClientAbort, jsonBodyGate } from './body.js';
import { ApiError, typeForStatus } from './errors.js';
import { idempotency, keyIdempotentPaths, matchesKeyIdempotent } from './idempotency.js';
import type { RateLimiter } from './rate-limit.js';
import type { MetricsAccess } from './metrics-access.js';
import { nodeBindings, requestHeader } from './node.js';
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
    const incoming = requestHeader(c, 'x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : newId('req');
    // Headers every answer carries, set on Node's response before the handler runs:
    // the handler's own headers (a cache-control of its own) take precedence when Node
    // writes the head. Setting them on `c.res` afterwards made @hono/node-server build a
    // full fetch Response and Headers per request (bench:api profile). In-process
    // requests (tests) have no Node response: there they are set on `c.res` below.
    const node = nodeResponse(c);
    node?.setHeader('request-id', requestId);
    node?.setHeader('x-content-type-options', 'nosniff');
    node?.setHeader('cache-control', 'no-store');
    c.set('requestId', requestId);
    c.set('principal', ANONYMOUS);
    c.set('clientIp', clientIp(c, deps.settings.trustProxy));
    c.set('rootLogger', deps.logger);
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
      // An answer sent before the whole body arrived (413, a client gone) ends the
      // connection: @hono/node-server drains the rest for a moment, then closes it.
      // Say so, rather than announce keep-alive and close.
      if (bodyCutShort(c)) c.res.headers.set('connection', 'close');
      if (!node) {
        c.res.headers.set('request-id', requestId);
        c.res.headers.set('x-content-type-options', 'nosniff');
        c.res.headers.set('cache-control', c.res.headers.get('cache-control') ?? 'no-store');
      }
      // The access line, when the level shows it; its fields are not even gathered else.
      if (deps.logger.isLevelEnabled('info')) {
        const principal = c.get('principal');
        requestLog(c).info(
          {
            method: c.req.method,
            path: c.get('logPath') ?? c.req.path,
            route,
            status: c.res.status,
            ms: Math.round(seconds * 1000 * 10) / 10,
            ip: c.get('clientIp'),
            principal: principal.kind === 'user' ? principal.credentialId : 'anonymous',
          },
          'request',
        );
      }
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
    const header = requestHeader(c, 'authorization');
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

  app.use('/v1/*', jsonBodyGate({ maxBytes: deps.settings.bodyLimitBytes }));

  const keyedByHandler = keyIdempotentPaths(app);
  app.use(
    '/v1/*',
    idempotency({
      db: deps.db,
      keyedByHandler: (path) => matchesKeyIdempotent(keyedByHandler, path),
    }),
  );

  app.onError((err, c) => {
    if (err instanceof ClientAbort || (!(err instanceof ApiError) && bodyCutShort(c))) {
      // Nobody is left to read an answer, and it is not our fault: counted apart
      // (status 499, as nginx does) so a client cannot inflate the 5xx alerts.
      requestLog(c).info({ err: String(err) }, 'client closed the request');
      const abort = new ApiError(
        499 as ContentfulStatusCode,
        'invalid_request_error',
        'client_closed_request',
        'The client closed the connection before sending the whole request',
      );
      return c.json(abort.toBody(), abort.status);
    }
    const apiError = toApiError(err);
    if (apiError.status >= 500) {
      requestLog(c).error({ err }, 'unhandled error');
    } else if (!(err instanceof ApiError) && !(err instanceof HTTPException)) {
      // A database refusal of an input: the schema that let it through wants a bound.
      requestLog(c).warn({ err }, 'input refused by the database');
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
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
  };
  app.doc31('/openapi.json', openApiConfig);
  mountApiReference(app, openApiConfig.info.title);

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

function nodeResponse(c: Context<AppEnv>): ServerResponse | undefined {
  const { outgoing } = nodeBindings(c);
  // A response whose head is out (never so before the handler) takes no more headers.
  return outgoing && !outgoing.headersSent ? outgoing : undefined;
}

/** The request had a body that has not fully arrived (only known on a real socket). */
function bodyCutShort(c: Context<AppEnv>): boolean {
  return nodeBindings(c).incoming?.complete === false;
}

function clientIp(c: Context<AppEnv>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = requestHeader(c, 'x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return nodeBindings(c).incoming?.socket.remoteAddress ?? 'unknown';
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
  // PostgreSQL refused a value (out of range, not a valid number or date, a character it
  // cannot store): with every query parameterised, that value came from the request.
  // Schemas bound inputs by their columns; this keeps a bound a schema missed a 400.
  if (sqlState(err)?.startsWith('22')) {
    return new ApiError(
      400,
      'invalid_request_error',
      'parameter_invalid',
      'A value in the request is out of range or not valid for what it describes',
    );
  }
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
