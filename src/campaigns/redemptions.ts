import type { AuditLog } from '../platform/audit/audit.js';
import { sqlState, SQLSTATE, type Db } from '../platform/db/db.js';
import { fail, isFailure, rollback } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import { CampaignError, type CampaignFailure } from './errors.js';
import { evaluateCoupon, normalizeCode } from './rules.js';
import {
  campaignAuditEntry,
  recordCampaignAudit,
  UNQUOTED,
  type CampaignActor,
  type CampaignsService,
  type RedemptionQuote,
  type ReservedRedemption,
} from './service.js';
import type { CampaignRules } from './terms-cache.js';

/**
 * Redemptions of orders made outside the mall (a merchant's own web shop, a point of
 * sale): the shop sends a code with its order's reference, customer and total, and the
 * campaign's rules and limits apply as at a mall checkout. The shop's references are
 * namespaced by merchant (`ext:<merchant>:<reference>`), so they never meet a mall
 * order's id (`ord_…`) nor another merchant's references, and its customers
 * (`ext:<merchant>:<customer>`) never count as a mall buyer or another shop's.
 *
 * A redemption made here reads nothing of its own: its campaign's rules come from the
 * campaigns' cache (`CampaignsService.codeRules`, codes looked up many at once), and it
 * is recorded by `CampaignsService.reserve` outside a transaction, the batched path
 * (group commit, migration 0131), with its audit entry in the same statement and commit.
 * A code this process has not seen is not looked up first: the order is quoted under the
 * merchant's campaigns it keeps, and the batched statement finds the code's campaign and
 * takes its quote (`CampaignsService.reserveQuoted`, migration 0137): one round trip.
 *
 * The order reference makes it idempotent: the same order again with the same code,
 * customer, currency and total answers the redemption it has (a retry after a lost
 * answer), another request for it is refused (`redemption_exists`).
 */
export interface ExternalRedemptionInput {
  code: string;
  /** The shop's own order reference. */
  orderRef: string;
  /** The shop's customer reference or email. */
  customer: string;
  currency: string;
  /** In the currency's minor units. */
  orderTotal: bigint;
}

export interface ExternalRedemption {
  id: string;
  /** The shop's own order reference. */
  orderRef: string;
  merchantId: string;
  campaignId: string;
  code: string;
  currency: string;
  orderTotal: bigint;
  discount: bigint;
  status: 'reserved' | 'redeemed' | 'released';
  createdAt: Date;
  redeemedAt: Date | null;
  releasedAt: Date | null;
}

export interface ExternalRedemptions {
  /**
   * Redeems `code` for the shop's order; another merchant's code is not found. `created`
   * is false when the order had this very redemption already (a retry): it is answered.
   */
  redeem(
    merchantId: string,
    input: ExternalRedemptionInput,
    actor?: CampaignActor,
  ): Promise<{ redemption: ExternalRedemption; created: boolean } | CampaignFailure>;
  /** The redemptions of the order reference among these merchants' (one per merchant at most). */
  find(merchantIds: readonly string[], orderRef: string): Promise<ExternalRedemption[]>;
  /** The order was paid: counts as redeemed. Confirming twice is confirming once. */
  confirm(
    merchantId: string,
    orderRef: string,
    actor?: CampaignActor,
  ): Promise<ExternalRedemption | CampaignFailure>;
  /** The order was cancelled: its uses come back. Releasing twice is releasing once. */
  release(
    merchantId: string,
    orderRef: string,
    actor?: CampaignActor,
  ): Promise<ExternalRedemption | CampaignFailure>;
}

export interface ExternalRedemptionsDeps {
  db: Db;
  campaigns: CampaignsService;
  /** Where the redemptions are recorded; none without one (nor without an actor). */
  audit?: Pick<AuditLog, 'record'> | undefined;
  clock: () => Date;
}

/** Class of the advisory lock a first-order-only redemption holds on its customer. */
const FIRST_ORDER_LOCK_CLASS = 0x63_6d_70_31;

export const externalOrderId = (merchantId: string, orderRef: string) =>
  `ext:${merchantId}:${orderRef}`;

/** A customer given as an email is one customer whatever its case; a reference is kept as is. */
export const externalCustomerKey = (merchantId: string, customer: string) =>
  `ext:${merchantId}:${customer.includes('@') ? customer.trim().toLowerCase() : customer}`;

interface RedemptionRow {
  id: string;
  order_id: string;
  merchant_id: string;
  campaign_id: string;
  code: string;
  customer_key: string;
  currency: string;
  order_total: string;
  discount: string;
  status: ExternalRedemption['status'];
  created_at: Date;
  redeemed_at: Date | null;
  released_at: Date | null;
}

const COLUMNS = `r.id, r.order_id, m.merchant_id, r.campaign_id, r.code, r.customer_key, r.currency,
  r.order_total::text AS order_total, r.discount::text AS discount, r.status, r.created_at,
  r.redeemed_at, r.released_at`;

function toRedemption(r: RedemptionRow): ExternalRedemption {
  return {
    id: r.id,
    orderRef: r.order_id.slice(`ext:${r.merchant_id}:`.length),
    merchantId: r.merchant_id,
    campaignId: r.campaign_id,
    code: r.code,
    currency: r.currency,
    orderTotal: BigInt(r.order_total),
    discount: BigInt(r.discount),
    status: r.status,
    createdAt: r.created_at,
    redeemedAt: r.redeemed_at,
    releasedAt: r.released_at,
  };
}

export function createExternalRedemptions(deps: ExternalRedemptionsDeps): ExternalRedemptions {
  const { db, campaigns } = deps;

  async function rowsOf(merchantIds: readonly string[], orderRef: string) {
    const { rows } = await db.query<RedemptionRow>(
      `SELECT ${COLUMNS} FROM campaign_redemptions r JOIN campaigns m ON m.id = r.campaign_id
        WHERE r.order_id = ANY($1::text[])`,
      [merchantIds.map((m) => externalOrderId(m, orderRef))],
    );
    // The namespace is the merchant's own: a row whose campaign is another's is not theirs.
    return rows.filter((r) => r.order_id === externalOrderId(r.merchant_id, orderRef));
  }

  async function byOrder(merchantId: string, orderRef: string) {
    const found = await rowsOf([merchantId], orderRef);
    return found[0] === undefined ? undefined : toRedemption(found[0]);
  }

  async function find(merchantIds: readonly string[], orderRef: string) {
    return (await rowsOf(merchantIds, orderRef)).map(toRedemption);
  }

  const audited = (actor: CampaignActor | undefined, action: string, r: ExternalRedemption) =>
    recordCampaignAudit(deps.audit, actor, action, r.campaignId, r.merchantId, {
      redemption_id: r.id,
      order_id: r.orderRef,
      discount: r.discount.toString(),
    });

  return {
    async redeem(merchantId, input, actor) {
      const code = normalizeCode(input.code);
      const orderId = externalOrderId(merchantId, input.orderRef);
      const customerKey = externalCustomerKey(merchantId, input.customer);

      /**
       * Why the code does not apply to an order given as one line of its total: another
       * merchant's code (answered as an unknown one: it reveals nothing), one that needs
       * the order's lines, or the campaign's own refusal.
       */
      const refusal = (rules: CampaignRules, f: CampaignFailure): CampaignFailure => {
        if (f.code !== CampaignError.CouponNotApplicable) {
          return fail(f.code, { message: f.message, param: 'code' });
        }
        if (rules.rule.kind === 'free_item') {
          return fail(CampaignError.CouponNeedsCart, {
            message: 'This code gives a free item: it needs the order’s lines (a mall checkout)',
          });
        }
        const scope = rules.target.storeIds.length > 0 ? 'stores' : 'products';
        return fail(CampaignError.CouponNeedsCart, {
          message: `This code discounts only some ${scope}: it needs the order’s lines (a mall checkout)`,
        });
      };

      /**
       * The order quoted as one line of its total. The shop's customer counts as a known
       * one (a member); the orders of theirs this platform knows are their live
       * redemptions with this merchant's campaigns.
       */
      const quote = (rules: CampaignRules, priorOrders: number) => {
        const applied = evaluateCoupon(rules, {
          merchantId,
          currency: input.currency,
          lines: [
            { variantId: '', productId: '', storeId: '', unitPrice: input.orderTotal, quantity: 1 },
          ],
          customer: { kind: 'member', priorOrders },
          now: deps.clock(),
        });
        return isFailure(applied) ? refusal(rules, applied) : applied;
      };

      const createdEntry = (a: CampaignActor, campaignId: string, id: string, discount: bigint) =>
        campaignAuditEntry(a, 'campaign.redemption_created', campaignId, merchantId, {
          redemption_id: id,
          order_id: input.orderRef,
          discount: discount.toString(),
        });

      const recorded = (r: ReservedRedemption, discount: bigint): ExternalRedemption => ({
        id: r.redemptionId,
        orderRef: input.orderRef,
        merchantId,
        campaignId: r.campaignId,
        code,
        currency: input.currency,
        orderTotal: input.orderTotal,
        discount,
        status: 'reserved',
        createdAt: r.createdAt,
        redeemedAt: null,
        releasedAt: null,
      });

      const record = async (rules: CampaignRules, discount: bigint) => {
        const id = newId('red');
        try {
          const r = await campaigns.reserve({
            code,
            orderId,
            customerKey,
            currency: input.currency,
            discount,
            orderTotal: input.orderTotal,
            id,
            audit: actor && deps.audit ? createdEntry(actor, rules.id, id, discount) : undefined,
          });
          if (isFailure(r)) return r;
          return recorded(r, discount);
        } catch (err) {
          // The order reference's unique index: this order was redeemed already.
          if (sqlState(err) === SQLSTATE.uniqueViolation) {
            return fail(CampaignError.RedemptionExists);
          }
          throw err;
        }
      };

      /**
       * A refusal, unless the order has its redemption already: then the same request
       * again (a retry) is answered that redemption, and another is `redemption_exists`.
       */
      const refused = async (f: CampaignFailure) => {
        const [had] = await rowsOf([merchantId], input.orderRef);
        if (!had) return f;
        const same =
          had.code === code &&
          had.customer_key === customerKey &&
          had.currency === input.currency &&
          BigInt(had.order_total) === input.orderTotal;
        return same
          ? { redemption: toRedemption(had), created: false }
          : fail(CampaignError.RedemptionExists);
      };

      /**
       * A code this process has not seen, while it keeps the rules of the merchant's
       * campaigns: the order is quoted under each (a first-order-only one excepted: it
       * is decided under its lock), and the statement that records the redemption finds
       * the code's campaign and takes its quote (migration 0137). Finding the campaign
       * first would cost a round trip of its own; with random codes every redemption
       * met one. A code of any other campaign comes back `UNQUOTED`, having taken nothing.
       */
      const recordQuoted = async () => {
        if (campaigns.knowsCode(code)) return UNQUOTED;
        const id = newId('red');
        const quotes = campaigns.merchantRules(merchantId).flatMap((rules): RedemptionQuote[] => {
          if (rules.rule.firstOrderOnly ?? false) return [];
          const q = quote(rules, 0);
          if (isFailure(q)) return [];
          const audit =
            actor && deps.audit ? createdEntry(actor, rules.id, id, q.amount) : undefined;
          return [{ campaignId: rules.id, discount: q.amount, audit }];
        });
        const r = await campaigns.reserveQuoted({
          code,
          orderId,
          customerKey,
          currency: input.currency,
          orderTotal: input.orderTotal,
          id,
          quotes,
        });
        if (r === UNQUOTED) return r;
        if (isFailure(r)) {
          return r.code === CampaignError.CouponNotFound
            ? fail(CampaignError.CouponNotFound, { param: 'code' })
            : r;
        }
        const discount = quotes.find((q) => q.campaignId === r.campaignId)?.discount;
        if (discount === undefined) throw new Error('redemption recorded under no quote');
        return recorded(r, discount);
      };

      const folded = await recordQuoted();
      if (folded !== UNQUOTED) {
        if (isFailure(folded)) return refused(folded);
        return { redemption: folded, created: true };
      }

      const rules = await campaigns.codeRules(code);
      if (!rules || rules.merchantId !== merchantId) {
        return refused(fail(CampaignError.CouponNotFound, { param: 'code' }));
      }
      const quoted = quote(rules, 0);
      if (isFailure(quoted)) return refused(quoted);
      // First order only: the customer's earlier orders are counted and the redemption
      // recorded under one lock on the customer, so of two first orders raced by one
      // customer one gets the discount (the redemption then joins this transaction: one
      // statement, not the batch). Every other redemption takes the batched path.
      const made = !(rules.rule.firstOrderOnly ?? false)
        ? await record(rules, quoted.amount)
        : await db.attempt(async () => {
            await db.query(
              `SELECT pg_advisory_xact_lock(${FIRST_ORDER_LOCK_CLASS}, hashtext($1))`,
              [customerKey],
            );
            const { rows: prior } = await db.query<{ n: bigint }>(
              `SELECT count(*) AS n FROM campaign_redemptions
                WHERE customer_key = $1 AND status <> 'released'`,
              [customerKey],
            );
            const q = quote(rules, Number(prior[0]?.n ?? 0n));
            if (isFailure(q)) return rollback(q);
            const r = await record(rules, q.amount);
            // A refusal, or the order's unique index, which aborted the transaction.
            return isFailure(r) ? rollback(r) : r;
          });
      if (isFailure(made)) return refused(made);
      return { redemption: made, created: true };
    },

    find,

    async confirm(merchantId, orderRef, actor) {
      return db.attempt(async () => {
        const r = await byOrder(merchantId, orderRef);
        if (!r) return fail(CampaignError.RedemptionNotFound);
        if (r.status === 'released') return fail(CampaignError.RedemptionReleased);
        if (r.status === 'redeemed') return r;
        await campaigns.confirm(externalOrderId(merchantId, orderRef));
        const done = await byOrder(merchantId, orderRef);
        if (!done) throw new Error('redemption vanished');
        await audited(actor, 'campaign.redemption_confirmed', done);
        return done;
      });
    },

    async release(merchantId, orderRef, actor) {
      return db.attempt(async () => {
        const r = await byOrder(merchantId, orderRef);
        if (!r) return fail(CampaignError.RedemptionNotFound);
        if (r.status === 'released') return r;
        await campaigns.release(externalOrderId(merchantId, orderRef));
        const done = await byOrder(merchantId, orderRef);
        if (!done) throw new Error('redemption vanished');
        await audited(actor, 'campaign.redemption_released', done);
        return done;
      });
    },
  };
}
