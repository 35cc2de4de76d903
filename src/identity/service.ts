import type { AuditEntry, AuditLog } from '../platform/audit/audit.js';
import { hashPassword, needsRehash, verifyPassword } from '../platform/crypto/passwords.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import {
  generateRecoveryCode,
  hashRecoveryCode,
  hashToken,
  issueToken,
  tokenKind,
} from '../platform/crypto/tokens.js';
import {
  base32Encode,
  generateTotpSecret,
  otpauthUri,
  verifyTotp,
} from '../platform/crypto/totp.js';
import {
  SQLSTATE,
  prepared,
  sqlState,
  type Db,
  type Queryable,
  type Statement,
} from '../platform/db/db.js';
import { hasScope, type Principal, type UserRole } from '../platform/http/access.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/observability/logger.js';
import { fail } from '../platform/failure.js';
import { IdentityError, type IdentityFailure } from './errors.js';
import type { Actor, ApiKey, Session, User } from './model.js';
import { createCredentialCache, type UserPrincipal } from '../platform/http/credential-cache.js';
import { WILDCARD_SCOPE, type ScopeRegistry } from './scopes.js';

/**
 * Users, passwords, sessions, API keys, roles and TOTP second factors. Every
 * security-relevant change is written to the audit log in the same transaction.
 */
export interface IdentityService {
  /** Creates a user with role `user`. */
  signUp(input: SignUpInput, actor: Actor): Promise<User | IdentityFailure>;
  /** Creates a user with role `admin` (the CLI's way to make the first admin). */
  createAdmin(input: SignUpInput, actor: Actor): Promise<User | IdentityFailure>;
  /**
   * Checks the password (and the second factor when the account has one) and opens a
   * session. An unknown email and a wrong password are the same error and take the same
   * time.
   */
  logIn(input: LogInInput, actor: Actor): Promise<LogInResult | IdentityFailure>;
  logOut(sessionId: string, actor: Actor): Promise<void>;
  /** The caller behind a bearer token, or `undefined`. One indexed query. */
  authenticate(token: string): Promise<Principal | undefined>;
  /** Stops listening for credential changes (process shutdown). */
  close(): Promise<void>;

  getUser(id: string): Promise<User | undefined>;
  findUserByEmail(email: string): Promise<User | undefined>;
  /** A user by handle (lower case, without the `@`). */
  findUserByHandle(handle: string): Promise<User | undefined>;
  /**
   * A query of one boolean, true while `by` (a handle, lower case without the `@`, or an
   * email) names user `id`: lets another module check a lookup it remembered inside its
   * own statement instead of repeating the lookup first.
   */
  namesUserStatement(id: string, by: { handle: string } | { email: string }): Statement;
  /**
   * The public handles of users, in one query: what other people see of them (a payment
   * request's other side, for instance). Users without a handle map to `null`; unknown
   * ids are left out.
   */
  handlesOf(ids: readonly string[]): Promise<Map<string, string | null>>;
  listUsers(
    query: ListQuery & { role?: UserRole | undefined; email?: string | undefined },
  ): Promise<User[]>;
  /** Admins only (checked again under lock); the last admin cannot be demoted. */
  changeRole(userId: string, role: UserRole, actor: Actor): Promise<User | IdentityFailure>;
  /** Sets or changes the user's public handle (stored lower-case, unique). */
  setHandle(userId: string, handle: string, actor: Actor): Promise<User | IdentityFailure>;
  /** Needs the current password; revokes every other session of the user. */
  changePassword(
    input: { userId: string; currentPassword: string; newPassword: string; keepSessionId?: string },
    actor: Actor,
  ): Promise<{ user: User; revokedSessions: number } | IdentityFailure>;

  listSessions(userId: string): Promise<Session[]>;
  /** Revokes one of the user's own sessions. */
  revokeSession(
    userId: string,
    sessionId: string,
    actor: Actor,
  ): Promise<Session | IdentityFailure>;

  createApiKey(input: CreateApiKeyInput, actor: Actor): Promise<CreatedApiKey | IdentityFailure>;
  getApiKey(id: string): Promise<ApiKey | undefined>;
  /** Keys of one user, or of everyone when `userId` is omitted (operators' tools). */
  listApiKeys(query: ListQuery & { userId?: string | undefined }): Promise<ApiKey[]>;
  /** The owner, an admin or the system may revoke; others get ApiKeyNotFound. */
  revokeApiKey(keyId: string, actor: Actor): Promise<ApiKey | IdentityFailure>;

  /** Starts (or restarts) TOTP enrolment: a new secret to put in an authenticator app. */
  startTotp(userId: string): Promise<{ secret: string; uri: string } | IdentityFailure>;
  /** Turns TOTP on with a first code; returns single-use recovery codes, shown once. */
  confirmTotp(
    userId: string,
    code: string,
    actor: Actor,
  ): Promise<{ recoveryCodes: string[] } | IdentityFailure>;
  /** Turns TOTP off; needs a current code or a recovery code. */
  disableTotp(
    userId: string,
    proof: { code?: string | undefined; recoveryCode?: string | undefined },
    actor: Actor,
  ): Promise<undefined | IdentityFailure>;
}

export interface SignUpInput {
  email: string;
  password: string;
  handle?: string | undefined;
}

export interface LogInInput {
  email: string;
  password: string;
  totpCode?: string | undefined;
  recoveryCode?: string | undefined;
  userAgent?: string | undefined;
}

export interface LogInResult {
  session: Session;
  /** The bearer token (`vws_…`), shown once. */
  token: string;
  user: User;
}

/**
 * A list read in id order after `startingAfter`, at most `limit` rows. Callers that page
 * ask for one more than they show (see `toPage`).
 */
export interface ListQuery {
  limit: number;
  startingAfter?: string | undefined;
}

export interface CreateApiKeyInput {
  userId: string;
  name: string;
  scopes: string[];
  expiresAt?: Date | undefined;
  /**
   * The credential creating the key. A key made with an API key may only hold scopes
   * that key holds, so a narrow key cannot mint a broader one.
   */
  grantor?: Principal | undefined;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The secret (`vwk_…`), shown once. */
  secret: string;
}

export interface IdentityDeps {
  db: Db;
  logger: Logger;
  audit: AuditLog;
  secretBox: SecretBox;
  scopes: ScopeRegistry;
  settings: {
    passwordKdfLog2N: number;
    sessionTtlSeconds: number;
    /** Shown in authenticator apps next to the account. */
    totpIssuer?: string;
  };
  now?: () => number;
}

export const PASSWORD_MIN_CHARS = 12;
export const PASSWORD_MAX_CHARS = 256;
const RECOVERY_CODES = 10;
// Statements every authenticated request or log-in may run: prepared, so PostgreSQL
// plans each once per connection.
const SESSION_BY_TOKEN = prepared(
  `SELECT s.id, s.user_id, u.role, s.last_used_at, s.expires_at
     FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
);
const API_KEY_BY_TOKEN = prepared(
  `SELECT k.id, k.user_id, u.role, k.scopes, k.last_used_at, k.expires_at
     FROM api_keys k JOIN users u ON u.id = k.user_id
    WHERE k.token_hash = $1 AND k.revoked_at IS NULL
      AND (k.expires_at IS NULL OR k.expires_at > now())`,
);
const touchStatement = (table: 'sessions' | 'api_keys') =>
  prepared(
    `UPDATE ${table} SET last_used_at = now()
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
  );
const TOUCH = { sessions: touchStatement('sessions'), api_keys: touchStatement('api_keys') };
/** Names the other people of a history page. */
const HANDLES_OF = prepared('SELECT id, handle FROM users WHERE id = ANY($1::text[])');
const LOGIN_BY_EMAIL = prepared(
  `SELECT u.id, u.password_hash,
          EXISTS (SELECT 1 FROM totp_factors t
                   WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS totp_enabled
     FROM users u WHERE u.email = $1`,
);

/** last_used_at is written at most this often per credential, keeping requests read-only. */
const TOUCH_INTERVAL_MS = 60_000;

/** What is wrong with a new password, or `undefined` when it is acceptable. */
export function passwordProblem(password: string, email: string): string | undefined {
  // Code points, as people count characters (NIST SP 800-63B), not UTF-16 units.
  const length = Array.from(password).length;
  if (length < PASSWORD_MIN_CHARS) {
    return `The password must be at least ${PASSWORD_MIN_CHARS} characters`;
  }
  if (length > PASSWORD_MAX_CHARS) {
    return `The password must be at most ${PASSWORD_MAX_CHARS} characters`;
  }
  if (password.trim().toLowerCase() === normaliseEmail(email)) {
    return 'The password must not be your email address';
  }
  return undefined;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

interface UserRow {
  id: string;
  email: string;
  handle: string | null;
  role: UserRole;
  totp_enabled: boolean;
  created_at: Date;
}

const USER_SELECT = `SELECT u.id, u.email, u.handle, u.role, u.created_at,
  EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS totp_enabled
  FROM users u`;
const USER_BY_ID = prepared(`${USER_SELECT} WHERE u.id = $1`);
const USER_BY_EMAIL = prepared(`${USER_SELECT} WHERE u.email = $1`);
const USER_BY_HANDLE = prepared(`${USER_SELECT} WHERE u.handle = $1`);

function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    handle: r.handle,
    role: r.role,
    totpEnabled: r.totp_enabled,
    createdAt: r.created_at,
  };
}

interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
}

const SESSION_COLUMNS =
  'id, user_id, created_at, expires_at, last_used_at, revoked_at, ip, user_agent';

function toSession(r: SessionRow): Session {
  return {
    id: r.id,
    userId: r.user_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    ip: r.ip,
    userAgent: r.user_agent,
  };
}

interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  last4: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const KEY_COLUMNS =
  'id, user_id, name, last4, scopes, created_at, expires_at, last_used_at, revoked_at';

function toApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    last4: r.last4,
    scopes: r.scopes,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/** The audit fields that say who acted, from an Actor. */
function origin(
  actor: Actor,
): Pick<AuditEntry, 'actorType' | 'actorId' | 'credentialId' | 'ip' | 'requestId'> {
  return {
    actorType: actor.type,
    actorId: actor.id,
    credentialId: actor.credentialId,
    ip: actor.ip,
    requestId: actor.requestId,
  };
}

export function createIdentityService(deps: IdentityDeps): IdentityService {
  const { db, audit, secretBox, scopes, settings } = deps;
  const now = deps.now ?? Date.now;
  const kdf = { log2N: settings.passwordKdfLog2N };
  const issuer = settings.totpIssuer ?? 'Vaultwire';

  // Verified against when the email is unknown, so that case costs one scrypt too. Made
  // up front so that even the first unknown email takes no longer than a known one.
  const dummyHash = hashPassword('vaultwire:no-such-user', kdf);
  dummyHash.catch((err: unknown) => {
    deps.logger.error({ err }, 'could not prepare the login timing guard');
  });

  /** An audit event that must survive the caller's failure (e.g. a refused login). */
  const recordDetached = (entry: AuditEntry) => db.detached(() => audit.record(entry));

  const totpContext = (userId: string) => `totp:${userId}`;

  async function getUser(id: string): Promise<User | undefined> {
    const { rows } = await db.query<UserRow>(USER_BY_ID, [id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async function mustGetUser(id: string): Promise<User> {
    const user = await getUser(id);
    if (!user) throw new Error(`user ${id} vanished inside its own transaction`);
    return user;
  }

  async function createUser(
    input: SignUpInput,
    role: UserRole,
    action: string,
    actor: Actor,
  ): Promise<User | IdentityFailure> {
    const email = normaliseEmail(input.email);
    if (passwordProblem(input.password, email)) return fail(IdentityError.PasswordWeak);
    const handle = input.handle?.toLowerCase();
    const passwordHash = await hashPassword(input.password, kdf);
    const id = newId('usr');
    return db.transaction(async (tx) => {
      // Both unique indexes (email, handle) are arbiters: no exception, no aborted tx.
      const inserted = await tx.query(
        `INSERT INTO users (id, email, handle, role, password_hash)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [id, email, handle ?? null, role, passwordHash],
      );
      if (inserted.rowCount === 0) {
        const taken = await tx.query('SELECT 1 FROM users WHERE email = $1', [email]);
        return fail(taken.rowCount > 0 ? IdentityError.EmailTaken : IdentityError.HandleTaken);
      }
      await audit.record({
        action,
        ...origin(actor),
        // A sign-up is its own actor.
        ...(actor.type === 'anonymous' ? { actorType: 'user' as const, actorId: id } : {}),
        targetType: 'user',
        targetId: id,
        data: { email, role, ...(handle ? { handle } : {}) },
      });
      return mustGetUser(id);
    });
  }

  async function openSession(
    userId: string,
    actor: Actor,
    userAgent: string | undefined,
  ): Promise<{ session: Session; token: string }> {
    const issued = issueToken('vws');
    const id = newId('ses');
    const expiresAt = new Date(now() + settings.sessionTtlSeconds * 1000);
    const { rows } = await db.query<SessionRow>(
      `INSERT INTO sessions (id, user_id, token_hash, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${SESSION_COLUMNS}`,
      [id, userId, issued.hash, expiresAt, actor.ip ?? null, userAgent?.slice(0, 512) ?? null],
    );
    const row = rows[0];
    if (!row) throw new Error('session insert returned no row');
    return { session: toSession(row), token: issued.token };
  }

  /**
   * Accepts a TOTP code once: the step it matched is stored, and only a later step is
   * accepted next time. Returns false for a wrong, stale or replayed code.
   */
  async function useTotpCode(userId: string, code: string): Promise<boolean> {
    const { rows } = await db.query<{ secret_sealed: string; last_used_step: bigint | null }>(
      'SELECT secret_sealed, last_used_step FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL',
      [userId],
    );
    const factor = rows[0];
    if (!factor) return false;
    const secret = await secretBox.decrypt(factor.secret_sealed, totpContext(userId));
    const step = verifyTotp(secret, code, now(), {
      ...(factor.last_used_step !== null ? { afterStep: Number(factor.last_used_step) } : {}),
    });
    secret.fill(0);
    if (step === undefined) return false;
    // Two requests with the same code race here; the row's condition lets one through.
    const claimed = await db.query(
      `UPDATE totp_factors SET last_used_step = $2
        WHERE user_id = $1 AND confirmed_at IS NOT NULL
          AND (last_used_step IS NULL OR last_used_step < $2)`,
      [userId, step],
    );
    return claimed.rowCount === 1;
  }

  async function useRecoveryCode(userId: string, code: string): Promise<boolean> {
    const used = await db.query(
      `UPDATE totp_recovery_codes SET used_at = now()
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
      [userId, hashRecoveryCode(code)],
    );
    return used.rowCount === 1;
  }

  async function recoveryCodesLeft(userId: string): Promise<number> {
    const { rows } = await db.query<{ n: bigint }>(
      'SELECT count(*) AS n FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    );
    return Number(rows[0]?.n ?? 0n);
  }

  async function touch(table: 'sessions' | 'api_keys', id: string): Promise<void> {
    try {
      await db.detached(() => db.query(TOUCH[table], [id]));
    } catch (err) {
      // Bookkeeping only: a failed write must not fail the request it rides on.
      deps.logger.warn({ err, id }, 'could not record credential use');
    }
  }

  // Tokens recently verified, so an authenticated request costs no lookup. Trusted only
  // while this process hears every credential change (see credential-cache.ts).
  const credentials = createCredentialCache({ db, logger: deps.logger });
  /** Tells every process that this user's sessions, keys or role changed (on commit). */
  const credentialsChanged = (tx: Queryable, userId: string) => credentials.changed(tx, userId);

  const service: IdentityService = {
    signUp(input, actor) {
      return createUser(input, 'user', 'user.signed_up', actor);
    },

    createAdmin(input, actor) {
      return createUser(input, 'admin', 'admin.created', actor);
    },

    async logIn(input, actor) {
      const email = normaliseEmail(input.email);
      const { rows } = await db.query<{
        id: string;
        password_hash: string;
        totp_enabled: boolean;
      }>(LOGIN_BY_EMAIL, [email]);
      const found = rows[0];
      const recordFailure = async (reason: string, userId?: string) => {
        await recordDetached({
          action: 'auth.login_failed',
          ...origin(actor),
          ...(userId ? { targetType: 'user', targetId: userId } : {}),
          data: { email, reason },
        });
      };
      if (!found) {
        await verifyPassword(input.password, await dummyHash);
        await recordFailure('unknown_email');
        return fail(IdentityError.InvalidLogin);
      }
      if (!(await verifyPassword(input.password, found.password_hash))) {
        await recordFailure('wrong_password', found.id);
        return fail(IdentityError.InvalidLogin);
      }

      let method = 'password';
      if (found.totp_enabled) {
        if (input.totpCode !== undefined) {
          if (!(await useTotpCode(found.id, input.totpCode))) {
            await recordFailure('totp_invalid', found.id);
            return fail(IdentityError.TotpInvalid);
          }
          method = 'password+totp';
        } else if (input.recoveryCode !== undefined) {
          if (!(await useRecoveryCode(found.id, input.recoveryCode))) {
            await recordFailure('recovery_code_invalid', found.id);
            return fail(IdentityError.TotpInvalid);
          }
          method = 'password+recovery_code';
        } else {
          return fail(IdentityError.TotpRequired);
        }
      }

      // The configured cost went up since this hash was made: upgrade it now that we
      // hold the plaintext.
      const rehashed = needsRehash(found.password_hash, kdf)
        ? await hashPassword(input.password, kdf)
        : undefined;

      return db.transaction(async (tx) => {
        if (rehashed) {
          await tx.query(
            'UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2',
            [found.id, found.password_hash, rehashed],
          );
        }
        const { session, token } = await openSession(found.id, actor, input.userAgent);
        const data: Record<string, string | number> = { method };
        if (method === 'password+recovery_code') {
          data['recovery_codes_left'] = await recoveryCodesLeft(found.id);
        }
        await audit.record({
          action: 'auth.login_succeeded',
          ...origin(actor),
          actorType: 'user',
          actorId: found.id,
          credentialId: session.id,
          targetType: 'session',
          targetId: session.id,
          data,
        });
        return { session, token, user: await mustGetUser(found.id) };
      });
    },

    async logOut(sessionId, actor) {
      await db.transaction(async (tx) => {
        const revoked = await tx.query<{ user_id: string }>(
          'UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING user_id',
          [sessionId],
        );
        const owner = revoked.rows[0]?.user_id;
        if (owner === undefined) return;
        await credentialsChanged(tx, owner);
        await audit.record({
          action: 'auth.logged_out',
          ...origin(actor),
          targetType: 'session',
          targetId: sessionId,
        });
      });
    },

    async authenticate(token) {
      const kind = tokenKind(token);
      if (!kind) return undefined;
      const hash = hashToken(token);
      const cached = credentials.get(hash);
      if (cached) {
        if (now() - cached.lastUsedAt >= TOUCH_INTERVAL_MS) {
          cached.lastUsedAt = now();
          await touch(kind === 'vws' ? 'sessions' : 'api_keys', cached.principal.credentialId);
        }
        return cached.principal;
      }
      // Read before the lookup: a change heard after this point drops what we store.
      const version = credentials.version();
      if (kind === 'vws') {
        const { rows } = await db.query<{
          id: string;
          user_id: string;
          role: UserRole;
          last_used_at: Date | null;
          expires_at: Date;
        }>(SESSION_BY_TOKEN, [hash]);
        const s = rows[0];
        if (!s) return undefined;
        let lastUsedAt = s.last_used_at?.getTime() ?? 0;
        if (now() - lastUsedAt >= TOUCH_INTERVAL_MS) {
          await touch('sessions', s.id);
          lastUsedAt = now();
        }
        const principal: UserPrincipal = {
          kind: 'user',
          userId: s.user_id,
          role: s.role,
          via: 'session',
          credentialId: s.id,
          scopes: [WILDCARD_SCOPE],
        };
        credentials.put(hash, version, {
          principal,
          expiresAt: s.expires_at.getTime(),
          lastUsedAt,
        });
        return principal;
      }
      const { rows } = await db.query<{
        id: string;
        user_id: string;
        role: UserRole;
        scopes: string[];
        last_used_at: Date | null;
        expires_at: Date | null;
      }>(API_KEY_BY_TOKEN, [hash]);
      const k = rows[0];
      if (!k) return undefined;
      let lastUsedAt = k.last_used_at?.getTime() ?? 0;
      if (now() - lastUsedAt >= TOUCH_INTERVAL_MS) {
        await touch('api_keys', k.id);
        lastUsedAt = now();
      }
      const principal: UserPrincipal = {
        kind: 'user',
        userId: k.user_id,
        role: k.role,
        via: 'api_key',
        credentialId: k.id,
        scopes: k.scopes,
      };
      credentials.put(hash, version, {
        principal,
        expiresAt: k.expires_at?.getTime() ?? Number.POSITIVE_INFINITY,
        lastUsedAt,
      });
      return principal;
    },

    close: () => credentials.close(),

    getUser,

    async findUserByEmail(email) {
      const { rows } = await db.query<UserRow>(USER_BY_EMAIL, [normaliseEmail(email)]);
      return rows[0] ? toUser(rows[0]) : undefined;
    },

    async findUserByHandle(handle) {
      const { rows } = await db.query<UserRow>(USER_BY_HANDLE, [handle]);
      return rows[0] ? toUser(rows[0]) : undefined;
    },

    namesUserStatement(id, by) {
      return 'handle' in by
        ? {
            sql: 'SELECT EXISTS (SELECT 1 FROM users WHERE handle = $1 AND id = $2)',
            params: [by.handle, id],
          }
        : {
            sql: 'SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND id = $2)',
            params: [normaliseEmail(by.email), id],
          };
    },

    async handlesOf(ids) {
      if (ids.length === 0) return new Map();
      const { rows } = await db.query<{ id: string; handle: string | null }>(HANDLES_OF, [
        [...new Set(ids)],
      ]);
      return new Map(rows.map((r) => [r.id, r.handle]));
    },

    async listUsers(q) {
      const { rows } = await db.query<UserRow>(
        `${USER_SELECT}
          WHERE ($1::text IS NULL OR u.id > $1)
            AND ($2::text IS NULL OR u.role = $2)
            AND ($3::text IS NULL OR u.email = $3)
          ORDER BY u.id LIMIT $4`,
        [
          q.startingAfter ?? null,
          q.role ?? null,
          q.email !== undefined ? normaliseEmail(q.email) : null,
          q.limit,
        ],
      );
      return rows.map(toUser);
    },

    changeRole(userId, role, actor) {
      return db.transaction(async (tx) => {
        // Lock every admin row in one order: two admins demoting each other at once
        // serialise here, and the second sees it is no longer an admin.
        const { rows: admins } = await tx.query<{ id: string }>(
          "SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE",
        );
        if (actor.type !== 'system' && !admins.some((a) => a.id === actor.id)) {
          return fail(IdentityError.RoleNotAllowed);
        }
        const { rows } = await tx.query<{ role: UserRole }>(
          'SELECT role FROM users WHERE id = $1 FOR UPDATE',
          [userId],
        );
        const target = rows[0];
        if (!target) return fail(IdentityError.UserNotFound);
        if (target.role === role) return mustGetUser(userId);
        if (target.role === 'admin' && admins.length <= 1) return fail(IdentityError.LastAdmin);
        await credentialsChanged(tx, userId);
        await tx.query('UPDATE users SET role = $2, updated_at = now() WHERE id = $1', [
          userId,
          role,
        ]);
        await audit.record({
          action: 'user.role_changed',
          ...origin(actor),
          targetType: 'user',
          targetId: userId,
          data: { from: target.role, to: role },
        });
        return mustGetUser(userId);
      });
    },

    async setHandle(userId, handle, actor) {
      const wanted = handle.toLowerCase();
      try {
        return await db.transaction(async (tx) => {
          const before = await tx.query<{ handle: string | null }>(
            'SELECT handle FROM users WHERE id = $1 FOR UPDATE',
            [userId],
          );
          const previous = before.rows[0];
          if (!previous) return fail(IdentityError.UserNotFound);
          if (previous.handle === wanted) return mustGetUser(userId);
          const taken = await tx.query('SELECT 1 FROM users WHERE handle = $1', [wanted]);
          if (taken.rowCount > 0) return fail(IdentityError.HandleTaken);
          await tx.query('UPDATE users SET handle = $2, updated_at = now() WHERE id = $1', [
            userId,
            wanted,
          ]);
          await audit.record({
            action: 'user.handle_changed',
            ...origin(actor),
            targetType: 'user',
            targetId: userId,
            data: { from: previous.handle, to: wanted },
          });
          return mustGetUser(userId);
        });
      } catch (err) {
        // Two users claiming one free handle at once: the unique index lets one through
        // and the other's statement fails; that is the same answer as finding it taken.
        if (sqlState(err) === SQLSTATE.uniqueViolation) return fail(IdentityError.HandleTaken);
        throw err;
      }
    },

    async changePassword(input, actor) {
      const { rows } = await db.query<{ email: string; password_hash: string }>(
        'SELECT email, password_hash FROM users WHERE id = $1',
        [input.userId],
      );
      const user = rows[0];
      if (!user) return fail(IdentityError.UserNotFound);
      if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
        await recordDetached({
          action: 'user.password_change_failed',
          ...origin(actor),
          targetType: 'user',
          targetId: input.userId,
          data: { reason: 'current_password_incorrect' },
        });
        return fail(IdentityError.CurrentPasswordIncorrect);
      }
      if (passwordProblem(input.newPassword, user.email)) return fail(IdentityError.PasswordWeak);
      const newHash = await hashPassword(input.newPassword, kdf);
      return db.transaction(async (tx) => {
        const changed = await tx.query(
          `UPDATE users SET password_hash = $3, password_changed_at = now(), updated_at = now()
            WHERE id = $1 AND password_hash = $2`,
          [input.userId, user.password_hash, newHash],
        );
        // Someone changed it between our check and now: make them check again.
        if (changed.rowCount === 0) return fail(IdentityError.CurrentPasswordIncorrect);
        await credentialsChanged(tx, input.userId);
        const revoked = await tx.query(
          `UPDATE sessions SET revoked_at = now()
            WHERE user_id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR id <> $2)`,
          [input.userId, input.keepSessionId ?? null],
        );
        await audit.record({
          action: 'user.password_changed',
          ...origin(actor),
          targetType: 'user',
          targetId: input.userId,
          data: { revoked_sessions: revoked.rowCount },
        });
        return { user: await mustGetUser(input.userId), revokedSessions: revoked.rowCount };
      });
    },

    async listSessions(userId) {
      const { rows } = await db.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions
          WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
          ORDER BY id DESC LIMIT 100`,
        [userId],
      );
      return rows.map(toSession);
    },

    revokeSession(userId, sessionId, actor) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<SessionRow>(
          `UPDATE sessions SET revoked_at = coalesce(revoked_at, now())
            WHERE id = $1 AND user_id = $2 RETURNING ${SESSION_COLUMNS}`,
          [sessionId, userId],
        );
        const row = rows[0];
        if (!row) return fail(IdentityError.SessionNotFound);
        await credentialsChanged(tx, userId);
        await audit.record({
          action: 'auth.session_revoked',
          ...origin(actor),
          targetType: 'session',
          targetId: sessionId,
        });
        return toSession(row);
      });
    },

    async createApiKey(input, actor) {
      const wanted = [...new Set(input.scopes)];
      if (wanted.length === 0 || scopes.unknown(wanted).length > 0) {
        return fail(IdentityError.ScopeUnknown);
      }
      const grantor = input.grantor;
      if (grantor?.kind === 'user' && grantor.via === 'api_key') {
        const grantable = wanted.every((s) =>
          s === WILDCARD_SCOPE ? grantor.scopes.includes(WILDCARD_SCOPE) : hasScope(grantor, s),
        );
        if (!grantable) return fail(IdentityError.ScopeNotGrantable);
      }
      if (input.expiresAt && input.expiresAt.getTime() <= now()) {
        return fail(IdentityError.ExpiryInPast);
      }
      const issued = issueToken('vwk');
      const id = newId('key');
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<ApiKeyRow>(
          `INSERT INTO api_keys (id, user_id, name, token_hash, last4, scopes, expires_at)
           SELECT $1, u.id, $3, $4, $5, $6, $7 FROM users u WHERE u.id = $2
           RETURNING ${KEY_COLUMNS}`,
          [
            id,
            input.userId,
            input.name,
            issued.hash,
            issued.last4,
            wanted,
            input.expiresAt ?? null,
          ],
        );
        const row = rows[0];
        if (!row) return fail(IdentityError.UserNotFound);
        await audit.record({
          action: 'api_key.created',
          ...origin(actor),
          targetType: 'api_key',
          targetId: id,
          data: {
            owner: input.userId,
            name: input.name,
            scopes: wanted,
            expires_at: input.expiresAt?.toISOString() ?? null,
          },
        });
        return { apiKey: toApiKey(row), secret: issued.token };
      });
    },

    async getApiKey(id) {
      const { rows } = await db.query<ApiKeyRow>(
        `SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`,
        [id],
      );
      return rows[0] ? toApiKey(rows[0]) : undefined;
    },

    async listApiKeys(q) {
      const { rows } = await db.query<ApiKeyRow>(
        `SELECT ${KEY_COLUMNS} FROM api_keys
          WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR id > $2)
          ORDER BY id LIMIT $3`,
        [q.userId ?? null, q.startingAfter ?? null, q.limit],
      );
      return rows.map(toApiKey);
    },

    revokeApiKey(keyId, actor) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<ApiKeyRow>(
          `SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1 FOR UPDATE`,
          [keyId],
        );
        const key = rows[0];
        const mayRevoke =
          actor.type === 'system' || actor.role === 'admin' || key?.user_id === actor.id;
        // Someone else's key is reported as missing: its existence is not theirs to learn.
        if (!key || !mayRevoke) return fail(IdentityError.ApiKeyNotFound);
        if (key.revoked_at) return toApiKey(key);
        const { rows: updated } = await tx.query<ApiKeyRow>(
          `UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1
           RETURNING ${KEY_COLUMNS}`,
          [keyId, actor.id ?? actor.type],
        );
        const row = updated[0];
        if (!row) throw new Error(`api key ${keyId} vanished under its row lock`);
        await credentialsChanged(tx, key.user_id);
        await audit.record({
          action: 'api_key.revoked',
          ...origin(actor),
          targetType: 'api_key',
          targetId: keyId,
          data: { owner: key.user_id, name: key.name },
        });
        return toApiKey(row);
      });
    },

    async startTotp(userId) {
      const user = await getUser(userId);
      if (!user) return fail(IdentityError.UserNotFound);
      const secret = generateTotpSecret();
      const sealed = await secretBox.encrypt(secret, totpContext(userId));
      // Replaces a pending enrolment; an active factor stays untouched (0 rows).
      const stored = await db.query(
        `INSERT INTO totp_factors (user_id, secret_sealed) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE
           SET secret_sealed = EXCLUDED.secret_sealed, created_at = now(), last_used_step = NULL
           WHERE totp_factors.confirmed_at IS NULL`,
        [userId, sealed],
      );
      if (stored.rowCount === 0) return fail(IdentityError.TotpAlreadyEnabled);
      const result = {
        secret: base32Encode(secret),
        uri: otpauthUri({ issuer, account: user.email, secret }),
      };
      secret.fill(0);
      return result;
    },

    async confirmTotp(userId, code, actor) {
      const { rows } = await db.query<{ secret_sealed: string; confirmed_at: Date | null }>(
        'SELECT secret_sealed, confirmed_at FROM totp_factors WHERE user_id = $1',
        [userId],
      );
      const factor = rows[0];
      if (!factor) return fail(IdentityError.TotpNotEnrolled);
      if (factor.confirmed_at) return fail(IdentityError.TotpAlreadyEnabled);
      const secret = await secretBox.decrypt(factor.secret_sealed, totpContext(userId));
      const step = verifyTotp(secret, code, now());
      secret.fill(0);
      if (step === undefined) return fail(IdentityError.TotpInvalid);
      const codes = Array.from({ length: RECOVERY_CODES }, generateRecoveryCode);
      return db.transaction(async (tx) => {
        // Only the secret we checked the code against: a concurrent re-enrolment wins.
        const confirmed = await tx.query(
          `UPDATE totp_factors SET confirmed_at = now(), last_used_step = $3
            WHERE user_id = $1 AND secret_sealed = $2 AND confirmed_at IS NULL`,
          [userId, factor.secret_sealed, step],
        );
        if (confirmed.rowCount === 0) return fail(IdentityError.TotpNotEnrolled);
        await tx.query('DELETE FROM totp_recovery_codes WHERE user_id = $1', [userId]);
        await tx.query(
          `INSERT INTO totp_recovery_codes (user_id, code_hash)
           SELECT $1, h FROM unnest($2::text[]) AS h`,
          [userId, codes.map(hashRecoveryCode)],
        );
        await audit.record({
          action: 'totp.enabled',
          ...origin(actor),
          targetType: 'user',
          targetId: userId,
          data: { recovery_codes: RECOVERY_CODES },
        });
        return { recoveryCodes: codes };
      });
    },

    async disableTotp(userId, proof, actor) {
      const enabled = await db.query(
        'SELECT 1 FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL',
        [userId],
      );
      if (enabled.rowCount === 0) return fail(IdentityError.TotpNotEnabled);
      let method: string;
      if (proof.code !== undefined) {
        if (!(await useTotpCode(userId, proof.code))) return fail(IdentityError.TotpInvalid);
        method = 'totp';
      } else if (proof.recoveryCode !== undefined) {
        if (!(await useRecoveryCode(userId, proof.recoveryCode)))
          return fail(IdentityError.TotpInvalid);
        method = 'recovery_code';
      } else {
        return fail(IdentityError.TotpRequired);
      }
      return db.transaction(async (tx) => {
        await tx.query('DELETE FROM totp_factors WHERE user_id = $1', [userId]);
        await tx.query('DELETE FROM totp_recovery_codes WHERE user_id = $1', [userId]);
        await audit.record({
          action: 'totp.disabled',
          ...origin(actor),
          targetType: 'user',
          targetId: userId,
          data: { method },
        });
        return undefined;
      });
    },
  };
  return service;
}
