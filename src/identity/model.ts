import type { UserRole } from '../platform/http/access.js';

/** A person or organisation that signs in. */
export interface User {
  id: string;
  email: string;
  handle: string | null;
  role: UserRole;
  totpEnabled: boolean;
  createdAt: Date;
}

/** A login session. Its token is never stored, only its hash. */
export interface Session {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
}

/** An API key as listed: everything but the secret, which is shown once at creation. */
export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  /** Last four characters of the secret, to recognise it. */
  last4: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export type ApiKeyStatus = 'active' | 'revoked' | 'expired';

export function apiKeyStatus(key: ApiKey, nowMs: number): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= nowMs) return 'expired';
  return 'active';
}

/** Who performs an identity operation, for checks and for the audit log. */
export interface Actor {
  type: 'user' | 'system' | 'anonymous';
  /** `usr_…` for users; a name such as `cli` for the system. */
  id?: string | undefined;
  /** The role of a user actor, as authenticated. */
  role?: UserRole | undefined;
  credentialId?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
}
