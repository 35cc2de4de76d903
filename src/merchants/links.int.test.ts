import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  merchant,
  registerAssets,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';

/**
 * Payment links and point-of-sale terminals over HTTP on PostgreSQL: the API, the pages
 * visitors open, and the guards (limit of uses, deactivation) under concurrency.
 */

let t: TestApp;
let shop: TestMerchant;
let other: TestMerchant;

const form = (fields: Record<string, string>) => ({
  rawBody: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

async function link(body: Record<string, unknown>, key = shop.liveKey) {
  const r = await t.request('POST', '/v1/payment_links', { token: key, body });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; url: string; uses: number; active: boolean; livemode: boolean };
}

const invoicesOf = async (linkId: string) =>
  Number(
    (
      await t.vw.db.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM merchant_invoices WHERE payment_link_id = $1',
        [linkId],
      )
    ).rows[0]?.n,
  );

beforeAll(async () => {
  // Many posts from one address: above the pages' per-IP budget.
  t = await createTestApp({ VW_MERCHANTS_CHECKOUT_POSTS_PER_MINUTE: '100000' });
  await registerAssets(t);
  shop = await merchant(t, 'Link Shop', 'link-shop@example.com');
  other = await merchant(t, 'Other Shop', 'other-shop@example.com');
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('payment links', () => {
  it('a fixed-amount link shows its page and makes an invoice per visitor, redirecting to its checkout', async () => {
    const l = await link({ currency: 'USD', amount: '5.00', description: 'Coffee <beans>' });
    expect(l.url).toBe(`/pay/l/${l.id}`);
    const page = await t.request('GET', l.url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('5.00 USD');
    // Escaped, not markup.
    expect(page.text).toContain('Coffee &lt;beans&gt;');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/);

    const first = await t.request('POST', l.url, form({}));
    expect(first.status).toBe(303);
    const location = first.headers.get('location') ?? '';
    expect(location).toMatch(/^\/pay\/inv_[0-9A-Z]{26}$/);
    const second = await t.request('POST', l.url, form({}));
    expect(second.headers.get('location')).not.toBe(location);
    const inv = await t.request('GET', `/v1/invoices/${location.slice('/pay/'.length)}`, {
      token: shop.liveKey,
    });
    expect(inv.body).toMatchObject({
      amount: '5',
      currency: 'USD',
      payment_link: l.id,
      checkout_url: location,
    });
    const checkout = await t.request('GET', location);
    expect(checkout.status).toBe(200);
    expect(checkout.text).toContain('Link Shop');
    const after = await t.request('GET', `/v1/payment_links/${l.id}`, { token: shop.liveKey });
    expect(after.body.uses).toBe(2);
  });

  it('an open-amount link asks for the amount and refuses a bad one on the page', async () => {
    const l = await link({ currency: 'EUR', description: 'Donation' });
    const missing = await t.request('POST', l.url, form({}));
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Enter the amount to pay.');
    const precise = await t.request('POST', l.url, form({ amount: '1.234' }));
    expect(precise.status).toBe(400);
    expect(precise.text).toContain('too many decimals');
    expect(await invoicesOf(l.id)).toBe(0);
    const ok = await t.request('POST', l.url, form({ amount: '12.5' }));
    expect(ok.status).toBe(303);
    const id = (ok.headers.get('location') ?? '').split('/').pop() ?? '';
    const inv = await t.request('GET', `/v1/invoices/${id}`, { token: shop.liveKey });
    expect(inv.body).toMatchObject({ amount: '12.5', currency: 'EUR' });
  });

  it('never makes an invoice after deactivation, also with visitors racing the switch', async () => {
    const l = await link({ currency: 'USD', amount: '1.00' });
    const visits = Array.from({ length: 30 }, () => t.request('POST', l.url, form({})));
    const off = t.request('PATCH', `/v1/payment_links/${l.id}`, {
      token: shop.liveKey,
      body: { active: false },
    });
    const results = await Promise.all(visits);
    expect((await off).status).toBe(200);
    const made = results.filter((r) => r.status === 303).length;
    expect(results.every((r) => r.status === 303 || r.status === 410)).toBe(true);
    // Every use counted is exactly one invoice.
    expect(await invoicesOf(l.id)).toBe(made);
    const state = await t.request('GET', `/v1/payment_links/${l.id}`, { token: shop.liveKey });
    expect(state.body).toMatchObject({ active: false, uses: made });

    // Deactivated: the page says so and a post makes nothing.
    expect((await t.request('GET', l.url)).status).toBe(410);
    for (let i = 0; i < 3; i++) {
      const r = await t.request('POST', l.url, form({}));
      expect(r.status).toBe(410);
      expect(r.text).toContain('turned this payment link off');
    }
    expect(await invoicesOf(l.id)).toBe(made);
    // On again: it works again.
    await t.request('PATCH', `/v1/payment_links/${l.id}`, {
      token: shop.liveKey,
      body: { active: true },
    });
    expect((await t.request('POST', l.url, form({}))).status).toBe(303);
    const { rows } = await t.vw.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE data->>'payment_link' = $1 ORDER BY seq`,
      [l.id],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'merchant.payment_link_created',
      'merchant.payment_link_deactivated',
      'merchant.payment_link_activated',
    ]);
  });

  it('makes exactly max_uses invoices under 40 concurrent visitors', async () => {
    const l = await link({ currency: 'USD', amount: '2.00', max_uses: 7 });
    const results = await Promise.all(
      Array.from({ length: 40 }, () => t.request('POST', l.url, form({}))),
    );
    expect(results.filter((r) => r.status === 303)).toHaveLength(7);
    expect(results.filter((r) => r.status === 410)).toHaveLength(33);
    expect(await invoicesOf(l.id)).toBe(7);
    const page = await t.request('GET', l.url);
    expect(page.status).toBe(410);
    expect(page.text).toContain('as many times as the shop allowed');
  });

  it('keeps test links on test paths, and another merchant cannot read or switch a link', async () => {
    const l = await link({ currency: 'USD', amount: '3.00' }, shop.testKey);
    expect(l.livemode).toBe(false);
    const r = await t.request('POST', l.url, form({}));
    const location = r.headers.get('location') ?? '';
    expect(location).toMatch(/^\/pay\/test\/inv_/);
    const testPage = await t.request('GET', location);
    expect(testPage.status).toBe(200);
    expect(testPage.text).toContain('Test mode');
    // The same invoice on the live path is not found (a page, not an error 500).
    const wrongMode = await t.request('GET', location.replace('/pay/test/', '/pay/'));
    expect(wrongMode.status).toBe(404);
    expect(wrongMode.text).toContain('There is no invoice at this address');
    const unknown = await t.request('GET', '/pay/inv_01JAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect((await t.request('GET', '/pay/not-an-id')).status).toBe(404);
    expect((await t.request('GET', '/pay/l/plink_nope')).status).toBe(404);

    expect(
      (await t.request('GET', `/v1/payment_links/${l.id}`, { token: other.testKey })).status,
    ).toBe(404);
    const off = await t.request('PATCH', `/v1/payment_links/${l.id}`, {
      token: other.testKey,
      body: { active: false },
    });
    expect(off.status).toBe(404);
    expect(
      (await t.request('GET', `/v1/payment_links/${l.id}`, { token: shop.liveKey })).status,
    ).toBe(404);
  });

  it('refuses bad link input with a typed 400', async () => {
    for (const body of [
      { currency: 'XXX', amount: '1.00' },
      { currency: 'USD', amount: '-1' },
      { currency: 'USD', amount: '1.001' },
      { currency: 'USD', max_uses: 0 },
    ]) {
      const r = await t.request('POST', '/v1/payment_links', { token: shop.liveKey, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.type).toBe('invalid_request_error');
    }
  });
});

describe('point-of-sale terminals', () => {
  it('a till keys in an amount and shows the sale; its token does nothing else; revoked, it stops', async () => {
    const created = await t.request('POST', '/v1/pos_terminals', {
      token: shop.liveKey,
      body: { name: 'Front counter', currency: 'USD' },
    });
    expect(created.status, created.text).toBe(201);
    const { token, url, id } = created.body as { token: string; url: string; id: string };
    expect(url).toBe(`/pos/${token}`);
    const list = await t.request('GET', '/v1/pos_terminals', { token: shop.liveKey });
    expect(list.text).not.toContain(token);

    const page = await t.request('GET', url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Front counter');
    const sale = await t.request('POST', url, form({ amount: '4.20', description: 'Tea' }));
    expect(sale.status).toBe(303);
    const location = sale.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^/pos/${token}\\?invoice=inv_`));
    const shown = await t.request('GET', location);
    expect(shown.text).toContain('Sale: 4.20 USD');
    expect(shown.text).toContain('Waiting for payment');
    const invId = location.split('=')[1] ?? '';
    const inv = await t.request('GET', `/v1/invoices/${invId}`, { token: shop.liveKey });
    expect(inv.body).toMatchObject({ amount: '4.2', description: 'Tea', pos_terminal: id });

    // The till's token is not an API key.
    expect((await t.request('GET', '/v1/invoices', { token })).status).toBe(401);
    // Another merchant's invoice id on this till shows no sale.
    const foreign = await t.request('POST', '/v1/invoices', {
      token: other.liveKey,
      body: { currency: 'USD', amount: '9.99' },
    });
    const peek = await t.request('GET', `${url}?invoice=${foreign.body.id}`);
    expect(peek.text).not.toContain('9.99');
    const bad = await t.request('POST', url, form({ amount: 'abc' }));
    expect(bad.status).toBe(400);

    const revoked = await t.request('DELETE', `/v1/pos_terminals/${id}`, { token: shop.liveKey });
    expect(revoked.status).toBe(200);
    expect((await t.request('GET', url)).status).toBe(404);
    expect((await t.request('POST', url, form({ amount: '1.00' }))).status).toBe(404);
    expect(
      (await t.request('DELETE', `/v1/pos_terminals/${id}`, { token: other.liveKey })).status,
    ).toBe(404);
  });
});
