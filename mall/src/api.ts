import { createVaultwireClient, unwrap, VaultwireApiError } from '@vaultwire/client';

export { unwrap, VaultwireApiError };

/** The same key as the web app at /app: logging in to either logs in to both. */
const SESSION_KEY = 'vaultwire.session';

export const session = {
  token(): string | undefined {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return undefined;
    try {
      const s = JSON.parse(raw) as { token: string; expiresAt: string };
      if (Date.parse(s.expiresAt) > Date.now()) return s.token;
    } catch {
      // A corrupt entry is the same as none.
    }
    localStorage.removeItem(SESSION_KEY);
    return undefined;
  },
  save(token: string, expiresAt: string): void {
    localStorage.setItem(SESSION_KEY, JSON.stringify({ token, expiresAt }));
  },
  clear(): void {
    localStorage.removeItem(SESSION_KEY);
  },
};

/** The typed client, on this origin, with the session when there is one. */
export const api = createVaultwireClient({ token: () => session.token() });

/** The wire shapes of the commerce API the mall reads (src/commerce/json.ts). */
export interface Store {
  id: string;
  name: string;
  logo_url: string | null;
  colors: Record<string, string>;
  position: { level: number; x: number; y: number };
}

export interface Variant {
  id: string;
  sku: string;
  name: string;
  prices: Record<string, string>;
  available: number;
}

export interface Product {
  id: string;
  store_id: string;
  name: string;
  description: string | null;
  image_urls: string[];
  variants: Variant[];
}

export interface CartItem {
  variant_id: string;
  product_id: string;
  name: string;
  quantity: number;
  unit_price: string | null;
  total: string;
}

export interface Cart {
  id: string;
  store_id: string;
  currency: string;
  coupon_code: string | null;
  coupon_problem: { code: string } | null;
  items: CartItem[];
  subtotal: string;
  discount: string;
  tax: string;
  total: string;
  secret?: string | null;
}

export interface OrderLine {
  name: string;
  quantity: number;
  total: string;
}

export interface Order {
  id: string;
  store_id: string;
  status: string;
  currency: string;
  lines: OrderLine[];
  subtotal: string;
  discount: string;
  tax: string;
  total: string;
  coupon_code: string | null;
  /** The merchant invoice that pays the order, and its hosted checkout page. */
  invoice_id: string | null;
  checkout_url: string | null;
  created_at: string;
}

/** Amounts as people read them: grouped, never through a float. */
export function formatAmount(amount: string, currency: string): string {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction] = amount.replace(/^[-+]/, '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = fraction?.replace(/0+$/, '');
  const shown = trimmed ? `${grouped}.${trimmed.padEnd(2, '0')}` : `${grouped}.00`;
  return `${negative ? '−' : ''}${shown} ${currency}`;
}

/** The currency a product is shown and sold in: USD when it has a USD price, else its first. */
export function displayCurrency(variant: Variant): string | undefined {
  const currencies = Object.keys(variant.prices);
  return currencies.includes('USD') ? 'USD' : currencies[0];
}

/** The price line of a product: its first variant's, in its display currency. */
export function priceLabel(product: Product): string {
  const variant = product.variants[0];
  const currency = variant && displayCurrency(variant);
  const price = currency && variant.prices[currency];
  if (!variant || !currency || !price) return 'No price';
  const from = product.variants.length > 1 ? 'from ' : '';
  return `${from}${formatAmount(price, currency)}`;
}

/** A readable sentence for an API error (its message, which names the field at fault). */
export function errorText(error: unknown): string {
  if (error instanceof VaultwireApiError) return error.message;
  return 'The mall could not reach the server. Check your connection and try again.';
}

/** Every store of the mall (the first 100) and up to 12 products of each. */
export async function loadMall(): Promise<{ stores: Store[]; products: Map<string, Product[]> }> {
  const page = unwrap(await api.GET('/v1/stores', { params: { query: { limit: 100 } } }));
  const stores = page.data as unknown as Store[];
  const products = new Map<string, Product[]>();
  // A few at a time: a mall of a hundred stores should not open a hundred requests at once.
  const queue = [...stores];
  const worker = async () => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      const list = unwrap(
        await api.GET('/v1/stores/{id}/products', {
          params: { path: { id: s.id }, query: { limit: 12 } },
        }),
      );
      products.set(s.id, list.data as unknown as Product[]);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { stores, products };
}
