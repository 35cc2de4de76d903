import { randomInt } from 'node:crypto';
import { sqlState, SQLSTATE, type Db } from '../platform/db/db.js';
import { defineQueue, type JobQueue } from '../platform/queue/queue.js';
import { fail, isFailure, rollback, rollbackWith } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import {
  cleanAlphabet,
  DEFAULT_ALPHABET,
  generateSortedCodes,
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
/** Codes inserted per statement (and per transaction and batch row) while generating. */
const GENERATE_BATCH = 100_000;
/** Most shards a campaign's redemption cap is split over (see migration 0115). */
export const CAP_SHARDS = 16;
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
  /** One of the campaign's codes, by the code (any case, dashes and spaces ignored). */
  getCode(ownerId: string, campaignId: string, code: string): Promise<Coupon | CampaignFailure>;
  /** A page of the campaign's codes, batch by batch, each batch in code order. */
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
  ): Promise<
    { campaign: CampaignTerms; coupon: Coupon; applied: AppliedDiscount } | CampaignFailure
  >;
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

/** A campaign without its use count: what a coupon's rules need, read without counting. */
export type CampaignTerms = Omit<Campaign, 'redemptionsUsed'>;

interface CampaignTermsRow {
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
const CAMPAIGN_TERMS = `m.id, m.owner_id, m.name, m.channel, m.currency, m.starts_at, m.ends_at,
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

export function createCampaignsService(deps: CampaignsDeps): CampaignsService {
  const { db } = deps;

  async function owned(ownerId: string, id: string): Promise<Campaign | undefined> {
    const { rows } = await db.query<CampaignRow>(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns m WHERE m.id = $1 AND m.owner_id = $2`,
      [id, ownerId],
    );
    return rows[0] ? toCampaign(rows[0]) : undefined;
  }

  /**
   * Inserts `count` new codes of `spec` into the campaign. Each round makes the codes
   * still missing, sorted and without repeats (`generateSortedCodes`), and inserts them in
   * batches of `GENERATE_BATCH`. Each batch is one transaction: a KEY SHARE lock on the
   * campaign row (it cannot vanish under its codes), its campaign_code_batches row, then
   * the codes in one plain INSERT. A code that already exists anywhere fails that INSERT
   * on the unique index (rare: the space holds 100× the codes asked for); the batch is
   * then inserted again with `ON CONFLICT DO NOTHING`, which costs a second index probe
   * per code and so is kept off the common path, and the next round makes up for the
   * codes skipped. `onBatch` (a job's progress) commits with the batch.
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
      const codes = generateSortedCodes(spec, count - made);
      const sample = options.sample;
      if (sample && sample.length === 0) {
        for (let k = 0; k < 5 && k < codes.length; k++) {
          sample.push(codes[Math.floor((k * codes.length) / 5)] ?? '');
        }
      }
      for (let at = 0; at < codes.length; at += GENERATE_BATCH) {
        const text = codes.slice(at, at + GENERATE_BATCH).join('\n');
        made += await db.transaction(async () => {
          const locked = await db.query(`SELECT 1 FROM campaigns WHERE id = $1 FOR KEY SHARE`, [
            campaignId,
          ]);
          if (locked.rowCount === 0) throw new Error(`campaign ${campaignId} vanished`);
          const { rows } = await db.query<{ id: string }>(
            `INSERT INTO campaign_code_batches (campaign_id, kind, usage_limit, created_at)
             VALUES ($1, 'unique', $2, $3) RETURNING id::text AS id`,
            [campaignId, usageLimit, deps.clock()],
          );
          const batch = rows[0]?.id;
          if (batch === undefined) throw new Error('batch insert returned nothing');
          const insert = `INSERT INTO campaign_codes (code, batch)
             SELECT unnest(string_to_array($2, E'\\n')), $1::bigint`;
          let inserted: number;
          try {
            inserted = await db.transaction(
              async () => (await db.query(insert, [batch, text])).rowCount,
            );
          } catch (err) {
            if (sqlState(err) !== SQLSTATE.uniqueViolation) throw err;
            inserted = (await db.query(`${insert} ON CONFLICT (code) DO NOTHING`, [batch, text]))
              .rowCount;
          }
          await db.query(`UPDATE campaign_code_batches SET size = $2 WHERE id = $1`, [
            batch,
            inserted,
          ]);
          await options.onBatch?.(made + inserted);
          return inserted;
        });
      }
    }
    if (made < count) throw new Error(`generated ${made} of ${count} codes`);
    return made;
  }

  /**
   * Takes one use of a capped campaign's cap from a shard with room: first one no other
   * transaction holds (SKIP LOCKED, starting at a random shard so callers spread), and
   * only when every shard with room is held, the first to come free (a held shard that
   * fills up meanwhile is passed over for the next). Each shard's room is re-checked under
   * its row lock, so the shards never grant more than their caps add up to. False only
   * when no shard has room.
   *
   * No deadlock: a row lock taken on a shard that turned out full (locked, then
   * re-checked) stays until the statement ends, so the waiting try takes shards in one
   * order (by number) for everyone; and each try is a savepoint, rolled back when it takes
   * nothing, so no such lock outlives it.
   */
  async function takeCapUse(campaignId: string): Promise<boolean> {
    for (const wait of ['SKIP LOCKED', '']) {
      const took = await db.attempt(async () => {
        const { rowCount } = await db.query(
          `UPDATE campaign_cap_shards s SET used = s.used + 1
            WHERE s.campaign_id = $1 AND s.used < s.cap AND s.shard = (
              SELECT shard FROM campaign_cap_shards
               WHERE campaign_id = $1 AND used < cap
               ORDER BY (shard + $2) % ${CAP_SHARDS} LIMIT 1 FOR UPDATE ${wait})`,
          [campaignId, wait ? randomInt(CAP_SHARDS) : 0],
        );
        return rowCount > 0 ? true : rollbackWith(false);
      });
      if (took) return true;
    }
    return false;
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
               ORDER BY (shard + $2) % ${CAP_SHARDS} LIMIT 1 FOR UPDATE ${wait})`,
          [campaignId, wait ? randomInt(CAP_SHARDS) : 0],
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
      const limit = input.redemptionLimit;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
        return invalid('redemption_limit is a whole number, 0 or more', 'redemption_limit');
      }
      return db.transaction(async () => {
        await db.query(
          `INSERT INTO campaigns (id, owner_id, name, channel, currency, starts_at, ends_at,
                                  status, rule, target_store_ids, target_product_ids, segment,
                                  budget, redemption_limit, per_customer_limit, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12::numeric, $13, $14,
                   $15)`,
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
        const made = await owned(ownerId, id);
        if (!made) throw new Error('campaign insert returned nothing');
        return made;
      });
    },

    get: owned,

    async list(ownerId, query) {
      const { rows } = await db.query<CampaignRow>(
        `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns m
          WHERE m.owner_id = $1 AND ($2::text IS NULL OR m.id < $2)
          ORDER BY m.id DESC LIMIT $3`,
        [ownerId, query.startingAfter ?? null, query.limit],
      );
      return rows.map(toCampaign);
    },

    async setStatus(ownerId, id, status) {
      const { rows } = await db.query<CampaignRow>(
        `UPDATE campaigns m SET status = $3 WHERE m.id = $1 AND m.owner_id = $2
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
      // A batch of one; both rows or neither (a taken code leaves no empty batch behind).
      return db.attempt(async () => {
        const { rows } = await db.query<CodeRow>(
          `WITH b AS (
             INSERT INTO campaign_code_batches (campaign_id, kind, usage_limit, size, created_at)
             VALUES ($1, 'shared', $3, 1, $4) RETURNING *)
           INSERT INTO campaign_codes (code, batch) SELECT $2, b.id FROM b
           ON CONFLICT (code) DO NOTHING
           RETURNING code, (SELECT campaign_id FROM b) AS campaign_id,
                     (SELECT kind FROM b) AS kind, (SELECT usage_limit FROM b) AS usage_limit,
                     (SELECT created_at FROM b) AS created_at, used`,
          [campaignId, code, input.usageLimit ?? null, deps.clock()],
        );
        return rows[0] ? toCoupon(rows[0]) : rollback(fail(CampaignError.CodeTaken));
      });
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

    async getCode(ownerId, campaignId, code) {
      if (!(await owned(ownerId, campaignId))) return fail(CampaignError.CampaignNotFound);
      const { rows } = await db.query<CodeRow>(
        `SELECT ${CODE_COLUMNS}
           FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
          WHERE c.code = $1 AND b.campaign_id = $2`,
        [normalizeCode(code), campaignId],
      );
      return rows[0] ? toCoupon(rows[0]) : fail(CampaignError.CouponNotFound, { param: 'code_id' });
    },

    async listCodes(ownerId, campaignId, query) {
      if (!(await owned(ownerId, campaignId))) return fail(CampaignError.CampaignNotFound);
      // The cursor is the last code of the previous page; a code not in this campaign ends
      // the listing. Batch by batch: each batch's codes are one BRIN-narrowed range.
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
      // Only the batches that can fill the page are read: the cursor's batch, then later
      // ones until their sizes add up to the page. They are a range of batch numbers,
      // which the BRIN index on batch narrows to their block ranges (the code index, in
      // another order, is not walked). Codes compare byte by byte ("C"), as the cursor does.
      const { rows: span } = await db.query<{ lo: string | null; hi: string | null }>(
        `SELECT min(id)::text AS lo, max(id)::text AS hi FROM (
           SELECT id, coalesce(sum(size) FILTER (WHERE id > $2::bigint) OVER (
                    ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
             FROM campaign_code_batches WHERE campaign_id = $1 AND id >= $2::bigint) x
          WHERE before < $3`,
        [campaignId, after.batch, query.limit],
      );
      const range = span[0];
      if (!range || range.lo === null || range.hi === null) return [];
      const { rows } = await db.query<CodeRow>(
        `SELECT ${CODE_COLUMNS}
           FROM campaign_codes c JOIN campaign_code_batches b ON b.id = c.batch
          WHERE c.batch BETWEEN $2::bigint AND $3::bigint AND b.campaign_id = $1
            AND (c.batch > $4::bigint OR c.code COLLATE "C" > $5)
          ORDER BY c.batch, c.code COLLATE "C" LIMIT $6`,
        [campaignId, range.lo, range.hi, after.batch, after.code, query.limit],
      );
      return rows.map(toCoupon);
    },

    async exportCsv(ownerId, campaignId) {
      if (!(await owned(ownerId, campaignId))) return fail(CampaignError.CampaignNotFound);
      const { rows } = await db.query<CodeRow>(
        `SELECT ${CODE_COLUMNS}
           FROM campaign_code_batches b JOIN campaign_codes c ON c.batch = b.id
          WHERE b.campaign_id = $1 ORDER BY b.id, c.code COLLATE "C"`,
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

    reserve(input) {
      return db.attempt(async () => {
        // Each guard is one conditional statement (no read before it, so no window), taken
        // in one order: code, cap shard, campaign (budget), customer. Only limits that
        // exist are touched: an unlimited code or campaign has no counter to queue on.
        const found = await db.query<{
          campaign_id: string;
          redemption_limit: number | null;
          budgeted: boolean;
          per_customer_limit: number | null;
          granted: boolean;
        }>(
          `WITH found AS (
             SELECT c.code, b.usage_limit, b.campaign_id, m.redemption_limit,
                    m.budget IS NOT NULL AS budgeted, m.per_customer_limit
               FROM campaign_codes c
               JOIN campaign_code_batches b ON b.id = c.batch
               JOIN campaigns m ON m.id = b.campaign_id
              WHERE c.code = $1),
           used AS (
             UPDATE campaign_codes c SET used = c.used + 1 FROM found f
              WHERE c.code = f.code AND f.usage_limit IS NOT NULL AND c.used < f.usage_limit
             RETURNING c.code)
           SELECT f.campaign_id, f.redemption_limit, f.budgeted, f.per_customer_limit,
                  f.usage_limit IS NULL OR EXISTS (SELECT 1 FROM used) AS granted
             FROM found f`,
          [normalizeCode(input.code)],
        );
        const coupon = found.rows[0];
        if (!coupon) return rollback(fail(CampaignError.CouponNotFound));
        if (!coupon.granted) return rollback(fail(CampaignError.CouponExhausted));
        if (coupon.redemption_limit !== null && !(await takeCapUse(coupon.campaign_id))) {
          return rollback(fail(CampaignError.CouponExhausted));
        }
        if (coupon.budgeted) {
          const spent = await db.query(
            `UPDATE campaigns SET budget_used = budget_used + $2::numeric
              WHERE id = $1 AND budget_used + $2::numeric <= budget`,
            [coupon.campaign_id, input.discount.toString()],
          );
          if (spent.rowCount === 0) return rollback(fail(CampaignError.CouponBudgetSpent));
        }
        if (coupon.per_customer_limit !== null) {
          const customer = await db.query(
            `INSERT INTO campaign_customer_usage AS u (campaign_id, customer_key, used)
             VALUES ($1, $2, 1)
             ON CONFLICT (campaign_id, customer_key)
             DO UPDATE SET used = u.used + 1 WHERE u.used < $3
             RETURNING used`,
            [coupon.campaign_id, input.customerKey, coupon.per_customer_limit],
          );
          if (customer.rowCount === 0) return rollback(fail(CampaignError.CouponCustomerLimit));
        }
        await db.query(
          `INSERT INTO campaign_redemptions (id, campaign_id, code, order_id, customer_key,
                                             currency, discount, order_total, status, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, 'reserved', $9)`,
          [
            newId('red'),
            coupon.campaign_id,
            normalizeCode(input.code),
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
  };
  return service;
}
