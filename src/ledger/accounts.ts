import { createBatcher } from '../platform/db/batcher.js';
import { newId } from '../platform/ids.js';
import { rollback } from '../platform/failure.js';
import type { LedgerContext } from './context.js';
import { failure, LedgerError } from './errors.js';
import { HOUSE_ACCOUNTS } from './model.js';
import { MAX_SCALE, parseAmount } from './money.js';
import type { LedgerService } from './service.js';
import { selectAccounts, selectAssets, selectHoldings } from './store.js';
import { ACCOUNT_STATUSES, ASSET_CODE, ASSET_KINDS, checkAmount } from './validation.js';

/** Assets, accounts and their status: what money moves between. */
export type LedgerAccounts = Pick<
  LedgerService,
  | 'createAsset'
  | 'getAsset'
  | 'listAssets'
  | 'parseAmount'
  | 'openAccount'
  | 'houseAccount'
  | 'getAccount'
  | 'findAccount'
  | 'findAccounts'
  | 'listAccounts'
  | 'listHoldings'
  | 'setAccountStatus'
>;

export function createLedgerAccounts(ctx: LedgerContext): LedgerAccounts {
  const { db } = ctx;
  // House accounts are never deleted: their ids are cached per kind and asset.
  const houseIds = new Map<string, string>();
  /**
   * Balance reads outside a transaction: the owners asked for while earlier reads are in
   * flight go to the database together, in one statement (see ../platform/db/batcher.ts:
   * an idle batcher sends at once, so a lone read waits for nothing). Each statement
   * starts after every read it answers was asked for, so a read sees every commit made
   * before it was asked. Inside a transaction a read must see the transaction's own
   * writes, so it runs there, alone.
   */
  const holdings = createBatcher(
    async (owners: string[]) => {
      const byOwner = await selectHoldings(db, owners);
      return owners.map((o) => byOwner.get(o) ?? []);
    },
    { maxBatch: 128, maxInFlight: 4 },
  );

  return {
    async createAsset(input) {
      const name = input.name ?? input.code;
      if (typeof input.code !== 'string' || !ASSET_CODE.test(input.code)) {
        return failure(
          LedgerError.InvalidAsset,
          'An asset code is 2 to 16 upper-case letters and digits',
          'code',
        );
      }
      if (!ASSET_KINDS.has(input.kind)) {
        return failure(LedgerError.InvalidAsset, 'kind is fiat or crypto', 'kind');
      }
      if (!Number.isInteger(input.scale) || input.scale < 0 || input.scale > MAX_SCALE) {
        return failure(
          LedgerError.InvalidAsset,
          `scale is an integer from 0 to ${MAX_SCALE}`,
          'scale',
        );
      }
      if (typeof name !== 'string' || name.length === 0 || name.length > 100) {
        return failure(LedgerError.InvalidAsset, 'name is 1 to 100 characters', 'name');
      }
      return ctx.inTransaction(async () => {
        const inserted = await db.query<{ code: string }>(
          `INSERT INTO ledger_assets (code, kind, scale, name) VALUES ($1, $2, $3, $4)
           ON CONFLICT (code) DO NOTHING RETURNING code`,
          [input.code, input.kind, input.scale, name],
        );
        const [existing] = await selectAssets(db, [input.code]);
        if (!existing) throw new Error(`asset ${input.code} vanished`);
        if (existing.kind !== input.kind || existing.scale !== input.scale) {
          return rollback(
            failure(
              LedgerError.AssetExists,
              `${input.code} exists as ${existing.kind} with scale ${existing.scale}`,
              'code',
            ),
          );
        }
        for (const house of HOUSE_ACCOUNTS) {
          await db.query(
            `INSERT INTO ledger_accounts (id, asset, house, normal_side, may_go_negative)
             VALUES ($1, $2, $3, $4, true) ON CONFLICT (house, asset) WHERE house IS NOT NULL DO NOTHING`,
            [newId('lac'), input.code, house, house === 'settlement' ? 'debit' : 'credit'],
          );
        }
        return { ok: true as const, asset: existing, created: inserted.rowCount > 0 };
      });
    },

    getAsset: (code) => ctx.asset(code),
    listAssets: () => selectAssets(db),

    async parseAmount(code, text) {
      const a = await ctx.asset(code);
      if (!a) return failure(LedgerError.UnknownAsset, `No asset ${code}`, 'asset');
      if (typeof text !== 'string')
        return failure(LedgerError.AmountMalformed, 'Amounts are decimal strings', 'amount');
      const parsed = parseAmount(text, a.scale);
      if (!parsed.ok) {
        const code = {
          amount_malformed: LedgerError.AmountMalformed,
          amount_negative: LedgerError.AmountNegative,
          amount_too_precise: LedgerError.AmountTooPrecise,
          amount_too_large: LedgerError.AmountTooLarge,
        }[parsed.code];
        return failure(code, parsed.message, 'amount');
      }
      const bad = checkAmount(parsed.value);
      if (bad) return bad;
      return { ok: true, amount: parsed.value, asset: a };
    },

    async openAccount(input) {
      if (typeof input.owner !== 'string' || input.owner.length === 0 || input.owner.length > 200) {
        return failure(LedgerError.InvalidRequest, 'owner is 1 to 200 characters', 'owner');
      }
      const bad = await ctx.knownAsset(input.asset, 'asset');
      if (bad) return bad;
      const mayGoNegative = input.mayGoNegative ?? false;
      const inserted = await db.query(
        `INSERT INTO ledger_accounts (id, asset, owner, normal_side, may_go_negative)
         VALUES ($1, $2, $3, 'credit', $4) ON CONFLICT (owner, asset) WHERE owner IS NOT NULL DO NOTHING`,
        [newId('lac'), input.asset, input.owner, mayGoNegative],
      );
      const [account] = await selectAccounts(db, 'a.owner = $1 AND a.asset = $2', [
        input.owner,
        input.asset,
      ]);
      if (!account) throw new Error(`account of ${input.owner} in ${input.asset} vanished`);
      if (account.mayGoNegative !== mayGoNegative) {
        return failure(
          LedgerError.InvalidRequest,
          `The ${input.asset} account of ${input.owner} exists with ${account.mayGoNegative ? 'no' : 'a'} balance floor`,
          'mayGoNegative',
        );
      }
      return { ok: true, account, created: inserted.rowCount > 0 };
    },

    async houseAccount(kind, code) {
      if (!HOUSE_ACCOUNTS.includes(kind)) {
        return failure(
          LedgerError.InvalidRequest,
          `house accounts are ${HOUSE_ACCOUNTS.join(', ')}`,
          'kind',
        );
      }
      const bad = await ctx.knownAsset(code, 'asset');
      if (bad) return bad;
      const cachedId = houseIds.get(`${kind}:${code}`);
      if (cachedId) {
        const [account] = await selectAccounts(db, 'a.id = $1', [cachedId]);
        if (account) return { ok: true, account };
      }
      await db.query(
        `INSERT INTO ledger_accounts (id, asset, house, normal_side, may_go_negative)
         VALUES ($1, $2, $3, $4, true) ON CONFLICT (house, asset) WHERE house IS NOT NULL DO NOTHING`,
        [newId('lac'), code, kind, kind === 'settlement' ? 'debit' : 'credit'],
      );
      const [account] = await selectAccounts(db, 'a.house = $1 AND a.asset = $2', [kind, code]);
      if (!account) throw new Error(`house account ${kind} ${code} vanished`);
      houseIds.set(`${kind}:${code}`, account.id);
      return { ok: true, account };
    },

    async getAccount(id) {
      const [account] = await selectAccounts(db, 'a.id = $1', [id]);
      return account;
    },

    async findAccount(owner, code) {
      const [account] = await selectAccounts(db, 'a.owner = $1 AND a.asset = $2', [owner, code]);
      return account;
    },

    findAccounts: (owners, code) =>
      selectAccounts(db, 'a.owner = ANY($1::text[]) AND a.asset = $2', [owners, code]),

    listAccounts: (owner) => selectAccounts(db, 'a.owner = $1', [owner]),

    async listHoldings(owner) {
      if (!db.inTransaction()) return holdings.submit(owner);
      const byOwner = await selectHoldings(db, [owner]);
      return byOwner.get(owner) ?? [];
    },

    async setAccountStatus(id, status) {
      if (!ACCOUNT_STATUSES.has(status)) {
        return failure(LedgerError.InvalidRequest, 'status is active or frozen', 'status');
      }
      const { rowCount } = await db.query('UPDATE ledger_accounts SET status = $2 WHERE id = $1', [
        id,
        status,
      ]);
      if (rowCount === 0) return failure(LedgerError.UnknownAccount, `No account ${id}`, 'id');
      const [account] = await selectAccounts(db, 'a.id = $1', [id]);
      if (!account) throw new Error(`account ${id} vanished`);
      return { ok: true, account };
    },
  };
}
