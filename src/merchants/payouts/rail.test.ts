import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpPayoutRail, RailUnavailableError } from './rail.js';
import { startTestPayoutRail, type TestPayoutRailServer } from './test-rail-server.js';

/** The HTTP payout rail client against the local rail server, over a real socket. */

let server: TestPayoutRailServer;
let now = Date.parse('2026-12-06T10:00:00Z');

beforeAll(async () => {
  server = await startTestPayoutRail({ settleMs: 60_000, now: () => now });
});

afterAll(async () => {
  await server.close();
});

const request = (key: string, destination = 'DE89370400440532013000') => ({
  idempotencyKey: key,
  amount: 1_250n,
  currency: 'EUR',
  destination,
  metadata: { payout: key },
});

describe('HTTP payout rail', () => {
  it('makes one payout per idempotency key and follows it to paid', async () => {
    const rail = createHttpPayoutRail({ name: 'bank', baseUrl: server.url, apiKey: server.apiKey });
    const first = await rail.create(request('po_1'));
    const again = await rail.create(request('po_1'));
    if (!first.ok || !again.ok) throw new Error('refused');
    expect(again.payout.reference).toBe(first.payout.reference);
    expect(server.payouts().filter((p) => p.idempotencyKey === 'po_1')).toHaveLength(1);
    expect(first.payout.state).toBe('pending');
    now += 60_000;
    expect(await rail.get(first.payout.reference)).toEqual({
      reference: first.payout.reference,
      state: 'paid',
      failureReason: null,
    });
  });

  it('tells a refused payout from a rail that is down or misconfigured', async () => {
    const rail = createHttpPayoutRail({ name: 'bank', baseUrl: server.url, apiKey: server.apiKey });
    expect(await rail.create(request('po_2', 'reject-me'))).toEqual({
      ok: false,
      reason: 'The bank refuses payouts to this account',
    });
    const wrongKey = createHttpPayoutRail({
      name: 'bank',
      baseUrl: server.url,
      apiKey: 'wrong-key',
    });
    await expect(wrongKey.create(request('po_3'))).rejects.toBeInstanceOf(RailUnavailableError);
    server.fault(1, 'before');
    await expect(rail.create(request('po_4'))).rejects.toBeInstanceOf(RailUnavailableError);
    expect(server.payouts().some((p) => p.idempotencyKey === 'po_4')).toBe(false);
    const closed = createHttpPayoutRail({
      name: 'bank',
      baseUrl: 'http://127.0.0.1:1',
      apiKey: 'k',
    });
    await expect(closed.create(request('po_5'))).rejects.toBeInstanceOf(RailUnavailableError);
  });

  it('answers 422 to a key reused with another payout', async () => {
    const rail = createHttpPayoutRail({ name: 'bank', baseUrl: server.url, apiKey: server.apiKey });
    expect((await rail.create(request('po_6'))).ok).toBe(true);
    const reused = await rail.create({ ...request('po_6'), amount: 9_999n });
    expect(reused).toEqual({ ok: false, reason: 'This key was used with other parameters' });
  });
});
