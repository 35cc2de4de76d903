import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateCodesQueue } from '../campaigns/service.js';
import {
  createWalletHarness,
  type TestUser,
  type WalletHarness,
} from '../../test/fixtures/wallet/harness.js';
import { merchantBalance, merchantOf } from '../../test/fixtures/commerce/setup.js';
import type { Merchant } from '../merchants/model.js';

/**
 * The commerce and campaigns API as a merchant and a buyer use it: open a store, list a
 * product, run a campaign with codes, fill a cart, apply a coupon, check out, pay from
 * the wallet, fulfil, and see it in the merchant's list, the events and the analytics.
 * Bad input gets a typed 4xx and changes nothing.
 */

let h: WalletHarness;
let merchant: TestUser;
let tenant: Merchant;
let buyer: TestUser;
let storeId = '';
let variantId = '';
let otherVariantId = '';

const call = (method: string, path: string, user?: TestUser, body?: unknown, secret?: string) =>
  h.t.request(method, path, {
    ...(user ? { token: user.token } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(secret ? { headers: { 'cart-secret': secret } } : {}),
  });

/** Every commerce and campaign row, to prove a refusal wrote nothing. */
async function snapshot(): Promise<string> {
  const { rows } = await h.t.vw.db.query<{ s: string }>(
    `SELECT concat_ws('|',
       (SELECT count(*) FROM commerce_orders), (SELECT count(*) FROM commerce_order_lines),
       (SELECT string_agg(concat_ws(':', id, on_hand, reserved), ',' ORDER BY id) FROM commerce_variants),
       (SELECT string_agg(concat_ws(':', cart_id, variant_id, quantity), ',' ORDER BY cart_id, variant_id) FROM commerce_cart_items),
       (SELECT string_agg(concat_ws(':', id, coalesce(coupon_code, '-')), ',' ORDER BY id) FROM commerce_carts),
       (SELECT string_agg(concat_ws(':', id, budget_used), ',' ORDER BY id) FROM campaigns),
       (SELECT sum(used) FROM campaign_cap_shards),
       (SELECT sum(used) FROM campaign_codes), (SELECT count(*) FROM campaign_redemptions),
       (SELECT count(*) FROM outbox_events)) AS s`,
  );
  return rows[0]?.s ?? '';
}

beforeAll(async () => {
  h = await createWalletHarness();
  merchant = await h.user('teahouse');
  tenant = await merchantOf(h.t, merchant.id, 'Tea House Ltd');
  buyer = await h.user('shopper');
  await h.fund(buyer, 'USD', '500.00');
});

afterAll(async () => {
  await h.close();
});

describe('a store, a campaign and an order through the API', () => {
  it('a merchant opens a store and lists a product with variants, prices and stock', async () => {
    // A store is opened for a merchant the caller manages, never for another one.
    const foreign = await call('POST', '/v1/stores', buyer, {
      merchant: tenant.id,
      name: 'Tea House',
      position: { x: 3, y: 4 },
    });
    expect([foreign.status, foreign.body.error?.code]).toEqual([404, 'merchant_not_found']);
    const store = await call('POST', '/v1/stores', merchant, {
      merchant: tenant.id,
      name: 'Tea House',
      logo_url: 'https://cdn.example.com/tea.png',
      colors: { primary: '#0a7d4f' },
      position: { x: 3, y: 4 },
      tax_bps: 1800,
    });
    expect(store.status, store.text).toBe(201);
    expect(store.body).toMatchObject({ merchant_id: tenant.id, owner_id: merchant.id });
    storeId = store.body.id;
    const squatter = await h.user('squatter');
    const squat = await merchantOf(h.t, squatter.id, 'Squat Ltd');
    const taken = await call('POST', '/v1/stores', squatter, {
      merchant: squat.id,
      name: 'Squatter',
      position: { x: 3, y: 4 },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('floor_spot_taken');

    const product = await call('POST', `/v1/stores/${storeId}/products`, merchant, {
      name: 'Darjeeling',
      image_urls: ['https://cdn.example.com/darjeeling.jpg'],
      variants: [
        { sku: 'DJ-100', name: '100 g', prices: { USD: '12.50', EUR: '11.60' }, stock: 5 },
        { sku: 'DJ-250', name: '250 g', prices: { USD: '27.00' }, stock: 2 },
      ],
    });
    expect(product.status, product.text).toBe(201);
    variantId = product.body.variants[0].id;
    otherVariantId = product.body.variants[1].id;
    expect(product.body.variants[0]).toMatchObject({
      prices: { USD: '12.50', EUR: '11.60' },
      available: 5,
    });
    const mall = await call('GET', '/v1/stores');
    expect(mall.body.data.map((s: { name: string }) => s.name)).toContain('Tea House');
    // Someone else's store is not yours to stock.
    const notMine = await call('POST', `/v1/stores/${storeId}/products`, buyer, {
      name: 'Fake',
      variants: [{ sku: 'X', name: 'x', prices: { USD: '1.00' }, stock: 1 }],
    });
    expect(notMine.status).toBe(404);
  });

  it('a buyer fills a cart, applies a coupon, checks out and pays from the wallet', async () => {
    const campaign = await call('POST', '/v1/campaigns', merchant, {
      merchant: tenant.id,
      name: 'Monsoon tea',
      channel: 'instagram',
      currency: 'USD',
      starts_at: new Date(h.clock.now - 60_000).toISOString(),
      rule: { kind: 'percentage', percent_bps: 1000, min_spend: '20.00' },
      redemption_limit: 10,
    });
    expect(campaign.status, campaign.text).toBe(201);
    const code = await call('POST', `/v1/campaigns/${campaign.body.id}/codes`, merchant, {
      code: 'MONSOON10',
    });
    expect(code.status, code.text).toBe(201);

    const cart = await call('POST', '/v1/carts', buyer, { store_id: storeId, currency: 'USD' });
    expect(cart.status, cart.text).toBe(201);
    expect(cart.body.secret).toBeNull();
    const cartId = cart.body.id as string;
    const filled = await call('POST', `/v1/carts/${cartId}/items`, buyer, {
      variant_id: variantId,
      quantity: 2,
    });
    expect(filled.body).toMatchObject({ subtotal: '25.00', tax: '4.50', total: '29.50' });
    const applied = await call('POST', `/v1/carts/${cartId}/coupon`, buyer, { code: 'monsoon-10' });
    expect(applied.status, applied.text).toBe(200);
    // 10 % of 25.00 = 2.50; 18 % tax on 22.50 = 4.05.
    expect(applied.body).toMatchObject({ discount: '2.50', tax: '4.05', total: '26.55' });

    const order = await call('POST', `/v1/carts/${cartId}/checkout`, buyer, {});
    expect(order.status, order.text).toBe(201);
    expect(order.body).toMatchObject({
      status: 'pending',
      total: '26.55',
      coupon_code: 'monsoon-10',
    });
    const again = await call('POST', `/v1/carts/${cartId}/checkout`, buyer, {});
    expect(again.body.error.code).toBe('cart_checked_out');

    // The order is paid through an invoice of the store's merchant, payable on its
    // hosted checkout page or, as here, from the buyer's wallet.
    expect(order.body.invoice_id).toMatch(/^inv_/);
    expect(order.body.checkout_url).toBe(`/pay/${order.body.invoice_id}`);
    // Its events go to the merchant's live webhook endpoints (and the buyer's).
    expect(order.body.merchant_account_id).toBe(tenant.liveAccountId);
    const invoice = await h.t.vw.merchants.invoices.find(order.body.invoice_id);
    expect(invoice).toMatchObject({
      accountId: tenant.liveAccountId,
      amount: 2655n,
      currency: 'USD',
      orderId: order.body.id,
      status: 'open',
    });
    const paid = await call('POST', `/v1/orders/${order.body.id}/pay`, buyer);
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toMatchObject({
      status: 'paid',
      payment_method: 'invoice',
      payment_reference: order.body.invoice_id,
    });
    expect((await h.balance(buyer, 'USD')).available).toBe('473.45');
    expect(await merchantBalance(h.t, tenant, 'USD')).toBe(2655n);
    expect((await h.t.vw.merchants.invoices.find(order.body.invoice_id))?.status).toBe('paid');
    expect((await call('POST', `/v1/orders/${order.body.id}/pay`, buyer)).body.status).toBe('paid');
    expect((await h.balance(buyer, 'USD')).available).toBe('473.45');

    const fulfilled = await call('POST', `/v1/orders/${order.body.id}/fulfil`, merchant);
    expect(fulfilled.body.status).toBe('fulfilled');
    const list = await call('GET', `/v1/merchant/orders?store_id=${storeId}&limit=1`, merchant);
    expect(list.body).toMatchObject({ object: 'list', has_more: false });
    expect(list.body.data[0]).toMatchObject({ id: order.body.id, status: 'fulfilled' });
    const types = await h.t.vw.db.query<{ type: string }>(
      `SELECT type FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq`,
      [order.body.id],
    );
    expect(types.rows.map((r) => r.type)).toEqual([
      'commerce.order.created',
      'commerce.order.paid',
      'commerce.order.fulfilled',
    ]);
    const analytics = await call('GET', `/v1/campaigns/${campaign.body.id}/analytics`, merchant);
    expect(analytics.body).toMatchObject({
      issued: 1,
      redeemed: 1,
      revenue: '26.55',
      discount_given: '2.50',
      conversion: 1,
    });
    const [v] = await h.t.vw.commerce.catalog.getVariants([variantId]);
    expect(v).toMatchObject({ onHand: 3, reserved: 0 });
  });

  it('a guest checks out with the cart secret; a refund pays the buyer back and restocks', async () => {
    const cart = await call('POST', '/v1/carts', undefined, { store_id: storeId, currency: 'USD' });
    const secret = cart.body.secret as string;
    expect(secret).toMatch(/^cs_/);
    const id = cart.body.id as string;
    expect((await call('GET', `/v1/carts/${id}`)).status).toBe(404);
    await call(
      'POST',
      `/v1/carts/${id}/items`,
      undefined,
      { variant_id: otherVariantId, quantity: 1 },
      secret,
    );
    const noEmail = await call('POST', `/v1/carts/${id}/checkout`, undefined, {}, secret);
    expect(noEmail.body.error.code).toBe('email_required');
    const order = await call(
      'POST',
      `/v1/carts/${id}/checkout`,
      undefined,
      { email: 'g@example.com' },
      secret,
    );
    expect(order.status, order.text).toBe(201);
    const paid = await call('POST', `/v1/orders/${order.body.id}/pay`, buyer, undefined, secret);
    expect(paid.body).toMatchObject({ status: 'paid', buyer_id: buyer.id, total: '31.86' });
    // Only a manager of the store's merchant refunds it.
    const notTheirs = await call('POST', `/v1/orders/${order.body.id}/refund`, buyer);
    expect([notTheirs.status, notTheirs.body.error?.code]).toEqual([404, 'order_not_found']);
    const refunded = await call('POST', `/v1/orders/${order.body.id}/refund`, merchant);
    expect(refunded.body.status, refunded.text).toBe('refunded');
    expect(refunded.body.refund_reference).toMatch(/^re/);
    expect((await h.balance(buyer, 'USD')).available).toBe('473.45');
    expect(await merchantBalance(h.t, tenant, 'USD')).toBe(2655n);
    // Refunding again finds nothing left to refund.
    const twice = await call('POST', `/v1/orders/${order.body.id}/refund`, merchant);
    expect([twice.status, twice.body.error?.code]).toEqual([409, 'order_not_paid']);
    const [v] = await h.t.vw.commerce.catalog.getVariants([otherVariantId]);
    expect(v).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('generated codes are unique, unambiguous and exported as CSV', async () => {
    const campaign = await call('POST', '/v1/campaigns', merchant, {
      merchant: tenant.id,
      name: 'Stadium flyers',
      channel: 'print',
      currency: 'USD',
      starts_at: new Date(h.clock.now - 60_000).toISOString(),
      rule: { kind: 'fixed', amount: '1.00' },
    });
    const gen = await call('POST', `/v1/campaigns/${campaign.body.id}/codes/generate`, merchant, {
      count: 500,
      prefix: 'TEA',
      pattern: '####-####',
    });
    expect(gen.status, gen.text).toBe(201);
    expect(gen.body.generated).toBe(500);
    const csv = await call('GET', `/v1/campaigns/${campaign.body.id}/codes/export`, merchant);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('code,kind,usage_limit,used,created_at');
    const codes = lines.slice(1).map((l) => l.split(',')[0] ?? '');
    expect(new Set(codes).size).toBe(500);
    for (const c of codes) expect(c).toMatch(/^TEA[3479ACDEFGHJKMNPQRTWXY]{8}$/);
    const tooMany = await call(
      'POST',
      `/v1/campaigns/${campaign.body.id}/codes/generate`,
      merchant,
      {
        count: 5000, // 22^4 = 234,256 possible codes: fewer than 100 per code asked for
        length: 4,
      },
    );
    expect(tooMany.body.error?.code, tooMany.text).toBe('code_space_too_small');
  });

  it('codes as QR images: PNG and SVG per code, a ZIP per page; bad format and unknown code refused', async () => {
    const campaign = await call('POST', '/v1/campaigns', merchant, {
      merchant: tenant.id,
      name: 'Posters',
      channel: 'print',
      currency: 'USD',
      starts_at: new Date(h.clock.now - 60_000).toISOString(),
      rule: { kind: 'fixed', amount: '1.00' },
    });
    const id = campaign.body.id as string;
    await call('POST', `/v1/campaigns/${id}/codes/generate`, merchant, { count: 30 });
    const page = await call('GET', `/v1/campaigns/${id}/codes?limit=100`, merchant);
    const first = page.body.data[0] as { id: string; code: string };
    const raw = (path: string) =>
      h.t.vw.http.request(path, { headers: { authorization: `Bearer ${merchant.token}` } });

    const png = await raw(`/v1/campaigns/${id}/codes/${first.id}/qr`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await png.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const svg = await call('GET', `/v1/campaigns/${id}/codes/${first.id}/qr?format=svg`, merchant);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.text).toMatch(/^<svg /);

    const zip = await raw(`/v1/campaigns/${id}/codes/qr?limit=20`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(files)).toHaveLength(21);
    expect(files[`${first.code}.png`]?.slice(0, 4)).toEqual(
      new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    );
    const next = zip.headers.get('next-starting-after');
    const rest = await raw(`/v1/campaigns/${id}/codes/qr?limit=20&starting_after=${next}`);
    expect(Object.keys(unzipSync(new Uint8Array(await rest.arrayBuffer())))).toHaveLength(11);

    const gif = await call('GET', `/v1/campaigns/${id}/codes/${first.id}/qr?format=gif`, merchant);
    expect(gif.status).toBe(400);
    expect(gif.body.error.type).toBe('invalid_request_error');
    const huge = await call('GET', `/v1/campaigns/${id}/codes/qr?limit=5000`, merchant);
    expect(huge.status).toBe(400);
    const unknown = await call('GET', `/v1/campaigns/${id}/codes/cpn_nope/qr`, merchant);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('coupon_not_found');
    const rival = await h.user('qr_rival');
    const theirs = await call('GET', `/v1/campaigns/${id}/codes/${first.id}/qr`, rival);
    expect(theirs.body.error.code).toBe('campaign_not_found');
  });

  it('a generation past 10,000 codes runs as a job whose progress the API shows', async () => {
    const campaign = await call('POST', '/v1/campaigns', merchant, {
      merchant: tenant.id,
      name: 'Big drop',
      channel: 'web',
      currency: 'USD',
      starts_at: new Date(h.clock.now - 60_000).toISOString(),
      rule: { kind: 'fixed', amount: '1.00' },
    });
    const id = campaign.body.id as string;
    const started = await call('POST', `/v1/campaigns/${id}/codes/generate`, merchant, {
      count: 12_000,
      prefix: 'BIG',
    });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({
      object: 'code_generation',
      status: 'queued',
      requested: 12_000,
      generated: 0,
    });
    const path = `/v1/campaigns/${id}/generations/${started.body.id}`;
    expect(await h.t.vw.jobs.runDue({ queues: [GenerateCodesQueue.name] })).toBe(1);
    const done = await call('GET', path, merchant);
    expect(done.body).toMatchObject({ status: 'succeeded', requested: 12_000, generated: 12_000 });
    const analytics = await call('GET', `/v1/campaigns/${id}/analytics`, merchant);
    expect(analytics.body.issued).toBe(12_000);
    const other = await h.user('gen_rival');
    expect((await call('GET', path, other)).status).toBe(404);
    const bad = await call('POST', `/v1/campaigns/${id}/codes/generate`, merchant, {
      count: 20_000,
      length: 4,
    });
    expect(bad.body.error?.code, bad.text).toBe('code_space_too_small');
    const generations = await h.t.vw.db.query(
      `SELECT 1 FROM campaign_code_generations WHERE campaign_id = $1`,
      [id],
    );
    expect(generations.rowCount).toBe(1);
  });
});

describe('bad input gets a typed 4xx and changes nothing', () => {
  it('negative quantity, unknown variant, unknown or guessed coupon, expired, exhausted, another store’s coupon', async () => {
    const other = await h.user('rival');
    const rivalTenant = await merchantOf(h.t, other.id, 'Rival Ltd');
    const rivalStore = await call('POST', '/v1/stores', other, {
      merchant: rivalTenant.id,
      name: 'Rival',
      position: { x: 9, y: 9 },
    });
    const rivalCampaign = await call('POST', '/v1/campaigns', other, {
      merchant: rivalTenant.id,
      name: 'Rival deal',
      channel: 'web',
      currency: 'USD',
      starts_at: new Date(h.clock.now - 60_000).toISOString(),
      rule: { kind: 'fixed', amount: '1.00' },
    });
    await call('POST', `/v1/campaigns/${rivalCampaign.body.id}/codes`, other, { code: 'RIVAL1' });
    const expired = await call('POST', '/v1/campaigns', merchant, {
      merchant: tenant.id,
      name: 'Last season',
      channel: 'tv',
      currency: 'USD',
      starts_at: '2025-01-01T00:00:00Z',
      ends_at: '2025-02-01T00:00:00Z',
      rule: { kind: 'fixed', amount: '1.00' },
    });
    await call('POST', `/v1/campaigns/${expired.body.id}/codes`, merchant, { code: 'OLDSEASON' });
    const exhausted = await call('POST', '/v1/campaigns', merchant, {
      merchant: tenant.id,
      name: 'Sold out',
      channel: 'tv',
      currency: 'USD',
      starts_at: new Date(h.clock.now - 60_000).toISOString(),
      rule: { kind: 'fixed', amount: '1.00' },
      redemption_limit: 0,
    });
    await call('POST', `/v1/campaigns/${exhausted.body.id}/codes`, merchant, { code: 'NOMORE' });
    expect(rivalStore.status).toBe(201);

    const cart = await call('POST', '/v1/carts', buyer, { store_id: storeId, currency: 'USD' });
    const cartId = cart.body.id as string;
    await call('POST', `/v1/carts/${cartId}/items`, buyer, { variant_id: variantId, quantity: 1 });
    const before = await snapshot();

    const cases: [string, unknown, number, string][] = [
      ['items', { variant_id: variantId, quantity: -1 }, 400, 'parameter_invalid'],
      ['items', { variant_id: 'var_nope', quantity: 1 }, 404, 'variant_not_found'],
      ['items', { variant_id: variantId, quantity: 99_999 }, 400, 'parameter_invalid'],
      ['coupon', { code: 'GUESSED123' }, 404, 'coupon_not_found'],
      ['coupon', { code: 'OLDSEASON' }, 422, 'coupon_expired'],
      ['coupon', { code: 'RIVAL1' }, 422, 'coupon_not_applicable'],
      ['checkout', { email: 'not-an-email' }, 400, 'parameter_invalid'],
    ];
    for (const [what, body, status, code] of cases) {
      const r = await call('POST', `/v1/carts/${cartId}/${what}`, buyer, body);
      expect([what, r.status, r.body?.error?.code]).toEqual([what, status, code]);
      expect(r.body.error.type).toBeTypeOf('string');
    }
    // An exhausted code passes the quote and is refused by its guard at checkout.
    await h.t.vw.db.query(`UPDATE commerce_carts SET coupon_code = 'NOMORE' WHERE id = $1`, [
      cartId,
    ]);
    const mid = await snapshot();
    const r = await call('POST', `/v1/carts/${cartId}/checkout`, buyer, {});
    expect([r.status, r.body.error.code]).toEqual([409, 'coupon_exhausted']);
    expect(await snapshot()).toBe(mid);
    await h.t.vw.db.query(`UPDATE commerce_carts SET coupon_code = NULL WHERE id = $1`, [cartId]);
    expect(await snapshot()).toBe(before);

    const rivalCart = await call('POST', '/v1/carts', buyer, {
      store_id: rivalStore.body.id,
      currency: 'USD',
    });
    const wrongStore = await call('POST', `/v1/carts/${rivalCart.body.id}/items`, buyer, {
      variant_id: variantId,
      quantity: 1,
    });
    expect([wrongStore.status, wrongStore.body.error.code]).toEqual([400, 'variant_not_in_store']);
    const unknownCurrency = await call('POST', '/v1/carts', buyer, {
      store_id: storeId,
      currency: 'XYZ',
    });
    expect([unknownCurrency.status, unknownCurrency.body.error.code]).toEqual([
      400,
      'currency_unknown',
    ]);
  });
});

describe('changing stores and products (PATCH)', () => {
  async function audits(targetId: string): Promise<{ action: string; actor_id: string }[]> {
    const { rows } = await h.t.vw.db.query<{ action: string; actor_id: string }>(
      `SELECT action, actor_id FROM audit_events WHERE target_id = $1 ORDER BY seq`,
      [targetId],
    );
    return rows;
  }

  it('a manager changes only the fields given; each change is audited', async () => {
    const store = await call('POST', '/v1/stores', merchant, {
      merchant: tenant.id,
      name: 'Bat Shed',
      colors: { primary: '#112233' },
      position: { x: 20, y: 20 },
      tax_bps: 500,
    });
    expect(store.status, store.text).toBe(201);
    const id = store.body.id as string;
    const renamed = await call('PATCH', `/v1/stores/${id}`, merchant, {
      name: 'Bat Shed & Co',
      position: { level: 1, x: 20, y: 21 },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({
      name: 'Bat Shed & Co',
      position: { level: 1, x: 20, y: 21 },
      colors: { primary: '#112233' },
      tax_bps: 500,
      merchant_id: tenant.id,
    });
    const cleared = await call('PATCH', `/v1/stores/${id}`, merchant, { logo_url: null });
    expect(cleared.body.logo_url).toBeNull();
    expect(await audits(id)).toEqual([
      { action: 'commerce.store_updated', actor_id: merchant.id },
      { action: 'commerce.store_updated', actor_id: merchant.id },
    ]);

    const product = await call('POST', `/v1/stores/${id}/products`, merchant, {
      name: 'Bat',
      variants: [
        { sku: 'B-S', name: 'Short', prices: { USD: '40.00', EUR: '37.00' }, stock: 3 },
        { sku: 'B-L', name: 'Long', prices: { USD: '45.00' }, stock: 3 },
      ],
    });
    const pid = product.body.id as string;
    const [short, long] = product.body.variants as { id: string }[];
    const patched = await call('PATCH', `/v1/products/${pid}`, merchant, {
      description: 'Kashmir willow',
      variants: [
        { id: short?.id, prices: { USD: '42.00' } },
        { id: long?.id, name: 'Long handle' },
      ],
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Bat', description: 'Kashmir willow' });
    expect(patched.body.variants[0]).toMatchObject({
      prices: { USD: '42.00', EUR: '37.00' },
      on_hand: 3,
    });
    expect(patched.body.variants[1]).toMatchObject({
      name: 'Long handle',
      prices: { USD: '45.00' },
    });
    expect(await audits(pid)).toEqual([
      { action: 'commerce.product_updated', actor_id: merchant.id },
    ]);
  });

  it('refusals are typed 4xx and change nothing: another tenant, a taken spot, bad fields, a foreign variant', async () => {
    const store = await call('POST', '/v1/stores', merchant, {
      merchant: tenant.id,
      name: 'Pad Place',
      position: { x: 30, y: 30 },
    });
    const id = store.body.id as string;
    const product = await call('POST', `/v1/stores/${id}/products`, merchant, {
      name: 'Pads',
      variants: [{ sku: 'P-1', name: 'Pair', prices: { USD: '20.00' }, stock: 1 }],
    });
    const pid = product.body.id as string;
    const row = async () =>
      JSON.stringify(
        (
          await h.t.vw.db.query(
            `SELECT s.*, (SELECT json_agg(p.*) FROM commerce_products p WHERE p.store_id = s.id) AS p,
                    (SELECT json_agg(vp.* ORDER BY vp.variant_id, vp.currency)
                       FROM commerce_variant_prices vp JOIN commerce_variants v ON v.id = vp.variant_id
                      WHERE v.store_id = s.id) AS prices
               FROM commerce_stores s WHERE s.id = $1`,
            [id],
          )
        ).rows,
      );
    const before = await row();
    const auditsBefore = (await audits(id)).length + (await audits(pid)).length;
    const cases: [string, string, TestUser, unknown, number, string][] = [
      ['PATCH', `/v1/stores/${id}`, buyer, { name: 'Mine now' }, 404, 'store_not_found'],
      [
        'PATCH',
        `/v1/stores/${id}`,
        merchant,
        { position: { x: 3, y: 4 } },
        409,
        'floor_spot_taken',
      ],
      ['PATCH', `/v1/stores/${id}`, merchant, {}, 400, 'nothing_to_update'],
      ['PATCH', `/v1/stores/${id}`, merchant, { owner_id: buyer.id }, 400, 'parameter_unknown'],
      ['PATCH', `/v1/stores/${id}`, merchant, { tax_bps: -1 }, 400, 'parameter_invalid'],
      ['PATCH', `/v1/stores/${id}`, merchant, { merchant: 'mer_nope' }, 404, 'merchant_not_found'],
      ['PATCH', `/v1/products/${pid}`, buyer, { name: 'Stolen' }, 404, 'product_not_found'],
      [
        'PATCH',
        `/v1/products/${pid}`,
        merchant,
        { name: 'Pads v2', variants: [{ id: variantId, name: 'Not mine' }] },
        404,
        'variant_not_found',
      ],
      [
        'PATCH',
        `/v1/products/${pid}`,
        merchant,
        { variants: [{ id: product.body.variants[0].id, prices: { USD: '1.001' } }] },
        400,
        'price_invalid',
      ],
      ['PATCH', `/v1/products/prd_nope`, merchant, { name: 'x' }, 404, 'product_not_found'],
    ];
    for (const [method, path, who, body, status, code] of cases) {
      const r = await call(method, path, who, body);
      expect([path, body, r.status, r.body?.error?.code]).toEqual([path, body, status, code]);
    }
    expect(await row()).toBe(before);
    expect((await audits(id)).length + (await audits(pid)).length).toBe(auditsBefore);
  });
});
