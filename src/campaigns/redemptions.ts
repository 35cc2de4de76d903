import type { AuditLog } from '../platform/audit/audit.js';
import { sqlState, SQLSTATE, type Db } from '../platform/db/db.js';
import { fail, isFailure, rollback } from '../platform/failure.js';
import { CampaignError, type CampaignFailure } from './errors.js';
import { normalizeCode } from './rules.js';
import { recordCampaignAudit, type CampaignActor, type CampaignsService } from './service.js';

/**
 * Redemptions of orders made outside the mall (a merchant's own web shop, a point of
 * sale): the shop sends a code with its order's reference, customer and total, and the
 * campaign's rules and limits apply as at a mall checkout. The shop's references are
 * namespaced by merchant (`ext:<merchant>:<reference>`), so they never meet a mall
 * order's id (`ord_…`) nor another merchant's references, and its customers
 * (`ext:<merchant>:<customer>`) never count as a mall buyer or another shop's.
 *
 * A redemption made here goes through `CampaignsService.reserve` outside a transaction:
 * the batched path (group commit, migration 0131).
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
  /** Redeems `code` for the shop's order; another merchant's code is not found. */
  redeem(
    merchantId: string,
    input: ExternalRedemptionInput,
    actor?: CampaignActor,
  ): Promise<ExternalRedemption | CampaignFailure>;
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
  currency: string;
  order_total: string;
  discount: string;
  status: ExternalRedemption['status'];
  created_at: Date;
  redeemed_at: Date | null;
  released_at: Date | null;
}

const COLUMNS = `r.id, r.order_id, m.merchant_id, r.campaign_id, r.code, r.currency,
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

  async function byOrder(merchantId: string, orderRef: string) {
    const found = await find([merchantId], orderRef);
    return found[0];
  }

  async function find(merchantIds: readonly string[], orderRef: string) {
    const { rows } = await db.query<RedemptionRow>(
      `SELECT ${COLUMNS} FROM campaign_redemptions r JOIN campaigns m ON m.id = r.campaign_id
        WHERE r.order_id = ANY($1::text[])`,
      [merchantIds.map((m) => externalOrderId(m, orderRef))],
    );
    // The namespace is the merchant's own: a row whose campaign is another's is not theirs.
    return rows
      .filter((r) => r.order_id === externalOrderId(r.merchant_id, orderRef))
      .map(toRedemption);
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
       * Why a quote found the code not applicable: one line of the order's total matches
       * any campaign without a target, so it is another merchant's code (answered as an
       * unknown one: it reveals nothing) or one that needs the order's lines.
       */
      const notApplicable = async (): Promise<CampaignFailure> => {
        const { rows } = await db.query<{
          merchant_id: string | null;
          kind: string;
          stores: number;
          products: number;
        }>(
          `SELECT m.merchant_id, m.rule->>'kind' AS kind,
                  cardinality(m.target_store_ids) AS stores,
                  cardinality(m.target_product_ids) AS products
             FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
             JOIN campaigns m ON m.id = b.campaign_id
            WHERE c.code = $1`,
          [code],
        );
        const campaign = rows[0];
        if (!campaign || campaign.merchant_id !== merchantId) {
          return fail(CampaignError.CouponNotFound, { param: 'code' });
        }
        if (campaign.kind === 'free_item') {
          return fail(CampaignError.CouponNeedsCart, {
            message: 'This code gives a free item: it needs the order’s lines (a mall checkout)',
          });
        }
        const scope = campaign.stores > 0 ? 'stores' : 'products';
        return fail(CampaignError.CouponNeedsCart, {
          message: `This code discounts only some ${scope}: it needs the order’s lines (a mall checkout)`,
        });
      };

      /**
       * The order quoted as one line of its total. The shop's customer counts as a known
       * one (a member); the orders of theirs this platform knows are their live
       * redemptions with this merchant's campaigns.
       */
      const quote = async (priorOrders: number) => {
        const q = await campaigns.quote(code, {
          merchantId,
          currency: input.currency,
          lines: [
            { variantId: '', productId: '', storeId: '', unitPrice: input.orderTotal, quantity: 1 },
          ],
          customer: { kind: 'member', priorOrders },
          now: deps.clock(),
        });
        if (!isFailure(q)) return q;
        if (q.code === CampaignError.CouponNotApplicable) return notApplicable();
        return fail(q.code, { message: q.message, param: 'code' });
      };

      const record = async (discount: bigint) => {
        try {
          return await campaigns.reserve({
            code,
            orderId,
            customerKey,
            currency: input.currency,
            discount,
            orderTotal: input.orderTotal,
          });
        } catch (err) {
          // The order reference's unique index: this order was redeemed already.
          if (sqlState(err) === SQLSTATE.uniqueViolation) {
            return fail(CampaignError.RedemptionExists);
          }
          throw err;
        }
      };

      /** A refusal, unless the order has its redemption already: then that is the answer. */
      const refused = async (f: CampaignFailure): Promise<CampaignFailure> =>
        f.code !== CampaignError.RedemptionExists &&
        (await byOrder(merchantId, input.orderRef)) !== undefined
          ? fail(CampaignError.RedemptionExists)
          : f;

      const quoted = await quote(0);
      if (isFailure(quoted)) return refused(quoted);
      // First order only: the customer's earlier orders are counted and the redemption
      // recorded under one lock on the customer, so of two first orders raced by one
      // customer one gets the discount (the redemption then joins this transaction: one
      // statement, not the batch). Every other redemption takes the batched path.
      const reserved = !(quoted.campaign.rule.firstOrderOnly ?? false)
        ? await record(quoted.applied.amount)
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
            const q = await quote(Number(prior[0]?.n ?? 0n));
            if (isFailure(q)) return rollback(q);
            const r = await record(q.applied.amount);
            // A refusal, or the order's unique index, which aborted the transaction.
            return isFailure(r) ? rollback(r) : r;
          });
      if (isFailure(reserved)) return refused(reserved);
      const made = await byOrder(merchantId, input.orderRef);
      if (!made) throw new Error('redemption vanished');
      await audited(actor, 'campaign.redemption_created', made);
      return made;
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
