import { formatAmount } from '../ledger/money.js';
import type { Cart, Order, Product, Store, Variant } from './model.js';
import type { Totals } from './pricing.js';

/**
 * The wire form of commerce objects (and the payload of their events). Amounts are
 * decimal strings at the currency's scale, with the minor units beside them.
 */

export type Scales = (currency: string) => number;

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const storeJson = (s: Store) => ({
  id: s.id,
  object: 'store' as const,
  merchant_id: s.merchantId,
  owner_id: s.ownerId,
  name: s.name,
  logo_url: s.logoUrl,
  colors: s.colors,
  position: s.position,
  tax_bps: s.taxBps,
  created_at: s.createdAt.toISOString(),
});

export const variantJson = (v: Variant, scale: Scales) => ({
  id: v.id,
  object: 'variant' as const,
  product_id: v.productId,
  sku: v.sku,
  name: v.name,
  prices: Object.fromEntries(
    Object.entries(v.prices).map(([c, a]) => [c, formatAmount(a, scale(c))]),
  ),
  on_hand: v.onHand,
  reserved: v.reserved,
  available: v.available,
});

export const productJson = (p: Product, scale: Scales) => ({
  id: p.id,
  object: 'product' as const,
  store_id: p.storeId,
  name: p.name,
  description: p.description,
  image_urls: p.imageUrls,
  variants: p.variants.map((v) => variantJson(v, scale)),
  created_at: p.createdAt.toISOString(),
});

export const cartJson = (
  cart: Cart,
  totals: Totals,
  couponProblem: { code: string; message?: string | undefined } | null,
  scale: Scales,
) => {
  const s = scale(cart.currency);
  const money = (a: bigint) => formatAmount(a, s);
  return {
    id: cart.id,
    object: 'cart' as const,
    store_id: cart.storeId,
    customer_id: cart.ownerId,
    currency: cart.currency,
    coupon_code: cart.couponCode,
    coupon_problem: couponProblem ? { code: couponProblem.code } : null,
    items: cart.items.map((item, i) => ({
      variant_id: item.variantId,
      product_id: item.productId,
      name: item.name,
      quantity: item.quantity,
      unit_price: item.unitPrice === null ? null : money(item.unitPrice),
      discount: money(totals.lines[i]?.discount ?? 0n),
      tax: money(totals.lines[i]?.tax ?? 0n),
      total: money(totals.lines[i]?.total ?? 0n),
    })),
    subtotal: money(totals.subtotal),
    discount: money(totals.discount),
    tax: money(totals.tax),
    total: money(totals.total),
    created_at: cart.createdAt.toISOString(),
  };
};

export const orderJson = (o: Order, scale: Scales) => {
  const s = scale(o.currency);
  const money = (a: bigint) => formatAmount(a, s);
  return {
    id: o.id,
    object: 'order' as const,
    cart_id: o.cartId,
    store_id: o.storeId,
    merchant_id: o.merchantId,
    merchant_account_id: o.merchantAccountId,
    buyer_id: o.buyerId,
    guest_email: o.guestEmail,
    currency: o.currency,
    status: o.status,
    lines: o.lines.map((l) => ({
      variant_id: l.variantId,
      product_id: l.productId,
      name: l.name,
      quantity: l.quantity,
      unit_price: money(l.unitPrice),
      subtotal: money(l.subtotal),
      discount: money(l.discount),
      tax: money(l.tax),
      total: money(l.total),
    })),
    subtotal: money(o.subtotal),
    discount: money(o.discount),
    tax: money(o.tax),
    total: money(o.total),
    total_minor: o.total.toString(),
    coupon_code: o.couponCode,
    campaign_id: o.campaignId,
    expires_at: o.expiresAt.toISOString(),
    payment_method: o.paymentMethod,
    invoice_id: o.invoiceId,
    /** Where the buyer pays the order's invoice (relative to the api's base URL). */
    checkout_url: o.invoiceId === null ? null : `/pay/${o.invoiceId}`,
    payment_reference: o.paymentReference,
    refund_reference: o.refundReference,
    cancel_reason: o.cancelReason,
    created_at: o.createdAt.toISOString(),
    paid_at: iso(o.paidAt),
    fulfilled_at: iso(o.fulfilledAt),
    closed_at: iso(o.closedAt),
  };
};
