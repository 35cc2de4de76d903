import type { PrivateKeyAccount } from 'viem/accounts';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { Db, Statement } from '../../platform/db/db.js';
import type { Logger } from '../../platform/observability/logger.js';
import { createAddressDeriver, type AddressDeriver } from './deriver.js';
import {
  depositAddressFromXpub,
  hdWalletFromMnemonic,
  isValidMnemonic,
  isValidXpub,
  newMnemonic,
  normalizeMnemonic,
  type HdWallet,
} from './hd.js';

/**
 * The deployment's HD wallet: one BIP-39 seed, encrypted at rest with the platform's
 * envelope encryption (the `KeyManagement` behind `SecretBox`, so a Vault or cloud KMS
 * can hold the key-encryption key), or, in watch-only mode, just an xpub.
 */
export interface CustodyService {
  /** Creates the wallet on first start (imported, generated or watch-only); checks it after. */
  init(): Promise<{ mode: CustodyMode; created: boolean }>;
  mode(): Promise<CustodyMode>;
  /** The user's deposit address on `chainKey` (lowercase), created on first call. */
  depositAddress(userId: string, chainKey: string): Promise<{ address: string; index: number }>;
  /**
   * A deposit address for an owner that has none yet (an invoice being created): the index
   * comes from a small batch this process took from the index sequence beforehand, and
   * `freshAddressStatements` record the owner's index and address, to be embedded in the
   * statement that creates the owner (one commit for both). An index whose statements never commit
   * is skipped for good, as one of a rolled-back `depositAddress` is: indexes are unique,
   * not gapless (the tables, not a wallet's gap-limit scan, say which index is whose).
   */
  freshDepositAddress(chainKey: string): Promise<{ address: string; index: number }>;
  /**
   * Gets ready to hand out fresh deposit addresses (starts the thread that derives them
   * ahead), so a process's first invoices do not wait for it; otherwise that happens on
   * first use.
   */
  prepareFreshAddresses(): void;
  /** The user owning `address` on `chainKey`, if it is one of our deposit addresses. */
  ownerOf(chainKey: string, address: string): Promise<string | undefined>;
  /** The signing account of the hot wallet; `undefined` in watch-only mode. */
  hotWallet(): Promise<PrivateKeyAccount | undefined>;
  /** The hot wallet's address (lowercase); `undefined` in watch-only mode. */
  hotWalletAddress(): Promise<string | undefined>;
  /** The account-level xpub deposit addresses derive from (safe to share with auditors). */
  depositXpub(): Promise<string>;
  /** The mnemonic, for an offline backup; `undefined` in watch-only mode. */
  exportMnemonic(): Promise<string | undefined>;
}

export type CustodyMode = 'seed' | 'watch_only';

/** A fresh deposit address (`freshDepositAddress`) and the owner it is recorded for. */
export interface OwnedFreshAddress {
  chainKey: string;
  address: string;
  index: number;
  ownerId: string;
}

/**
 * The statements recording fresh deposit addresses for their owners, to embed in the
 * statement that creates the owners. The same two texts for any number of addresses (the
 * rows are in arrays), so a batch of creations that embeds them has one text whatever its
 * size, and stays prepared instead of being planned each time.
 */
export function freshAddressStatements(owned: readonly OwnedFreshAddress[]): Statement[] {
  const owners = owned.map((o) => o.ownerId);
  const indexes = owned.map((o) => o.index);
  return [
    {
      sql: `INSERT INTO custody_user_indexes (user_id, derivation_index)
            SELECT * FROM unnest($1::text[], $2::int[])`,
      params: [owners, indexes],
    },
    {
      sql: `INSERT INTO deposit_addresses (chain_key, address, user_id, derivation_index)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])`,
      params: [owned.map((o) => o.chainKey), owned.map((o) => o.address), owners, indexes],
    },
  ];
}

const SEED_CONTEXT = 'custody:default:mnemonic';
/** Indexes one process takes from the sequence at a time for fresh deposit addresses. */
const SPARE_INDEXES = 64;
/**
 * Fresh deposit addresses one process keeps derived ahead, on a worker thread (see
 * deriver.ts): enough for a quarter of a second of creations at a thousand a second, so
 * a burst does not find the pool empty and derive on the request path.
 */
const READY_ADDRESSES = 256;
/** Addresses asked of the worker at a time while refilling. */
const DERIVE_BATCH = 32;

export class CustodyConfigError extends Error {
  override name = 'CustodyConfigError';
}

export function createCustodyService(deps: {
  db: Db;
  secretBox: SecretBox;
  logger: Logger;
  settings: { xpub?: string | undefined; mnemonic?: string | undefined };
  /** Derives the pool's addresses; a worker thread unless given (createAddressDeriver). */
  deriver?: AddressDeriver;
}): CustodyService {
  const { db, secretBox } = deps;
  const deriver = deps.deriver ?? createAddressDeriver(deps.logger);
  let wallet: Promise<HdWallet> | undefined;
  let xpubCache: { mode: CustodyMode; xpub: string } | undefined;
  // Indexes taken from the sequence ahead of need, for freshDepositAddress.
  const spareIndexes: number[] = [];
  let refill: Promise<void> | undefined;
  const takeIndex = async (): Promise<number> => {
    for (;;) {
      const index = spareIndexes.shift();
      if (index !== undefined) return index;
      refill ??= db
        .query<{ i: number }>(
          `SELECT nextval('custody_index_seq')::int AS i FROM generate_series(1, $1)`,
          [SPARE_INDEXES],
        )
        .then(({ rows }) => {
          spareIndexes.push(...rows.map((r) => r.i));
        })
        .finally(() => {
          refill = undefined;
        });
      await refill;
    }
  };

  // Fresh deposit addresses derived ahead of need: (index, address) pairs, each index
  // taken from the sequence once and handed out once (taken off the front, in this one
  // thread). Refilled in the background by the deriver's worker thread once it runs
  // below half; a request that finds it empty derives its own. A process that stops
  // loses the pairs it held: their indexes are skipped for good, which is harmless (an
  // address no one was given receives nothing, and the tables say which index is whose).
  const ready: { index: number; address: string }[] = [];
  let filling = false;
  const fill = async (xpub: string): Promise<void> => {
    try {
      while (ready.length < READY_ADDRESSES) {
        const indexes: number[] = [];
        while (indexes.length < DERIVE_BATCH) indexes.push(await takeIndex());
        const addresses = await deriver.derive(xpub, indexes);
        indexes.forEach((index, n) => {
          const address = addresses[n];
          if (address === undefined) throw new Error('the deriver returned too few addresses');
          ready.push({ index, address });
        });
      }
    } catch (err) {
      deps.logger.warn({ err }, 'could not derive deposit addresses ahead; deriving on demand');
    } finally {
      filling = false;
    }
  };
  const freshAddress = async (): Promise<{ index: number; address: string }> => {
    const { xpub } = await header();
    let pair = ready.shift();
    if (!pair) {
      const index = await takeIndex();
      pair = { index, address: depositAddressFromXpub(xpub, index) };
    }
    if (!filling && ready.length < READY_ADDRESSES / 2) {
      filling = true;
      void fill(xpub);
    }
    return pair;
  };

  const load = async (): Promise<{ mode: CustodyMode; xpub: string; sealed: string | null }> => {
    const { rows } = await db.query<{
      mode: CustodyMode;
      xpub: string;
      sealed_seed: string | null;
    }>(`SELECT mode, xpub, sealed_seed FROM custody_wallets WHERE id = 'default'`);
    const row = rows[0];
    if (!row) {
      await service.init();
      return load();
    }
    return { mode: row.mode, xpub: row.xpub, sealed: row.sealed_seed };
  };

  const header = async () => {
    if (!xpubCache) {
      const w = await load();
      xpubCache = { mode: w.mode, xpub: w.xpub };
    }
    return xpubCache;
  };

  const service: CustodyService = {
    async init() {
      const { xpub, mnemonic } = deps.settings;
      if (xpub !== undefined && mnemonic !== undefined) {
        throw new CustodyConfigError(
          'set either VW_CUSTODY_XPUB (watch-only) or VW_CUSTODY_MNEMONIC, not both',
        );
      }
      if (xpub !== undefined && !isValidXpub(xpub)) {
        throw new CustodyConfigError(
          "VW_CUSTODY_XPUB must be an account-level xpub (depth 3, m/44'/60'/0')",
        );
      }
      if (mnemonic !== undefined && !isValidMnemonic(mnemonic)) {
        throw new CustodyConfigError('VW_CUSTODY_MNEMONIC is not a valid BIP-39 mnemonic');
      }
      const { rows } = await db.query<{ mode: CustodyMode; xpub: string }>(
        `SELECT mode, xpub FROM custody_wallets WHERE id = 'default'`,
      );
      const existing = rows[0];
      const wanted =
        xpub !== undefined
          ? { mode: 'watch_only' as const, xpub, sealed: null }
          : await (async () => {
              const words = mnemonic !== undefined ? normalizeMnemonic(mnemonic) : newMnemonic();
              return {
                mode: 'seed' as const,
                xpub: hdWalletFromMnemonic(words).depositXpub,
                words,
                sealed: existing ? null : await secretBox.encrypt(words, SEED_CONTEXT),
              };
            })();
      if (existing) {
        const configured = xpub !== undefined || mnemonic !== undefined;
        if (configured && (existing.mode !== wanted.mode || existing.xpub !== wanted.xpub)) {
          throw new CustodyConfigError(
            'the stored custody wallet differs from the configured one; a stored seed is never replaced',
          );
        }
        return { mode: existing.mode, created: false };
      }
      const r = await db.query(
        `INSERT INTO custody_wallets (id, mode, sealed_seed, xpub) VALUES ('default', $1, $2, $3)
         ON CONFLICT (id) DO NOTHING`,
        [wanted.mode, wanted.sealed, wanted.xpub],
      );
      if (r.rowCount === 1) {
        deps.logger.warn(
          { mode: wanted.mode },
          wanted.mode === 'seed' && mnemonic === undefined
            ? 'generated a new custody seed (stored encrypted); back it up offline with `vaultwire chains export-seed --yes`'
            : 'custody wallet stored',
        );
        return { mode: wanted.mode, created: true };
      }
      return service.init();
    },
    async mode() {
      return (await header()).mode;
    },
    async depositAddress(userId, chainKey) {
      const { xpub } = await header();
      // The owner's index (taken from the sequence on first use) and, when it exists, its
      // address on this chain, in one round trip: a new owner (each invoice is one) costs
      // this and the address's insert. A racing first call for the same owner makes the
      // insert do nothing and return no row; the index it committed is read after.
      const { rows } = await db.query<{ derivation_index: number; address: string | null }>(
        `WITH existing AS (
           SELECT derivation_index FROM custody_user_indexes WHERE user_id = $1
         ), taken AS (
           INSERT INTO custody_user_indexes (user_id, derivation_index)
           SELECT $1, nextval('custody_index_seq') WHERE NOT EXISTS (SELECT 1 FROM existing)
           ON CONFLICT (user_id) DO NOTHING
           RETURNING derivation_index
         ), idx AS (
           SELECT derivation_index FROM existing UNION ALL SELECT derivation_index FROM taken
         )
         SELECT idx.derivation_index, d.address
           FROM idx LEFT JOIN deposit_addresses d ON d.chain_key = $2 AND d.user_id = $1`,
        [userId, chainKey],
      );
      const found = rows[0];
      if (found?.address) return { address: found.address, index: found.derivation_index };
      const index =
        found?.derivation_index ??
        (
          await db.query<{ derivation_index: number }>(
            'SELECT derivation_index FROM custody_user_indexes WHERE user_id = $1',
            [userId],
          )
        ).rows[0]?.derivation_index;
      if (index === undefined) throw new Error('derivation index vanished');
      const address = depositAddressFromXpub(xpub, index);
      await db.query(
        `INSERT INTO deposit_addresses (chain_key, address, user_id, derivation_index)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [chainKey, address, userId, index],
      );
      return { address, index };
    },
    async freshDepositAddress() {
      // An EVM address is the same on every chain: one pool serves them all, and the
      // statements record the address on the chain the caller names.
      return freshAddress();
    },
    prepareFreshAddresses() {
      deriver.start();
    },
    async ownerOf(chainKey, address) {
      const { rows } = await db.query<{ user_id: string }>(
        'SELECT user_id FROM deposit_addresses WHERE chain_key = $1 AND address = $2',
        [chainKey, address.toLowerCase()],
      );
      return rows[0]?.user_id;
    },
    async hotWallet() {
      const w = await load();
      if (w.mode === 'watch_only' || w.sealed === null) return undefined;
      const sealed = w.sealed;
      wallet ??= secretBox
        .decrypt(sealed, SEED_CONTEXT)
        .then((words) => hdWalletFromMnemonic(words.toString('utf8')));
      return (await wallet).hotWallet();
    },
    async hotWalletAddress() {
      return (await service.hotWallet())?.address.toLowerCase();
    },
    async depositXpub() {
      return (await header()).xpub;
    },
    async exportMnemonic() {
      const w = await load();
      if (w.sealed === null) return undefined;
      return (await secretBox.decrypt(w.sealed, SEED_CONTEXT)).toString('utf8');
    },
  };
  return service;
}
