import type { LedgerFailure } from '../ledger/errors.js';
import type { LedgerService } from '../ledger/service.js';

/**
 * What the chains module needs from the ledger, and nothing more: credit a deposit,
 * hold / post / void a withdrawal, settle a send between two users. Every call takes an
 * idempotency key and joins the caller's database transaction, so a ledger movement
 * commits together with the deposit or withdrawal row that caused it.
 *
 * Money entering from a chain is debited to the asset's `settlement` house account and
 * credited to the user; a withdrawal holds the user's funds towards `settlement` and
 * posts the hold once the transaction is final.
 */
export interface ChainFunds {
  /** Registers the crypto asset at `scale` (its token decimals); refuses a different scale. */
  ensureAsset(code: string, scale: number): Promise<void>;
  creditDeposit(input: {
    key: string;
    userId: string;
    asset: string;
    amount: bigint;
    metadata: Record<string, string>;
  }): Promise<{ ok: true; ref: string } | FundsRefusal>;
  hold(input: {
    key: string;
    userId: string;
    asset: string;
    amount: bigint;
    metadata: Record<string, string>;
  }): Promise<{ ok: true; holdRef: string } | FundsRefusal>;
  postHold(input: {
    key: string;
    holdRef: string;
    /** Kept on the posting transaction (e.g. the withdrawal id, for statements). */
    metadata?: Record<string, string>;
  }): Promise<{ ok: true; ref: string } | FundsRefusal>;
  voidHold(input: { key: string; holdRef: string }): Promise<{ ok: true } | FundsRefusal>;
  /**
   * Undoes a credit or a posted hold by its mirror image (a ledger reversal): a deposit
   * whose transfer a reorg removed, a withdrawal that failed after it was posted.
   */
  reverse(input: {
    key: string;
    ref: string;
    description: string;
    metadata: Record<string, string>;
  }): Promise<{ ok: true; ref: string } | FundsRefusal>;
  transferBetweenUsers(input: {
    key: string;
    fromUserId: string;
    toUserId: string;
    asset: string;
    amount: bigint;
    metadata: Record<string, string>;
  }): Promise<{ ok: true; ref: string } | FundsRefusal>;
}

/** The ledger's refusal: its code (`insufficient_funds`, `account_frozen`, …) and message. */
export type FundsRefusal = LedgerFailure;

/** `ChainFunds` on the double-entry ledger. */
export function createLedgerFunds(ledger: LedgerService): ChainFunds {
  const userAccount = async (userId: string, asset: string) => {
    const r = await ledger.openAccount({ owner: userId, asset });
    return r.ok ? { ok: true as const, id: r.account.id } : r;
  };
  const settlement = async (asset: string) => {
    const r = await ledger.houseAccount('settlement', asset);
    return r.ok ? { ok: true as const, id: r.account.id } : r;
  };
  return {
    async ensureAsset(code, scale) {
      const r = await ledger.createAsset({ code, kind: 'crypto', scale });
      if (!r.ok) {
        throw new Error(`ledger asset ${code} (scale ${scale}) cannot be used: ${r.message}`);
      }
    },
    async creditDeposit(input) {
      // Sequential: inside a caller's transaction, calls share one connection.
      const user = await userAccount(input.userId, input.asset);
      const house = await settlement(input.asset);
      if (!user.ok) return user;
      if (!house.ok) return house;
      const r = await ledger.transfer({
        key: input.key,
        from: house.id,
        to: user.id,
        asset: input.asset,
        amount: input.amount,
        description: 'On-chain deposit',
        metadata: input.metadata,
      });
      return r.ok ? { ok: true, ref: r.transaction.id } : r;
    },
    async hold(input) {
      // Sequential: inside a caller's transaction, calls share one connection.
      const user = await userAccount(input.userId, input.asset);
      const house = await settlement(input.asset);
      if (!user.ok) return user;
      if (!house.ok) return house;
      const r = await ledger.createHold({
        key: input.key,
        from: user.id,
        to: house.id,
        asset: input.asset,
        amount: input.amount,
        description: 'On-chain withdrawal',
        metadata: input.metadata,
      });
      return r.ok ? { ok: true, holdRef: r.hold.id } : r;
    },
    async postHold(input) {
      const r = await ledger.postHold({
        key: input.key,
        holdId: input.holdRef,
        ...(input.metadata ? { metadata: input.metadata } : {}),
      });
      return r.ok ? { ok: true, ref: r.transaction.id } : r;
    },
    async voidHold(input) {
      const r = await ledger.voidHold({ key: input.key, holdId: input.holdRef });
      return r.ok ? { ok: true } : r;
    },
    async reverse(input) {
      const r = await ledger.reverse({
        key: input.key,
        transactionId: input.ref,
        description: input.description,
        metadata: input.metadata,
      });
      return r.ok ? { ok: true, ref: r.transaction.id } : r;
    },
    async transferBetweenUsers(input) {
      // Sequential: inside a caller's transaction, calls share one connection.
      const from = await userAccount(input.fromUserId, input.asset);
      const to = await userAccount(input.toUserId, input.asset);
      if (!from.ok) return from;
      if (!to.ok) return to;
      const r = await ledger.transfer({
        key: input.key,
        from: from.id,
        to: to.id,
        asset: input.asset,
        amount: input.amount,
        description: 'Send to another Vaultwire user',
        metadata: input.metadata,
      });
      return r.ok ? { ok: true, ref: r.transaction.id } : r;
    },
  };
}
