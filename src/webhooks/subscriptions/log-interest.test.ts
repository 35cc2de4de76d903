import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { recordChange } from '../changes.js';
import { createContractLogInterest } from './log-interest.js';

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});

afterAll(async () => {
  await t.drop();
});

const A = `0x${'a'.repeat(40)}`;
const B = `0x${'b'.repeat(40)}`;
const C = `0x${'c'.repeat(40)}`;

async function endpoint(id: string) {
  await t.db.transaction(async () => {
    await t.db.query(
      `INSERT INTO webhook_endpoints (id, owner_id, url, event_types)
       VALUES ($1, 'usr_1', 'https://example.com/hook', ARRAY['contract.log'])`,
      [id],
    );
    await recordChange(t.db, 'endpoint', id);
  });
}

async function subscribe(id: string, endpointId: string, kind: string, filter: object) {
  await t.db.transaction(async () => {
    await t.db.query(
      `INSERT INTO webhook_subscriptions (id, endpoint_id, owner_id, kind, chain_key, filter)
       VALUES ($1, $2, 'usr_1', $3, 'eth', $4::jsonb)`,
      [id, endpointId, kind, JSON.stringify(filter)],
    );
    await recordChange(t.db, 'subscription', id);
  });
}

describe('contract-log interest', () => {
  it('follows contract-log subscriptions through the change log, endpoint deletions included', async () => {
    await endpoint('whe_1');
    await endpoint('whe_2');
    await subscribe('wsub_1', 'whe_1', 'contract_log', { addresses: [A.toUpperCase()] });
    const interest = createContractLogInterest({ db: t.db });
    await interest.refresh();
    expect(interest.current('eth').wants(A)).toBe(true);
    expect(interest.current('eth').wants(B)).toBe(false);
    expect(interest.current('base').wants(A)).toBe(false);

    // Added later; address subscriptions and topic-only ones name no contract.
    const v1 = interest.current('eth').version;
    await subscribe('wsub_2', 'whe_2', 'contract_log', { addresses: [A, B] });
    await subscribe('wsub_3', 'whe_2', 'address_activity', {});
    await subscribe('wsub_4', 'whe_2', 'contract_log', { topics: [`0x${'1'.repeat(64)}`] });
    await interest.refresh();
    const v2 = interest.current('eth').version;
    expect(v2).toBeGreaterThan(v1);
    expect([A, B, C].map((x) => interest.current('eth').wants(x))).toEqual([true, true, false]);
    expect(interest.stats()).toEqual({ subscriptions: 3, contracts: 2 });

    // An endpoint edit that leaves its subscriptions alone does not change the version.
    await t.db.transaction(() => recordChange(t.db, 'endpoint', 'whe_2'));
    await interest.refresh();
    expect(interest.current('eth').version).toBe(v2);

    // Deleting an endpoint takes its subscriptions along (no change of their own).
    await t.db.transaction(async () => {
      await t.db.query(`DELETE FROM webhook_endpoints WHERE id = 'whe_2'`);
      await recordChange(t.db, 'endpoint', 'whe_2');
    });
    await interest.refresh();
    expect([A, B].map((x) => interest.current('eth').wants(x))).toEqual([true, false]);

    // Deleting the last subscription naming A.
    await t.db.transaction(async () => {
      await recordChange(t.db, 'subscription', 'wsub_1');
      await t.db.query(`DELETE FROM webhook_subscriptions WHERE id = 'wsub_1'`);
    });
    await interest.refresh();
    expect(interest.current('eth').wants(A)).toBe(false);
    expect(interest.stats()).toEqual({ subscriptions: 0, contracts: 0 });
  });

  it('marks how far it has read: a subscription is in the set once the mark reaches its change', async () => {
    await endpoint('whe_m');
    const interest = createContractLogInterest({ db: t.db });
    expect(interest.current('eth').mark).toBe(0n); // before the first refresh
    await interest.refresh();
    const before = interest.current('eth').mark;
    let seq = 0n;
    await t.db.transaction(async () => {
      await t.db.query(
        `INSERT INTO webhook_subscriptions (id, endpoint_id, owner_id, kind, chain_key, filter)
         VALUES ('wsub_m', 'whe_m', 'usr_1', 'contract_log', 'eth', $1::jsonb)`,
        [JSON.stringify({ addresses: [C] })],
      );
      seq = await recordChange(t.db, 'subscription', 'wsub_m');
    });
    // Not refreshed yet: the mark is below the subscription's change, and C is not wanted.
    expect(interest.current('eth').mark).toBeLessThan(seq);
    expect(interest.current('eth').wants(C)).toBe(false);
    expect(before).toBeLessThan(seq);
    await interest.refresh();
    expect(interest.current('eth').mark).toBeGreaterThanOrEqual(seq);
    expect(interest.current('eth').wants(C)).toBe(true);
    // The mark is the change log's, not a chain's: the same on a chain with no contracts.
    expect(interest.current('base').mark).toBe(interest.current('eth').mark);
  });

  it('a refresh called while another runs still sees what committed before it was called', async () => {
    await endpoint('whe_3');
    // The real database, with change-log reads held back after they ran while `gate` is set.
    let gate: Promise<void> | undefined;
    const db = new Proxy(t.db, {
      get(target, prop) {
        if (prop === 'query') {
          return async (sql: string, params?: unknown[]) => {
            const r = await target.query(sql, params);
            if (gate && sql.includes('FROM webhook_changes WHERE seq >')) await gate;
            return r;
          };
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const interest = createContractLogInterest({ db });
    await interest.refresh();
    let open: () => void = () => undefined;
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const first = interest.refresh(); // reads the change log, then waits at the gate
    await new Promise((r) => setTimeout(r, 100));
    await subscribe('wsub_5', 'whe_3', 'contract_log', { addresses: [C] });
    const second = interest.refresh();
    gate = undefined;
    open();
    await first;
    await second;
    expect(interest.current('eth').wants(C)).toBe(true);
  });
});
