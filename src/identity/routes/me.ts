import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ErrorSchema, unwrap } from '../../platform/http/errors.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
} from '../../platform/http/route-helpers.js';
import { isFailure } from '../../platform/failure.js';
import { IdentityError, identityApiError } from '../errors.js';
import { userJson } from '../json.js';
import { ChangedPasswordSchema, ChangePasswordBody, UpdateMeBody, UserSchema } from '../schemas.js';
import { passwordProblem } from '../service.js';
import { actorOf, refuseIdempotencyKey, sessionCaller, type IdentityRouteKit } from './common.js';

/** The caller: profile, handle, password. */
export function registerMeRoutes(app: HttpApp, kit: IdentityRouteKit): void {
  const { identity, throttle } = kit;

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
      const user = unwrap(
        await identity.setHandle(caller(c).userId, c.req.valid('json').handle, actorOf(c)),
        identityApiError,
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
      if (isFailure(result) && result.code === IdentityError.PasswordWeak) {
        const me = await identity.getUser(p.userId);
        throw identityApiError(result.code, {
          message:
            passwordProblem(input.new_password, me?.email ?? '') ?? 'The password is too weak',
          param: 'new_password',
        });
      }
      const { user, revokedSessions } = unwrap(result, identityApiError);
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
}
