import type { z } from '@hono/zod-openapi';
import { apiKeyStatus, type ApiKey, type Session, type User } from './model.js';
import type { ApiKeySchema, SessionSchema, UserSchema } from './schemas.js';

/** The wire form of identity objects (never a secret or a hash). */

export function userJson(u: User): z.infer<typeof UserSchema> {
  return {
    id: u.id,
    object: 'user',
    email: u.email,
    handle: u.handle,
    role: u.role,
    totp_enabled: u.totpEnabled,
    created_at: u.createdAt.toISOString(),
  };
}

export function sessionJson(s: Session, currentId?: string): z.infer<typeof SessionSchema> {
  return {
    id: s.id,
    object: 'session',
    created_at: s.createdAt.toISOString(),
    expires_at: s.expiresAt.toISOString(),
    last_used_at: s.lastUsedAt?.toISOString() ?? null,
    ip: s.ip,
    user_agent: s.userAgent,
    current: s.id === currentId,
  };
}

export function apiKeyJson(k: ApiKey, nowMs: number): z.infer<typeof ApiKeySchema> {
  return {
    id: k.id,
    object: 'api_key',
    user_id: k.userId,
    name: k.name,
    redacted_key: `vwk_…${k.last4}`,
    scopes: k.scopes,
    status: apiKeyStatus(k, nowMs),
    created_at: k.createdAt.toISOString(),
    expires_at: k.expiresAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}
