import { describe, expect, it } from 'vitest';
import { isFailure } from '../platform/failure.js';
import {
  AMBIGUOUS,
  cleanAlphabet,
  DEFAULT_ALPHABET,
  generateCodes,
  spaceSuffices,
} from './codes.js';
import type { Campaign, RuleContext } from './model.js';
import { evaluateCoupon, normalizeCode } from './rules.js';

const now = new Date('2026-06-01T12:00:00Z');
const base: Pick<
  Campaign,
  'merchantId' | 'currency' | 'startsAt' | 'endsAt' | 'status' | 'rule' | 'target'
> = {
  merchantId: 'mch_M',
  currency: 'USD',
  startsAt: new Date('2026-05-01T00:00:00Z'),
  endsAt: new Date('2026-07-01T00:00:00Z'),
  status: 'active',
  rule: { kind: 'percentage', percentBps: 1500 },
  target: { storeIds: [], productIds: [], segment: 'everyone' },
};
const ctx: RuleContext = {
  merchantId: 'mch_M',
  currency: 'USD',
  lines: [
    { variantId: 'var_A', productId: 'prd_A', storeId: 'sto_1', unitPrice: 999n, quantity: 2 },
    { variantId: 'var_B', productId: 'prd_B', storeId: 'sto_1', unitPrice: 450n, quantity: 1 },
  ],
  customer: { kind: 'member', priorOrders: 0 },
  now,
};
const code = (r: unknown) => (isFailure(r) ? r.code : 'ok');

describe('evaluateCoupon', () => {
  it('percentage off the eligible lines, rounded down', () => {
    // 15 % of 24.48 = 3.672 → 3.67
    expect(evaluateCoupon(base, ctx)).toEqual({ amount: 367n, lines: [0, 1] });
  });

  it('product scope narrows the lines; fixed amounts are capped at them', () => {
    const c = {
      ...base,
      rule: { kind: 'fixed' as const, amount: 1000n },
      target: { ...base.target, productIds: ['prd_B'] },
    };
    expect(evaluateCoupon(c, ctx)).toEqual({ amount: 450n, lines: [1] });
  });

  it('a free item is one unit of its variant, when in the cart', () => {
    const c = { ...base, rule: { kind: 'free_item' as const, freeVariantId: 'var_A' } };
    expect(evaluateCoupon(c, ctx)).toEqual({ amount: 999n, lines: [0] });
    const absent = { ...base, rule: { kind: 'free_item' as const, freeVariantId: 'var_Z' } };
    expect(code(evaluateCoupon(absent, ctx))).toBe('coupon_not_applicable');
  });

  it('refuses outside the window, below the minimum, another store, another merchant, a later order', () => {
    expect(code(evaluateCoupon(base, { ...ctx, now: new Date('2026-04-01') }))).toBe(
      'coupon_not_started',
    );
    expect(code(evaluateCoupon(base, { ...ctx, now: new Date('2026-07-01') }))).toBe(
      'coupon_expired',
    );
    expect(code(evaluateCoupon({ ...base, rule: { ...base.rule, minSpend: 5000n } }, ctx))).toBe(
      'coupon_minimum_spend',
    );
    expect(
      code(evaluateCoupon({ ...base, target: { ...base.target, storeIds: ['sto_2'] } }, ctx)),
    ).toBe('coupon_not_applicable');
    expect(code(evaluateCoupon(base, { ...ctx, merchantId: 'mch_OTHER' }))).toBe(
      'coupon_not_applicable',
    );
    const first = { ...base, rule: { ...base.rule, firstOrderOnly: true } };
    expect(code(evaluateCoupon(first, ctx))).toBe('ok');
    expect(
      code(evaluateCoupon(first, { ...ctx, customer: { kind: 'member', priorOrders: 1 } })),
    ).toBe('coupon_first_order_only');
    expect(code(evaluateCoupon(base, { ...ctx, currency: 'EUR' }))).toBe('coupon_currency');
    expect(code(evaluateCoupon({ ...base, status: 'paused' }, ctx))).toBe('coupon_inactive');
    const members = { ...base, target: { ...base.target, segment: 'members' as const } };
    expect(
      code(evaluateCoupon(members, { ...ctx, customer: { kind: 'guest', priorOrders: 0 } })),
    ).toBe('coupon_segment');
  });
});

describe('codes', () => {
  it('are case-insensitive: normalised upper case without separators', () => {
    expect(normalizeCode('summer-ab 12')).toBe('SUMMERAB12');
  });

  it('never contain ambiguous characters, whatever alphabet is asked for', () => {
    expect(cleanAlphabet('0O1IlL5S2Z8BUVAaCK')).toBe('ACK');
    const codes = generateCodes({ length: 12, prefix: '', alphabet: DEFAULT_ALPHABET }, 20_000);
    for (const c of codes) {
      expect(c).toMatch(/^[A-Z0-9]{12}$/);
      for (const ch of AMBIGUOUS) expect(c.includes(ch)).toBe(false);
    }
    // 12 characters of 22: repeats among 20,000 would mean a broken generator.
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('follow a pattern and prefix', () => {
    const [c] = generateCodes(
      { length: 0, prefix: 'IPL', pattern: 'X-####-####', alphabet: DEFAULT_ALPHABET },
      1,
    );
    expect(c).toMatch(/^IPLX-[3479ACDEFGHJKMNPQRTWXY]{4}-[3479ACDEFGHJKMNPQRTWXY]{4}$/);
  });

  it('refuse a space too small for the count', () => {
    const spec = { length: 4, prefix: '', alphabet: DEFAULT_ALPHABET };
    expect(spaceSuffices(spec, 1000)).toBe(true); // 22^4 = 234,256
    expect(spaceSuffices(spec, 1_000_000)).toBe(false);
  });
});
