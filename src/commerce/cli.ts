import { listAll, reportFailure, type ApiClient } from '../platform/cli/api-client.js';
import type { CliOutput } from '../platform/modules/descriptor.js';

/**
 * `vaultwire stores …` and `vaultwire products …`: the stores and catalog API, called with
 * the user's own token, as functions returning an exit code (0 done, 1 refused, 2 bad
 * input); module.ts wires them to commander. A create prints the new id on stdout (so a
 * script can keep it) unless `--json` asks for the whole object.
 */

interface StoreView {
  id: string;
  merchant_id: string | null;
  name: string;
  position: { level: number; x: number; y: number };
  tax_bps: number;
}

interface ProductView {
  id: string;
  name: string;
  variants: {
    id: string;
    sku: string;
    name: string;
    available: number;
    prices: Record<string, string>;
  }[];
}

export async function runStoresList(
  api: ApiClient,
  io: CliOutput,
  opts: { merchant?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const query = opts.merchant ? `?merchant=${encodeURIComponent(opts.merchant)}` : '';
  const r = await listAll<StoreView>(api, `/v1/stores${query}`);
  if ('failed' in r) return reportFailure(io, 'Cannot list stores', r.failed);
  for (const s of r.items) {
    if (opts.json) {
      io.out(JSON.stringify(s));
      continue;
    }
    const p = s.position;
    io.out(
      `${s.id}  ${s.name.padEnd(24)} ${(s.merchant_id ?? 'no merchant').padEnd(30)} level ${p.level} (${p.x},${p.y})`,
    );
  }
  if (r.items.length === 0 && !opts.json) io.out('No stores.');
  return 0;
}

/** `primary=#0a7d4f` → `['primary', '#0a7d4f']`. */
function pairs(list: readonly string[] | undefined): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const at = item.indexOf('=');
    if (at < 1) return item;
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

export async function runStoresCreate(
  api: ApiClient,
  io: CliOutput,
  opts: {
    merchant: string;
    name: string;
    x: number;
    y: number;
    level?: number | undefined;
    taxBps?: number | undefined;
    logoUrl?: string | undefined;
    color?: string[] | undefined;
    json?: boolean | undefined;
  },
): Promise<number> {
  const colors = pairs(opts.color);
  if (typeof colors === 'string') {
    io.err(`--color ${colors}: give it as name=#rrggbb (primary=#0a7d4f)`);
    return 2;
  }
  const r = await api.call('POST', '/v1/stores', {
    merchant: opts.merchant,
    name: opts.name,
    position: { x: opts.x, y: opts.y, ...(opts.level !== undefined ? { level: opts.level } : {}) },
    ...(opts.taxBps !== undefined ? { tax_bps: opts.taxBps } : {}),
    ...(opts.logoUrl !== undefined ? { logo_url: opts.logoUrl } : {}),
    ...(Object.keys(colors).length > 0 ? { colors } : {}),
  });
  if (r.status !== 201) return reportFailure(io, 'Store not opened', r);
  const store = r.body as StoreView;
  io.out(opts.json ? JSON.stringify(store) : store.id);
  io.err(`Opened ${store.name} (${store.id}) for ${store.merchant_id ?? ''}`);
  return 0;
}

export async function runProductsList(
  api: ApiClient,
  io: CliOutput,
  opts: { store: string; json?: boolean | undefined },
): Promise<number> {
  const r = await listAll<ProductView>(
    api,
    `/v1/stores/${encodeURIComponent(opts.store)}/products`,
  );
  if ('failed' in r) return reportFailure(io, 'Cannot list products', r.failed);
  for (const p of r.items) {
    if (opts.json) {
      io.out(JSON.stringify(p));
      continue;
    }
    io.out(`${p.id}  ${p.name}`);
    for (const v of p.variants) {
      const prices = Object.entries(v.prices)
        .map(([c, a]) => `${a} ${c}`)
        .join(', ');
      io.out(
        `  ${v.id}  ${v.sku.padEnd(12)} ${v.name.padEnd(16)} ${prices}  available ${v.available}`,
      );
    }
  }
  if (r.items.length === 0 && !opts.json) io.out('No products.');
  return 0;
}

/**
 * A variant as `SKU:NAME:STOCK:CUR=PRICE[,CUR=PRICE…]`, e.g. `DJ-100:100 g:5:USD=12.50`.
 * The name may hold colons (the SKU is before the first, stock and prices after the last two).
 */
export function parseVariant(
  spec: string,
): { sku: string; name: string; stock: number; prices: Record<string, string> } | undefined {
  const parts = spec.split(':');
  if (parts.length < 4) return undefined;
  const prices = pairs((parts.at(-1) ?? '').split(','));
  const stock = Number(parts.at(-2));
  const sku = parts[0] ?? '';
  const name = parts.slice(1, -2).join(':');
  if (typeof prices === 'string' || !Number.isInteger(stock) || !sku || !name) return undefined;
  return { sku, name, stock, prices };
}

export async function runProductsCreate(
  api: ApiClient,
  io: CliOutput,
  opts: {
    store: string;
    name: string;
    description?: string | undefined;
    image?: string[] | undefined;
    variant: string[];
    json?: boolean | undefined;
  },
): Promise<number> {
  const variants = [];
  for (const spec of opts.variant) {
    const v = parseVariant(spec);
    if (!v) {
      io.err(
        `--variant ${spec}: give it as SKU:NAME:STOCK:CUR=PRICE[,CUR=PRICE] (DJ-100:100 g:5:USD=12.50)`,
      );
      return 2;
    }
    variants.push(v);
  }
  const r = await api.call('POST', `/v1/stores/${encodeURIComponent(opts.store)}/products`, {
    name: opts.name,
    ...(opts.description !== undefined ? { description: opts.description } : {}),
    ...(opts.image?.length ? { image_urls: opts.image } : {}),
    variants,
  });
  if (r.status !== 201) return reportFailure(io, 'Product not listed', r);
  const product = r.body as ProductView;
  if (opts.json) io.out(JSON.stringify(product));
  else {
    io.out(product.id);
    for (const v of product.variants) io.err(`  variant ${v.id} ${v.sku} (${v.name})`);
  }
  io.err(`Listed ${product.name} (${product.id}) with ${product.variants.length} variant(s)`);
  return 0;
}
