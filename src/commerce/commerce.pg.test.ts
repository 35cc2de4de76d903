import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWalletHarness,
  type WalletHarness,
  type TestUser,
} from '../../test/fixtures/wallet/harness.js';
import { merchantBalance, merchantOf } from '../../test/fixtures/commerce/setup.js';
import type { Merchant } from '../merchants/model.js';
import { isFailure } from '../platform/failure.js';
import type { Order } from './model.js';

/**
 * The guards of commerce and campaigns raced on a real PostgreSQL server: stock is never
 * oversold, a capped campaign gives exactly its cap, a budget is never exceeded, a
 * per-customer limit holds, and a cancelled order gives its coupon use back.
 */

let h: WalletHarness;
let merchant: TestUser;
let tenant: Merchant;
let buyer: TestUser;

beforeAll(async () => {
  h = await createWalletHarness();
  merchant = await h.user('merchant');
  tenant = await merchantOf(h.t, merchant.id, 'Cricket Corner');
  buyer = await h.user('buyer');
  await h.fund(buyer, 'USD', '100000.00');
});

afterAll(async () => {
  await h.close();
});

const vw = () => h.t.vw;
let spot = 0;

async function storeWithVariant(stock: number, price = '10.00') {
  const store = await vw().commerce.catalog.createStore(merchant.id, {
    merchantId: tenant.id,
    name: `Store ${spot}`,
    position: { x: spot++, y: 0 },
    taxBps: 1000,
  });
  if (isFailure(store)) throw new Error(store.code);
  const product = await vw().commerce.catalog.createProduct(merchant.id, store.id, {
    name: 'Cricket bat',
    variants: [{ sku: 'BAT-1', name: 'Short handle', prices: { USD: price }, stock }],
  });
  if (isFailure(product)) throw new Error(product.code);
  const variant = product.variants[0];
  if (!variant) throw new Error('no variant');
  return { store, variant };
}

/** A guest cart holding `quantity` of the variant (and a coupon, unchecked). */
async function guestCart(storeId: string, variantId: string, coupon?: string) {
  const made = await vw().commerce.orders.createCart({ storeId, currency: 'USD' });
  if (isFailure(made) || made.secret === null) throw new Error('cart');
  const access = { secret: made.secret };
  const set = await vw().commerce.orders.setItem(made.cart.id, access, variantId, 1);
  if (isFailure(set)) throw new Error(set.code);
  if (coupon) {
    await h.t.vw.db.query(`UPDATE commerce_carts SET coupon_code = $2 WHERE id = $1`, [
      made.cart.id,
      coupon,
    ]);
  }
  return { id: made.cart.id, access };
}

async function inBatches<T>(
  n: number,
  size: number,
  make: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (let at = 0; at < n; at += size) {
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(size, n - at) }, (_, i) => make(at + i)),
      )),
    );
  }
  return out;
}

function codes(results: unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const k = isFailure(r) ? r.code : 'ok';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

async function campaign(input: {
  redemptionLimit?: number;
  budget?: bigint;
  perCustomerLimit?: number;
  firstOrderOnly?: boolean;
  code: string;
}) {
  const { firstOrderOnly, ...limits } = input;
  const c = await vw().campaigns.create(tenant.id, {
    name: 'Cricket season',
    channel: 'tv',
    currency: 'USD',
    startsAt: new Date(h.clock.now - 60_000),
    rule: { kind: 'fixed', amount: 100n, firstOrderOnly },
    ...limits,
  });
  if (isFailure(c)) throw new Error(c.code);
  const code = await vw().campaigns.addCode(tenant.id, c.id, { code: input.code });
  if (isFailure(code)) throw new Error(code.code);
  return c;
}

describe('inventory on PostgreSQL', () => {
  it('200 concurrent checkouts for the last 37 units: exactly 37 orders, then all 37 paid, never oversold', async () => {
    const { store, variant } = await storeWithVariant(37);
    const carts = await inBatches(200, 50, () => guestCart(store.id, variant.id));
    const results = await Promise.all(
      carts.map((c) => vw().commerce.orders.checkout(c.id, c.access, { email: 'g@example.com' })),
    );
    expect(codes(results)).toEqual({ ok: 37, out_of_stock: 163 });
    const [mid] = await vw().commerce.catalog.getVariants([variant.id]);
    expect(mid).toMatchObject({ onHand: 37, reserved: 37, available: 0 });

    const orders = results.filter((r): r is Order => !isFailure(r));
    const merchantBefore = await merchantBalance(h.t, tenant, 'USD');
    const paid = await Promise.all(
      orders.map((o) => {
        const cart = carts.find((c) => c.id === o.cartId);
        return vw().commerce.orders.pay(o.id, { userId: buyer.id, secret: cart?.access.secret });
      }),
    );
    expect(codes(paid)).toEqual({ ok: 37 });
    const [after] = await vw().commerce.catalog.getVariants([variant.id]);
    expect(after).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
    // 37 invoices of 10.00 + 10 % tax went from the buyer to the merchant (no fees set).
    expect((await merchantBalance(h.t, tenant, 'USD')) - merchantBefore).toBe(40_700n);
    await h.expectLedgerVerified();
  }, 300_000);

  it('a cancelled order and an expired one release their units', async () => {
    const { store, variant } = await storeWithVariant(2);
    const a = await guestCart(store.id, variant.id);
    const b = await guestCart(store.id, variant.id);
    const oa = await vw().commerce.orders.checkout(a.id, a.access, { email: 'a@example.com' });
    const ob = await vw().commerce.orders.checkout(b.id, b.access, { email: 'b@example.com' });
    if (isFailure(oa) || isFailure(ob)) throw new Error('checkout');
    const c = await guestCart(store.id, variant.id);
    expect(
      await vw().commerce.orders.checkout(c.id, c.access, { email: 'c@example.com' }),
    ).toMatchObject({
      code: 'out_of_stock',
    });
    expect(await vw().commerce.orders.cancel(oa.id, a.access, 'changed my mind')).toMatchObject({
      status: 'cancelled',
    });
    h.clock.now += 16 * 60_000;
    expect(await vw().commerce.orders.expire()).toBe(1);
    expect(await vw().commerce.orders.getOrder(ob.id)).toMatchObject({
      status: 'cancelled',
      cancelReason: 'expired',
    });
    const [v] = await vw().commerce.catalog.getVariants([variant.id]);
    expect(v).toMatchObject({ onHand: 2, reserved: 0 });
    expect(
      await vw().commerce.orders.checkout(c.id, c.access, { email: 'c@example.com' }),
    ).toMatchObject({
      status: 'pending',
    });
  });
});

describe('campaign limits on PostgreSQL', () => {
  it('a campaign capped at K = 100 with 1,000 concurrent redemptions: exactly 100', async () => {
    const { store, variant } = await storeWithVariant(10_000);
    const c = await campaign({ redemptionLimit: 100, code: 'CAP100' });
    const carts = await inBatches(1000, 100, () => guestCart(store.id, variant.id, 'cap100'));
    const results = await Promise.all(
      carts.map((cart, i) =>
        vw().commerce.orders.checkout(cart.id, cart.access, { email: `g${i}@example.com` }),
      ),
    );
    expect(codes(results)).toEqual({ ok: 100, coupon_exhausted: 900 });
    const a = await vw().campaigns.analytics(tenant.id, c.id);
    expect(a).toMatchObject({ reserved: 100, redeemed: 0 });
    const [v] = await vw().commerce.catalog.getVariants([variant.id]);
    // Refused checkouts reserved nothing.
    expect(v?.reserved).toBe(100);
  }, 300_000);

  it('a budget of 7 discounts with 100 concurrent redemptions: exactly 7, budget never exceeded', async () => {
    const { store, variant } = await storeWithVariant(1000);
    const c = await campaign({ budget: 700n, code: 'BUDGET7' });
    const carts = await inBatches(100, 100, () => guestCart(store.id, variant.id, 'BUDGET7'));
    const results = await Promise.all(
      carts.map((cart, i) =>
        vw().commerce.orders.checkout(cart.id, cart.access, { email: `b${i}@example.com` }),
      ),
    );
    expect(codes(results)).toEqual({ ok: 7, coupon_budget_spent: 93 });
    expect(await vw().campaigns.get(tenant.id, c.id)).toMatchObject({ budgetUsed: 700n });
  });

  it('per-customer limit 2 raced by one customer with 20 carts: exactly 2; a cancel gives one back', async () => {
    const { store, variant } = await storeWithVariant(1000);
    const c = await campaign({ perCustomerLimit: 2, code: 'TWICE' });
    const carts = await inBatches(20, 20, async () => {
      const made = await vw().commerce.orders.createCart({
        storeId: store.id,
        currency: 'USD',
        userId: buyer.id,
      });
      if (isFailure(made)) throw new Error(made.code);
      await vw().commerce.orders.setItem(made.cart.id, { userId: buyer.id }, variant.id, 1);
      const applied = await vw().commerce.orders.applyCoupon(
        made.cart.id,
        { userId: buyer.id },
        'twice',
      );
      expect(isFailure(applied)).toBe(false);
      return made.cart.id;
    });
    const results = await Promise.all(
      carts.map((id) => vw().commerce.orders.checkout(id, { userId: buyer.id }, {})),
    );
    expect(codes(results)).toEqual({ ok: 2, coupon_customer_limit: 18 });
    const first = results.find((r): r is Order => !isFailure(r));
    if (!first) throw new Error('no order');
    expect(first).toMatchObject({ subtotal: 1000n, discount: 100n, tax: 90n, total: 990n });
    await vw().commerce.orders.cancel(first.id, { userId: buyer.id }, 'oops');
    const retry = carts.find(
      (id) => id !== first.cartId && !results.some((r) => !isFailure(r) && r.cartId === id),
    );
    if (!retry) throw new Error('no cart left');
    expect(await vw().commerce.orders.checkout(retry, { userId: buyer.id }, {})).toMatchObject({
      status: 'pending',
      discount: 100n,
    });
    expect(await vw().campaigns.analytics(tenant.id, c.id)).toMatchObject({
      reserved: 2,
      released: 1,
    });
  });

  it('first order only, raced: one customer checks out two first orders at once; exactly one gets the coupon', async () => {
    const { store, variant } = await storeWithVariant(1000);
    const c = await campaign({ code: 'FIRSTONLY', perCustomerLimit: 5 });
    await vw().db.query(
      `UPDATE campaigns SET rule = rule || '{"first_order_only": true}' WHERE id = $1`,
      [c.id],
    );
    // Ten customers, each racing two carts with the coupon: the quote (a read) passes for
    // both, so only the guard in the checkout transaction can refuse one.
    for (let round = 0; round < 10; round++) {
      const customer = await h.user(`first_${round}`);
      const carts = await Promise.all(
        [0, 1].map(async () => {
          const made = await vw().commerce.orders.createCart({
            storeId: store.id,
            currency: 'USD',
            userId: customer.id,
          });
          if (isFailure(made)) throw new Error(made.code);
          const access = { userId: customer.id };
          await vw().commerce.orders.setItem(made.cart.id, access, variant.id, 1);
          const applied = await vw().commerce.orders.applyCoupon(made.cart.id, access, 'firstonly');
          expect(isFailure(applied)).toBe(false);
          return made.cart.id;
        }),
      );
      const results = await Promise.all(
        carts.map((id) => vw().commerce.orders.checkout(id, { userId: customer.id }, {})),
      );
      expect(codes(results)).toEqual({ ok: 1, coupon_first_order_only: 1 });
      const won = results.find((r): r is Order => !isFailure(r));
      expect(won?.discount).toBe(100n);
      // Cancelled, the first order no longer counts: the coupon applies again.
      if (!won) throw new Error('no order');
      await vw().commerce.orders.cancel(won.id, { userId: customer.id }, 'changed my mind');
      const lost = carts.find((id) => id !== won.cartId) ?? '';
      expect(await vw().commerce.orders.checkout(lost, { userId: customer.id }, {})).toMatchObject({
        status: 'pending',
        discount: 100n,
      });
    }
    // Refused checkouts changed nothing: 10 live orders with the coupon, 10 released.
    expect(await vw().campaigns.analytics(tenant.id, c.id)).toMatchObject({
      reserved: 10,
      released: 10,
    });
    const [v] = await vw().commerce.catalog.getVariants([variant.id]);
    expect(v?.reserved).toBe(10);
  }, 120_000);
});

/** Runs the outbox relay and every due job (the invoice events' subscribers) until idle. */
async function drain(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const relayed = await vw().outbox.relayOnce({ limit: 1000 });
    const ran = await vw().jobs.runDue({ limit: 1000 });
    if (relayed === 0 && ran === 0) return;
  }
}

async function eventCounts(orderIds: string[]): Promise<Map<string, Record<string, number>>> {
  const { rows } = await vw().db.query<{ aggregate_id: string; type: string; n: string }>(
    `SELECT aggregate_id, type, count(*)::text AS n FROM outbox_events
      WHERE aggregate_id = ANY($1::text[]) GROUP BY aggregate_id, type`,
    [orderIds],
  );
  const out = new Map<string, Record<string, number>>();
  for (const r of rows)
    out.set(r.aggregate_id, { ...out.get(r.aggregate_id), [r.type]: Number(r.n) });
  return out;
}

describe('orders paid through merchant invoices on PostgreSQL', () => {
  it('payments racing the expiry sweeps and the invoice events: each order moves exactly once, money and stock agree', async () => {
    const { store, variant } = await storeWithVariant(36);
    const payer = await h.user('racer');
    await h.fund(payer, 'USD', '1000.00');
    const t0 = h.clock.now;
    // Three groups of 12 one-unit orders (11.00 each), checked out 0, 5 and 10 minutes
    // after t0 with the default 15-minute reservation: `late` is past its expiry before
    // anyone pays, `edge` expires while the payments are in flight, `early` never does.
    const group = async (at: number) => {
      h.clock.now = at;
      const out: Order[] = [];
      for (let i = 0; i < 12; i++) {
        const made = await vw().commerce.orders.createCart({
          storeId: store.id,
          currency: 'USD',
          userId: payer.id,
        });
        if (isFailure(made)) throw new Error(made.code);
        await vw().commerce.orders.setItem(made.cart.id, { userId: payer.id }, variant.id, 1);
        const o = await vw().commerce.orders.checkout(made.cart.id, { userId: payer.id }, {});
        if (isFailure(o)) throw new Error(o.code);
        expect(o.invoiceId).toMatch(/^inv_/);
        out.push(o);
      }
      return out;
    };
    const late = await group(t0);
    const edge = await group(t0 + 5 * 60_000);
    const early = await group(t0 + 10 * 60_000);
    const all = [...late, ...edge, ...early];
    const payerBefore = (await vw().ledger.findAccount(payer.id, 'USD'))?.balance.available;
    const merchantBefore = await merchantBalance(h.t, tenant, 'USD');

    h.clock.now = t0 + 15 * 60_000 + 1000;
    let resolved = 0;
    const payments = all.map(async (o) => {
      const r = await vw().commerce.orders.pay(o.id, { userId: payer.id });
      resolved++;
      return r;
    });
    // The sweeps and the invoice events run while the payments are in flight; the clock
    // passes the `edge` orders' expiry once a few payments have answered.
    let done = false;
    const sweeper = (async () => {
      let flipped = false;
      while (!done) {
        if (!flipped && resolved >= 3) {
          h.clock.now = t0 + 20 * 60_000 + 1000;
          flipped = true;
        }
        await Promise.all([
          vw().commerce.orders.expire(1000),
          vw().merchants.invoices.expireDue(),
          drain(),
          ...all.map((o) => vw().commerce.orders.settle(o.id)),
        ]);
      }
    })();
    const results = await Promise.all(payments);
    done = true;
    await sweeper;
    h.clock.now = t0 + 20 * 60_000 + 1000;
    await vw().commerce.orders.expire(1000);
    await drain();

    // Orders past their expiry before the payments were all refused, the others within it paid.
    for (const [i, o] of late.entries()) {
      expect(results[i], o.id).toMatchObject({ code: 'order_expired' });
    }
    for (const [i, o] of early.entries()) {
      expect(results[24 + i], o.id).toMatchObject({ status: 'paid' });
    }
    const final = await Promise.all(all.map((o) => vw().commerce.orders.getOrder(o.id)));
    const events = await eventCounts(all.map((o) => o.id));
    let paidCount = 0;
    for (const [i, o] of final.entries()) {
      if (!o) throw new Error('order vanished');
      expect(['paid', 'cancelled']).toContain(o.status);
      // What the payer was told is what happened.
      if (isFailure(results[i])) expect(o.status).toBe('cancelled');
      else expect(o.status).toBe('paid');
      const inv = await vw().merchants.invoices.find(o.invoiceId ?? '');
      expect(inv?.status).toBe(o.status === 'paid' ? 'paid' : 'expired');
      const e = events.get(o.id) ?? {};
      expect(e, o.id).toEqual({
        'commerce.order.created': 1,
        [o.status === 'paid' ? 'commerce.order.paid' : 'commerce.order.cancelled']: 1,
      });
      if (o.status === 'paid') paidCount++;
    }
    expect(paidCount).toBeGreaterThanOrEqual(12);
    expect(paidCount).toBeLessThanOrEqual(24);
    // Money moved once per paid order, and stock left only for them.
    const payerAfter = (await vw().ledger.findAccount(payer.id, 'USD'))?.balance.available;
    expect((payerBefore ?? 0n) - (payerAfter ?? 0n)).toBe(BigInt(paidCount) * 1100n);
    expect((await merchantBalance(h.t, tenant, 'USD')) - merchantBefore).toBe(
      BigInt(paidCount) * 1100n,
    );
    const [v] = await vw().commerce.catalog.getVariants([variant.id]);
    expect(v).toMatchObject({ onHand: 36 - paidCount, reserved: 0 });
    await h.expectLedgerVerified();
  }, 300_000);

  it('a cancelled order voids its invoice: paying it afterwards is refused and moves nothing', async () => {
    const { store, variant } = await storeWithVariant(5);
    const cart = await guestCart(store.id, variant.id);
    const o = await vw().commerce.orders.checkout(cart.id, cart.access, { email: 'v@example.com' });
    if (isFailure(o) || o.invoiceId === null) throw new Error('checkout');
    expect(await vw().commerce.orders.cancel(o.id, cart.access, 'changed my mind')).toMatchObject({
      status: 'cancelled',
    });
    const before = (await vw().ledger.findAccount(buyer.id, 'USD'))?.balance.available;
    const paid = await vw().merchants.invoices.payFromWallet(buyer.id, o.invoiceId, {
      asset: 'USD',
    });
    expect(paid).toMatchObject({ code: 'invoice_expired' });
    expect((await vw().ledger.findAccount(buyer.id, 'USD'))?.balance.available).toBe(before);
    const [v] = await vw().commerce.catalog.getVariants([variant.id]);
    expect(v).toMatchObject({ onHand: 5, reserved: 0 });
  });

  it('an order paid on its hosted invoice (not through the pay route) is paid by the invoice event, once', async () => {
    const { store, variant } = await storeWithVariant(5);
    const cart = await guestCart(store.id, variant.id);
    const o = await vw().commerce.orders.checkout(cart.id, cart.access, { email: 'h@example.com' });
    if (isFailure(o) || o.invoiceId === null) throw new Error('checkout');
    const inv = await vw().merchants.invoices.payFromWallet(buyer.id, o.invoiceId, {
      asset: 'USD',
    });
    expect(inv).toMatchObject({ status: 'paid' });
    await drain();
    // The invoice event again (delivered twice) changes nothing.
    await Promise.all([1, 2, 3].map(() => vw().commerce.orders.settle(o.id)));
    expect(await vw().commerce.orders.getOrder(o.id)).toMatchObject({
      status: 'paid',
      buyerId: null,
      paymentReference: o.invoiceId,
    });
    expect((await eventCounts([o.id])).get(o.id)).toEqual({
      'commerce.order.created': 1,
      'commerce.order.paid': 1,
    });
    const [v] = await vw().commerce.catalog.getVariants([variant.id]);
    expect(v).toMatchObject({ onHand: 4, reserved: 0 });
  });
});
