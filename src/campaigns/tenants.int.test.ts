import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  merchant,
  registerAssets,
  user,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';

/**
 * Campaigns as a merchant's: its members run them by role, its live key runs them, and
 * another merchant reaches none of them. The isolation test walks every route the app
 * publishes under the Campaigns tag, so a new route is covered the day it is added.
 */

let t: TestApp;
let a: TestMerchant;
let b: TestMerchant;
let viewer: { id: string; token: string };
let outsider: { id: string; token: string };
/** B's objects, by path parameter name. */
const bObjects: Record<string, string> = {};
const stores: Record<'a' | 'b', { id: string; variant: string }> = {
  a: { id: '', variant: '' },
  b: { id: '', variant: '' },
};

const SAMPLE_BODIES: Record<string, unknown> = {
  'post /v1/campaigns': {
    name: 'Poached',
    channel: 'web',
    currency: 'USD',
    starts_at: '2026-01-01T00:00:00Z',
    rule: { kind: 'fixed', amount: '1.00' },
  },
  'post /v1/campaigns/{id}/status': { status: 'paused' },
  'post /v1/campaigns/{id}/codes': { code: 'POACHED1' },
  'post /v1/campaigns/{id}/codes/generate': { count: 5 },
  'post /v1/campaigns/redemptions': {
    code: 'BOBSBATS',
    order_id: 'POACHED-1',
    customer: 'poacher',
    currency: 'USD',
    order_total: '40.00',
  },
  'post /v1/campaigns/redemptions/{order_id}/confirm': {},
  'post /v1/campaigns/redemptions/{order_id}/release': {},
};

const campaignBody = (extra: Record<string, unknown> = {}) => ({
  name: 'Cricket season',
  channel: 'tv-cricket',
  currency: 'USD',
  starts_at: new Date(t.now() - 60_000).toISOString(),
  rule: { kind: 'percentage', percent_bps: 1000 },
  ...extra,
});

async function storeOf(m: TestMerchant, x: number) {
  const store = await t.request('POST', '/v1/stores', {
    token: m.owner.token,
    body: { merchant: m.id, name: `Store ${x}`, position: { x, y: 7 } },
  });
  expect(store.status, store.text).toBe(201);
  const product = await t.request('POST', `/v1/stores/${store.body.id}/products`, {
    token: m.owner.token,
    body: {
      name: 'Bat',
      variants: [{ sku: 'BAT', name: 'Bat', prices: { USD: '40.00' }, stock: 10 }],
    },
  });
  expect(product.status, product.text).toBe(201);
  return { id: store.body.id as string, variant: product.body.variants[0].id as string };
}

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  a = await merchant(t, 'Shop A', 'alice@example.com');
  b = await merchant(t, 'Shop B', 'bob@example.com');
  viewer = await user(t, 'dave@example.com');
  outsider = await user(t, 'eve@example.com');
  const member = await t.request('POST', `/v1/merchants/${b.id}/members`, {
    token: b.owner.token,
    body: { email: 'dave@example.com', role: 'viewer' },
  });
  expect(member.status, member.text).toBe(201);
  stores.a = await storeOf(a, 1);
  stores.b = await storeOf(b, 2);
  // B's campaign with a code and a queued generation job.
  const made = await t.request('POST', '/v1/campaigns', { token: b.liveKey, body: campaignBody() });
  expect(made.status, made.text).toBe(201);
  bObjects['id'] = made.body.id;
  const code = await t.request('POST', `/v1/campaigns/${made.body.id}/codes`, {
    token: b.liveKey,
    body: { code: 'BOBSBATS' },
  });
  expect(code.status, code.text).toBe(201);
  bObjects['code'] = code.body.id;
  const job = await t.request('POST', `/v1/campaigns/${made.body.id}/codes/generate`, {
    token: b.owner.token,
    body: { count: 10_001 },
  });
  expect(job.status, job.text).toBe(202);
  bObjects['generation_id'] = job.body.id;
  // An order of B's own shop, redeemed through the API.
  const redeemed = await t.request('POST', '/v1/campaigns/redemptions', {
    token: b.liveKey,
    body: {
      code: 'BOBSBATS',
      order_id: 'BOB-WEB-1',
      customer: 'cust-1',
      currency: 'USD',
      order_total: '40.00',
    },
  });
  expect(redeemed.status, redeemed.text).toBe(201);
  bObjects['order_id'] = redeemed.body.order_id;
}, 300_000);

afterAll(async () => {
  await t.close();
});

describe('a campaign belongs to a merchant', () => {
  it('is made by a managing member for a merchant they name, or by the merchant’s live key', async () => {
    const byKey = await t.request('GET', `/v1/campaigns/${bObjects['id']}`, { token: b.liveKey });
    expect(byKey.status, byKey.text).toBe(200);
    expect(byKey.body.merchant_id).toBe(b.id);
    expect(byKey.body.created_by).toMatch(/^mca_/);

    const byOwner = await t.request('POST', '/v1/campaigns', {
      token: b.owner.token,
      body: campaignBody({ merchant: b.id }),
    });
    expect(byOwner.status, byOwner.text).toBe(201);
    expect(byOwner.body).toMatchObject({ merchant_id: b.id, created_by: b.owner.id });

    // A user names the merchant; one they are not a member of is not found.
    const unnamed = await t.request('POST', '/v1/campaigns', {
      token: b.owner.token,
      body: campaignBody(),
    });
    expect([unnamed.status, unnamed.body.error?.code]).toEqual([400, 'merchant_required']);
    const foreign = await t.request('POST', '/v1/campaigns', {
      token: a.owner.token,
      body: campaignBody({ merchant: b.id }),
    });
    expect([foreign.status, foreign.body.error?.code]).toEqual([404, 'merchant_not_found']);
    // A key names its own merchant or none.
    const keyForeign = await t.request('POST', '/v1/campaigns', {
      token: a.liveKey,
      body: campaignBody({ merchant: b.id }),
    });
    expect([keyForeign.status, keyForeign.body.error?.code]).toEqual([404, 'merchant_not_found']);
  });

  it('targets only its own merchant’s stores, products and variants', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ target: { store_ids: [stores.a.id] } }, 'target.store_ids'],
      [{ target: { store_ids: ['sto_01JAAAAAAAAAAAAAAAAAAAAAAA'] } }, 'target.store_ids'],
      [{ rule: { kind: 'free_item', free_variant_id: stores.a.variant } }, 'rule.free_variant_id'],
    ];
    const before = await t.request('GET', '/v1/campaigns', { token: b.liveKey });
    for (const [extra, param] of cases) {
      const r = await t.request('POST', '/v1/campaigns', {
        token: b.liveKey,
        body: campaignBody(extra),
      });
      expect([r.status, r.body.error?.code, r.body.error?.param]).toEqual([
        400,
        'target_not_found',
        param,
      ]);
    }
    const after = await t.request('GET', '/v1/campaigns', { token: b.liveKey });
    expect(after.body.data).toHaveLength(before.body.data.length);
    const own = await t.request('POST', '/v1/campaigns', {
      token: b.liveKey,
      body: campaignBody({
        target: { store_ids: [stores.b.id] },
        rule: { kind: 'free_item', free_variant_id: stores.b.variant },
      }),
    });
    expect(own.status, own.text).toBe(201);
    expect(own.body.target.store_ids).toEqual([stores.b.id]);
  });

  it('a viewer and a test key read the merchant’s campaigns but change nothing', async () => {
    const id = bObjects['id'] ?? '';
    for (const token of [viewer.token, b.testKey]) {
      const read = await t.request('GET', `/v1/campaigns/${id}`, { token });
      expect(read.status, read.text).toBe(200);
      const list = await t.request('GET', '/v1/campaigns', { token });
      expect(list.body.data.map((c: { id: string }) => c.id)).toContain(id);
      const pause = await t.request('POST', `/v1/campaigns/${id}/status`, {
        token,
        body: { status: 'paused' },
      });
      expect([pause.status, pause.body.error?.code]).toEqual([403, 'role_not_allowed']);
      const create = await t.request('POST', '/v1/campaigns', {
        token,
        body: campaignBody({ merchant: b.id }),
      });
      expect([create.status, create.body.error?.code]).toEqual([403, 'role_not_allowed']);
    }
    const still = await t.request('GET', `/v1/campaigns/${id}`, { token: b.liveKey });
    expect(still.body.status).toBe('active');
  });

  it('records each change in the audit log with who made it, never a code', async () => {
    const id = bObjects['id'] ?? '';
    const paused = await t.request('POST', `/v1/campaigns/${id}/status`, {
      token: b.owner.token,
      body: { status: 'paused' },
    });
    expect(paused.body.status, paused.text).toBe('paused');
    await t.request('POST', `/v1/campaigns/${id}/status`, {
      token: b.liveKey,
      body: { status: 'active' },
    });
    // A redemption's entry goes through the chain's waiting list (sealed after the
    // changes chained directly since): in the order they happened, once sealed.
    await t.vw.audit.seal();
    const { rows } = await t.vw.db.query<{ action: string; actor_id: string; data: unknown }>(
      `SELECT action, actor_id, data FROM audit_events WHERE target_id = $1
        ORDER BY occurred_at, seq`,
      [id],
    );
    expect(rows.map((r) => [r.action, r.actor_id.slice(0, 4)])).toEqual([
      ['campaign.created', 'mca_'],
      ['campaign.code_added', 'mca_'],
      ['campaign.codes_generation_started', 'usr_'],
      ['campaign.redemption_created', 'mca_'],
      ['campaign.status_changed', 'usr_'],
      ['campaign.status_changed', 'mca_'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('BOBSBATS');
    expect(rows[0]?.data).toMatchObject({ merchant_id: b.id });
  });

  it('a coupon for another merchant’s store is refused and the cart keeps no coupon', async () => {
    const cart = await t.request('POST', '/v1/carts', {
      body: { store_id: stores.a.id, currency: 'USD' },
    });
    expect(cart.status, cart.text).toBe(201);
    const headers = { 'cart-secret': cart.body.secret as string };
    const item = await t.request('POST', `/v1/carts/${cart.body.id}/items`, {
      headers,
      body: { variant_id: stores.a.variant, quantity: 1 },
    });
    expect(item.status, item.text).toBe(200);
    const applied = await t.request('POST', `/v1/carts/${cart.body.id}/coupon`, {
      headers,
      body: { code: 'bobs-bats' },
    });
    expect([applied.status, applied.body.error?.code]).toEqual([422, 'coupon_not_applicable']);
    expect(applied.body.error.param).toBe('coupon_code');
    const after = await t.request('GET', `/v1/carts/${cart.body.id}`, { headers });
    expect(after.body.coupon_code).toBeNull();

    // The same code in B's own store takes its 10 % off.
    const own = await t.request('POST', '/v1/carts', {
      body: { store_id: stores.b.id, currency: 'USD' },
    });
    const ownHeaders = { 'cart-secret': own.body.secret as string };
    await t.request('POST', `/v1/carts/${own.body.id}/items`, {
      headers: ownHeaders,
      body: { variant_id: stores.b.variant, quantity: 1 },
    });
    const ok = await t.request('POST', `/v1/carts/${own.body.id}/coupon`, {
      headers: ownHeaders,
      body: { code: 'bobs-bats' },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.discount).toBe('4.00');
  });
});

describe('tenant isolation', () => {
  it("answers every campaign route 404 for another merchant's campaign", async () => {
    const doc = await t.request('GET', '/openapi.json');
    const routes: { method: string; path: string }[] = [];
    for (const [path, ops] of Object.entries(doc.body.paths as Record<string, object>)) {
      for (const [method, op] of Object.entries(ops as Record<string, { tags?: string[] }>)) {
        if (op.tags?.includes('Campaigns')) routes.push({ method, path });
      }
    }
    expect(routes.length).toBeGreaterThanOrEqual(11);
    const before = await t.vw.campaigns.get(b.id, bObjects['id'] ?? '');
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const body = route.method === 'get' ? undefined : SAMPLE_BODIES[key];
      if (route.method !== 'get') expect(body, `sample body for ${key}`).toBeDefined();
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const id = bObjects[name];
        if (!id) throw new Error(`no sample object for {${name}} in ${route.path}`);
        return id;
      });
      for (const token of [a.liveKey, a.owner.token, outsider.token]) {
        const r = await t.request(route.method.toUpperCase(), path, {
          token,
          ...(body !== undefined ? { body } : {}),
        });
        if (route.path.includes('{')) {
          expect(r.status, `${key}: ${r.text}`).toBe(404);
        }
        expect(r.text, `${key} leaks B's campaign`).not.toContain(bObjects['id']);
      }
    }
    // Nothing of B's changed: still active, still one code of its own plus none poached.
    const after = await t.vw.campaigns.get(b.id, bObjects['id'] ?? '');
    expect(after).toEqual(before);
    const poached = await t.vw.campaigns.getCode(b.id, bObjects['id'] ?? '', 'POACHED1');
    expect(poached.code).toBe('coupon_not_found');
  });
});
