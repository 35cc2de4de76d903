import type { Db } from '../platform/db/db.js';
import { fail, isFailure, rollback } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import {
  cleanAlphabet,
  DEFAULT_ALPHABET,
  generateCodes,
  spaceSuffices,
  type CodeSpec,
} from './codes.js';
import { CampaignError, type CampaignFailure } from './errors.js';
import type {
  AppliedDiscount,
  Campaign,
  CampaignStatus,
  CodeKind,
  Coupon,
  DiscountRule,
  RuleContext,
  Segment,
} from './model.js';
import { evaluateCoupon, normalizeCode } from './rules.js';

/** Most codes one generation makes (the async job of larger vendors starts past this). */
export const MAX_GENERATE = 1_000_000;
/** Codes inserted per statement while generating. */
const GENERATE_CHUNK = 50_000;

export interface CampaignInput {
  name: string;
  channel: string;
  currency: string;
  startsAt: Date;
  endsAt?: Date | undefined;
  rule: DiscountRule;
  target?: { storeIds?: string[]; productIds?: string[]; segment?: Segment } | undefined;
  budget?: bigint | undefined;
  redemptionLimit?: number | undefined;
  perCustomerLimit?: number | undefined;
}

export interface GenerateInput {
  count: number;
  length?: number | undefined;
  prefix?: string | undefined;
  pattern?: string | undefined;
  alphabet?: string | undefined;
  /** Redemptions per code (default 1: single use). */
  usageLimit?: number | undefined;
}

/** What a redemption is recorded with. */
export interface RedemptionInput {
  code: string;
  orderId: string;
  /** `usr_…`, or `guest:<email>` for a guest. */
  customerKey: string;
  currency: string;
  discount: bigint;
  orderTotal: bigint;
}

export interface CampaignAnalytics {
  campaignId: string;
  currency: string;
  /** Codes issued (generated or added). */
  issued: number;
  /** Orders placed with one of its codes and not (yet) paid or released. */
  reserved: number;
  /** Paid orders with one of its codes. */
  redeemed: number;
  /** Orders whose redemption was given back (cancelled, expired, refunded). */
  released: number;
  /** Distinct codes used by a paid order, over codes issued. */
  codesRedeemed: number;
  /** Totals of paid orders. */
  revenue: bigint;
  discountGiven: bigint;
  /** Paid orders over orders placed with a code (0 when none). */
  conversion: number;
}

/**
 * Campaigns and coupons. Quoting a coupon (`quote`) reads only; the writes that touch
 * limits (`reserve`, `confirm`, `release`) run inside the caller's transaction (the
 * order's), each guard one conditional statement, taken in one order (code, campaign,
 * customer) by the increment and the decrement alike.
 */
export interface CampaignsService {
  create(ownerId: string, input: CampaignInput): Promise<Campaign | CampaignFailure>;
  get(ownerId: string, id: string): Promise<Campaign | undefined>;
  list(ownerId: string, query: { limit: number; startingAfter?: string }): Promise<Campaign[]>;
  setStatus(
    ownerId: string,
    id: string,
    status: CampaignStatus,
  ): Promise<Campaign | CampaignFailure>;
  /** A code of your choice (a shared one, say `CRICKET25`), case-insensitive. */
  addCode(
    ownerId: string,
    campaignId: string,
    input: { code: string; usageLimit?: number | undefined },
  ): Promise<Coupon | CampaignFailure>;
  /** `count` new unique codes; the database's unique index keeps every code distinct. */
  generate(
    ownerId: string,
    campaignId: string,
    input: GenerateInput,
  ): Promise<{ generated: number; sample: string[] } | CampaignFailure>;
  listCodes(
    ownerId: string,
    campaignId: string,
    query: { limit: number; startingAfter?: string },
  ): Promise<Coupon[] | CampaignFailure>;
  /** Every code of a campaign as CSV (`code,kind,usage_limit,used,created_at`). */
  exportCsv(ownerId: string, campaignId: string): Promise<string | CampaignFailure>;
  /** What `code` would take off a cart, without writing anything. */
  quote(
    code: string,
    ctx: RuleContext,
  ): Promise<{ campaign: Campaign; coupon: Coupon; applied: AppliedDiscount } | CampaignFailure>;
  /** Records the order's redemption and consumes its limits; inside the order's transaction. */
  reserve(input: RedemptionInput): Promise<{ campaignId: string } | CampaignFailure>;
  /** The order was paid: its redemption counts as redeemed. */
  confirm(orderId: string): Promise<void>;
  /** The order was cancelled, expired or refunded: its redemption's uses come back. */
  release(orderId: string): Promise<boolean>;
  analytics(ownerId: string, campaignId: string): Promise<CampaignAnalytics | CampaignFailure>;
}

export interface CampaignsDeps {
  db: Db;
  /** Whether a currency (ledger asset code) exists. */
  currencyExists(code: string): Promise<boolean>;
  clock: () => Date;
}

interface CampaignRow {
  id: string;
  owner_id: string;
  name: string;
  channel: string;
  currency: string;
  starts_at: Date;
  ends_at: Date | null;
  status: CampaignStatus;
  rule: Record<string, unknown>;
  target_store_ids: string[];
  target_product_ids: string[];
  segment: Segment;
  budget: string | null;
  budget_used: string;
  redemption_limit: number | null;
  redemptions_used: number;
  per_customer_limit: number | null;
  created_at: Date;
}

interface CodeRow {
  id: string;
  campaign_id: string;
  code: string;
  kind: CodeKind;
  usage_limit: number | null;
  used: number;
  created_at: Date;
}

const CAMPAIGN_COLUMNS = `id, owner_id, name, channel, currency, starts_at, ends_at, status, rule,
  target_store_ids, target_product_ids, segment, budget::text AS budget,
  budget_used::text AS budget_used, redemption_limit, redemptions_used, per_customer_limit,
  created_at`;

function ruleToJson(r: DiscountRule): Record<string, unknown> {
  return {
    kind: r.kind,
    percent_bps: r.percentBps ?? null,
    amount: r.amount?.toString() ?? null,
    free_variant_id: r.freeVariantId ?? null,
    min_spend: r.minSpend?.toString() ?? null,
    first_order_only: r.firstOrderOnly ?? false,
  };
}

function ruleFromJson(j: Record<string, unknown>): DiscountRule {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const amount = str(j['amount']);
  const minSpend = str(j['min_spend']);
  return {
    kind: j['kind'] as DiscountRule['kind'],
    percentBps: typeof j['percent_bps'] === 'number' ? j['percent_bps'] : undefined,
    amount: amount !== undefined ? BigInt(amount) : undefined,
    freeVariantId: str(j['free_variant_id']),
    minSpend: minSpend !== undefined ? BigInt(minSpend) : undefined,
    firstOrderOnly: j['first_order_only'] === true,
  };
}

function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    ownerId: r.owner_id,
    name: r.name,
    channel: r.channel,
    currency: r.currency,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    status: r.status,
    rule: ruleFromJson(r.rule),
    target: {
      storeIds: r.target_store_ids,
      productIds: r.target_product_ids,
      segment: r.segment,
    },
    budget: r.budget === null ? null : BigInt(r.budget),
    budgetUsed: BigInt(r.budget_used),
    redemptionLimit: r.redemption_limit,
    redemptionsUsed: r.redemptions_used,
    perCustomerLimit: r.per_customer_limit,
    createdAt: r.created_at,
  };
}

function toCoupon(r: CodeRow): Coupon {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    code: r.code,
    kind: r.kind,
    usageLimit: r.usage_limit,
    used: r.used,
    createdAt: r.created_at,
  };
}

const invalid = (message: string, param: string) =>
  fail(CampaignError.CampaignInvalid, { message, param });

function checkRule(rule: DiscountRule): CampaignFailure | undefined {
  switch (rule.kind) {
    case 'percentage':
      if (
        !Number.isInteger(rule.percentBps) ||
        (rule.percentBps ?? 0) < 1 ||
        (rule.percentBps ?? 0) > 10_000
      ) {
        return invalid('A percentage rule needs percent_bps from 1 to 10000', 'rule.percent_bps');
      }
      return undefined;
    case 'fixed':
      if (rule.amount === undefined || rule.amount <= 0n) {
        return invalid('A fixed rule needs a positive amount', 'rule.amount');
      }
      return undefined;
    case 'free_item':
      if (!rule.freeVariantId) {
        return invalid('A free_item rule needs free_variant_id', 'rule.free_variant_id');
      }
      return undefined;
  }
}

export function createCampaignsService(deps: CampaignsDeps): CampaignsService {
  const { db } = deps;

  async function owned(ownerId: string, id: string): Promise<Campaign | undefined> {
    const { rows } = await db.query<CampaignRow>(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1 AND owner_id = $2`,
      [id, ownerId],
    );
    return rows[0] ? toCampaign(rows[0]) : undefined;
  }

  async function insertCodes(
    campaignId: string,
    codes: string[],
    kind: CodeKind,
    usageLimit: number | null,
  ): Promise<number> {
    const ids = codes.map(() => newId('cpn'));
    const r = await db.query(
      `INSERT INTO campaign_codes (id, campaign_id, code, kind, usage_limit)
       SELECT i, $1, c, $2, $3 FROM unnest($4::text[], $5::text[]) AS t(i, c)
       ON CONFLICT (code) DO NOTHING`,
      [campaignId, kind, usageLimit, ids, codes],
    );
    return r.rowCount;
  }

  const service: CampaignsService = {
    async create(ownerId, input) {
      if (!(await deps.currencyExists(input.currency))) return fail(CampaignError.CurrencyUnknown);
      const bad = checkRule(input.rule);
      if (bad) return bad;
      if (input.endsAt && input.endsAt <= input.startsAt) {
        return invalid('ends_at must be after starts_at', 'ends_at');
      }
      const id = newId('cmp');
      const { rows } = await db.query<CampaignRow>(
        `INSERT INTO campaigns (id, owner_id, name, channel, currency, starts_at, ends_at, status,
                                rule, target_store_ids, target_product_ids, segment, budget,
                                redemption_limit, per_customer_limit, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12::numeric, $13, $14, $15)
         RETURNING ${CAMPAIGN_COLUMNS}`,
        [
          id,
          ownerId,
          input.name,
          input.channel,
          input.currency,
          input.startsAt,
          input.endsAt ?? null,
          ruleToJson(input.rule),
          input.target?.storeIds ?? [],
          input.target?.productIds ?? [],
          input.target?.segment ?? 'everyone',
          input.budget?.toString() ?? null,
          input.redemptionLimit ?? null,
          input.perCustomerLimit ?? null,
          deps.clock(),
        ],
      );
      const row = rows[0];
      if (!row) throw new Error('campaign insert returned nothing');
      return toCampaign(row);
    },

    get: owned,

    async list(ownerId, query) {
      const { rows } = await db.query<CampaignRow>(
        `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns
          WHERE owner_id = $1 AND ($2::text IS NULL OR id < $2)
          ORDER BY id DESC LIMIT $3`,
        [ownerId, query.startingAfter ?? null, query.limit],
      );
      return rows.map(toCampaign);
    },

    async setStatus(ownerId, id, status) {
      const { rows } = await db.query<CampaignRow>(
        `UPDATE campaigns SET status = $3 WHERE id = $1 AND owner_id = $2
         RETURNING ${CAMPAIGN_COLUMNS}`,
        [id, ownerId, status],
      );
      return rows[0] ? toCampaign(rows[0]) : fail(CampaignError.CampaignNotFound);
    },

    async addCode(ownerId, campaignId, input) {
      const campaign = await owned(ownerId, campaignId);
      if (!campaign) return fail(CampaignError.CampaignNotFound);
      const code = normalizeCode(input.code);
      if (!/^[A-Z0-9]{3,40}$/.test(code)) {
        return invalid(
          'A code is 3 to 40 letters and digits (dashes and spaces are ignored)',
          'code',
        );
      }
      const { rows } = await db.query<CodeRow>(
        `INSERT INTO campaign_codes (id, campaign_id, code, kind, usage_limit)
         VALUES ($1, $2, $3, 'shared', $4)
         ON CONFLICT (code) DO NOTHING
         RETURNING id, campaign_id, code, kind, usage_limit, used, created_at`,
        [newId('cpn'), campaignId, code, input.usageLimit ?? null],
      );
      return rows[0] ? toCoupon(rows[0]) : fail(CampaignError.CodeTaken);
    },

    async generate(ownerId, campaignId, input) {
      const campaign = await owned(ownerId, campaignId);
      if (!campaign) return fail(CampaignError.CampaignNotFound);
      if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_GENERATE) {
        return fail(CampaignError.GenerationTooLarge, {
          message: `count must be 1 to ${MAX_GENERATE}`,
        });
      }
      const prefix = normalizeCode(input.prefix ?? '');
      if (!/^[A-Z0-9]{0,12}$/.test(prefix)) {
        return invalid('A prefix is up to 12 letters and digits', 'prefix');
      }
      if (input.pattern !== undefined && !/^[A-Z0-9#-]{1,40}$/i.test(input.pattern)) {
        return invalid(
          'A pattern is letters, digits, dashes and # (a random character)',
          'pattern',
        );
      }
      const alphabet = cleanAlphabet(input.alphabet ?? DEFAULT_ALPHABET);
      if (alphabet.length < 8) {
        return invalid('The alphabet needs at least 8 unambiguous characters', 'alphabet');
      }
      const spec: CodeSpec = {
        length: input.length ?? 10,
        prefix,
        pattern: input.pattern?.toUpperCase(),
        alphabet,
      };
      if (!input.pattern && (spec.length < 4 || spec.length > 32)) {
        return invalid('length is 4 to 32', 'length');
      }
      if (!spaceSuffices(spec, input.count)) return fail(CampaignError.CodeSpaceTooSmall);
      let made = 0;
      const sample: string[] = [];
      // Collisions (with each other or with any existing code) are skipped by the unique
      // index and made up for by another round; the space check keeps rounds few.
      for (let round = 0; made < input.count && round < 20; round++) {
        const want = input.count - made;
        // Sorted, so each chunk walks the unique index in order instead of at random.
        const codes = generateCodes(spec, want).map(normalizeCode).sort();
        for (let at = 0; at < codes.length; at += GENERATE_CHUNK) {
          made += await insertCodes(
            campaignId,
            codes.slice(at, at + GENERATE_CHUNK),
            'unique',
            input.usageLimit ?? 1,
          );
        }
        if (sample.length === 0) {
          for (let k = 0; k < 5 && k < codes.length; k++) {
            sample.push(codes[Math.floor((k * codes.length) / 5)] ?? '');
          }
        }
      }
      if (made < input.count) throw new Error(`generated ${made} of ${input.count} codes`);
      return { generated: made, sample };
    },

    async listCodes(ownerId, campaignId, query) {
      if (!(await owned(ownerId, campaignId))) return fail(CampaignError.CampaignNotFound);
      const { rows } = await db.query<CodeRow>(
        `SELECT id, campaign_id, code, kind, usage_limit, used, created_at FROM campaign_codes
          WHERE campaign_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
        [campaignId, query.startingAfter ?? null, query.limit],
      );
      return rows.map(toCoupon);
    },

    async exportCsv(ownerId, campaignId) {
      if (!(await owned(ownerId, campaignId))) return fail(CampaignError.CampaignNotFound);
      const { rows } = await db.query<CodeRow>(
        `SELECT id, campaign_id, code, kind, usage_limit, used, created_at FROM campaign_codes
          WHERE campaign_id = $1 ORDER BY id`,
        [campaignId],
      );
      const lines = ['code,kind,usage_limit,used,created_at'];
      for (const r of rows) {
        lines.push(
          `${r.code},${r.kind},${r.usage_limit ?? ''},${r.used},${r.created_at.toISOString()}`,
        );
      }
      return `${lines.join('\n')}\n`;
    },

    async quote(code, ctx) {
      const { rows } = await db.query<
        CampaignRow & {
          c_id: string;
          c_code: string;
          c_kind: CodeKind;
          c_usage_limit: number | null;
          c_used: number;
          c_created_at: Date;
        }
      >(
        `SELECT ${CAMPAIGN_COLUMNS.replace(/\b(id|created_at)\b/g, 'm.$1')},
                c.id AS c_id, c.code AS c_code, c.kind AS c_kind, c.usage_limit AS c_usage_limit,
                c.used AS c_used, c.created_at AS c_created_at
           FROM campaign_codes c JOIN campaigns m ON m.id = c.campaign_id
          WHERE c.code = $1`,
        [normalizeCode(code)],
      );
      const row = rows[0];
      if (!row) return fail(CampaignError.CouponNotFound);
      const campaign = toCampaign(row);
      const coupon = toCoupon({
        id: row.c_id,
        campaign_id: campaign.id,
        code: row.c_code,
        kind: row.c_kind,
        usage_limit: row.c_usage_limit,
        used: row.c_used,
        created_at: row.c_created_at,
      });
      const applied = evaluateCoupon(campaign, ctx);
      if (isFailure(applied)) return applied;
      return { campaign, coupon, applied };
    },

    reserve(input) {
      return db.attempt(async () => {
        // Each guard is one conditional statement: no read before it, so no window.
        const code = await db.query<{ id: string; campaign_id: string }>(
          `UPDATE campaign_codes SET used = used + 1
            WHERE code = $1 AND (usage_limit IS NULL OR used < usage_limit)
            RETURNING id, campaign_id`,
          [normalizeCode(input.code)],
        );
        const coupon = code.rows[0];
        if (!coupon) return rollback(fail(CampaignError.CouponExhausted));
        const campaign = await db.query<{ per_customer_limit: number | null }>(
          `UPDATE campaigns
              SET redemptions_used = redemptions_used + 1, budget_used = budget_used + $2::numeric
            WHERE id = $1
              AND (redemption_limit IS NULL OR redemptions_used < redemption_limit)
              AND (budget IS NULL OR budget_used + $2::numeric <= budget)
            RETURNING per_customer_limit`,
          [coupon.campaign_id, input.discount.toString()],
        );
        const c = campaign.rows[0];
        if (!c) {
          // Which limit refused, read after the refusal for the message only.
          const { rows } = await db.query<{ exhausted: boolean }>(
            `SELECT redemption_limit IS NOT NULL AND redemptions_used >= redemption_limit AS exhausted
               FROM campaigns WHERE id = $1`,
            [coupon.campaign_id],
          );
          return rollback(
            fail(
              rows[0]?.exhausted ? CampaignError.CouponExhausted : CampaignError.CouponBudgetSpent,
            ),
          );
        }
        if (c.per_customer_limit !== null) {
          const customer = await db.query(
            `INSERT INTO campaign_customer_usage AS u (campaign_id, customer_key, used)
             VALUES ($1, $2, 1)
             ON CONFLICT (campaign_id, customer_key)
             DO UPDATE SET used = u.used + 1 WHERE u.used < $3
             RETURNING used`,
            [coupon.campaign_id, input.customerKey, c.per_customer_limit],
          );
          if (customer.rowCount === 0) return rollback(fail(CampaignError.CouponCustomerLimit));
        }
        await db.query(
          `INSERT INTO campaign_redemptions (id, campaign_id, code_id, order_id, customer_key,
                                             currency, discount, order_total, status, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, 'reserved', $9)`,
          [
            newId('red'),
            coupon.campaign_id,
            coupon.id,
            input.orderId,
            input.customerKey,
            input.currency,
            input.discount.toString(),
            input.orderTotal.toString(),
            deps.clock(),
          ],
        );
        return { campaignId: coupon.campaign_id };
      });
    },

    async confirm(orderId) {
      await db.query(
        `UPDATE campaign_redemptions SET status = 'redeemed', redeemed_at = $2
          WHERE order_id = $1 AND status = 'reserved'`,
        [orderId, deps.clock()],
      );
    },

    async release(orderId) {
      // The same rows as reserve, in the same order (code, campaign, customer), each a
      // relative update under its row lock, so a release never erases a concurrent use.
      const { rows } = await db.query<{
        campaign_id: string;
        code_id: string;
        customer_key: string;
        discount: string;
      }>(
        `UPDATE campaign_redemptions SET status = 'released', released_at = $2
          WHERE order_id = $1 AND status IN ('reserved', 'redeemed')
          RETURNING campaign_id, code_id, customer_key, discount::text AS discount`,
        [orderId, deps.clock()],
      );
      const r = rows[0];
      if (!r) return false;
      await db.query(`UPDATE campaign_codes SET used = used - 1 WHERE id = $1`, [r.code_id]);
      await db.query(
        `UPDATE campaigns SET redemptions_used = redemptions_used - 1,
                              budget_used = budget_used - $2::numeric
          WHERE id = $1`,
        [r.campaign_id, r.discount],
      );
      await db.query(
        `UPDATE campaign_customer_usage SET used = used - 1
          WHERE campaign_id = $1 AND customer_key = $2`,
        [r.campaign_id, r.customer_key],
      );
      return true;
    },

    async analytics(ownerId, campaignId) {
      const campaign = await owned(ownerId, campaignId);
      if (!campaign) return fail(CampaignError.CampaignNotFound);
      const { rows } = await db.query<{
        issued: bigint;
        reserved: bigint;
        redeemed: bigint;
        released: bigint;
        codes_redeemed: bigint;
        revenue: string;
        discount_given: string;
      }>(
        `SELECT (SELECT count(*) FROM campaign_codes WHERE campaign_id = $1) AS issued,
                count(*) FILTER (WHERE status = 'reserved') AS reserved,
                count(*) FILTER (WHERE status = 'redeemed') AS redeemed,
                count(*) FILTER (WHERE status = 'released') AS released,
                count(DISTINCT code_id) FILTER (WHERE status = 'redeemed') AS codes_redeemed,
                coalesce(sum(order_total) FILTER (WHERE status = 'redeemed'), 0)::text AS revenue,
                coalesce(sum(discount) FILTER (WHERE status = 'redeemed'), 0)::text AS discount_given
           FROM campaign_redemptions WHERE campaign_id = $1`,
        [campaignId],
      );
      const r = rows[0];
      if (!r) throw new Error('analytics returned nothing');
      const placed = Number(r.reserved) + Number(r.redeemed) + Number(r.released);
      return {
        campaignId,
        currency: campaign.currency,
        issued: Number(r.issued),
        reserved: Number(r.reserved),
        redeemed: Number(r.redeemed),
        released: Number(r.released),
        codesRedeemed: Number(r.codes_redeemed),
        revenue: BigInt(r.revenue),
        discountGiven: BigInt(r.discount_given),
        conversion: placed === 0 ? 0 : Number(r.redeemed) / placed,
      };
    },
  };
  return service;
}
