import { basisPoints } from '../commerce/money.js';
import { fail } from '../platform/failure.js';
import { CampaignError, type CampaignFailure } from './errors.js';
import type { AppliedDiscount, Campaign, Coupon, RuleContext } from './model.js';

/**
 * What a coupon takes off a cart, computed without reading or writing anything: the
 * checks of its window, segment, scope, minimum spend and first-order rule, then the
 * amount (a percentage rounded down, a fixed amount, or one free unit), capped at the
 * eligible amount. Limits and budget are not checked here: they are guarded by the
 * atomic statements that record a redemption (see redemptions.ts).
 */
export function evaluateCoupon(
  campaign: Pick<
    Campaign,
    'merchantId' | 'currency' | 'startsAt' | 'endsAt' | 'status' | 'rule' | 'target'
  >,
  ctx: RuleContext,
): AppliedDiscount | CampaignFailure {
  if (campaign.merchantId === null || campaign.merchantId !== ctx.merchantId) {
    return fail(CampaignError.CouponNotApplicable, {
      message: 'This coupon is for another store',
    });
  }
  if (campaign.status !== 'active') return fail(CampaignError.CouponInactive);
  if (ctx.now < campaign.startsAt) return fail(CampaignError.CouponNotStarted);
  if (campaign.endsAt && ctx.now >= campaign.endsAt) return fail(CampaignError.CouponExpired);
  if (ctx.currency !== campaign.currency) return fail(CampaignError.CouponCurrency);
  const { segment } = campaign.target;
  if (
    (segment === 'members' && ctx.customer.kind !== 'member') ||
    (segment === 'guests' && ctx.customer.kind !== 'guest')
  ) {
    return fail(CampaignError.CouponSegment);
  }
  const { rule } = campaign;
  if (rule.firstOrderOnly && (ctx.customer.kind !== 'member' || ctx.customer.priorOrders > 0)) {
    return fail(CampaignError.CouponFirstOrderOnly);
  }
  const stores = new Set(campaign.target.storeIds);
  const products = new Set(campaign.target.productIds);
  const eligible: number[] = [];
  ctx.lines.forEach((l, i) => {
    if (stores.size > 0 && !stores.has(l.storeId)) return;
    if (products.size > 0 && !products.has(l.productId)) return;
    eligible.push(i);
  });
  if (eligible.length === 0) return fail(CampaignError.CouponNotApplicable);
  const lineAmount = (i: number) => {
    const l = ctx.lines[i];
    return l ? l.unitPrice * BigInt(l.quantity) : 0n;
  };
  const eligibleAmount = eligible.reduce((a, i) => a + lineAmount(i), 0n);
  if (rule.minSpend !== undefined && eligibleAmount < rule.minSpend) {
    return fail(CampaignError.CouponMinimumSpend);
  }
  switch (rule.kind) {
    case 'percentage':
      return { amount: basisPoints(eligibleAmount, rule.percentBps ?? 0, 'down'), lines: eligible };
    case 'fixed': {
      const amount = rule.amount ?? 0n;
      return { amount: amount < eligibleAmount ? amount : eligibleAmount, lines: eligible };
    }
    case 'free_item': {
      const i = eligible.find((j) => ctx.lines[j]?.variantId === rule.freeVariantId);
      const line = i === undefined ? undefined : ctx.lines[i];
      if (i === undefined || !line) return fail(CampaignError.CouponNotApplicable);
      return { amount: line.unitPrice, lines: [i] };
    }
  }
}

/** Codes are compared upper case without spaces or dashes: `summer-ab12` is `SUMMERAB12`. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

export type { Coupon };
