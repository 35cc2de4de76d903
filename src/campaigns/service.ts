import { randomInt } from 'node:crypto';
import { createBatcher, type BatcherOptions, type BatcherStats } from '../platform/db/batcher.js';
import type { AuditEntry, AuditLog } from '../platform/audit/audit.js';
import { embed, prepared, sqlState, SQLSTATE, type Db } from '../platform/db/db.js';
import { defineQueue, type JobQueue } from '../platform/queue/queue.js';
import { fail, isFailure, rollback, rollbackWith } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import {
  cleanAlphabet,
  codeAt,
  chunkLines,
  codeLines,
  codesBetween,
  DEFAULT_ALPHABET,
  generateSortedCodes,
  sortedCodesOf,
  spaceSuffices,
  type CodeSpec,
  type SortedCodes,
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
import { createTermsCache, type CampaignRules } from './terms-cache.js';

/** Most codes one generation makes. */
export const MAX_GENERATE = 1_000_000;
/** Most codes made inside a request; a larger generation runs as a job (`startGeneration`). */
export const MAX_INLINE_GENERATE = 10_000;
/** Codes inserted per statement (and per transaction and batch row) while generating. */
const GENERATE_BATCH = 100_000;
/** Codes per chunk written to a COPY stream while generating. */
const COPY_SLICE = 10_000;
/**
 * Most shards a campaign's redemption cap is split over (migrations 0115, 0122): a shard
 * is held from a redemption until its commit, so the shards bound how many redemptions
 * of one capped campaign commit at once.
 */
export const CAP_SHARDS = 64;
/** Seeds of the order in which a redemption tries a campaign's cap shards (0122). */
const SHARD_SEEDS = 2 ** 31 - 1;
/**
 * Group commit of redemptions made outside a transaction (migration 0131): concurrent
 * ones share one statement and one commit. A batch is one transaction whose items each
 * take a few row locks and run a few statements, so batches stay small; with several in
 * flight one commits while the next executes. Each batch holds a database connection.
 */
const RESERVE_BATCHING: BatcherOptions = { maxBatch: 64, maxInFlight: 4, minBatch: 16 };
/** Rounds of making up for collisions; the 1 % space check makes a second one rare. */
const MAX_ROUNDS = 20;

/** The job that makes a large generation's codes. */
export const GenerateCodesQueue = defineQueue<{ generationId: string }>('campaigns.generate_codes');

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
  /** Who made it, for the record: a member's user id or a merchant key's account. */
  createdBy?: string | undefined;
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

/** Who changes a campaign, as the audit log records them. */
export interface CampaignActor {
  /** A member's user id, or the merchant account of the key (`mca_…`). */
  id: string;
  credentialId?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
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
  /** The redemption's id, when the caller names it (in its audit entry, say). */
  id?: string | undefined;
  /**
   * Its audit entry, written in the redemption's own statement and commit (through the
   * chain's waiting list, `AuditLog.enqueue`) and only if it is recorded.
   */
  audit?: AuditEntry | undefined;
}

/**
 * A redemption whose code's campaign is not known yet (a code this process has not
 * seen): the order's discount is quoted under each campaign the code may belong to, and
 * the statement that records it takes the quote of the code's own campaign (migration
 * 0137), so finding the campaign costs no round trip of its own.
 */
export interface QuotedRedemptionInput extends Omit<RedemptionInput, 'discount' | 'audit'> {
  /** At most one per campaign; a campaign whose rules refuse the order is left out. */
  quotes: readonly RedemptionQuote[];
}

export interface RedemptionQuote {
  campaignId: string;
  discount: bigint;
  /** The audit entry of the redemption, should it be recorded under this campaign. */
  audit?: AuditEntry | undefined;
}

/**
 * `reserveQuoted`'s answer for a code whose campaign was not quoted (or that it could not
 * decide in its batch): nothing was taken, and the caller decides it the long way.
 */
export const UNQUOTED = 'unquoted';

/** A recorded redemption: `reserved`, made at `createdAt`, for the code's campaign. */
export interface ReservedRedemption {
  campaignId: string;
  redemptionId: string;
  createdAt: Date;
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
 *
 * A campaign belongs to a merchant (`mch_…`): every method that reads or changes one takes
 * the merchant it acts for and answers `campaign_not_found` for another merchant's, so
 * another tenant's ids reveal nothing. Who may act for a merchant is the caller's
 * business (routes.ts asks the merchants module).
 */
export interface CampaignsService {
  /** Audited (`campaign.created`) when an actor is given, as every change below. */
  create(
    merchantId: string,
    input: CampaignInput,
    actor?: CampaignActor,
  ): Promise<Campaign | CampaignFailure>;
  get(merchantId: string, id: string): Promise<Campaign | undefined>;
  /** The merchant a campaign belongs to (null: one no merchant could be found for). */
  merchantOf(id: string): Promise<string | null | undefined>;
  /** The campaigns of these merchants, newest first. */
  list(
    merchantIds: readonly string[],
    query: { limit: number; startingAfter?: string },
  ): Promise<Campaign[]>;
  setStatus(
    merchantId: string,
    id: string,
    status: CampaignStatus,
    actor?: CampaignActor,
  ): Promise<Campaign | CampaignFailure>;
  /** A code of your choice (a shared one, say `CRICKET25`), case-insensitive. */
  addCode(
    merchantId: string,
    campaignId: string,
    input: { code: string; usageLimit?: number | undefined },
    actor?: CampaignActor,
  ): Promise<Coupon | CampaignFailure>;
  /** `count` new unique codes; the database's unique index keeps every code distinct. */
  generate(
    merchantId: string,
    campaignId: string,
    input: GenerateInput,
    actor?: CampaignActor,
  ): Promise<{ generated: number; sample: string[] } | CampaignFailure>;
  /**
   * Queues a generation of up to `MAX_GENERATE` codes as a job; its progress is read with
   * `getGeneration`.
   */
  startGeneration(
    merchantId: string,
    campaignId: string,
    input: GenerateInput,
    actor?: CampaignActor,
  ): Promise<Generation | CampaignFailure>;
  getGeneration(
    merchantId: string,
    campaignId: string,
    id: string,
  ): Promise<Generation | CampaignFailure>;
  /** Runs a queued generation now (the job's handler; tools and tests call it directly). */
  runGeneration(id: string): Promise<Generation | undefined>;
  /** One of the campaign's codes, by the code (any case, dashes and spaces ignored). */
  getCode(merchantId: string, campaignId: string, code: string): Promise<Coupon | CampaignFailure>;
  /** A page of the campaign's codes, batch by batch, each batch in code order. */
  listCodes(
    merchantId: string,
    campaignId: string,
    query: { limit: number; startingAfter?: string },
  ): Promise<Coupon[] | CampaignFailure>;
  /** Every code of a campaign as CSV (`code,kind,usage_limit,used,created_at`). */
  exportCsv(merchantId: string, campaignId: string): Promise<string | CampaignFailure>;
  /** What `code` would take off a cart, without writing anything. */
  quote(
    code: string,
    ctx: RuleContext,
  ): Promise<
    { campaign: CampaignTerms; coupon: Coupon; applied: AppliedDiscount } | CampaignFailure
  >;
  /**
   * Records the order's redemption and consumes its limits. Inside the order's
   * transaction it joins it; made outside any transaction it commits on its own, grouped
   * with concurrent ones into one statement and one commit, each with its own outcome.
   */
  reserve(input: RedemptionInput): Promise<ReservedRedemption | CampaignFailure>;
  /**
   * `reserve` outside a transaction for a code whose campaign the caller does not know:
   * recorded under the quote of the code's campaign, in the same batched statement as
   * `reserve`'s (the campaign is found there). A code that does not exist is
   * `coupon_not_found`; a code whose campaign was not quoted is `UNQUOTED`.
   */
  reserveQuoted(
    input: QuotedRedemptionInput,
  ): Promise<ReservedRedemption | CampaignFailure | typeof UNQUOTED>;
  /** Whether `codeRules(code)` would answer from this process's cache, reading nothing. */
  knowsCode(code: string): boolean;
  /**
   * The rules this process keeps of the merchant's campaigns (see `TermsCache.ofMerchant`):
   * what an unseen code's order is quoted under (`reserveQuoted`).
   */
  merchantRules(merchantId: string): CampaignRules[];
  /**
   * The rules of the campaign a code belongs to (undefined: no such code), kept in this
   * process and looked up for many callers at once (see terms-cache.ts): for redemptions
   * outside a transaction. A status change is heard by every process within milliseconds
   * of its commit (`TERMS_CACHE_TTL_MS` at most).
   */
  codeRules(code: string): Promise<CampaignRules | undefined>;
  /** Stops listening for campaign changes. */
  close(): Promise<void>;
  /** Batches of redemptions made outside a transaction so far (group commit). */
  reserveBatching(): BatcherStats;
  /** The order was paid: its redemption counts as redeemed. */
  confirm(orderId: string): Promise<void>;
  /** The order was cancelled, expired or refunded: its redemption's uses come back. */
  release(orderId: string): Promise<boolean>;
  analytics(merchantId: string, campaignId: string): Promise<CampaignAnalytics | CampaignFailure>;
  /**
   * Lets the catalog's module say whose a target's ids are: from then on a campaign may
   * target only its own merchant's stores, products and free variant. (Campaigns cannot
   * ask commerce itself: commerce depends on campaigns.)
   */
  useTargets(check: TargetCheck): void;
}

/**
 * Whose stores, products and variants a campaign's target names, answered by the module
 * that keeps the catalog (commerce registers it with `useTargets`): the first id given
 * that is not one of the merchant's, with the parameter that named it.
 */
export type TargetCheck = (
  merchantId: string,
  ids: { storeIds: string[]; productIds: string[]; variantIds: string[] },
) => Promise<{ param: string; id: string } | undefined>;

/** A generation running as a job, and how far it got. */
export interface Generation {
  id: string;
  campaignId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  requested: number;
  generated: number;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface CampaignsDeps {
  db: Db;
  jobs: JobQueue;
  /** Where merchants' changes to campaigns are recorded. */
  audit?: Pick<AuditLog, 'record' | 'enqueueEachStatement'> | undefined;
  /** Whether a currency (ledger asset code) exists. */
  currencyExists(code: string): Promise<boolean>;
  clock: () => Date;
  /** Group commit of redemptions made outside a transaction (default RESERVE_BATCHING). */
  reserveBatching?: BatcherOptions | undefined;
  /** How long a campaign's rules are kept without a read (default TERMS_CACHE_TTL_MS). */
  termsCacheTtlMs?: number | undefined;
  /** Campaign changes cannot be heard (rules are then read for every redemption). */
  onListenError?: ((err: unknown) => void) | undefined;
  /** Codes per transaction of a generation (default GENERATE_BATCH; tests make it small). */
  generateBatch?: number | undefined;
}

/** A campaign without its use count: what a coupon's rules need, read without counting. */
export type CampaignTerms = Omit<Campaign, 'redemptionsUsed'>;

interface CampaignTermsRow {
  id: string;
  merchant_id: string | null;
  created_by: string;
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
  per_customer_limit: number | null;
  created_at: Date;
}

interface CampaignRow extends CampaignTermsRow {
  redemptions_used: number;
}

interface CodeRow {
  campaign_id: string;
  code: string;
  kind: CodeKind;
  usage_limit: number | null;
  used: number;
  created_at: Date;
}

interface GenerationRow {
  id: string;
  campaign_id: string;
  status: Generation['status'];
  requested: number;
  generated: number;
  spec: Record<string, unknown>;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const GENERATION_COLUMNS = `id, campaign_id, status, requested, generated, spec, error, created_at,
  updated_at, finished_at`;

function toGeneration(r: GenerationRow): Generation {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    status: r.status,
    requested: r.requested,
    generated: r.generated,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

function specToJson(spec: CodeSpec): Record<string, unknown> {
  return {
    length: spec.length,
    prefix: spec.prefix,
    pattern: spec.pattern ?? null,
    alphabet: spec.alphabet,
  };
}

function specFromJson(j: Record<string, unknown>): CodeSpec {
  return {
    length: Number(j['length']),
    prefix: typeof j['prefix'] === 'string' ? j['prefix'] : '',
    pattern: typeof j['pattern'] === 'string' ? j['pattern'] : undefined,
    alphabet: typeof j['alphabet'] === 'string' ? j['alphabet'] : DEFAULT_ALPHABET,
  };
}

/** A campaign's own columns, from `campaigns m`. */
const CAMPAIGN_TERMS = `m.id, m.merchant_id, m.created_by, m.name, m.channel, m.currency, m.starts_at, m.ends_at,
  m.status, m.rule, m.target_store_ids, m.target_product_ids, m.segment,
  m.budget::text AS budget, m.budget_used::text AS budget_used, m.redemption_limit,
  m.per_customer_limit, m.created_at`;

/**
 * With its use count: a capped campaign's cap shards added up; an uncapped one keeps no
 * counter, so its live (reserved or redeemed) redemptions are counted.
 */
const CAMPAIGN_COLUMNS = `${CAMPAIGN_TERMS},
  (CASE WHEN m.redemption_limit IS NOT NULL
        THEN (SELECT coalesce(sum(s.used), 0) FROM campaign_cap_shards s
               WHERE s.campaign_id = m.id)
        ELSE (SELECT count(*) FROM campaign_redemptions r
               WHERE r.campaign_id = m.id AND r.status <> 'released') END)::int
    AS redemptions_used`;

/** A code with its batch's columns, from `campaign_codes c JOIN campaign_code_batches b`. */
const CODE_COLUMNS = `c.code, b.campaign_id, b.kind, b.usage_limit, b.created_at,
  (CASE WHEN b.usage_limit IS NOT NULL THEN c.used
        ELSE (SELECT count(*) FROM campaign_redemptions r
               WHERE r.code = c.code AND r.status <> 'released')::int END) AS used`;

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
  return { ...toTerms(r), redemptionsUsed: r.redemptions_used };
}

function toTerms(r: CampaignTermsRow): CampaignTerms {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    createdBy: r.created_by,
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
    perCustomerLimit: r.per_customer_limit,
    createdAt: r.created_at,
  };
}

function toCoupon(r: CodeRow): Coupon {
  return {
    id: r.code,
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

/** The generation's code spec, or why it is refused. */
function checkSpec(input: GenerateInput): CodeSpec | CampaignFailure {
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
    return invalid('A pattern is letters, digits, dashes and # (a random character)', 'pattern');
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
  return spec;
}

/** The refusals `campaign_reserve` (migrations 0121, 0131) answers with, by their error code. */
const RESERVE_REFUSALS: readonly CampaignError[] = [
  CampaignError.CouponNotFound,
  CampaignError.CouponExhausted,
  CampaignError.CouponBudgetSpent,
  CampaignError.CouponCustomerLimit,
];

function refusalOf(code: string): CampaignError {
  const known = RESERVE_REFUSALS.find((r) => r.valueOf() === code);
  if (known === undefined) throw new Error(`campaign_reserve: unknown refusal ${code}`);
  return known;
}

function reserveOutcome(
  redemptionId: string,
  createdAt: Date,
  campaignId: string | null,
  refusal: string | null,
): ReservedRedemption | CampaignFailure {
  if (refusal !== null) return fail(refusalOf(refusal));
  if (campaignId === null) throw new Error('campaign_reserve: no campaign');
  return { campaignId, redemptionId, createdAt };
}

/** A batched item that found every cap shard with room held by others (migration 0131). */
const RETRY_ALONE = 'retry_alone';

interface PendingRedemption {
  /** Normalised. */
  code: string;
  /** A quoted item's `discount` is unused; its quotes say it (see `reserveQuoted`). */
  input: RedemptionInput;
  quotes?: readonly RedemptionQuote[] | undefined;
  /** The redemption's id, chosen before it is tried. */
  id: string;
}

/** One batched item's outcome: its own result, or the fault that reached it. */
type BatchedRedemption =
  | { result: ReservedRedemption | CampaignFailure | typeof RETRY_ALONE | typeof UNQUOTED }
  | { error: unknown };

/** Outcomes of `campaign_reserve` and `campaign_reserve_batch`, one row per item. */
interface ReserveRow {
  o_item: number;
  o_campaign_id: string | null;
  o_refusal: string | null;
}

/**
 * Records a merchant's action on a campaign (in the caller's transaction, if any); nothing
 * without an actor or an audit log. Codes are never in `data`: a shared code is a discount.
 */
export async function recordCampaignAudit(
  audit: Pick<AuditLog, 'record'> | undefined,
  actor: CampaignActor | undefined,
  action: string,
  campaignId: string,
  merchantId: string,
  data: Record<string, string | number> = {},
): Promise<void> {
  if (!actor || !audit) return;
  await audit.record(campaignAuditEntry(actor, action, campaignId, merchantId, data));
}

/** The audit entry of a merchant's action on a campaign (see `recordCampaignAudit`). */
export function campaignAuditEntry(
  actor: CampaignActor,
  action: string,
  campaignId: string,
  merchantId: string,
  data: Record<string, string | number> = {},
): AuditEntry {
  return {
    action,
    actorType: 'user',
    actorId: actor.id,
    credentialId: actor.credentialId,
    ip: actor.ip,
    requestId: actor.requestId,
    targetType: 'campaign',
    targetId: campaignId,
    data: { merchant_id: merchantId, ...data },
  };
}

/**
 * `p`, its rejection marked as handled: a promise awaited later, or never (a batch that
 * failed before reaching it), must not end the process as an unhandled rejection. Whoever
 * awaits it still gets the rejection.
 */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export function createCampaignsService(deps: CampaignsDeps): CampaignsService {
  const { db } = deps;
  const generateBatch = deps.generateBatch ?? GENERATE_BATCH;
  let targetCheck: TargetCheck | undefined;

  const audited = (
    actor: CampaignActor | undefined,
    action: string,
    campaignId: string,
    merchantId: string,
    data: Record<string, string | number> = {},
  ) => recordCampaignAudit(deps.audit, actor, action, campaignId, merchantId, data);

  async function owned(merchantId: string, id: string): Promise<Campaign | undefined> {
    const { rows } = await db.query<CampaignRow>(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns m WHERE m.id = $1 AND m.merchant_id = $2`,
      [id, merchantId],
    );
    return rows[0] ? toCampaign(rows[0]) : undefined;
  }

  /**
   * A batch's codes (`from` to `to` of `codes`) by COPY (on PostgreSQL; `undefined` on the
   * embedded database, which has none): the rows stream as text in slices cut straight
   * from the codes' buffer, with no statement parameters to build and parse, and the
   * unique index still checks every code. Codes are letters and digits only (normalised),
   * so nothing needs COPY escaping.
   */
  function copyCodes(
    batch: string,
    codes: SortedCodes,
    from: number,
    to: number,
  ): Promise<number | undefined> {
    const tail = `\t${batch}\n`;
    function* lines() {
      for (let at = from; at < to; at += COPY_SLICE) {
        yield codeLines(codes, at, Math.min(to, at + COPY_SLICE), tail);
      }
    }
    return db.copyFrom('COPY campaign_codes (code, batch) FROM STDIN', lines());
  }

  /**
   * The listing chunks (migration 0130) of a batch's codes `from` to `to` of `codes`, all
   * of them inserted: by COPY on PostgreSQL, the lines cut from the codes' buffer as the
   * codes' own are (as array parameters of an INSERT each value would be quoted by the
   * driver and parsed again by the server), one INSERT of the same lines on the embedded
   * database.
   */
  async function writeChunks(
    campaignId: string,
    batch: string,
    codes: SortedCodes,
    from: number,
    to: number,
  ): Promise<void> {
    if (to <= from) return;
    const lines = chunkLines(codes, from, to, `${campaignId}\t${batch}\t`);
    const copied = await db.copyFrom(
      'COPY campaign_code_chunks (campaign_id, batch, last_code, size, codes) FROM STDIN',
      [lines],
    );
    if (copied !== undefined) return;
    await db.query(
      `INSERT INTO campaign_code_chunks (campaign_id, batch, last_code, size, codes)
       SELECT f[1], f[2]::bigint, f[3], f[4]::int, f[5]
         FROM string_to_table(rtrim($1, E'\\n'), E'\\n') AS line,
              string_to_array(line, E'\\t') AS f`,
      [lines.toString('latin1')],
    );
  }

  /**
   * One batch of a generation: codes `from` to `to` of `codes`, in one transaction. A KEY
   * SHARE lock on the campaign row (it cannot vanish under its codes), its
   * campaign_code_batches row, then the codes in one COPY (`copyCodes`; one plain INSERT on
   * the embedded database), under a savepoint. A code that already exists anywhere fails
   * that COPY or INSERT on the unique index (rare: the space holds 100× the codes asked
   * for); the batch is then inserted again with `ON CONFLICT DO NOTHING`, which costs a
   * second index probe per code and so is kept off the common path, and the caller's next
   * round makes up for the codes skipped. The batch's listing chunks (`writeChunks`) hold
   * the codes inserted; `onBatch` (a job's progress) commits with them.
   *
   * `order` lets batches run overlapped (see `insertBatches`): the codes go in only once
   * `order.mayInsert` resolves (the batch before has its codes in), and the batch commits
   * only once `order.mayCommit` resolves (the batch before committed); `order.inserted` is
   * called as soon as this batch's codes are in. Resolves with the codes inserted.
   */
  async function insertBatch(
    campaignId: string,
    usageLimit: number,
    codes: SortedCodes,
    from: number,
    to: number,
    order: { mayInsert: Promise<void>; mayCommit: Promise<void>; inserted: () => void },
    onBatch: ((inserted: number) => Promise<void>) | undefined,
  ): Promise<number> {
    return db.transaction(async () => {
      const locked = await db.query(`SELECT 1 FROM campaigns WHERE id = $1 FOR KEY SHARE`, [
        campaignId,
      ]);
      if (locked.rowCount === 0) throw new Error(`campaign ${campaignId} vanished`);
      await order.mayInsert;
      // Numbered once the batch before has its codes in: batches are numbered in code order.
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO campaign_code_batches (campaign_id, kind, usage_limit, created_at)
         VALUES ($1, 'unique', $2, $3) RETURNING id::text AS id`,
        [campaignId, usageLimit, deps.clock()],
      );
      const batch = rows[0]?.id;
      if (batch === undefined) throw new Error('batch insert returned nothing');
      const insert = `INSERT INTO campaign_codes (code, batch)
         SELECT unnest(string_to_array($2, E'\\n')), $1::bigint`;
      const joined = () => codesBetween(codes, from, to).join('\n');
      // The batch's codes as inserted: all of them, or those no one else had taken.
      let kept = { codes, from, to };
      try {
        await db.transaction(async () => {
          if ((await copyCodes(batch, codes, from, to)) === undefined) {
            await db.query(insert, [batch, joined()]);
          }
        });
      } catch (err) {
        if (sqlState(err) !== SQLSTATE.uniqueViolation) throw err;
        const { rows: added } = await db.query<{ code: string }>(
          `${insert} ON CONFLICT (code) DO NOTHING RETURNING code`,
          [batch, joined()],
        );
        const survivors = sortedCodesOf(
          added.map((r) => r.code),
          codes.width,
        );
        kept = { codes: survivors, from: 0, to: survivors.count };
      }
      order.inserted();
      await writeChunks(campaignId, batch, kept.codes, kept.from, kept.to);
      const inserted = kept.to - kept.from;
      await db.query(`UPDATE campaign_code_batches SET size = $2 WHERE id = $1`, [batch, inserted]);
      // Before the progress row is written: the batch before writes it too, and must not
      // wait on this transaction's row lock while this one waits for it to commit.
      await order.mayCommit;
      await onBatch?.(inserted);
      return inserted;
    });
  }

  /**
   * Inserts sorted `codes` into the campaign in batches of `generateBatch` codes, one
   * transaction each (`insertBatch`), and resolves with the codes inserted; a batch that
   * fails rejects it once every batch under way has finished.
   *
   * On PostgreSQL, outside a caller's transaction, batches overlap on two connections: the
   * next batch opens and waits while this one's codes go in, and copies its codes while
   * this one writes its listing chunks and commits. Only the codes' COPYs never overlap:
   * each appends to the right edge of the code index, where the index fills its pages
   * (two at once would split the pages of the lower one in halves), and the rest of a
   * batch's work is then off the critical path, which is the codes' COPYs back to back.
   * Batches commit in order, and a batch whose predecessor failed rolls back, so the
   * committed batches are always the first ones and a job's progress counts exactly
   * their codes. Elsewhere (the embedded database has one connection; a caller's
   * transaction is one connection) they run one after the other.
   */
  async function insertBatches(
    campaignId: string,
    usageLimit: number,
    codes: SortedCodes,
    onBatch: ((inserted: number) => Promise<void>) | undefined,
  ): Promise<number> {
    const overlap = db.kind === 'postgres' && !db.inTransaction() && !db.inFence();
    const started: { done: Promise<number>; inserted: Promise<void> }[] = [];
    const failure = { seen: false };
    const ok = (p: Promise<unknown> | undefined) =>
      p === undefined
        ? true
        : p.then(
            () => true,
            () => false,
          );
    for (let from = 0; from < codes.count; from += generateBatch) {
      // Overlapped: a batch opens while the one before inserts its codes, once the one
      // before that has its codes in and the one before that has committed (at most three
      // connections). One at a time otherwise. None after a failure.
      const ready = overlap
        ? (await ok(started.at(-2)?.inserted)) && (await ok(started.at(-3)?.done))
        : await ok(started.at(-1)?.done);
      if (failure.seen || !ready) break;
      const before = started.at(-1);
      let inserted: () => void = () => undefined;
      const codesIn = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const done = handled(
        insertBatch(
          campaignId,
          usageLimit,
          codes,
          from,
          Math.min(codes.count, from + generateBatch),
          {
            mayInsert: before ? before.inserted : Promise.resolve(),
            mayCommit: before ? handled(before.done.then(() => undefined)) : Promise.resolve(),
            inserted,
          },
          onBatch,
        ),
      );
      done.catch(() => {
        failure.seen = true;
      });
      // A batch that fails before its codes are in rejects `inserted` too, so nothing
      // waits for codes that never come.
      started.push({
        done,
        inserted: handled(Promise.race([codesIn, done.then(() => undefined)])),
      });
    }
    let made = 0;
    let first: { reason: unknown } | undefined;
    for (const result of await Promise.allSettled(started.map((s) => s.done))) {
      if (result.status === 'fulfilled') made += result.value;
      else first ??= { reason: result.reason };
    }
    // The earliest batch's failure: those after it may have failed only because it did.
    if (first) throw first.reason;
    return made;
  }

  /**
   * Inserts `count` new codes of `spec` into the campaign. Each round makes the codes
   * still missing, sorted and without repeats (`generateSortedCodes`), and inserts them in
   * batches (`insertBatches`); a batch skips the codes someone already has, and the next
   * round makes up for them. `onBatch` (a job's progress) commits with each batch.
   */
  async function fill(
    campaignId: string,
    spec: CodeSpec,
    count: number,
    usageLimit: number,
    options: { sample?: string[]; onBatch?: (inserted: number) => Promise<void> } = {},
  ): Promise<number> {
    let made = 0;
    for (let round = 0; made < count && round < MAX_ROUNDS; round++) {
      const codes = generateSortedCodes(spec, count - made);
      const sample = options.sample;
      if (sample && sample.length === 0) {
        for (let k = 0; k < 5 && k < codes.count; k++) {
          sample.push(codeAt(codes, Math.floor((k * codes.count) / 5)));
        }
      }
      made += await insertBatches(campaignId, usageLimit, codes, options.onBatch);
    }
    if (made < count) throw new Error(`generated ${made} of ${count} codes`);
    return made;
  }

  /** Gives one use back to a capped campaign's shards (any shard with uses: only the sum counts). */
  async function giveCapUse(campaignId: string): Promise<void> {
    for (const wait of ['SKIP LOCKED', '']) {
      const gave = await db.attempt(async () => {
        const { rowCount } = await db.query(
          `UPDATE campaign_cap_shards s SET used = s.used - 1
            WHERE s.campaign_id = $1 AND s.used > 0 AND s.shard = (
              SELECT shard FROM campaign_cap_shards
               WHERE campaign_id = $1 AND used > 0
               ORDER BY ${wait ? 'hashint4(shard # $2::int)' : 'shard'}
               LIMIT 1 FOR UPDATE ${wait})`,
          wait ? [campaignId, randomInt(SHARD_SEEDS)] : [campaignId],
        );
        return rowCount > 0 ? true : rollbackWith(false);
      });
      if (gave) return;
    }
    throw new Error(`campaign ${campaignId}: a use given back that its cap shards never granted`);
  }

  /** The job's work: the codes a generation still lacks, its progress committed per batch. */
  async function runGeneration(id: string): Promise<Generation | undefined> {
    const { rows } = await db.query<GenerationRow>(
      `UPDATE campaign_code_generations SET status = 'running', updated_at = $2
        WHERE id = $1 AND status IN ('queued', 'running') RETURNING ${GENERATION_COLUMNS}`,
      [id, deps.clock()],
    );
    const row = rows[0];
    if (!row) return undefined;
    const spec = specFromJson(row.spec);
    const usageLimit = typeof row.spec['usage_limit'] === 'number' ? row.spec['usage_limit'] : 1;
    const already = row.generated;
    if (already < row.requested) {
      await fill(row.campaign_id, spec, row.requested - already, usageLimit, {
        // An increment: batches commit in order, each adding what it inserted.
        onBatch: async (inserted) => {
          await db.query(
            `UPDATE campaign_code_generations SET generated = generated + $2, updated_at = $3
              WHERE id = $1`,
            [id, inserted, deps.clock()],
          );
        },
      });
    }
    const done = await db.query<GenerationRow>(
      `UPDATE campaign_code_generations SET status = 'succeeded', updated_at = $2, finished_at = $2
        WHERE id = $1 RETURNING ${GENERATION_COLUMNS}`,
      [id, deps.clock()],
    );
    return done.rows[0] ? toGeneration(done.rows[0]) : undefined;
  }

  deps.jobs.register(
    GenerateCodesQueue,
    async (job) => {
      try {
        await runGeneration(job.payload.generationId);
      } catch (err) {
        if (job.attempt >= job.maxAttempts) {
          await db.query(
            `UPDATE campaign_code_generations SET status = 'failed', error = $2, updated_at = $3,
                    finished_at = $3 WHERE id = $1`,
            [job.payload.generationId, String(err).slice(0, 500), deps.clock()],
          );
        }
        throw err;
      }
    },
    // Not one transaction: each batch commits with its progress, so a retry resumes.
    { transactional: false, timeoutMs: 600_000 },
  );

  /**
   * `call` (a FROM item answering `o_item, o_campaign_id, o_refusal`, taking `params`) as
   * one statement with the audit entries of the items it records: each entry is written
   * with its item's redemption, in the same statement and commit, or not at all.
   */
  function reserveStatement(
    call: string,
    params: unknown[],
    items: readonly PendingRedemption[],
  ): { sql: string; params: unknown[] } {
    // A quoted item has one entry per quote, kept only with the campaign it is recorded under.
    const audited = items.flatMap(
      (i, k): { item: number; campaignId: string | null; entry: AuditEntry }[] =>
        i.quotes
          ? i.quotes.flatMap((q) =>
              q.audit ? [{ item: k + 1, campaignId: q.campaignId, entry: q.audit }] : [],
            )
          : i.input.audit
            ? [{ item: k + 1, campaignId: null, entry: i.input.audit }]
            : [],
    );
    if (audited.length === 0 || !deps.audit) {
      return { sql: prepared(`SELECT o_item, o_campaign_id, o_refusal FROM ${call}`), params };
    }
    const n = params.length;
    const entries = deps.audit.enqueueEachStatement(
      audited.map((a) => a.entry),
      'e.entry IN (SELECT entry FROM kept)',
    );
    return {
      sql: prepared(`WITH reserved AS MATERIALIZED (
                       SELECT o_item, o_campaign_id, o_refusal FROM ${call}),
                     kept AS (
                       SELECT a.entry
                         FROM unnest($${n + 1}::int[], $${n + 2}::text[])
                              WITH ORDINALITY AS a(item, campaign_id, entry)
                         JOIN reserved r ON r.o_item = a.item AND r.o_refusal IS NULL
                                        AND r.o_campaign_id = coalesce(a.campaign_id, r.o_campaign_id)),
                     audited AS (${embed(entries, n + 2)})
                SELECT o_item, o_campaign_id, o_refusal FROM reserved`),
      params: [
        ...params,
        audited.map((a) => a.item),
        audited.map((a) => a.campaignId),
        ...entries.params,
      ],
    };
  }

  /**
   * One redemption in one statement (migration 0121): the guards in lock order (code, cap
   * shard, campaign budget, customer), each a conditional write, then the redemption row;
   * a refused guard undoes the function's writes and comes back as its error code. Bare,
   * it commits on its own; inside the order's transaction it joins it.
   */
  async function reserveAlone(
    item: PendingRedemption,
  ): Promise<ReservedRedemption | CampaignFailure> {
    const { input } = item;
    const at = deps.clock();
    const st = reserveStatement(
      `(SELECT 1 AS o_item, o_campaign_id, o_refusal
          FROM campaign_reserve($1, $2, $3, $4, $5, $6::numeric, $7::numeric, $8, $9)) AS one`,
      [
        item.code,
        item.id,
        input.orderId,
        input.customerKey,
        input.currency,
        input.discount.toString(),
        input.orderTotal.toString(),
        at,
        randomInt(SHARD_SEEDS),
      ],
      [item],
    );
    const { rows } = await db.query<ReserveRow>(st.sql, st.params);
    const r = rows[0];
    if (!r) throw new Error('campaign_reserve returned nothing');
    return reserveOutcome(item.id, at, r.o_campaign_id, r.o_refusal);
  }

  /**
   * Redemptions made outside any transaction, many in one statement and one commit
   * (migrations 0131, 0137; quoted items take their code's campaign's quote there), each
   * item's outcome its own. A statement that fails as a whole (a
   * fault, not a refusal: say two redemptions for one order) has changed nothing, and
   * its items are then made alone, so the fault reaches only the caller it belongs to.
   */
  async function reserveBatch(items: PendingRedemption[]): Promise<BatchedRedemption[]> {
    let rows: ReserveRow[];
    // One time for the batch: its items are recorded in one commit.
    const at = deps.clock();
    try {
      const params: unknown[] = [
        items.map((i) => i.code),
        items.map((i) => i.id),
        items.map((i) => i.input.orderId),
        items.map((i) => i.input.customerKey),
        items.map((i) => i.input.currency),
        items.map((i) => (i.quotes ? null : i.input.discount.toString())),
        items.map((i) => i.input.orderTotal.toString()),
        at,
        randomInt(SHARD_SEEDS),
      ];
      const quotes = items.flatMap((i, k) => (i.quotes ?? []).map((q) => ({ item: k + 1, q })));
      const st = reserveStatement(
        `campaign_reserve_batch($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                $6::numeric[], $7::numeric[], $8, $9, $10::int[], $11::text[],
                                $12::numeric[])`,
        [
          ...params,
          quotes.map((x) => x.item),
          quotes.map((x) => x.q.campaignId),
          quotes.map((x) => x.q.discount.toString()),
        ],
        items,
      );
      // detached: a batch serves many callers, so it joins no one caller's context.
      ({ rows } = await db.detached(() => db.query<ReserveRow>(st.sql, st.params)));
    } catch (error) {
      // A quoted item is decided again the long way, where a fault reaches its caller alone.
      if (items.length === 1) return [items[0]?.quotes ? { result: UNQUOTED } : { error }];
      return Promise.all(
        items.map((i) =>
          i.quotes
            ? Promise.resolve<BatchedRedemption>({ result: UNQUOTED })
            : db
                .detached(() => reserveAlone(i))
                .then(
                  (result): BatchedRedemption => ({ result }),
                  (err: unknown): BatchedRedemption => ({ error: err }),
                ),
        ),
      );
    }
    const byItem = new Map(rows.map((r) => [r.o_item, r]));
    return items.map((item, k): BatchedRedemption => {
      const r = byItem.get(k + 1);
      if (!r) return { error: new Error(`campaign_reserve_batch: no outcome for item ${k + 1}`) };
      if (r.o_refusal === UNQUOTED) return { result: UNQUOTED };
      // A quoted item's quote is no longer at hand alone: it goes the long way.
      if (r.o_refusal === RETRY_ALONE) return { result: item.quotes ? UNQUOTED : RETRY_ALONE };
      try {
        return { result: reserveOutcome(item.id, at, r.o_campaign_id, r.o_refusal) };
      } catch (error) {
        return { error };
      }
    });
  }

  const reserveBatcher = createBatcher<PendingRedemption, BatchedRedemption>(
    reserveBatch,
    deps.reserveBatching ?? RESERVE_BATCHING,
  );

  const terms = createTermsCache({
    db,
    async campaignsOfCodes(codes) {
      const { rows } = await db.query<{ code: string; campaign_id: string }>(
        prepared(`SELECT c.code, b.campaign_id
                    FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
                   WHERE c.code = ANY($1::text[])`),
        [codes],
      );
      return rows.map((r) => ({ code: r.code, campaignId: r.campaign_id }));
    },
    async rulesOf(ids) {
      const { rows } = await db.query<CampaignTermsRow>(
        `SELECT ${CAMPAIGN_TERMS} FROM campaigns m WHERE m.id = ANY($1::text[])`,
        [ids],
      );
      return rows.map((r): CampaignRules => {
        const { id, merchantId, currency, startsAt, endsAt, status, rule, target } = toTerms(r);
        return { id, merchantId, currency, startsAt, endsAt, status, rule, target };
      });
    },
    ...(deps.termsCacheTtlMs !== undefined ? { ttlMs: deps.termsCacheTtlMs } : {}),
    onListenError: deps.onListenError,
  });

  const service: CampaignsService = {
    async create(merchantId, input, actor) {
      if (!(await deps.currencyExists(input.currency))) return fail(CampaignError.CurrencyUnknown);
      const bad = checkRule(input.rule);
      if (bad) return bad;
      if (input.endsAt && input.endsAt <= input.startsAt) {
        return invalid('ends_at must be after starts_at', 'ends_at');
      }
      const id = newId('cmp');
      const limit = input.redemptionLimit;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
        return invalid('redemption_limit is a whole number, 0 or more', 'redemption_limit');
      }
      const foreign = await targetCheck?.(merchantId, {
        storeIds: input.target?.storeIds ?? [],
        productIds: input.target?.productIds ?? [],
        variantIds: input.rule.freeVariantId !== undefined ? [input.rule.freeVariantId] : [],
      });
      if (foreign) {
        return fail(CampaignError.TargetNotFound, {
          message: `${foreign.id} is not a store, product or variant of this merchant`,
          param: foreign.param,
        });
      }
      return db.transaction(async () => {
        await db.query(
          `INSERT INTO campaigns (id, merchant_id, created_by, name, channel, currency, starts_at,
                                  ends_at, status, rule, target_store_ids, target_product_ids,
                                  segment, budget, redemption_limit, per_customer_limit,
                                  created_at)
           VALUES ($1, $2, $16, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12::numeric, $13,
                   $14, $15)`,
          [
            id,
            merchantId,
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
            input.createdBy ?? merchantId,
          ],
        );
        if (limit !== undefined) {
          // K split over n shards: the first K mod n get one more, so the caps add up to K.
          await db.query(
            `INSERT INTO campaign_cap_shards (campaign_id, shard, cap)
             SELECT $1, s, $2 / n + (CASE WHEN s < $2 % n THEN 1 ELSE 0 END)
               FROM (SELECT least(${CAP_SHARDS}, greatest($2::int, 1)) AS n) k,
                    generate_series(0, n - 1) AS s`,
            [id, limit],
          );
        }
        const made = await owned(merchantId, id);
        if (!made) throw new Error('campaign insert returned nothing');
        await audited(actor, 'campaign.created', id, merchantId, { name: input.name });
        return made;
      });
    },

    get: owned,

    async merchantOf(id) {
      const { rows } = await db.query<{ merchant_id: string | null }>(
        `SELECT merchant_id FROM campaigns WHERE id = $1`,
        [id],
      );
      return rows[0]?.merchant_id;
    },

    async list(merchantIds, query) {
      const { rows } = await db.query<CampaignRow>(
        `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns m
          WHERE m.merchant_id = ANY($1::text[]) AND ($2::text IS NULL OR m.id < $2)
          ORDER BY m.id DESC LIMIT $3`,
        [merchantIds, query.startingAfter ?? null, query.limit],
      );
      return rows.map(toCampaign);
    },

    setStatus(merchantId, id, status, actor) {
      return db.transaction(async () => {
        const { rows } = await db.query<CampaignRow>(
          `UPDATE campaigns m SET status = $3 WHERE m.id = $1 AND m.merchant_id = $2
           RETURNING ${CAMPAIGN_COLUMNS}`,
          [id, merchantId, status],
        );
        if (!rows[0]) return fail(CampaignError.CampaignNotFound);
        await terms.changed(db, id);
        await audited(actor, 'campaign.status_changed', id, merchantId, { status });
        return toCampaign(rows[0]);
      });
    },

    async addCode(merchantId, campaignId, input, actor) {
      const campaign = await owned(merchantId, campaignId);
      if (!campaign) return fail(CampaignError.CampaignNotFound);
      const code = normalizeCode(input.code);
      if (!/^[A-Z0-9]{3,40}$/.test(code)) {
        return invalid(
          'A code is 3 to 40 letters and digits (dashes and spaces are ignored)',
          'code',
        );
      }
      // A batch of one, with its listing chunk of one; all rows or none (a taken code
      // leaves no empty batch behind).
      return db.attempt(async () => {
        const { rows } = await db.query<CodeRow>(
          `WITH b AS (
             INSERT INTO campaign_code_batches (campaign_id, kind, usage_limit, size, created_at)
             VALUES ($1, 'shared', $3, 1, $4) RETURNING *),
           c AS (
             INSERT INTO campaign_codes (code, batch) SELECT $2, b.id FROM b
             ON CONFLICT (code) DO NOTHING RETURNING code, batch, used),
           k AS (
             INSERT INTO campaign_code_chunks (campaign_id, batch, last_code, size, codes)
             SELECT $1, batch, code, 1, code FROM c)
           SELECT c.code, b.campaign_id, b.kind, b.usage_limit, b.created_at, c.used
             FROM c JOIN b ON b.id = c.batch`,
          [campaignId, code, input.usageLimit ?? null, deps.clock()],
        );
        if (!rows[0]) return rollback(fail(CampaignError.CodeTaken));
        // The code itself is left out: a shared code is a discount to whoever reads it.
        await audited(actor, 'campaign.code_added', campaignId, merchantId, {
          usage_limit: input.usageLimit ?? 0,
        });
        return toCoupon(rows[0]);
      });
    },

    async generate(merchantId, campaignId, input, actor) {
      const campaign = await owned(merchantId, campaignId);
      if (!campaign) return fail(CampaignError.CampaignNotFound);
      const spec = checkSpec(input);
      if (isFailure(spec)) return spec;
      if (input.count > MAX_INLINE_GENERATE) {
        return fail(CampaignError.GenerationTooLarge, {
          message: `count above ${MAX_INLINE_GENERATE} runs as a job: startGeneration`,
        });
      }
      const sample: string[] = [];
      const made = await fill(campaignId, spec, input.count, input.usageLimit ?? 1, {
        sample,
      });
      await audited(actor, 'campaign.codes_generated', campaignId, merchantId, {
        count: made,
      });
      return { generated: made, sample };
    },

    async startGeneration(merchantId, campaignId, input, actor) {
      const campaign = await owned(merchantId, campaignId);
      if (!campaign) return fail(CampaignError.CampaignNotFound);
      const spec = checkSpec(input);
      if (isFailure(spec)) return spec;
      const id = newId('cgen');
      return db.transaction(async () => {
        const { rows } = await db.query<GenerationRow>(
          `INSERT INTO campaign_code_generations (id, campaign_id, merchant_id, status, requested,
                                                  spec, created_at, updated_at)
           VALUES ($1, $2, $3, 'queued', $4, $5, $6, $6) RETURNING ${GENERATION_COLUMNS}`,
          [
            id,
            campaignId,
            merchantId,
            input.count,
            { ...specToJson(spec), usage_limit: input.usageLimit ?? 1 },
            deps.clock(),
          ],
        );
        await deps.jobs.enqueue(GenerateCodesQueue, { generationId: id }, { maxAttempts: 5 });
        const row = rows[0];
        if (!row) throw new Error('generation insert returned nothing');
        await audited(actor, 'campaign.codes_generation_started', campaignId, merchantId, {
          generation_id: id,
          requested: input.count,
        });
        return toGeneration(row);
      });
    },

    async getGeneration(merchantId, campaignId, id) {
      const { rows } = await db.query<GenerationRow>(
        `SELECT ${GENERATION_COLUMNS} FROM campaign_code_generations
          WHERE id = $1 AND campaign_id = $2 AND merchant_id = $3`,
        [id, campaignId, merchantId],
      );
      return rows[0] ? toGeneration(rows[0]) : fail(CampaignError.GenerationNotFound);
    },

    runGeneration,

    async getCode(merchantId, campaignId, code) {
      if (!(await owned(merchantId, campaignId))) return fail(CampaignError.CampaignNotFound);
      const { rows } = await db.query<CodeRow>(
        `SELECT ${CODE_COLUMNS}
           FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
          WHERE c.code = $1 AND b.campaign_id = $2`,
        [normalizeCode(code), campaignId],
      );
      return rows[0] ? toCoupon(rows[0]) : fail(CampaignError.CouponNotFound, { param: 'code_id' });
    },

    async listCodes(merchantId, campaignId, query) {
      if (!(await owned(merchantId, campaignId))) return fail(CampaignError.CampaignNotFound);
      // The cursor is the last code of the previous page; a code not in this campaign ends
      // the listing. The order is (batch, code), each batch's codes byte by byte ("C").
      let after = { batch: '0', code: '' };
      if (query.startingAfter !== undefined) {
        const { rows: at } = await db.query<{ batch: string; code: string }>(
          `SELECT c.batch::text AS batch, c.code
             FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
            WHERE c.code = $1 AND b.campaign_id = $2`,
          [normalizeCode(query.startingAfter), campaignId],
        );
        const found = at[0];
        if (!found) return [];
        after = found;
      }
      // The campaign's listing chunks (migration 0130) from the cursor's on, in key order
      // (batch, then each batch's codes): the one that holds the next code, found by one
      // descent of the chunks' key, then the next one at a time while those after it hold
      // less than a page. A page reads a page of codes and at most two chunks' more, so it
      // costs the same at the first code as at the millionth.
      const { rows } = await db.query<CodeRow>(
        `WITH RECURSIVE walk AS (
           (SELECT k.batch, k.last_code, k.codes, 0 AS past_first
              FROM campaign_code_chunks k
             WHERE k.campaign_id = $1 AND (k.batch, k.last_code) > ($2::bigint, $3::text)
             ORDER BY k.batch, k.last_code LIMIT 1)
           UNION ALL
           SELECT k.batch, k.last_code, k.codes, w.past_first + k.size
             FROM walk w
             CROSS JOIN LATERAL (
               SELECT n.batch, n.last_code, n.codes, n.size FROM campaign_code_chunks n
                WHERE n.campaign_id = $1 AND (n.batch, n.last_code) > (w.batch, w.last_code)
                ORDER BY n.batch, n.last_code LIMIT 1) k
            WHERE w.past_first < $4)
         SELECT ${CODE_COLUMNS}
           FROM (SELECT w.batch, w.last_code, p.n, p.code
                   FROM walk w
                   CROSS JOIN LATERAL string_to_table(w.codes, ' ') WITH ORDINALITY AS p(code, n)
                  WHERE (w.batch, p.code COLLATE "C") > ($2::bigint, $3::text)
                  ORDER BY w.batch, w.last_code, p.n LIMIT $4) p
           JOIN campaign_code_batches b ON b.id = p.batch
           JOIN campaign_codes c ON c.code = p.code
          ORDER BY p.batch, p.last_code, p.n`,
        [campaignId, after.batch, after.code, query.limit],
      );
      return rows.map(toCoupon);
    },

    async exportCsv(merchantId, campaignId) {
      if (!(await owned(merchantId, campaignId))) return fail(CampaignError.CampaignNotFound);
      const { rows } = await db.query<CodeRow>(
        `SELECT ${CODE_COLUMNS}
           FROM campaign_code_chunks k
           CROSS JOIN LATERAL string_to_table(k.codes, ' ') WITH ORDINALITY AS p(code, n)
           JOIN campaign_code_batches b ON b.id = k.batch
           JOIN campaign_codes c ON c.code = p.code
          WHERE k.campaign_id = $1 ORDER BY k.batch, k.last_code, p.n`,
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
        CampaignTermsRow & {
          c_code: string;
          c_kind: CodeKind;
          c_usage_limit: number | null;
          c_used: number;
          c_created_at: Date;
        }
      >(
        `SELECT ${CAMPAIGN_TERMS}, c.code AS c_code, c.kind AS c_kind,
                c.usage_limit AS c_usage_limit, c.used AS c_used, c.created_at AS c_created_at
           FROM (SELECT ${CODE_COLUMNS}
                   FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
                  WHERE c.code = $1) c
           JOIN campaigns m ON m.id = c.campaign_id`,
        [normalizeCode(code)],
      );
      const row = rows[0];
      if (!row) return fail(CampaignError.CouponNotFound);
      const campaign = toTerms(row);
      const coupon = toCoupon({
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

    async reserve(input) {
      const item: PendingRedemption = {
        code: normalizeCode(input.code),
        input,
        id: input.id ?? newId('red'),
      };
      if (db.inTransaction()) return reserveAlone(item);
      const outcome = await reserveBatcher.submit(item);
      if ('error' in outcome) throw outcome.error;
      // Every shard with room was held by others: alone, it may wait for one.
      if (outcome.result === RETRY_ALONE) return reserveAlone(item);
      if (outcome.result === UNQUOTED) throw new Error('campaign_reserve_batch: unquoted item');
      return outcome.result;
    },

    async reserveQuoted(input) {
      // Alone, in a caller's transaction, the long way costs no more.
      if (db.inTransaction() || input.quotes.length === 0) return UNQUOTED;
      const item: PendingRedemption = {
        code: normalizeCode(input.code),
        input: { ...input, discount: 0n },
        quotes: input.quotes,
        id: input.id ?? newId('red'),
      };
      const outcome = await reserveBatcher.submit(item);
      if ('error' in outcome) throw outcome.error;
      if (outcome.result === RETRY_ALONE) return UNQUOTED;
      return outcome.result;
    },

    knowsCode: (code) => terms.knows(normalizeCode(code)),

    merchantRules: (merchantId) => terms.ofMerchant(merchantId),

    reserveBatching: () => reserveBatcher.stats(),

    codeRules: (code) => terms.ofCode(normalizeCode(code)),

    close: () => terms.close(),

    async confirm(orderId) {
      await db.query(
        `UPDATE campaign_redemptions SET status = 'redeemed', redeemed_at = $2
          WHERE order_id = $1 AND status = 'reserved'`,
        [orderId, deps.clock()],
      );
    },

    async release(orderId) {
      // The same counters as reserve, in the same order (code, cap shard, campaign,
      // customer), each a relative update under its row lock, so a release never erases a
      // concurrent use.
      const { rows } = await db.query<{
        campaign_id: string;
        code: string;
        customer_key: string;
        discount: string;
        capped: boolean;
        budgeted: boolean;
        per_customer: boolean;
      }>(
        `UPDATE campaign_redemptions r SET status = 'released', released_at = $2
           FROM campaigns m
          WHERE r.order_id = $1 AND r.status IN ('reserved', 'redeemed') AND m.id = r.campaign_id
          RETURNING r.campaign_id, r.code, r.customer_key, r.discount::text AS discount,
                    m.redemption_limit IS NOT NULL AS capped, m.budget IS NOT NULL AS budgeted,
                    m.per_customer_limit IS NOT NULL AS per_customer`,
        [orderId, deps.clock()],
      );
      const r = rows[0];
      if (!r) return false;
      await db.query(
        `UPDATE campaign_codes c SET used = c.used - 1 FROM campaign_code_batches b
          WHERE c.code = $1 AND b.id = c.batch AND b.usage_limit IS NOT NULL`,
        [r.code],
      );
      if (r.capped) await giveCapUse(r.campaign_id);
      if (r.budgeted) {
        await db.query(
          `UPDATE campaigns SET budget_used = budget_used - $2::numeric WHERE id = $1`,
          [r.campaign_id, r.discount],
        );
      }
      if (r.per_customer) {
        await db.query(
          `UPDATE campaign_customer_usage SET used = used - 1
            WHERE campaign_id = $1 AND customer_key = $2`,
          [r.campaign_id, r.customer_key],
        );
      }
      return true;
    },

    async analytics(merchantId, campaignId) {
      const campaign = await owned(merchantId, campaignId);
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
        `SELECT (SELECT coalesce(sum(size), 0) FROM campaign_code_batches
                  WHERE campaign_id = $1) AS issued,
                count(*) FILTER (WHERE status = 'reserved') AS reserved,
                count(*) FILTER (WHERE status = 'redeemed') AS redeemed,
                count(*) FILTER (WHERE status = 'released') AS released,
                count(DISTINCT code) FILTER (WHERE status = 'redeemed') AS codes_redeemed,
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

    useTargets(check) {
      targetCheck = check;
    },
  };
  return service;
}
