import { formatAmount } from '../ledger/money.js';
import { isFailure } from '../platform/failure.js';
import { MerchantError } from '../merchants/errors.js';
import type { MerchantsService } from '../merchants/service.js';
import type { Order } from './model.js';

/** Where an order's invoice stands, as far as the order cares. */
export type InvoiceState =
  /** Waiting for (more) payment, or for a payment seen on chain to confirm. */
  | 'open'
  /** Paid in full (on time, over, or late). */
  | 'paid'
  /** Expired unpaid or underpaid: it will not be paid in full. */
  | 'failed';

export type PaymentOutcome =
  { ok: true; reference: string } | { ok: false; code: string; message: string };

/**
 * The seam between commerce and the merchants module (its service interface only, never
 * its tables). A store belongs to a merchant tenant; an order is paid through an invoice
 * of that merchant's live account, opened after the order's transaction commits (so no
 * network call or foreign lock runs under the order's row locks) and keyed by the order.
 */
export interface OrderPayments {
  /** The payment method stored on orders paid this way. */
  readonly method: string;
  /** Whether the user may manage the merchant's stores, products, stock and orders. */
  canManage(userId: string, merchantId: string): Promise<boolean>;
  /** The merchants the user is a member of (any role), for the merchant's order list. */
  merchantsOf(userId: string): Promise<string[]>;
  /** The merchant's live account (`mca_…`), the owner of its webhook endpoints. */
  liveAccountOf(merchantId: string): Promise<string | undefined>;
  /** Opens the invoice that pays the order (its total in its currency, until its expiry). */
  openInvoice(order: Order): Promise<{ ok: true; invoiceId: string } | PaymentFailure>;
  /** The invoice's state now (read through the merchants module). */
  invoiceState(invoiceId: string): Promise<InvoiceState | undefined>;
  /** Pays the order's invoice in full from the user's wallet, in the order's currency. */
  payFromWallet(order: Order, payerId: string): Promise<PaymentOutcome>;
  /** Ends the order's invoice unpaid (the order is cancelled); refused once it has a payment. */
  voidInvoice(order: Order): Promise<PaymentOutcome>;
  /** Refunds every confirmed payment of the order's invoice in full. */
  refund(order: Order): Promise<PaymentOutcome>;
}

type PaymentFailure = { ok: false; code: string; message: string };

/** What the buyer sees on the hosted checkout page: the lines bought. */
function describe(order: Order): string {
  const text = order.lines.map((l) => `${l.name} × ${l.quantity}`).join(', ');
  return text.length <= 200 ? text : `${text.slice(0, 199)}…`;
}

const PAID = new Set(['paid', 'overpaid', 'paid_late']);
const FAILED = new Set(['expired', 'underpaid']);

/**
 * Pays orders through merchant invoices. The invoice accepts the order's currency (so a
 * Vaultwire wallet pays it at once) and every asset the merchants module enables for it;
 * the hosted checkout (`/pay/{invoice}`) shows them all.
 */
export function invoiceOrderPayments(deps: {
  merchants: Pick<MerchantsService, 'directory' | 'invoices' | 'refunds'>;
  /** Roles that may manage a merchant's stores. */
  managerRoles?: readonly string[];
  scaleOf: (currency: string) => Promise<number | undefined>;
  clock: () => Date;
}): OrderPayments {
  const { directory, invoices, refunds } = deps.merchants;
  const managers = new Set(deps.managerRoles ?? ['owner', 'admin', 'developer']);

  async function liveAccount(merchantId: string) {
    const m = await directory.get(merchantId);
    return m ? directory.account(m.liveAccountId) : undefined;
  }

  return {
    method: 'invoice',
    async canManage(userId, merchantId) {
      const r = await directory.getForMember(userId, merchantId);
      return !isFailure(r) && managers.has(r.role);
    },
    async merchantsOf(userId) {
      return (await directory.listForMember(userId)).map((m) => m.merchant.id);
    },
    async liveAccountOf(merchantId) {
      return (await directory.get(merchantId))?.liveAccountId;
    },
    async openInvoice(order) {
      const account = await liveAccount(order.merchantId);
      if (!account) return { ok: false, code: 'merchant_not_found', message: 'No such merchant' };
      const seconds = Math.max(
        1,
        Math.ceil((order.expiresAt.getTime() - deps.clock().getTime()) / 1000),
      );
      const scale = await deps.scaleOf(order.currency);
      if (scale === undefined) {
        return { ok: false, code: 'currency_unknown', message: `No asset ${order.currency}` };
      }
      const input = {
        currency: order.currency,
        amount: formatAmount(order.total, scale),
        description: describe(order),
        orderId: order.id,
        customerEmail: order.guestEmail ?? undefined,
        metadata: { store_id: order.storeId },
        expiresInSeconds: seconds,
      };
      let inv = await invoices.create(account, input);
      // Without a price for the other assets now, the order is still payable in its own
      // currency (from a wallet); a checkout is not refused for a missing quote.
      if (isFailure(inv) && inv.code === MerchantError.PriceUnavailable) {
        inv = await invoices.create(account, { ...input, assets: [order.currency] });
      }
      if (isFailure(inv)) return { ok: false, code: inv.code, message: inv.message ?? inv.code };
      return { ok: true, invoiceId: inv.id };
    },
    async invoiceState(invoiceId) {
      const inv = await invoices.find(invoiceId);
      if (!inv) return undefined;
      if (PAID.has(inv.status)) return 'paid';
      if (FAILED.has(inv.status)) return 'failed';
      return 'open';
    },
    async payFromWallet(order, payerId) {
      if (order.invoiceId === null) {
        return { ok: false, code: 'no_invoice', message: 'The order has no invoice' };
      }
      const r = await invoices.payFromWallet(payerId, order.invoiceId, { asset: order.currency });
      if (isFailure(r)) return { ok: false, code: r.code, message: r.message ?? r.code };
      return { ok: true, reference: order.invoiceId };
    },
    async voidInvoice(order) {
      if (order.invoiceId === null) return { ok: true, reference: 'none' };
      const account = await liveAccount(order.merchantId);
      if (!account) return { ok: false, code: 'merchant_not_found', message: 'No such merchant' };
      const r = await invoices.void(account.id, order.invoiceId);
      if (isFailure(r)) return { ok: false, code: r.code, message: r.message ?? r.code };
      return { ok: true, reference: r.id };
    },
    async refund(order) {
      if (order.invoiceId === null) {
        return { ok: false, code: 'no_invoice', message: 'The order has no invoice' };
      }
      const account = await liveAccount(order.merchantId);
      const inv = account ? await invoices.get(account.id, order.invoiceId) : undefined;
      if (!account || !inv) {
        return { ok: false, code: 'invoice_not_found', message: 'The invoice is gone' };
      }
      const ids: string[] = [];
      for (const p of inv.payments) {
        if (p.status !== 'confirmed' || p.amount - p.refunded <= 0n) continue;
        const option = inv.options.find((o) => o.asset === p.asset);
        const r = await refunds.create(account, inv.id, {
          asset: p.asset,
          amount: formatAmount(p.amount - p.refunded, option?.scale ?? 0),
          reason: `Refund of order ${order.id}`,
        });
        if (isFailure(r)) return { ok: false, code: r.code, message: r.message ?? r.code };
        ids.push(r.id);
      }
      return { ok: true, reference: ids.join(',') || inv.id };
    },
  };
}
