/** Commerce objects as the service returns them. Amounts are bigint minor units. */

export interface Store {
  id: string;
  /** The merchant tenant the store belongs to (null: opened before stores had one). */
  merchantId: string | null;
  /** The user who opened the store. */
  ownerId: string;
  name: string;
  logoUrl: string | null;
  /** Brand colours by role (`primary`, `accent`…) as `#rrggbb`. */
  colors: Record<string, string>;
  /** Where the store stands in the mall's floor plan (a grid cell on a level). */
  position: { level: number; x: number; y: number };
  /** Tax charged on its orders, in basis points of the discounted amount. */
  taxBps: number;
  createdAt: Date;
}

export interface Product {
  id: string;
  storeId: string;
  name: string;
  description: string;
  imageUrls: string[];
  variants: Variant[];
  createdAt: Date;
}

export interface Variant {
  id: string;
  productId: string;
  storeId: string;
  sku: string;
  name: string;
  /** Minor units by currency code. */
  prices: Record<string, bigint>;
  onHand: number;
  reserved: number;
  /** `onHand - reserved`: what a checkout may still reserve. */
  available: number;
}

export interface CartItem {
  variantId: string;
  productId: string;
  name: string;
  quantity: number;
  unitPrice: bigint | null;
}

export interface Cart {
  id: string;
  storeId: string;
  ownerId: string | null;
  currency: string;
  couponCode: string | null;
  items: CartItem[];
  createdAt: Date;
}

export const ORDER_STATUSES = ['pending', 'paid', 'fulfilled', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderLine {
  lineNo: number;
  variantId: string;
  productId: string;
  name: string;
  quantity: number;
  unitPrice: bigint;
  subtotal: bigint;
  discount: bigint;
  tax: bigint;
  total: bigint;
}

export interface Order {
  id: string;
  cartId: string;
  storeId: string;
  merchantId: string;
  /** The merchant's live account, owner of the webhook endpoints the events go to. */
  merchantAccountId: string | null;
  buyerId: string | null;
  guestEmail: string | null;
  currency: string;
  status: OrderStatus;
  subtotal: bigint;
  discount: bigint;
  tax: bigint;
  total: bigint;
  couponCode: string | null;
  campaignId: string | null;
  /** A pending order's reserved stock is released at this time. */
  expiresAt: Date;
  paymentMethod: string | null;
  /** The merchant invoice that pays the order (opened at checkout). */
  invoiceId: string | null;
  paymentReference: string | null;
  refundReference: string | null;
  cancelReason: string | null;
  lines: OrderLine[];
  createdAt: Date;
  paidAt: Date | null;
  fulfilledAt: Date | null;
  closedAt: Date | null;
}
