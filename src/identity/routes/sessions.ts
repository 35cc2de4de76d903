import { z } from '@hono/zod-openapi';
import { Counter } from 'prom-client';
import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ErrorSchema, unwrap } from '../../platform/http/errors.js';
import { jsonResponse as json, jsonBody as body } from '../../platform/http/route-helpers.js';
import { isFailure } from '../../platform/failure.js';
import { identityApiError } from '../errors.js';
import { sessionJson, userJson } from '../json.js';
import { CreatedSessionSchema, IdParam, LogInBody, SessionSchema } from '../schemas.js';
import { actorOf, refuseIdempotencyKey, sessionCaller, type IdentityRouteKit } from './common.js';

/** Sessions: log in, list, log out, revoke. */
export function registerSessionRoutes(app: HttpApp, kit: IdentityRouteKit): void {
  const { identity, deps, throttle } = kit;

  // Login outcomes, for alerting on credential stuffing or a 2FA brute force.
  const logins = new Counter({
    name: 'vaultwire_auth_logins_total',
    help: 'Login attempts by outcome (succeeded, invalid_login, totp_required, totp_invalid, rate_limited)',
    labelNames: ['outcome'] as const,
    registers: [deps.metrics.registry],
  });

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
      logins.inc({ outcome: isFailure(outcome) ? outcome.code : 'succeeded' });
      const result = unwrap(outcome, identityApiError);
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
      const session = unwrap(
        await identity.revokeSession(p.userId, c.req.valid('param').id, actorOf(c)),
        identityApiError,
      );
      return c.json(sessionJson(session, p.credentialId), 200);
    },
  );
}
