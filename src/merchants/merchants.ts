import { createHash, randomBytes } from 'node:crypto';
import type { LedgerService } from '../ledger/service.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Db } from '../platform/db/db.js';
import { fail, rollback } from '../platform/failure.js';
import type { Principal } from '../platform/http/access.js';
import { createCredentialCache, type UserPrincipal } from '../platform/http/credential-cache.js';
import type { Logger } from '../platform/observability/logger.js';
import { newId } from '../platform/ids.js';
import { MerchantError, type MerchantFailure } from './errors.js';
import {
  MERCHANT_KEY_SCOPES,
  type Actor,
  type FeeSettings,
  type Member,
  type MemberRole,
  type Merchant,
  type MerchantAccount,
  type MerchantApiKey,
  type Mode,
} from './model.js';

/**
 * Merchants as tenants: the merchant, its members and their roles, its API keys (one
 * mode each), its balances and the platform's fees on it.
 *
 * Every read takes the caller (a member's user id, or a merchant account) and answers
 * `merchant_not_found` (404) for anything outside it, so another tenant's ids reveal
 * nothing.
 */
export interface MerchantDirectory {
  /** The caller becomes its owner, so they need a confirmed TOTP factor. */
  create(actor: Actor, input: { name: string }): Promise<Merchant | MerchantFailure>;
  /** The merchant, if `userId` is a member (with their role). */
  getForMember(
    userId: string,
    merchantId: string,
  ): Promise<{ merchant: Merchant; role: MemberRole } | MerchantFailure>;
  listForMember(userId: string): Promise<{ merchant: Merchant; role: MemberRole }[]>;
  rename(actor: Actor, merchantId: string, name: string): Promise<Merchant | MerchantFailure>;
  /** Platform staff only (the route checks): the fees this merchant pays. */
  setFees(actor: Actor, merchantId: string, fees: FeeSettings): Promise<Merchant | MerchantFailure>;
  get(merchantId: string): Promise<Merchant | undefined>;

  listMembers(actor: Actor, merchantId: string): Promise<Member[] | MerchantFailure>;
  addMember(
    actor: Actor,
    merchantId: string,
    input: { userId: string | undefined; role: MemberRole },
  ): Promise<Member | MerchantFailure>;
  removeMember(actor: Actor, merchantId: string, userId: string): Promise<true | MerchantFailure>;

  listKeys(actor: Actor, merchantId: string): Promise<MerchantApiKey[] | MerchantFailure>;
  /** A new key; the token is shown once. Live keys need an owner or admin. */
  createKey(
    actor: Actor,
    merchantId: string,
    input: { name: string; mode: Mode; scopes?: readonly string[] },
  ): Promise<{ key: MerchantApiKey; token: string } | MerchantFailure>;
  revokeKey(
    actor: Actor,
    merchantId: string,
    keyId: string,
  ): Promise<MerchantApiKey | MerchantFailure>;
  /**
   * A merchant key's token as a request principal (role `merchant`, user id = account).
   * Verified keys are cached (see `KEY_CACHE_TTL_MS`): a revoked key stops working in every
   * process when the revocation's notification arrives, milliseconds after its commit.
   */
  authenticate(token: string): Promise<Principal | undefined>;
  /** The merchant account a principal id names (`mca_…`), if any. */
  account(accountId: string): Promise<MerchantAccount | undefined>;
  /** Stops listening for key revocations. */
  close(): Promise<void>;
}

/** The channel merchant key revocations are announced on (payload: the key's account). */
export const MERCHANT_KEYS_CHANNEL = 'vw_merchant_keys';
/**
 * The longest a verified merchant key is trusted without a database lookup. A revocation
 * ends it sooner everywhere (its notification); this bounds what a notification lost
 * with its connection could leave, on top of the cache being unused while not listening.
 */
export const KEY_CACHE_TTL_MS = 10_000;

interface MerchantRow {
  id: string;
  name: string;
  live_account_id: string;
  test_account_id: string;
  fee_bps: number;
  fee_fixed: Record<string, string>;
  created_at: Date;
}

interface KeyRow {
  id: string;
  merchant_id: string;
  account_id: string;
  livemode: boolean;
  name: string;
  token_hint: string;
  scopes: string[];
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

const MERCHANT_COLUMNS =
  'm.id, m.name, m.live_account_id, m.test_account_id, m.fee_bps, m.fee_fixed, m.created_at';
const KEY_COLUMNS =
  'id, merchant_id, account_id, livemode, name, token_hint, scopes, created_by, created_at, revoked_at';

const toMerchant = (r: MerchantRow): Merchant => ({
  id: r.id,
  name: r.name,
  liveAccountId: r.live_account_id,
  testAccountId: r.test_account_id,
  fees: { bps: r.fee_bps, fixed: r.fee_fixed },
  createdAt: r.created_at,
});

const toKey = (r: KeyRow): MerchantApiKey => ({
  id: r.id,
  merchantId: r.merchant_id,
  accountId: r.account_id,
  livemode: r.livemode,
  name: r.name,
  hint: r.token_hint,
  scopes: r.scopes,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

const MANAGE_MEMBERS: readonly MemberRole[] = ['owner', 'admin'];
const MANAGE_TEST_KEYS: readonly MemberRole[] = ['owner', 'admin', 'developer'];
const MANAGE_LIVE_KEYS: readonly MemberRole[] = ['owner', 'admin'];
const TOKEN = /^mk_(live|test)_[A-Za-z0-9_-]{43}$/;

const hashToken = (token: string) => createHash('sha256').update(token).digest();

/** Roles that must have a confirmed TOTP factor before they act on or see the merchant. */
export const TOTP_ROLES: readonly MemberRole[] = ['owner', 'admin'];

export function createMerchantDirectory(deps: {
  db: Db;
  audit: Pick<AuditLog, 'record'>;
  ledger: Pick<LedgerService, 'openAccount'>;
  /** Whether the user has a confirmed TOTP factor (identity). */
  totpEnabled(userId: string): Promise<boolean>;
  logger: Logger;
  /** How long a verified key is trusted without a lookup (default `KEY_CACHE_TTL_MS`). */
  keyCacheTtlMs?: number;
}): MerchantDirectory {
  const { db, audit } = deps;
  // Verified keys, so a merchant's request costs no key lookup (bench:merchants: it was
  // half an invoice creation's round trips). Trusted only while this process hears
  // revocations (see credential-cache.ts).
  const verified = createCredentialCache({
    db,
    logger: deps.logger,
    channel: MERCHANT_KEYS_CHANNEL,
    ttlMs: deps.keyCacheTtlMs ?? KEY_CACHE_TTL_MS,
  });
  // Account ids never change: resolved once per process.
  const accounts = new Map<string, MerchantAccount>();

  const record = (
    actor: Actor,
    action: string,
    merchantId: string,
    data: Record<string, string | number> = {},
  ) =>
    audit.record({
      action,
      actorType: 'user',
      actorId: actor.userId,
      credentialId: actor.credentialId,
      ip: actor.ip,
      requestId: actor.requestId,
      targetType: 'merchant',
      targetId: merchantId,
      data,
    });

  const membership = async (
    userId: string,
    merchantId: string,
    forUpdate = false,
  ): Promise<{ merchant: Merchant; role: MemberRole } | undefined> => {
    const { rows } = await db.query<MerchantRow & { role: MemberRole }>(
      `SELECT ${MERCHANT_COLUMNS}, mm.role FROM merchants m
         JOIN merchant_members mm ON mm.merchant_id = m.id AND mm.user_id = $2
        WHERE m.id = $1${forUpdate ? ' FOR UPDATE OF m' : ''}`,
      [merchantId, userId],
    );
    const r = rows[0];
    return r ? { merchant: toMerchant(r), role: r.role } : undefined;
  };

  /** The member's merchant if their role is one of `roles`; a non-member gets 404. */
  const authorise = async (
    actor: Actor,
    merchantId: string,
    roles: readonly MemberRole[] | 'any',
    forUpdate = false,
  ) => {
    const m = await membership(actor.userId, merchantId, forUpdate);
    if (!m) return fail(MerchantError.MerchantNotFound, { param: 'merchant' });
    if (roles !== 'any' && !roles.includes(m.role)) return fail(MerchantError.RoleNotAllowed);
    // Owners and admins hold the merchant's keys and members: no second factor, no access.
    if (TOTP_ROLES.includes(m.role) && !(await deps.totpEnabled(actor.userId))) {
      return fail(MerchantError.TotpRequired);
    }
    return m;
  };

  const directory: MerchantDirectory = {
    async create(actor, input) {
      // The creator becomes the owner: they need the owner's second factor first.
      if (!(await deps.totpEnabled(actor.userId))) return fail(MerchantError.TotpRequired);
      const id = newId('mch');
      return db.transaction(async () => {
        const { rows } = await db.query<MerchantRow>(
          `INSERT INTO merchants (id, name, live_account_id, test_account_id, created_by)
           VALUES ($1, $2, $3, $4, $5)
           RETURNING ${MERCHANT_COLUMNS.replaceAll('m.', '')}`,
          [id, input.name, newId('mca'), newId('mca'), actor.userId],
        );
        await db.query(
          `INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, 'owner')`,
          [id, actor.userId],
        );
        await record(actor, 'merchant.created', id, { name: input.name });
        const row = rows[0];
        if (!row) throw new Error('merchant insert returned nothing');
        return toMerchant(row);
      });
    },

    async getForMember(userId, merchantId) {
      return authorise({ userId }, merchantId, 'any');
    },

    async listForMember(userId) {
      const { rows } = await db.query<MerchantRow & { role: MemberRole }>(
        `SELECT ${MERCHANT_COLUMNS}, mm.role FROM merchants m
           JOIN merchant_members mm ON mm.merchant_id = m.id
          WHERE mm.user_id = $1 ORDER BY m.id`,
        [userId],
      );
      return rows.map((r) => ({ merchant: toMerchant(r), role: r.role }));
    },

    async rename(actor, merchantId, name) {
      return db.attempt(async () => {
        const m = await authorise(actor, merchantId, MANAGE_MEMBERS, true);
        if (!('merchant' in m)) return m;
        await db.query('UPDATE merchants SET name = $2 WHERE id = $1', [merchantId, name]);
        await record(actor, 'merchant.renamed', merchantId, { name });
        return { ...m.merchant, name };
      });
    },

    async setFees(actor, merchantId, fees) {
      // Platform operators and admins, like owners, act only with a second factor.
      if (!(await deps.totpEnabled(actor.userId))) return fail(MerchantError.TotpRequired);
      return db.transaction(async () => {
        const { rows } = await db.query<MerchantRow>(
          `UPDATE merchants m SET fee_bps = $2, fee_fixed = $3 WHERE id = $1
           RETURNING ${MERCHANT_COLUMNS}`,
          [merchantId, fees.bps, JSON.stringify(fees.fixed)],
        );
        const row = rows[0];
        if (!row) return fail(MerchantError.MerchantNotFound, { param: 'merchant' });
        await record(actor, 'merchant.fees_changed', merchantId, {
          bps: fees.bps,
          fixed: JSON.stringify(fees.fixed),
        });
        return toMerchant(row);
      });
    },

    async get(merchantId) {
      const { rows } = await db.query<MerchantRow>(
        `SELECT ${MERCHANT_COLUMNS} FROM merchants m WHERE m.id = $1`,
        [merchantId],
      );
      return rows[0] ? toMerchant(rows[0]) : undefined;
    },

    async listMembers(actor, merchantId) {
      const m = await authorise(actor, merchantId, 'any');
      if (!('merchant' in m)) return m;
      const { rows } = await db.query<{
        merchant_id: string;
        user_id: string;
        role: MemberRole;
        created_at: Date;
      }>(
        'SELECT merchant_id, user_id, role, created_at FROM merchant_members WHERE merchant_id = $1 ORDER BY created_at, user_id',
        [merchantId],
      );
      return rows.map((r) => ({
        merchantId: r.merchant_id,
        userId: r.user_id,
        role: r.role,
        createdAt: r.created_at,
      }));
    },

    async addMember(actor, merchantId, input) {
      return db.attempt(async () => {
        const m = await authorise(actor, merchantId, MANAGE_MEMBERS, true);
        if (!('merchant' in m)) return m;
        // Only an owner makes owners.
        if (input.role === 'owner' && m.role !== 'owner') return fail(MerchantError.RoleNotAllowed);
        if (!input.userId) return fail(MerchantError.UserNotFound);
        const { rows } = await db.query<{ created_at: Date }>(
          `INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING created_at`,
          [merchantId, input.userId, input.role],
        );
        const row = rows[0];
        if (!row) return fail(MerchantError.MemberExists);
        await record(actor, 'merchant.member_added', merchantId, {
          user_id: input.userId,
          role: input.role,
        });
        return { merchantId, userId: input.userId, role: input.role, createdAt: row.created_at };
      });
    },

    async removeMember(actor, merchantId, userId) {
      return db.attempt(async () => {
        // The merchant row is locked: two owners removing each other cannot leave none.
        const m = await authorise(actor, merchantId, MANAGE_MEMBERS, true);
        if (!('merchant' in m)) return m;
        const { rows } = await db.query<{ role: MemberRole; owners: string }>(
          `SELECT role, (SELECT count(*) FROM merchant_members
                          WHERE merchant_id = $1 AND role = 'owner')::text AS owners
             FROM merchant_members WHERE merchant_id = $1 AND user_id = $2`,
          [merchantId, userId],
        );
        const target = rows[0];
        if (!target) return fail(MerchantError.MemberNotFound, { param: 'user' });
        if (target.role === 'owner' && m.role !== 'owner')
          return fail(MerchantError.RoleNotAllowed);
        if (target.role === 'owner' && Number(target.owners) <= 1) {
          return fail(MerchantError.LastOwner);
        }
        await db.query('DELETE FROM merchant_members WHERE merchant_id = $1 AND user_id = $2', [
          merchantId,
          userId,
        ]);
        await record(actor, 'merchant.member_removed', merchantId, { user_id: userId });
        return true as const;
      });
    },

    async listKeys(actor, merchantId) {
      const m = await authorise(actor, merchantId, 'any');
      if (!('merchant' in m)) return m;
      const { rows } = await db.query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM merchant_api_keys WHERE merchant_id = $1 ORDER BY id`,
        [merchantId],
      );
      return rows.map(toKey);
    },

    async createKey(actor, merchantId, input) {
      const scopes = [...new Set(input.scopes ?? MERCHANT_KEY_SCOPES)];
      const unknown = scopes.find((s) => !(MERCHANT_KEY_SCOPES as readonly string[]).includes(s));
      if (unknown !== undefined || scopes.length === 0) {
        return fail(MerchantError.ScopeInvalid, {
          message: `Merchant keys carry some of: ${MERCHANT_KEY_SCOPES.join(', ')}`,
        });
      }
      return db.attempt(async () => {
        const m = await authorise(
          actor,
          merchantId,
          input.mode === 'live' ? MANAGE_LIVE_KEYS : MANAGE_TEST_KEYS,
        );
        if (!('merchant' in m)) return m;
        const livemode = input.mode === 'live';
        const token = `mk_${input.mode}_${randomBytes(32).toString('base64url')}`;
        const { rows } = await db.query<KeyRow>(
          `INSERT INTO merchant_api_keys
             (id, merchant_id, account_id, livemode, name, token_hash, token_hint, scopes, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${KEY_COLUMNS}`,
          [
            newId('mkey'),
            merchantId,
            livemode ? m.merchant.liveAccountId : m.merchant.testAccountId,
            livemode,
            input.name,
            hashToken(token),
            token.slice(-4),
            scopes,
            actor.userId,
          ],
        );
        const row = rows[0];
        if (!row) throw new Error('key insert returned nothing');
        await record(actor, 'merchant.api_key_created', merchantId, {
          key_id: row.id,
          mode: input.mode,
        });
        return { key: toKey(row), token };
      });
    },

    async revokeKey(actor, merchantId, keyId) {
      return db.attempt(async () => {
        const m = await authorise(actor, merchantId, MANAGE_TEST_KEYS);
        if (!('merchant' in m)) return m;
        const { rows } = await db.query<KeyRow>(
          `UPDATE merchant_api_keys SET revoked_at = coalesce(revoked_at, now())
            WHERE id = $1 AND merchant_id = $2 RETURNING ${KEY_COLUMNS}`,
          [keyId, merchantId],
        );
        const row = rows[0];
        if (!row) return fail(MerchantError.ApiKeyNotFound, { param: 'key' });
        if (row.livemode && !MANAGE_LIVE_KEYS.includes(m.role)) {
          return rollback(fail(MerchantError.RoleNotAllowed));
        }
        // Every process (this one at once) forgets the account's verified keys on commit.
        await verified.changed(db, row.account_id);
        await record(actor, 'merchant.api_key_revoked', merchantId, { key_id: keyId });
        return toKey(row);
      });
    },

    async authenticate(token) {
      if (!TOKEN.test(token)) return undefined;
      const hash = hashToken(token);
      const cacheKey = hash.toString('base64');
      const cached = verified.get(cacheKey);
      if (cached) return cached.principal;
      const version = verified.version();
      const { rows } = await db.query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM merchant_api_keys WHERE token_hash = $1 AND revoked_at IS NULL`,
        [hash],
      );
      const k = rows[0];
      if (!k) return undefined;
      accounts.set(k.account_id, {
        id: k.account_id,
        merchantId: k.merchant_id,
        livemode: k.livemode,
      });
      const principal: UserPrincipal = {
        kind: 'user',
        userId: k.account_id,
        role: 'merchant',
        via: 'api_key',
        credentialId: k.id,
        scopes: k.scopes,
      };
      // Merchant keys do not expire on their own; a revocation ends the entry.
      verified.put(cacheKey, version, {
        principal,
        expiresAt: Number.MAX_SAFE_INTEGER,
        lastUsedAt: 0,
      });
      return principal;
    },

    async account(accountId) {
      const cached = accounts.get(accountId);
      if (cached) return cached;
      const { rows } = await db.query<{ id: string; livemode: boolean }>(
        `SELECT id, live_account_id = $1 AS livemode FROM merchants
          WHERE live_account_id = $1 OR test_account_id = $1`,
        [accountId],
      );
      const r = rows[0];
      if (!r) return undefined;
      const found = { id: accountId, merchantId: r.id, livemode: r.livemode };
      accounts.set(accountId, found);
      return found;
    },

    close: () => verified.close(),
  };
  return directory;
}
