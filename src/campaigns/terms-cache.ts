import { createBatcher } from '../platform/db/batcher.js';
import type { Db, Queryable, Subscription } from '../platform/db/db.js';
import type { Campaign } from './model.js';

/**
 * What a code's campaign asks of an order before its limits are tried: whose it is, its
 * status, window, currency, target and rule. A campaign's terms never change once made,
 * except its status (paused, resumed); its counters (budget used, redemptions) are not
 * here: they are guarded by the statement that records a redemption.
 */
export type CampaignRules = Pick<
  Campaign,
  'id' | 'merchantId' | 'currency' | 'startsAt' | 'endsAt' | 'status' | 'rule' | 'target'
>;

/**
 * The rules of a code's campaign for redemptions made outside a transaction (the
 * redemption API), so that a redemption costs no read of its campaign: reading them was
 * most of a redemption's statements (bench:commerce).
 *
 * - A code's campaign never changes (codes are never moved or deleted), so codes found are
 *   kept, up to `maxCodes`; the codes not kept are looked up for many callers at once, one
 *   statement per batch (as `reserve` records them).
 * - A campaign's rules are kept while this process hears `NOTIFY vw_campaigns, '<id>'`,
 *   sent in the transaction that changes its status, and for `ttlMs` at most. A paused
 *   campaign therefore refuses in every process a few milliseconds after the pause
 *   commits (in the pausing process at once), and after `ttlMs` at the latest should a
 *   notification be lost without its connection dropping. While the listening
 *   connection is down nothing is kept: every redemption reads its campaign.
 */
export interface TermsCache {
  /** The rules of the campaign `code` (normalised) belongs to; undefined: no such code. */
  ofCode(code: string): Promise<CampaignRules | undefined>;
  /** Whether `ofCode(code)` would answer without reading anything. */
  knows(code: string): boolean;
  /**
   * The rules kept (and still to be used) of the merchant's campaigns, at most
   * `MAX_MERCHANT_RULES` of them; none when the merchant has more kept, or while nothing
   * is kept (not listening). What a caller quotes an unseen code's order under.
   */
  ofMerchant(merchantId: string): CampaignRules[];
  /** In the changing transaction: every process forgets the campaign's rules on commit. */
  changed(tx: Queryable, campaignId: string): Promise<void>;
  close(): Promise<void>;
}

export const CAMPAIGNS_CHANNEL = 'vw_campaigns';
/** The longest a campaign's rules are used without reading them (see `TermsCache`). */
export const TERMS_CACHE_TTL_MS = 10_000;
/**
 * Most campaigns of one merchant `ofMerchant` answers: a caller quotes an order under
 * each, so a merchant with more running at once is served the long way (look up first).
 */
export const MAX_MERCHANT_RULES = 8;

export interface TermsCacheDeps {
  db: Db;
  /** The campaign of each code found, in one statement. */
  campaignsOfCodes(codes: readonly string[]): Promise<{ code: string; campaignId: string }[]>;
  /** The rules of each campaign found, in one statement. */
  rulesOf(ids: readonly string[]): Promise<CampaignRules[]>;
  /** Wall clock in ms (default Date.now). */
  now?: () => number;
  ttlMs?: number;
  maxCodes?: number;
  onListenError?: (err: unknown) => void;
}

export function createTermsCache(deps: TermsCacheDeps): TermsCache {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const ttlMs = deps.ttlMs ?? TERMS_CACHE_TTL_MS;
  const maxCodes = deps.maxCodes ?? 100_000;
  const codes = new Map<string, string>();
  const rules = new Map<string, { rules: CampaignRules; until: number }>();
  /** The campaigns in `rules`, by merchant. */
  const byMerchant = new Map<string | null, Set<string>>();
  const drop = (campaignId: string) => {
    const kept = rules.get(campaignId);
    if (!kept) return;
    rules.delete(campaignId);
    const ids = byMerchant.get(kept.rules.merchantId);
    ids?.delete(campaignId);
    if (ids?.size === 0) byMerchant.delete(kept.rules.merchantId);
  };
  /** Changes heard so far: a read that raced with one is not kept. */
  let changes = 0;
  let subscription: Subscription | undefined;
  let subscribing: Promise<void> | undefined;
  let closed = false;

  const loading = new Map<string, Promise<CampaignRules | undefined>>();
  // A read in flight when a change is heard is not shared with later callers either.
  const forget = (campaignId: string) => {
    changes++;
    drop(campaignId);
    loading.delete(campaignId);
  };
  const clear = () => {
    changes++;
    rules.clear();
    byMerchant.clear();
    loading.clear();
  };

  /** Starts listening on first use, so processes that never redeem do not. */
  function listening(): boolean {
    if (subscription) return subscription.live;
    if (!subscribing && !closed) {
      subscribing = db
        .subscribe(CAMPAIGNS_CHANNEL, { message: forget, gap: clear })
        .then(async (s) => {
          if (closed) await s.close();
          else subscription = s;
        })
        .catch((err: unknown) => deps.onListenError?.(err));
    }
    return false;
  }

  // detached: a batch serves many callers, so it joins no one caller's transaction (what
  // it reads never changes, and a code not yet committed is not found either way).
  const lookup = createBatcher<string, string | undefined>(
    async (batch) => {
      const found = await db.detached(() => deps.campaignsOfCodes([...new Set(batch)]));
      const byCode = new Map(found.map((f) => [f.code, f.campaignId]));
      return batch.map((c) => byCode.get(c));
    },
    { maxBatch: 256, maxInFlight: 2 },
  );

  function load(campaignId: string): Promise<CampaignRules | undefined> {
    const already = loading.get(campaignId);
    if (already) return already;
    const version = changes;
    const keep = listening();
    const read = db
      .detached(() => deps.rulesOf([campaignId]))
      .then((found) => {
        const r = found[0];
        if (r && keep && version === changes) {
          rules.set(campaignId, { rules: r, until: now() + ttlMs });
          const ids = byMerchant.get(r.merchantId) ?? new Set<string>();
          byMerchant.set(r.merchantId, ids.add(campaignId));
        }
        return r;
      })
      .finally(() => {
        if (loading.get(campaignId) === read) loading.delete(campaignId);
      });
    loading.set(campaignId, read);
    return read;
  }

  return {
    async ofCode(code) {
      let campaignId = codes.get(code);
      if (campaignId === undefined) {
        campaignId = await lookup.submit(code);
        if (campaignId === undefined) return undefined;
        if (codes.size >= maxCodes) codes.clear();
        codes.set(code, campaignId);
      }
      if (listening()) {
        const kept = rules.get(campaignId);
        if (kept && now() < kept.until) return kept.rules;
      }
      return load(campaignId);
    },

    knows(code) {
      const campaignId = codes.get(code);
      if (campaignId === undefined || !listening()) return false;
      const kept = rules.get(campaignId);
      return kept !== undefined && now() < kept.until;
    },

    ofMerchant(merchantId) {
      const ids = byMerchant.get(merchantId);
      if (!ids || ids.size > MAX_MERCHANT_RULES || !listening()) return [];
      const at = now();
      const out: CampaignRules[] = [];
      for (const id of ids) {
        const kept = rules.get(id);
        if (kept && at < kept.until) out.push(kept.rules);
      }
      return out;
    },

    async changed(tx, campaignId) {
      // Here at once; everywhere (this process included, again) when the NOTIFY arrives.
      forget(campaignId);
      await tx.query('SELECT pg_notify($1, $2)', [CAMPAIGNS_CHANNEL, campaignId]);
    },

    async close() {
      closed = true;
      clear();
      await subscribing;
      await subscription?.close();
      subscription = undefined;
    },
  };
}
