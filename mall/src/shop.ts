import {
  api,
  displayCurrency,
  session,
  unwrap,
  VaultwireApiError,
  type Cart,
  type Order,
  type Product,
  type Variant,
} from './api.js';

const CARTS_KEY = 'vaultwire.mall.carts';

/** A cart the mall remembers: one per store (a cart holds one store's products). */
interface KeptCart {
  storeId: string;
  cartId: string;
  /** A guest cart's secret; none for a logged-in customer's own cart. */
  secret?: string;
}

type Listener = () => void;

/**
 * The shopping state: a cart per store, the session, and the steps from cart to paid order,
 * each one call of the commerce API. Carts live on the server; the browser keeps only their
 * ids (and a guest's secrets), so a reload finds them again.
 */
export class Shop {
  readonly carts = new Map<string, Cart>();
  private kept = new Map<string, KeptCart>();
  private listeners = new Set<Listener>();

  onChange(listener: Listener): void {
    this.listeners.add(listener);
  }

  private changed(): void {
    localStorage.setItem(CARTS_KEY, JSON.stringify([...this.kept.values()]));
    for (const l of this.listeners) l();
  }

  loggedIn(): boolean {
    return session.token() !== undefined;
  }

  private headers(storeId: string): Record<string, string> {
    const secret = this.kept.get(storeId)?.secret;
    return secret ? { 'cart-secret': secret } : {};
  }

  /** Finds the carts kept by an earlier visit; those gone or checked out are forgotten. */
  async restore(): Promise<void> {
    let saved: KeptCart[];
    try {
      saved = JSON.parse(localStorage.getItem(CARTS_KEY) ?? '[]') as KeptCart[];
    } catch {
      saved = [];
    }
    for (const k of saved) {
      // A guest's cart after logging in, or a customer's after logging out, is not theirs.
      if (this.loggedIn() === (k.secret !== undefined)) continue;
      this.kept.set(k.storeId, k);
      const r = await api.GET('/v1/carts/{id}', {
        params: { path: { id: k.cartId } },
        headers: this.headers(k.storeId),
      });
      if (r.response.ok) this.carts.set(k.storeId, r.data as unknown as Cart);
      else this.kept.delete(k.storeId);
    }
    this.changed();
  }

  itemCount(): number {
    let n = 0;
    for (const c of this.carts.values()) for (const i of c.items) n += i.quantity;
    return n;
  }

  private async cartFor(storeId: string, currency: string): Promise<Cart> {
    const existing = this.carts.get(storeId);
    if (existing && existing.currency === currency) return existing;
    const made = unwrap(await api.POST('/v1/carts', { body: { store_id: storeId, currency } }));
    const cart = made as unknown as Cart;
    this.kept.set(storeId, {
      storeId,
      cartId: cart.id,
      ...(cart.secret ? { secret: cart.secret } : {}),
    });
    this.carts.set(storeId, cart);
    return cart;
  }

  /** Adds `quantity` units of a variant to its store's cart (in the variant's currency). */
  async add(product: Product, variant: Variant, quantity: number): Promise<Cart> {
    const currency = displayCurrency(variant);
    if (!currency) throw new Error('This product has no price');
    const cart = await this.cartFor(product.store_id, currency);
    const had = cart.items.find((i) => i.variant_id === variant.id)?.quantity ?? 0;
    return this.setQuantity(product.store_id, variant.id, had + quantity);
  }

  async setQuantity(storeId: string, variantId: string, quantity: number): Promise<Cart> {
    const cart = this.carts.get(storeId);
    if (!cart) throw new Error('No cart for this store');
    const updated = unwrap(
      await api.POST('/v1/carts/{id}/items', {
        params: { path: { id: cart.id } },
        headers: this.headers(storeId),
        body: { variant_id: variantId, quantity },
      }),
    ) as unknown as Cart;
    this.carts.set(storeId, updated);
    this.changed();
    return updated;
  }

  async applyCoupon(storeId: string, code: string | null): Promise<Cart> {
    const cart = this.carts.get(storeId);
    if (!cart) throw new Error('No cart for this store');
    const updated = unwrap(
      await api.POST('/v1/carts/{id}/coupon', {
        params: { path: { id: cart.id } },
        headers: this.headers(storeId),
        body: { code },
      }),
    ) as unknown as Cart;
    this.carts.set(storeId, updated);
    this.changed();
    return updated;
  }

  /**
   * Checks the store's cart out: its units and coupon are reserved by a pending order,
   * paid through the merchant's invoice. A guest gives an email for the receipt.
   */
  async checkout(storeId: string, email?: string): Promise<Order> {
    const cart = this.carts.get(storeId);
    if (!cart) throw new Error('No cart for this store');
    const order = unwrap(
      await api.POST('/v1/carts/{id}/checkout', {
        params: { path: { id: cart.id } },
        headers: this.headers(storeId),
        body: email ? { email } : {},
      }),
    ) as unknown as Order;
    // Checked out: the cart is done with, whatever the payment does next.
    this.carts.delete(storeId);
    this.kept.delete(storeId);
    this.changed();
    return order;
  }

  /**
   * Checks the store's cart out and pays the order from the wallet. A refused payment
   * leaves the order pending (it holds its units until it expires) and throws the API's
   * reason.
   */
  async checkoutAndPay(storeId: string): Promise<Order> {
    const order = await this.checkout(storeId);
    return this.pay(order.id);
  }

  async pay(orderId: string): Promise<Order> {
    return unwrap(
      await api.POST('/v1/orders/{id}/pay', { params: { path: { id: orderId } } }),
    ) as unknown as Order;
  }

  async orders(): Promise<Order[]> {
    const page = unwrap(await api.GET('/v1/orders', { params: { query: { limit: 20 } } }));
    return page.data as unknown as Order[];
  }

  /**
   * Logs in (the identity API's session), then moves the guest carts to the customer: a new
   * cart of theirs with the same items and coupon, since a guest cart stays a guest's.
   * Throws `totp_required` when the account has two-factor authentication and no code came.
   */
  async logIn(email: string, password: string, totpCode?: string): Promise<void> {
    const created = unwrap(
      await api.POST('/v1/sessions', {
        body: { email, password, ...(totpCode ? { totp_code: totpCode } : {}) },
      }),
    );
    session.save(created.token, created.expires_at);
    const guestCarts = [...this.carts.values()];
    this.carts.clear();
    this.kept.clear();
    for (const guest of guestCarts) {
      if (guest.items.length === 0) continue;
      const cart = await this.cartFor(guest.store_id, guest.currency);
      for (const item of guest.items) {
        await this.setQuantity(guest.store_id, item.variant_id, item.quantity);
      }
      if (guest.coupon_code) {
        await this.applyCoupon(cart.store_id, guest.coupon_code).catch((e: unknown) => {
          if (!(e instanceof VaultwireApiError)) throw e;
        });
      }
    }
    this.changed();
  }

  logOut(): void {
    session.clear();
    this.carts.clear();
    this.kept.clear();
    this.changed();
  }
}
