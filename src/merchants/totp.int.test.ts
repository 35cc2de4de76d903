import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import {
  enrolTotp,
  merchant,
  registerAssets,
  user,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';

/**
 * Two-factor authentication for the people who hold a merchant's keys: owners and admins
 * of a merchant, and the platform's operators and admins, act on merchants only with a
 * confirmed TOTP factor; other roles do not need one.
 */

let t: TestApp;
let shop: TestMerchant;

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  shop = await merchant(t, 'TOTP Shop', 'totp-owner@example.com');
}, 120_000);

afterAll(async () => {
  await t.close();
});

const expectTotpRequired = (r: { status: number; body: { error?: unknown }; text: string }) => {
  expect(r.status, r.text).toBe(403);
  expect(r.body.error).toMatchObject({
    type: 'permission_error',
    code: 'totp_required',
    message: expect.stringContaining('/v1/me/totp') as unknown,
  });
};

describe('TOTP for merchant owners and admins', () => {
  it('refuses to create a merchant for a user without TOTP, then allows it', async () => {
    const u = await user(t, 'no-totp@example.com');
    expectTotpRequired(
      await t.request('POST', '/v1/merchants', { token: u.token, body: { name: 'X' } }),
    );
    const none = await t.request('GET', '/v1/merchants', { token: u.token });
    expect(none.body.data).toEqual([]);
    await enrolTotp(t, u.id);
    const made = await t.request('POST', '/v1/merchants', { token: u.token, body: { name: 'X' } });
    expect(made.status, made.text).toBe(201);
  });

  it('shuts an admin without TOTP out of the merchant until they enrol', async () => {
    const admin = await user(t, 'totp-admin@example.com');
    const added = await t.request('POST', `/v1/merchants/${shop.id}/members`, {
      token: shop.owner.token,
      body: { email: 'totp-admin@example.com', role: 'admin' },
    });
    expect(added.status, added.text).toBe(201);

    const token = admin.token;
    expectTotpRequired(
      await t.request('POST', `/v1/merchants/${shop.id}/api_keys`, {
        token,
        body: { name: 'k', mode: 'live' },
      }),
    );
    expectTotpRequired(
      await t.request('PATCH', `/v1/merchants/${shop.id}`, { token, body: { name: 'Hijacked' } }),
    );
    expectTotpRequired(
      await t.request('POST', `/v1/merchants/${shop.id}/members`, {
        token,
        body: { email: 'no-totp@example.com', role: 'viewer' },
      }),
    );
    // The dashboard's reads too; only the list of one's merchants stays, to say why.
    expectTotpRequired(await t.request('GET', `/v1/merchants/${shop.id}`, { token }));
    expectTotpRequired(await t.request('GET', `/v1/merchants/${shop.id}/api_keys`, { token }));
    const list = await t.request('GET', '/v1/merchants', { token });
    expect(list.body.data).toMatchObject([{ id: shop.id, role: 'admin' }]);
    // Nothing changed.
    const m = await t.request('GET', `/v1/merchants/${shop.id}`, { token: shop.owner.token });
    expect(m.body.name).toBe('TOTP Shop');
    const keys = await t.request('GET', `/v1/merchants/${shop.id}/api_keys`, {
      token: shop.owner.token,
    });
    expect(keys.body.data).toHaveLength(2);

    await enrolTotp(t, admin.id);
    const key = await t.request('POST', `/v1/merchants/${shop.id}/api_keys`, {
      token,
      body: { name: 'k', mode: 'live' },
    });
    expect(key.status, key.text).toBe(201);
  });

  it('lets a developer without TOTP manage test keys (their role needs none)', async () => {
    await user(t, 'totp-dev@example.com');
    const added = await t.request('POST', `/v1/merchants/${shop.id}/members`, {
      token: shop.owner.token,
      body: { email: 'totp-dev@example.com', role: 'developer' },
    });
    expect(added.status, added.text).toBe(201);
    const s = await t.request('POST', '/v1/sessions', {
      body: { email: 'totp-dev@example.com', password: 'correct horse battery staple' },
    });
    const key = await t.request('POST', `/v1/merchants/${shop.id}/api_keys`, {
      token: s.body.token as string,
      body: { name: 'dev', mode: 'test' },
    });
    expect(key.status, key.text).toBe(201);
  });

  it('refuses a platform operator without TOTP the fee settings', async () => {
    const op = await user(t, 'totp-op@example.com');
    await t.vw.identity.changeRole(op.id, 'operator', { type: 'system', id: 'test' });
    const fees = { bps: 250, fixed: { USD: '0.30' } };
    expectTotpRequired(
      await t.request('PUT', `/v1/merchants/${shop.id}/fees`, { token: op.token, body: fees }),
    );
    const unchanged = await t.request('GET', `/v1/merchants/${shop.id}`, {
      token: shop.owner.token,
    });
    expect(unchanged.body.fees).toEqual({ bps: 0, fixed: {} });
    await enrolTotp(t, op.id);
    const set = await t.request('PUT', `/v1/merchants/${shop.id}/fees`, {
      token: op.token,
      body: fees,
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body.fees).toEqual(fees);
  });
});
