import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { ErrorSchema, unwrap } from '../../platform/http/errors.js';
import { checkCursor, pageSchema, toPage } from '../../platform/http/pagination.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
} from '../../platform/http/route-helpers.js';
import { isFailure } from '../../platform/failure.js';
import { IdentityError, identityApiError } from '../errors.js';
import { apiKeyJson } from '../json.js';
import {
  ApiKeySchema,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  IdParam,
  ListApiKeysQuery,
  ScopeListSchema,
} from '../schemas.js';
import { actorOf, type IdentityRouteKit } from './common.js';

/** API keys and the scopes they can hold. */
export function registerApiKeyRoutes(app: HttpApp, kit: IdentityRouteKit): void {
  const { identity, deps, now } = kit;

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
      if (isFailure(result) && result.code === IdentityError.ScopeUnknown) {
        const unknown = deps.scopes.unknown(input.scopes);
        throw identityApiError(result.code, {
          message: `Unknown scope: ${unknown.join(', ')}. See GET /v1/scopes`,
        });
      }
      const { apiKey, secret } = unwrap(result, identityApiError);
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
      const keys = await identity.listApiKeys({
        userId,
        limit: q.limit + 1,
        startingAfter: checkCursor(q.starting_after, 'key'),
      });
      const t = now();
      return c.json(
        toPage(keys, q.limit, (k) => apiKeyJson(k, t)),
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
      const key = unwrap(
        await identity.revokeApiKey(c.req.valid('param').id, actorOf(c)),
        identityApiError,
      );
      return c.json(apiKeyJson(key, now()), 200);
    },
  );
}
