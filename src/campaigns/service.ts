import type { Db } from '../platform/db/db.js';
import { defineQueue, type JobQueue } from '../platform/queue/queue.js';
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

/** Most codes one generation makes. */
export const MAX_GENERATE = 1_000_000;
/** Most codes made inside a request; a larger generation runs as a job (`startGeneration`). */
export const MAX_INLINE_GENERATE = 10_000;
/** Codes inserted per statement (and per transaction) while generating. */
const GENERATE_BATCH = 100_000;
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
  /**
   * Queues a generation of up to `MAX_GENERATE` codes as a job; its progress is read with
   * `getGeneration`.
   */
  startGeneration(
    ownerId: string,
    campaignId: string,
    input: GenerateInput,
  ): Promise<Generation | CampaignFailure>;
  getGeneration(
    ownerId: string,
    campaignId: string,
    id: string,
  ): Promise<Generation | CampaignFailure>;
  /** Runs a queued generation now (the job's handler; tools and tests call it directly). */
  runGeneration(id: string): Promise<Generation | undefined>;
  getCode(ownerId: string, campaignId: string, codeId: string): Promise<Coupon | CampaignFailure>;
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

export function createCampaignsService(deps: CampaignsDeps): CampaignsService {
  const { db } = deps;

  async function owned(ownerId: string, id: string): Promise<Campaign | undefined> {
    const { rows } = await db.query<CampaignRow>(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1 AND owner_id = $2`,
      [id, ownerId],
    );
    return rows[0] ? toCampaign(rows[0]) : undefined;
  }

  /**
   * Inserts `count` new codes of `spec` into the campaign. Each round makes the codes
   * still missing, drops the ones repeated within the round, sorts them (each batch then
   * walks the unique index in order) and inserts them in batches; the unique index on
   * `code` skips any code that already exists, anywhere, and the next round makes up for
   * it. Each batch is one transaction that holds a KEY SHARE lock on the campaign row and
   * runs `onBatch` (a job's progress), so what is committed and the progress agree.
   */
  async function fill(
    campaignId: string,
    spec: CodeSpec,
    count: number,
    usageLimit: number,
    options: { sample?: string[]; onBatch?: (made: number) => Promise<void> } = {},
  ): Promise<number> {
    let made = 0;
    for (let round = 0; made < count && round < MAX_ROUNDS; round++) {
      const codes = [...new Set(generateCodes(spec, count - made).map(normalizeCode))].sort();
      const sample = options.sample;
      if (sample && sample.length === 0) {
        for (let k = 0; k < 5 && k < codes.length; k++) {
          sample.push(codes[Math.floor((k * codes.length) / 5)] ?? '');
        }
      }
      for (let at = 0; at < codes.length; at += GENERATE_BATCH) {
        const batch = codes.slice(at, at + GENERATE_BATCH);
        made += await db.transaction(async () => {
          const locked = await db.query(`SELECT 1 FROM campaigns WHERE id = $1 FOR KEY SHARE`, [
            campaignId,
          ]);
          if (locked.rowCount === 0) throw new Error(`campaign ${campaignId} vanished`);
          const r = await db.query(
            `INSERT INTO campaign_codes (id, campaign_id, code, kind, usage_limit)
             SELECT i, $1, c, 'unique', $2 FROM unnest($3::text[], $4::text[]) AS t(i, c)
             ON CONFLICT (code) DO NOTHING`,
            [campaignId, usageLimit, batch.map(() => newId('cpn')), batch],
          );
          await options.onBatch?.(made + r.rowCount);
          return r.rowCount;
        });
      }
    }
    if (made < count) throw new Error(`generated ${made} of ${count} codes`);
    return made;
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
        onBatch: async (made) => {
          await db.query(
            `UPDATE campaign_code_generations SET generated = $2, updated_at = $3 WHERE id = $1`,
            [id, already + made, deps.clock()],
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
      return { generated: made, sample };
    },

    async startGeneration(ownerId, campaignId, input) {
      const campaign = await owned(ownerId, campaignId);
      if (!campaign) return fail(CampaignError.CampaignNotFound);
      const spec = checkSpec(input);
      if (isFailure(spec)) return spec;
      const id = newId('cgen');
      return db.transaction(async () => {
        const { rows } = await db.query<GenerationRow>(
          `INSERT INTO campaign_code_generations (id, campaign_id, owner_id, status, requested,
                                                  spec, created_at, updated_at)
           VALUES ($1, $2, $3, 'queued', $4, $5, $6, $6) RETURNING ${GENERATION_COLUMNS}`,
          [
            id,
            campaignId,
            ownerId,
            input.count,
            { ...specToJson(spec), usage_limit: input.usageLimit ?? 1 },
            deps.clock(),
          ],
        );
        await deps.jobs.enqueue(GenerateCodesQueue, { generationId: id }, { maxAttempts: 5 });
        const row = rows[0];
        if (!row) throw new Error('generation insert returned nothing');
        return toGeneration(row);
      });
    },

    async getGeneration(ownerId, campaignId, id) {
      const { rows } = await db.query<GenerationRow>(
        `SELECT ${GENERATION_COLUMNS} FROM campaign_code_generations
          WHERE id = $1 AND campaign_id = $2 AND owner_id = $3`,
        [id, campaignId, ownerId],
      );
      return rows[0] ? toGeneration(rows[0]) : fail(CampaignError.GenerationNotFound);
    },

    runGeneration,

    async getCode(ownerId, campaignId, codeId) {
      if (!(await owned(ownerId, campaignId))) return fail(CampaignError.CampaignNotFound);
      const { rows } = await db.query<CodeRow>(
        `SELECT id, campaign_id, code, kind, usage_limit, used, created_at FROM campaign_codes
          WHERE id = $1 AND campaign_id = $2`,
        [codeId, campaignId],
      );
      return rows[0] ? toCoupon(rows[0]) : fail(CampaignError.CouponNotFound, { param: 'code_id' });
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
