import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordClientStatements } from '../../test/support/client-statements.js';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { testDbKind } from '../../test/support/db.js';
import {
  merchant,
  registerAssets,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';
import type { MerchantAccount } from './model.js';
import type { Invoice } from './invoices.js';

/**
 * Group commit of invoice creations: concurrent creations share statements and commits,
 * each invoice written exactly as alone (its options, its `invoice.created` event, its
 * audit entry), and one invoice refused by the database fails only its own caller.
 */

let t: TestApp;
let shop: TestMerchant;
let account: MerchantAccount;
const actor = { userId: 'mca_actor', credentialId: 'mkey_actor' };

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  shop = await merchant(t, 'Batch Shop', 'batch@example.com');
  const m = await t.vw.merchants.directory.get(shop.id);
  if (!m) throw new Error('merchant missing');
  account = { id: m.liveAccountId, merchantId: m.id, livemode: true };
});

afterAll(async () => {
  await t.close();
});

const create = (acc: MerchantAccount, orderId: string) =>
  t.vw.merchants.invoices.create(
    acc,
    { currency: 'USD', amount: '3.50', assets: ['USD'], orderId, expiresInSeconds: 900 },
    actor,
  );

async function writtenFor(id: string) {
  const { rows } = await t.testDb.db.query<{
    invoices: number;
    options: number;
    events: number;
    audits: number;
  }>(
    `SELECT (SELECT count(*) FROM merchant_invoices WHERE id = $1)::int AS invoices,
            (SELECT count(*) FROM merchant_invoice_options WHERE invoice_id = $1)::int AS options,
            (SELECT count(*) FROM outbox_events
              WHERE aggregate_id = $1 AND type = 'invoice.created')::int AS events,
            ((SELECT count(*) FROM audit_pending WHERE target_id = $1) +
             (SELECT count(*) FROM audit_events WHERE target_id = $1))::int AS audits`,
    [id],
  );
  return rows[0];
}

describe('invoice creations written together', () => {
  it('a batch with one invoice the database refuses creates all the others', async () => {
    // An account whose merchant does not exist passes every check made before writing;
    // its invoice is refused by the merchant foreign key, in the middle of the batch.
    const orphan: MerchantAccount = { id: 'mca_orphan', merchantId: 'mer_gone', livemode: true };
    const calls = Array.from({ length: 9 }, (_, i) =>
      i === 4 ? create(orphan, 'bad') : create(account, `good-${i}`),
    );
    const settled = await Promise.allSettled(calls);
    const refused = settled[4];
    expect(refused?.status, JSON.stringify(refused)).toBe('rejected');
    const created = settled
      .filter((r, i) => i !== 4)
      .map((r) => {
        if (r.status !== 'fulfilled') throw new Error(`a good invoice failed: ${String(r.reason)}`);
        return r.value as Invoice;
      });
    expect(created).toHaveLength(8);
    for (const inv of created) {
      expect(inv.id).toMatch(/^inv_/);
      expect(await writtenFor(inv.id)).toEqual({ invoices: 1, options: 1, events: 1, audits: 1 });
      const read = await t.vw.merchants.invoices.get(account.id, inv.id);
      expect(read?.orderId).toBe(inv.orderId);
    }
    const { rows } = await t.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM merchant_invoices WHERE merchant_id = 'mer_gone' OR order_id = 'bad'`,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('a creation with an Idempotency-Key is made once, alongside batched ones', async () => {
    const keyed = () =>
      t.request('POST', '/v1/invoices', {
        token: shop.liveKey,
        body: { currency: 'USD', amount: '7.00', assets: ['USD'], order_id: 'keyed' },
        headers: { 'idempotency-key': 'create-once-1' },
      });
    const [first, ...others] = await Promise.all([
      keyed(),
      ...Array.from({ length: 4 }, (_, i) => create(account, `beside-${i}`)),
    ]);
    expect(first.status, first.text).toBe(201);
    expect(others.every((o) => 'id' in o)).toBe(true);
    const again = await keyed();
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const { rows } = await t.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM merchant_invoices WHERE order_id = 'keyed'`,
    );
    expect(rows[0]?.n).toBe(1);
  });

  // Statements are counted at node-postgres's client: PostgreSQL only (PGlite has none).
  it.runIf(testDbKind() === 'postgres')(
    'concurrent creations share statements: fewer round trips than invoices, one text',
    async () => {
      const sent: string[] = [];
      const recorder = recordClientStatements(sent);
      let invoices: unknown[];
      try {
        invoices = await Promise.all(
          Array.from({ length: 24 }, (_, i) => create(account, `together-${i}`)),
        );
      } finally {
        recorder.stop();
      }
      expect(invoices).toHaveLength(24);
      const writes = sent.filter((s) => s.includes('INSERT INTO merchant_invoices '));
      expect(writes.length).toBeLessThan(24);
      // One text whatever the batch's size (the rows travel in arrays): PostgreSQL plans it
      // once per connection instead of once per batch.
      expect(new Set(writes).size).toBe(1);
      const { rows } = await t.testDb.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM merchant_invoices WHERE order_id LIKE 'together-%'`,
      );
      expect(rows[0]?.n).toBe(24);
    },
  );
});
