import { formatAmount } from '../ledger/money.js';
import type { WalletService } from '../wallet/service.js';
import type { Order } from './model.js';

/**
 * The seam between an order and the money that pays for it. Commerce calls `pay` inside
 * the transaction that marks the order paid and `refund` inside the one that marks it
 * refunded, so the order's state and the money move together or not at all (an
 * implementation must join the ambient database transaction and make no network call).
 * Each call carries a key derived from the order, so a retry never moves money twice.
 *
 * Implementations: the Vaultwire wallet (below); merchant invoices plug in here later.
 */
export interface OrderPayments {
  /** The method's name, stored on the order (`wallet`). */
  readonly method: string;
  pay(order: Order, payerId: string): Promise<PaymentOutcome>;
  refund(order: Order): Promise<PaymentOutcome>;
}

export type PaymentOutcome =
  { ok: true; reference: string } | { ok: false; code: string; message: string };

/**
 * Pays an order from the buyer's wallet balance to the store owner's, as one wallet
 * payment (one ledger transfer) keyed `commerce:order:<id>`; a refund is a payment back
 * from the owner, keyed `commerce:refund:<id>`. The wallet's limits and freezes apply.
 */
export function walletOrderPayments(deps: {
  wallet: Pick<WalletService, 'pay'>;
  scaleOf: (currency: string) => Promise<number | undefined>;
}): OrderPayments {
  async function move(
    payerId: string,
    payeeId: string,
    order: Order,
    key: string,
    note: string,
  ): Promise<PaymentOutcome> {
    const scale = await deps.scaleOf(order.currency);
    if (scale === undefined) {
      return { ok: false, code: 'unknown_asset', message: `No asset ${order.currency}` };
    }
    const r = await deps.wallet.pay({
      payerId,
      to: payeeId,
      asset: order.currency,
      amount: formatAmount(order.total, scale),
      note,
      requestKey: key,
    });
    if (!r.ok) return { ok: false, code: r.code, message: r.message ?? r.code };
    return { ok: true, reference: r.payment.id };
  }
  return {
    method: 'wallet',
    pay: (order, payerId) =>
      move(payerId, order.merchantId, order, `commerce:order:${order.id}`, `Order ${order.id}`),
    refund: (order) => {
      const buyer = order.buyerId;
      if (buyer === null) {
        return Promise.resolve({
          ok: false,
          code: 'no_buyer',
          message: 'The order has no buyer to refund',
        });
      }
      return move(
        order.merchantId,
        buyer,
        order,
        `commerce:refund:${order.id}`,
        `Refund of order ${order.id}`,
      );
    },
  };
}
