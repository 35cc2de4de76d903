import { describe, expect, it } from 'vitest';
import { planRefund, type RefundSource } from './refund-plan.js';

const wallet: RefundSource = { id: 'pay_02', payerOwner: 'usr_1', method: 'wallet', left: 2_000n };
const card: RefundSource = { id: 'pay_01', payerOwner: null, method: 'card', left: 1_700n };
const chain: RefundSource = { id: 'pay_00', payerOwner: null, method: 'chain', left: 500n };

const shape = (parts: ReturnType<typeof planRefund>) =>
  parts?.map((p) => [p.source.method, p.amount]);

describe('planRefund', () => {
  it('takes a refund one payment covers from that payment alone, wallet first', () => {
    expect(shape(planRefund([card, wallet, chain], 1_500n))).toEqual([['wallet', 1_500n]]);
    // More than the wallet part has: the card covers it alone, nothing is split.
    const small = { ...wallet, left: 1_000n };
    expect(shape(planRefund([card, small, chain], 1_700n))).toEqual([['card', 1_700n]]);
  });

  it('splits a refund no payment covers: wallet, then card, then chain', () => {
    expect(shape(planRefund([chain, card, wallet], 4_200n))).toEqual([
      ['wallet', 2_000n],
      ['card', 1_700n],
      ['chain', 500n],
    ]);
    expect(shape(planRefund([chain, card, wallet], 3_000n))).toEqual([
      ['wallet', 2_000n],
      ['card', 1_000n],
    ]);
  });

  it('refuses more than is left across all payments, and skips payments refunded in full', () => {
    expect(planRefund([chain, card, wallet], 4_201n)).toBeUndefined();
    expect(shape(planRefund([{ ...wallet, left: 0n }, card], 1_700n))).toEqual([['card', 1_700n]]);
    expect(planRefund([], 1n)).toBeUndefined();
  });

  it('within one kind, the oldest payment first', () => {
    const older = { ...wallet, id: 'pay_01a', left: 300n };
    expect(shape(planRefund([wallet, older], 2_100n))).toEqual([
      ['wallet', 300n],
      ['wallet', 1_800n],
    ]);
  });
});
