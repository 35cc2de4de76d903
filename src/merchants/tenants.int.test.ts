import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  fund,
  merchant,
  registerAssets,
  user,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';
import { MERCHANT_TAG } from './schemas.js';

/**
 * Merchants as tenants: roles, keys per mode, and isolation. The isolation test walks
 * every route the app publishes under the merchants tag, so a new route is covered the
 * day it is added (and fails here until it has a sample body).
 */

let t: TestApp;
let a: TestMerchant;
let b: TestMerchant;
/** B's objects, by path parameter name. */
const bObjects: Record<string, string> = {};
/** A's live objects, for the test key. */
const aLiveObjects: Record<string, string> = {};

const SAMPLE_BODIES: Record<string, unknown> = {
  'post /v1/merchants': { name: 'Another shop' },
  'patch /v1/merchants/{merchant}': { name: 'Renamed' },
  'post /v1/merchants/{merchant}/members': { email: 'eve@example.com', role: 'viewer' },
  'post /v1/merchants/{merchant}/api_keys': { name: 'k', mode: 'test' },
  'post /v1/invoices': { currency: 'USD', amount: '1.00' },
  'post /v1/invoices/{invoice}/test_payments': { asset: 'USD', amount: '1.00' },
  'post /v1/invoices/{invoice}/refunds': { asset: 'USD', amount: '1.00' },
  'post /v1/payment_links': { currency: 'USD', amount: '1.00' },
  'patch /v1/payment_links/{link}': { active: false },
  'post /v1/pos_terminals': { name: 'Till', currency: 'USD' },
  'post /v1/refunds/{refund}/link': {},
  'post /v1/refunds/{refund}/cancel': {},
  'post /v1/payouts': { asset: 'USD', amount: '1.00', to_address: '0x' + '11'.repeat(20) },
  'post /v1/bank_payouts': { asset: 'USD', amount: '1.00', destination: 'DE89370400440532013000' },
  'post /v1/bank_payouts/{bank_payout}/cancel': {},
  'put /v1/payout_schedules': {
    asset: 'USD',
    period: 'daily',
    minimum: '10.00',
    destination: 'DE89370400440532013000',
  },
};

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  a = await merchant(t, 'Shop A', 'alice@example.com');
  b = await merchant(t, 'Shop B', 'bob@example.com');
  await user(t, 'eve@example.com');
  const dave = await user(t, 'dave@example.com');
  const member = await t.request('POST', `/v1/merchants/${b.id}/members`, {
    token: b.owner.token,
    body: { email: 'dave@example.com', role: 'viewer' },
  });
  expect(member.status, member.text).toBe(201);
  // B's live invoice, paid from Carol's wallet and partly refunded.
  const carol = await user(t, 'carol@example.com');
  await fund(t, carol.id, 'USD', '100.00');
  const objects = async (m: TestMerchant, into: Record<string, string>) => {
    const inv = await t.request('POST', '/v1/invoices', {
      token: m.liveKey,
      body: { currency: 'USD', amount: '10.00', assets: ['USD'] },
    });
    expect(inv.status, inv.text).toBe(201);
    const paid = await t.request('POST', `/v1/checkout/invoices/${inv.body.id}/pay`, {
      token: carol.token,
      body: { asset: 'USD' },
    });
    expect(paid.status, paid.text).toBe(200);
    const refund = await t.request('POST', `/v1/invoices/${inv.body.id}/refunds`, {
      token: m.liveKey,
      body: { asset: 'USD', amount: '2.00' },
    });
    expect(refund.status, refund.text).toBe(201);
    const link = await t.request('POST', '/v1/payment_links', {
      token: m.liveKey,
      body: { currency: 'USD', amount: '1.00' },
    });
    expect(link.status, link.text).toBe(201);
    const till = await t.request('POST', '/v1/pos_terminals', {
      token: m.liveKey,
      body: { name: 'Till', currency: 'USD' },
    });
    expect(till.status, till.text).toBe(201);
    into['link'] = link.body.id;
    into['terminal'] = till.body.id;
    into['merchant'] = m.id;
    into['invoice'] = inv.body.id;
    into['refund'] = refund.body.id;
    into['key'] = m.liveKeyId;
    into['user'] = m.owner.id;
  };
  await objects(b, bObjects);
  // Payouts need a chain: another merchant's real payout is tried in chain.int.test.ts.
  bObjects['payout'] = 'wd_01JAAAAAAAAAAAAAAAAAAAAAAA';
  // Bank payouts need a rail: another merchant's real one is tried in payouts.int.test.ts.
  bObjects['bank_payout'] = 'po_01JAAAAAAAAAAAAAAAAAAAAAAA';
  bObjects['user'] = dave.id;
  await objects(a, aLiveObjects);
  // Many users and objects: slow on the embedded database when the machine is busy.
}, 300_000);

afterAll(async () => {
  await t.close();
});

async function merchantRoutes(): Promise<{ method: string; path: string }[]> {
  const doc = await t.request('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  const routes: { method: string; path: string }[] = [];
  for (const [path, ops] of Object.entries(doc.body.paths as Record<string, object>)) {
    for (const [method, op] of Object.entries(ops as Record<string, { tags?: string[] }>)) {
      if (op.tags?.includes(MERCHANT_TAG)) routes.push({ method, path });
    }
  }
  return routes;
}

const fill = (path: string, objects: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = objects[name];
    if (!id) throw new Error(`no sample object for path parameter {${name}} in ${path}`);
    return id;
  });

describe('merchant roles and keys', () => {
  it('lets a viewer read the merchant but not manage keys or members', async () => {
    const dave = await t.request('POST', '/v1/sessions', {
      body: { email: 'dave@example.com', password: 'correct horse battery staple' },
    });
    const token = dave.body.token as string;
    const read = await t.request('GET', `/v1/merchants/${b.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body.role).toBe('viewer');
    const key = await t.request('POST', `/v1/merchants/${b.id}/api_keys`, {
      token,
      body: { name: 'x', mode: 'test' },
    });
    expect(key.status).toBe(403);
    expect(key.body.error.code).toBe('merchant_role_not_allowed');
    const add = await t.request('POST', `/v1/merchants/${b.id}/members`, {
      token,
      body: { email: 'eve@example.com', role: 'admin' },
    });
    expect(add.status).toBe(403);
  });

  it('keeps the last owner', async () => {
    const r = await t.request('DELETE', `/v1/merchants/${a.id}/members/${a.owner.id}`, {
      token: a.owner.token,
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('last_owner');
  });

  it('refuses a revoked key and gives a merchant key no wallet access', async () => {
    const k = await t.request('POST', `/v1/merchants/${a.id}/api_keys`, {
      token: a.owner.token,
      body: { name: 'temp', mode: 'test' },
    });
    expect(k.status).toBe(201);
    expect(k.body.token).toMatch(/^mk_test_/);
    expect((await t.request('GET', '/v1/invoices', { token: k.body.token })).status).toBe(200);
    const wallet = await t.request('GET', '/v1/wallet/balances', { token: k.body.token });
    expect(wallet.status).toBe(403);
    expect(wallet.body.error.code).toBe('scope_missing');
    const revoked = await t.request('DELETE', `/v1/merchants/${a.id}/api_keys/${k.body.id}`, {
      token: a.owner.token,
    });
    expect(revoked.status).toBe(200);
    expect((await t.request('GET', '/v1/invoices', { token: k.body.token })).status).toBe(401);
  });

  it('records merchant actions in the audit log', async () => {
    const { rows } = await t.vw.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE target_id = $1 ORDER BY seq`,
      [b.id],
    );
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'merchant.created',
        'merchant.api_key_created',
        'merchant.member_added',
      ]),
    );
  });
});

describe('tenant isolation', () => {
  it("refuses every merchant route another merchant's objects with 404", async () => {
    const routes = await merchantRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(15);
    const bIds = Object.values(bObjects);
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const body =
        route.method === 'get' || route.method === 'delete' ? undefined : SAMPLE_BODIES[key];
      if (route.method !== 'get' && route.method !== 'delete') {
        expect(body, `sample body for ${key}`).toBeDefined();
      }
      const hasParams = route.path.includes('{');
      const path = fill(route.path, bObjects);
      const statuses: number[] = [];
      for (const token of [a.liveKey, a.owner.token]) {
        const r = await t.request(route.method.toUpperCase(), path, {
          token,
          ...(body !== undefined ? { body } : {}),
        });
        for (const id of bIds) {
          if (id !== bObjects['user'] || hasParams) continue;
          expect(r.text, `${key} leaks ${id}`).not.toContain(id);
        }
        if (hasParams) {
          expect(r.status, `${key}: ${r.text}`).toBeGreaterThanOrEqual(400);
          for (const id of [
            bObjects['invoice'],
            bObjects['refund'],
            bObjects['key'],
            bObjects['link'],
            bObjects['terminal'],
          ]) {
            expect(r.text, `${key} leaks ${id}`).not.toContain(id);
          }
        } else {
          for (const id of bIds) expect(r.text, `${key} leaks ${id}`).not.toContain(id);
        }
        statuses.push(r.status);
      }
      if (hasParams) expect(statuses, key).toContain(404);
    }
  });

  it('refuses a test key every live object of its own merchant with 404', async () => {
    const routes = (await merchantRoutes()).filter(
      (r) => r.path.includes('{invoice}') || r.path.includes('{refund}'),
    );
    expect(routes.length).toBeGreaterThanOrEqual(4);
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const body = SAMPLE_BODIES[key];
      const r = await t.request(route.method.toUpperCase(), fill(route.path, aLiveObjects), {
        token: a.testKey,
        ...(body !== undefined ? { body } : {}),
      });
      expect(r.status, `${key}: ${r.text}`).toBe(404);
    }
    const list = await t.request('GET', '/v1/invoices', { token: a.testKey });
    expect(list.body.data).toEqual([]);
    const balance = await t.request('GET', '/v1/merchant_balance', { token: a.testKey });
    expect(balance.body).toMatchObject({ livemode: false, balances: [] });
    const live = await t.request('GET', '/v1/merchant_balance', { token: a.liveKey });
    expect(live.body).toMatchObject({
      livemode: true,
      balances: [{ asset: 'USD', available: '8', pending: '0' }],
    });
  });
});
