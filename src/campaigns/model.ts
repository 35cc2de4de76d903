/** Campaigns and coupons as the campaigns module keeps them. Amounts are bigint minor units. */

export const RULE_KINDS = ['percentage', 'fixed', 'free_item'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const SEGMENTS = ['everyone', 'members', 'guests'] as const;
/** Who a campaign is for: anyone, logged-in customers only, or guests only. */
export type Segment = (typeof SEGMENTS)[number];

export const CODE_KINDS = ['shared', 'unique'] as const;
export type CodeKind = (typeof CODE_KINDS)[number];

/** What a coupon takes off an order, and when it applies. */
export interface DiscountRule {
  kind: RuleKind;
  /** `percentage`: basis points of the eligible amount (1000 = 10 %), rounded down. */
  percentBps?: number | undefined;
  /** `fixed`: minor units of the campaign's currency, at most the eligible amount. */
  amount?: bigint | undefined;
  /** `free_item`: one unit of this variant is free when it is in the cart. */
  freeVariantId?: string | undefined;
  /** The eligible amount (before discount) must reach this, in minor units. */
  minSpend?: bigint | undefined;
  /** Only a customer's first order (logged-in customers only). */
  firstOrderOnly?: boolean | undefined;
}

/** Which stores and products a campaign covers (empty: all of them) and whom it is for. */
export interface Target {
  storeIds: string[];
  productIds: string[];
  segment: Segment;
}

export type CampaignStatus = 'active' | 'paused';

export interface Campaign {
  id: string;
  /** The merchant tenant (`mch_…`) it belongs to: its codes discount only its stores' goods. */
  merchantId: string | null;
  /** Who made it: a member's user id, or the merchant account of the key that did. */
  createdBy: string;
  name: string;
  /** Where it runs, as marketers label it (`cricket-season-tv`, `instagram`). */
  channel: string;
  currency: string;
  startsAt: Date;
  endsAt: Date | null;
  status: CampaignStatus;
  rule: DiscountRule;
  target: Target;
  /** Total discount it may give, in `currency` minor units; null: no budget. */
  budget: bigint | null;
  /** Discount committed so far (reserved and redeemed). */
  budgetUsed: bigint;
  /** Most redemptions over all its codes; null: unlimited. */
  redemptionLimit: number | null;
  /** Redemptions reserved or redeemed (not released). */
  redemptionsUsed: number;
  /** Most redemptions by one customer; null: unlimited. */
  perCustomerLimit: number | null;
  createdAt: Date;
}

export interface Coupon {
  /** The code itself: a code is its own key. */
  id: string;
  campaignId: string;
  /** Normalised: upper case, no separators. */
  code: string;
  kind: CodeKind;
  /** Most redemptions of this code; null: only the campaign's limits apply. */
  usageLimit: number | null;
  used: number;
  createdAt: Date;
}

/** A cart line as a rule sees it. */
export interface RuleLine {
  variantId: string;
  productId: string;
  storeId: string;
  unitPrice: bigint;
  quantity: number;
}

/** What the rules need to know about a cart and its customer. */
export interface RuleContext {
  /** The merchant whose store the cart is in: a campaign discounts only its own merchant's. */
  merchantId: string | null;
  currency: string;
  lines: RuleLine[];
  customer: { kind: 'member' | 'guest'; priorOrders: number };
  now: Date;
}

/** A discount that applies: its amount and the lines it is spread over. */
export interface AppliedDiscount {
  amount: bigint;
  /** Indexes into the context's lines. */
  lines: number[];
}
