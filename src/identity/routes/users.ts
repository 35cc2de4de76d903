import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ErrorSchema, unwrap } from '../../platform/http/errors.js';
import { checkCursor, pageSchema, toPage } from '../../platform/http/pagination.js';
import { jsonResponse as json, jsonBody as body } from '../../platform/http/route-helpers.js';
import { isFailure } from '../../platform/failure.js';
import { IdentityError, identityApiError } from '../errors.js';
import { userJson } from '../json.js';
import { ChangeRoleBody, IdParam, ListUsersQuery, SignUpBody, UserSchema } from '../schemas.js';
import { passwordProblem } from '../service.js';
import { actorOf, refuseIdempotencyKey, type IdentityRouteKit } from './common.js';

/** Users: sign-up, listing, roles. */
export function registerUserRoutes(app: HttpApp, kit: IdentityRouteKit): void {
  const { identity } = kit;

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
      if (isFailure(result) && result.code === IdentityError.PasswordWeak) {
        throw identityApiError(result.code, {
          message: passwordProblem(input.password, input.email) ?? 'The password is too weak',
          param: 'password',
        });
      }
      return c.json(userJson(unwrap(result, identityApiError)), 201);
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
      const users = await identity.listUsers({
        limit: q.limit + 1,
        startingAfter: checkCursor(q.starting_after, 'usr'),
        role: q.role,
        email: q.email,
      });
      return c.json(toPage(users, q.limit, userJson), 200);
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
      const user = unwrap(await identity.changeRole(id, role, actorOf(c)), identityApiError);
      return c.json(userJson(user), 200);
    },
  );
}
