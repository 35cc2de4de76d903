import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ApiError, ErrorSchema } from './errors.js';
import type { AppEnv } from './context.js';
import { deriveOperationId } from './operation-id.js';

/** The four roles of the platform. */
export const USER_ROLES = ['user', 'merchant', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Who is calling. Resolved once per request from the `Authorization` header. */
export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      role: UserRole;
      /** How they authenticated. */
      via: 'session' | 'api_key';
      /** The session or API key id (`ses_…` / `key_…`). */
      credentialId: string;
      /** Scopes of an API key; sessions carry `['*']`. */
      scopes: readonly string[];
    };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/**
 * Who may call a route. Every route must say: there is no default, so a route cannot be
 * left open by forgetting.
 */
export type Access =
  | { public: true }
  | {
      roles: readonly UserRole[];
      /** API-key scope needed (sessions have every scope their role allows). */
      scope: string;
    };

export const ANY_ROLE: readonly UserRole[] = USER_ROLES;

export function hasScope(principal: Principal, scope: string): boolean {
  if (principal.kind !== 'user') return false;
  if (principal.scopes.includes('*') || principal.scopes.includes(scope)) return true;
  // `keys:write` implies `keys:read`.
  const [resource, action] = scope.split(':');
  return action === 'read' && principal.scopes.includes(`${resource}:write`);
}

export function requireAccess(access: Access): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if ('public' in access) return next();
    const principal = c.get('principal');
    if (principal.kind !== 'user') {
      throw new ApiError(
        401,
        'authentication_error',
        'authentication_required',
        'This endpoint needs an API key or a session token: send `Authorization: Bearer <token>`',
      );
    }
    if (!access.roles.includes(principal.role)) {
      throw new ApiError(
        403,
        'permission_error',
        'role_not_allowed',
        `Your role (${principal.role}) may not call this endpoint; it needs one of: ${access.roles.join(', ')}`,
      );
    }
    if (!hasScope(principal, access.scope)) {
      throw new ApiError(
        403,
        'permission_error',
        'scope_missing',
        `This API key lacks the scope ${access.scope}`,
      );
    }
    return next();
  };
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/**
 * `createRoute` plus an access rule, enforced by middleware and shown in the OpenAPI
 * document, the error responses every route can give, and an `operationId` derived from
 * the method and path unless the route names itself (see operation-id.ts).
 *
 * @example
 * const getMe = defineRoute({
 *   method: 'get', path: '/v1/me', access: { roles: ANY_ROLE, scope: 'profile:read' },
 *   responses: { 200: { description: 'You', content: { 'application/json': { schema: User } } } },
 * });
 */
export function defineRoute<R extends Omit<RouteConfig, 'middleware' | 'security'>>(
  route: R & { access: Access },
) {
  const { access, ...rest } = route;
  const isPublic = 'public' in access;
  const scopeNote = isPublic
    ? ''
    : `\n\nRoles: ${access.roles.join(', ')}. Scope: \`${access.scope}\`.`;
  return createRoute({
    ...rest,
    operationId: rest.operationId ?? deriveOperationId(rest.method, rest.path),
    description: `${rest.description ?? ''}${scopeNote}`.trim(),
    security: isPublic ? [] : [{ bearerAuth: [] }],
    middleware: [requireAccess(access)] as const,
    responses: {
      ...rest.responses,
      400: errorResponse('Invalid request'),
      ...(isPublic ? {} : { 401: errorResponse('Missing or invalid credentials') }),
      ...(isPublic ? {} : { 403: errorResponse('Not allowed for this role or key') }),
      429: errorResponse('Rate limited'),
    },
  });
}
