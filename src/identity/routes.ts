import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import { Counter } from 'prom-client';
import { ANY_ROLE, defineRoute } from '../platform/http/access.js';
import type { HttpApp } from '../platform/http/app.js';
import type { AppEnv } from '../platform/http/context.js';
import { ApiError, ErrorSchema } from '../platform/http/errors.js';
import { checkCursor, pageSchema, type Page } from '../platform/http/pagination.js';
import type { RateLimiter } from '../platform/http/rate-limit.js';
import type { Metrics } from '../platform/observability/metrics.js';
import { IdentityError, identityApiError, isIdentityError } from './errors.js';
import type { Actor } from './model.js';
import {
  ApiKeySchema,
  apiKeyJson,
  ChangedPasswordSchema,
  ChangePasswordBody,
  ChangeRoleBody,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  CreatedSessionSchema,
  IdParam,
  ListApiKeysQuery,
  ListUsersQuery,
  LogInBody,
  ScopeListSchema,
  SessionSchema,
  sessionJson,
  SignUpBody,
  UpdateMeBody,
  TotpConfirmBody,
  TotpDisableBody,
  TotpEnrolmentSchema,
  TotpStatusSchema,
  UserSchema,
  userJson,
} from './schemas.js';
import type { ScopeRegistry } from './scopes.js';
import { passwordProblem, type IdentityService } from './service.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
  type UserPrincipal,
} from '../platform/http/route-helpers.js';

export interface IdentityRouteDeps {
  identity: IdentityService;
  scopes: ScopeRegistry;
  rateLimiter: RateLimiter;
  metrics: Metrics;
  settings: { rateLimitLoginPerMin: number };
  now?: () => number;
}

type Ctx = Context<AppEnv>;

function actorOf(c: Ctx): Actor {
  const p = c.get('principal');
  const where = { ip: c.get('clientIp'), requestId: c.get('requestId') };
  return p.kind === 'user'
    ? { type: 'user', id: p.userId, role: p.role, credentialId: p.credentialId, ...where }
    : { type: 'anonymous', ...where };
}

function sessionCaller(c: Ctx): UserPrincipal {
  const p = caller(c);
  if (p.via !== 'session') throw identityApiError(IdentityError.SessionRequired);
  return p;
}

/** Narrows a service result, throwing its typed HTTP error. */
function ok<T>(result: T | IdentityError): T {
  if (isIdentityError(result)) throw identityApiError(result);
  return result;
}

/**
 * Requests that carry a password take no Idempotency-Key: the idempotency store keeps a
 * fast SHA-256 of the request body, which would be an unsalted password hash at rest.
 * They are safe to retry without one (sign-up answers 409, login opens another session).
 */
function refuseIdempotencyKey(c: Ctx): void {
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

/** Registers the /v1 identity routes: users, sessions, the caller, API keys, TOTP. */
export function registerIdentityRoutes(app: HttpApp, deps: IdentityRouteDeps): void {
  const { identity } = deps;
  const now = deps.now ?? Date.now;

  // Login outcomes, for alerting on credential stuffing or a 2FA brute force.
  const logins = new Counter({
    name: 'vaultwire_auth_logins_total',
    help: 'Login attempts by outcome (succeeded, invalid_login, totp_required, totp_invalid, rate_limited)',
    labelNames: ['outcome'] as const,
    registers: [deps.metrics.registry],
  });

  const throttle = async (key: string, onLimited?: () => void) => {
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
  };

  // --- users -------------------------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/users',
      tags: ['Identity'],
      summary: 'Sign up',
      description:
        'Creates a user with the role `user`. Then log in with POST /v1/sessions. Takes no Idempotency-Key (it carries a password); a retry answers 409 `email_taken`.',
      access: { public: true },
      request: body(SignUpBody),
      responses: {
        201: json('The new user', UserSchema),
        409: json('Email or handle taken', ErrorSchema),
      },
    }),
    async (c) => {
      refuseIdempotencyKey(c);
      const input = c.req.valid('json');
      const result = await identity.signUp(input, actorOf(c));
      if (result === IdentityError.PasswordWeak) {
        throw identityApiError(result, {
          message: passwordProblem(input.password, input.email) ?? 'The password is too weak',
          param: 'password',
        });
      }
      return c.json(userJson(ok(result)), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/users',
      tags: ['Identity'],
      summary: 'List users',
      description: 'Users in sign-up order, optionally filtered by role or exact email.',
      access: { roles: ['operator', 'admin'], scope: 'users:read' },
      request: { query: ListUsersQuery },
      responses: { 200: json('A page of users', pageSchema(UserSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { users, hasMore } = await identity.listUsers({
        limit: q.limit,
        startingAfter: checkCursor(q.starting_after, 'usr'),
        role: q.role,
        email: q.email,
      });
      return c.json(pageOf(users, hasMore, userJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/users/{id}',
      tags: ['Identity'],
      summary: 'Get a user',
      access: { roles: ['operator', 'admin'], scope: 'users:read' },
      request: { params: IdParam('usr_01JD7Q4Z8R3M5N6P7Q8R9S0T1V') },
      responses: { 200: json('The user', UserSchema), 404: json('No such user', ErrorSchema) },
    }),
    async (c) => {
      const user = await identity.getUser(c.req.valid('param').id);
      if (!user) throw identityApiError(IdentityError.UserNotFound);
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/users/{id}/role',
      operationId: 'setUserRole',
      tags: ['Identity'],
      summary: "Change a user's role",
      description:
        'The last admin cannot be demoted. Takes effect on the next request of that user.',
      access: { roles: ['admin'], scope: 'users:write' },
      request: { params: IdParam('usr_01JD7Q4Z8R3M5N6P7Q8R9S0T1V'), ...body(ChangeRoleBody) },
      responses: {
        200: json('The user with the new role', UserSchema),
        404: json('No such user', ErrorSchema),
        409: json('Would leave no admin', ErrorSchema),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { role } = c.req.valid('json');
      const user = ok(await identity.changeRole(id, role, actorOf(c)));
      return c.json(userJson(user), 200);
    },
  );

  // --- sessions and the caller --------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/sessions',
      tags: ['Identity'],
      summary: 'Log in',
      description:
        'Exchanges email and password (and a TOTP code when two-factor authentication is on) for a session token. ' +
        'A wrong password and an unknown email give the same `invalid_login` error. ' +
        'Attempts per IP and email are rate limited. Takes no Idempotency-Key (it carries a password).',
      access: { public: true },
      request: body(LogInBody),
      responses: { 201: json('A new session and its token', CreatedSessionSchema) },
    }),
    async (c) => {
      refuseIdempotencyKey(c);
      const input = c.req.valid('json');
      await throttle(`login:${c.get('clientIp')}:${input.email.trim().toLowerCase()}`, () => {
        logins.inc({ outcome: 'rate_limited' });
      });
      const outcome = await identity.logIn(
        {
          email: input.email,
          password: input.password,
          totpCode: input.totp_code,
          recoveryCode: input.recovery_code,
          userAgent: c.req.header('user-agent'),
        },
        actorOf(c),
      );
      logins.inc({ outcome: isIdentityError(outcome) ? outcome : 'succeeded' });
      const result = ok(outcome);
      return c.json(
        {
          id: result.session.id,
          object: 'session' as const,
          token: result.token,
          expires_at: result.session.expiresAt.toISOString(),
          user: userJson(result.user),
        },
        201,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/sessions',
      tags: ['Identity'],
      summary: 'List your sessions',
      description:
        'Your open (unexpired, unrevoked) sessions, newest first. Needs a session token.',
      access: { roles: ANY_ROLE, scope: 'profile:read' },
      responses: {
        200: json(
          'Your sessions',
          z.object({ object: z.literal('list'), data: z.array(SessionSchema) }),
        ),
      },
    }),
    async (c) => {
      const p = sessionCaller(c);
      const sessions = await identity.listSessions(p.userId);
      return c.json(
        { object: 'list' as const, data: sessions.map((s) => sessionJson(s, p.credentialId)) },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/sessions/current',
      operationId: 'logOut',
      tags: ['Identity'],
      summary: 'Log out',
      description: 'Revokes the session token used for this request.',
      access: { roles: ANY_ROLE, scope: 'profile:read' },
      responses: { 204: { description: 'Logged out' } },
    }),
    async (c) => {
      const p = sessionCaller(c);
      await identity.logOut(p.credentialId, actorOf(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/sessions/{id}/revoke',
      tags: ['Identity'],
      summary: 'Revoke one of your sessions',
      description: 'Signs out another device. Needs a session token.',
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      request: { params: IdParam('ses_01JD7Q4Z8R3M5N6P7Q8R9S0T1V') },
      responses: {
        200: json('The revoked session', SessionSchema),
        404: json('No such session', ErrorSchema),
      },
    }),
    async (c) => {
      const p = sessionCaller(c);
      const session = ok(
        await identity.revokeSession(p.userId, c.req.valid('param').id, actorOf(c)),
      );
      return c.json(sessionJson(session, p.credentialId), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/me',
      tags: ['Identity'],
      summary: 'Who am I',
      access: { roles: ANY_ROLE, scope: 'profile:read' },
      responses: { 200: json('The calling user', UserSchema) },
    }),
    async (c) => {
      const user = await identity.getUser(caller(c).userId);
      if (!user) throw identityApiError(IdentityError.UserNotFound);
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/v1/me',
      tags: ['Identity'],
      summary: 'Set or change your handle',
      description:
        "The handle others pay you by (`@handle`). Another user's handle is a 409 `handle_taken`; one that is not 3 to 30 letters, digits or underscores is a 400.",
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      request: body(UpdateMeBody),
      responses: {
        200: json('The calling user, updated', UserSchema),
        409: json('Handle taken', ErrorSchema),
      },
    }),
    async (c) => {
      const user = ok(
        await identity.setHandle(caller(c).userId, c.req.valid('json').handle, actorOf(c)),
      );
      return c.json(userJson(user), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/me/password',
      operationId: 'changePassword',
      tags: ['Identity'],
      summary: 'Change your password',
      description:
        'Needs the current password and a session token. Every other session of yours is signed out; API keys stay valid. Takes no Idempotency-Key (it carries a password).',
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      request: body(ChangePasswordBody),
      responses: { 200: json('Password changed', ChangedPasswordSchema) },
    }),
    async (c) => {
      refuseIdempotencyKey(c);
      const p = sessionCaller(c);
      await throttle(`password:${p.userId}`);
      const input = c.req.valid('json');
      const result = await identity.changePassword(
        {
          userId: p.userId,
          currentPassword: input.current_password,
          newPassword: input.new_password,
          keepSessionId: p.credentialId,
        },
        actorOf(c),
      );
      if (result === IdentityError.PasswordWeak) {
        const me = await identity.getUser(p.userId);
        throw identityApiError(result, {
          message:
            passwordProblem(input.new_password, me?.email ?? '') ?? 'The password is too weak',
          param: 'new_password',
        });
      }
      const { user, revokedSessions } = ok(result);
      return c.json(
        {
          object: 'password_change' as const,
          user: userJson(user),
          revoked_sessions: revokedSessions,
        },
        200,
      );
    },
  );

  // --- two-factor authentication ------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/me/totp',
      operationId: 'startTotpEnrollment',
      tags: ['Identity'],
      summary: 'Start two-factor enrolment',
      description:
        'Returns a new TOTP secret and its otpauth:// URI for an authenticator app. Nothing changes for login until POST /v1/me/totp/confirm. Calling again replaces a pending secret.',
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      responses: {
        201: json('The secret to enrol', TotpEnrolmentSchema),
        409: json('Already enabled', ErrorSchema),
      },
    }),
    async (c) => {
      const p = sessionCaller(c);
      const { secret, uri } = ok(await identity.startTotp(p.userId));
      c.set(
        'idempotencyStoredBody',
        JSON.stringify({ object: 'totp_enrolment', secret: null, otpauth_uri: null }),
      );
      return c.json({ object: 'totp_enrolment' as const, secret, otpauth_uri: uri }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/me/totp/confirm',
      operationId: 'enableTotp',
      tags: ['Identity'],
      summary: 'Turn two-factor authentication on',
      description:
        'Confirms enrolment with a current code. From now on, login needs a code. Returns recovery codes, shown only here.',
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      request: body(TotpConfirmBody),
      responses: { 200: json('Enabled', TotpStatusSchema), 409: json('Not enrolled', ErrorSchema) },
    }),
    async (c) => {
      const p = sessionCaller(c);
      await throttle(`totp:${p.userId}`);
      const { recoveryCodes } = ok(
        await identity.confirmTotp(p.userId, c.req.valid('json').code, actorOf(c)),
      );
      c.set(
        'idempotencyStoredBody',
        JSON.stringify({ object: 'totp', enabled: true, recovery_codes: null }),
      );
      return c.json({ object: 'totp' as const, enabled: true, recovery_codes: recoveryCodes }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/me/totp/disable',
      operationId: 'disableTotp',
      tags: ['Identity'],
      summary: 'Turn two-factor authentication off',
      description: 'Needs a current code (`code`) or an unused `recovery_code`.',
      access: { roles: ANY_ROLE, scope: 'profile:write' },
      request: body(TotpDisableBody),
      responses: { 200: json('Disabled', TotpStatusSchema), 409: json('Not enabled', ErrorSchema) },
    }),
    async (c) => {
      const p = sessionCaller(c);
      await throttle(`totp:${p.userId}`);
      const input = c.req.valid('json');
      if ((input.code === undefined) === (input.recovery_code === undefined)) {
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_missing',
          'Send exactly one of code and recovery_code',
          'code',
        );
      }
      ok(
        await identity.disableTotp(
          p.userId,
          { code: input.code, recoveryCode: input.recovery_code },
          actorOf(c),
        ),
      );
      return c.json({ object: 'totp' as const, enabled: false, recovery_codes: null }, 200);
    },
  );

  // --- API keys -----------------------------------------------------------------------

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/scopes',
      tags: ['Identity'],
      summary: 'List API key scopes',
      access: { roles: ANY_ROLE, scope: 'keys:read' },
      responses: { 200: json('Every scope a key can hold', ScopeListSchema) },
    }),
    (c) => c.json({ object: 'list' as const, data: deps.scopes.list() }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/api_keys',
      tags: ['Identity'],
      summary: 'Create an API key',
      description:
        'The secret is in this response only; it is stored hashed and can never be shown again. ' +
        'The key acts with your role, narrowed to its scopes. A key made with an API key may only hold scopes that key holds.',
      access: { roles: ANY_ROLE, scope: 'keys:write' },
      request: body(CreateApiKeyBody),
      responses: { 201: json('The new key with its secret', CreatedApiKeySchema) },
    }),
    async (c) => {
      const p = caller(c);
      const input = c.req.valid('json');
      const result = await identity.createApiKey(
        {
          userId: p.userId,
          name: input.name,
          scopes: input.scopes,
          expiresAt: input.expires_at !== undefined ? new Date(input.expires_at) : undefined,
          grantor: p,
        },
        actorOf(c),
      );
      if (result === IdentityError.ScopeUnknown) {
        const unknown = deps.scopes.unknown(input.scopes);
        throw identityApiError(result, {
          message: `Unknown scope: ${unknown.join(', ')}. See GET /v1/scopes`,
        });
      }
      const { apiKey, secret } = ok(result);
      const view = apiKeyJson(apiKey, now());
      c.set('idempotencyStoredBody', JSON.stringify({ ...view, secret: null }));
      return c.json({ ...view, secret }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/api_keys',
      tags: ['Identity'],
      summary: 'List API keys',
      description:
        'Your keys (never their secrets), oldest first. Operators and admins may pass `user_id`.',
      access: { roles: ANY_ROLE, scope: 'keys:read' },
      request: { query: ListApiKeysQuery },
      responses: { 200: json('A page of keys', pageSchema(ApiKeySchema)) },
    }),
    async (c) => {
      const p = caller(c);
      const q = c.req.valid('query');
      const userId = q.user_id ?? p.userId;
      if (userId !== p.userId && p.role !== 'admin' && p.role !== 'operator') {
        throw identityApiError(IdentityError.RoleNotAllowed, {
          message: "Only operators and admins may list another user's keys",
          param: 'user_id',
        });
      }
      const { keys, hasMore } = await identity.listApiKeys({
        userId,
        limit: q.limit,
        startingAfter: checkCursor(q.starting_after, 'key'),
      });
      const t = now();
      return c.json(
        pageOf(keys, hasMore, (k) => apiKeyJson(k, t)),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/api_keys/{id}',
      tags: ['Identity'],
      summary: 'Get an API key',
      access: { roles: ANY_ROLE, scope: 'keys:read' },
      request: { params: IdParam('key_01JD7Q4Z8R3M5N6P7Q8R9S0T1V') },
      responses: { 200: json('The key', ApiKeySchema), 404: json('No such key', ErrorSchema) },
    }),
    async (c) => {
      const p = caller(c);
      const key = await identity.getApiKey(c.req.valid('param').id);
      const visible =
        key && (key.userId === p.userId || p.role === 'admin' || p.role === 'operator');
      if (!visible) throw identityApiError(IdentityError.ApiKeyNotFound);
      return c.json(apiKeyJson(key, now()), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/api_keys/{id}/revoke',
      tags: ['Identity'],
      summary: 'Revoke an API key',
      description:
        'The key stops working at once. Your own keys; admins may revoke any key. Revoking twice is harmless.',
      access: { roles: ANY_ROLE, scope: 'keys:write' },
      request: { params: IdParam('key_01JD7Q4Z8R3M5N6P7Q8R9S0T1V') },
      responses: {
        200: json('The revoked key', ApiKeySchema),
        404: json('No such key', ErrorSchema),
      },
    }),
    async (c) => {
      const key = ok(await identity.revokeApiKey(c.req.valid('param').id, actorOf(c)));
      return c.json(apiKeyJson(key, now()), 200);
    },
  );
}

/** A list page from items already cut to the page size. */
function pageOf<T extends { id: string }, J>(
  items: T[],
  hasMore: boolean,
  map: (item: T) => J,
): Page<J> {
  return {
    object: 'list',
    data: items.map(map),
    has_more: hasMore,
    next_cursor: hasMore ? (items[items.length - 1]?.id ?? null) : null,
  };
}
