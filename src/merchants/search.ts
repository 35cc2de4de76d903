import type { Db } from '../platform/db/db.js';
import type { InvoiceStatus } from './invoices.js';

/** What an invoice search may filter on; every filter given must match (AND). */
export interface InvoiceSearchFilters {
  id?: string | undefined;
  status?: InvoiceStatus | undefined;
  /** With `currency`: pricing-currency minor units, inclusive bounds. */
  currency?: string | undefined;
  amountGte?: bigint | undefined;
  amountLte?: bigint | undefined;
  createdGte?: Date | undefined;
  createdLt?: Date | undefined;
  customerEmail?: string | undefined;
  orderId?: string | undefined;
  /** The invoice's deposit address (any letter case). */
  address?: string | undefined;
  /** A transaction hash of one of the invoice's payments (any letter case). */
  txHash?: string | undefined;
  /** Words in the description or metadata values (web-search syntax: "a phrase", -not, or). */
  text?: string | undefined;
}

/**
 * How free text is matched: whole words through the full-text index, plus substrings
 * through the trigram index when the database has pg_trgm. Shown in every search answer
 * so a degraded database is visible, not silent.
 */
export type TextMatch = 'full_text+trigram' | 'full_text';

/** Substring matching through the trigram index needs at least one whole trigram. */
const MIN_SUBSTRING = 3;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One term of web-search syntax: no white space, no quote, no leading `-`, not `or`. Only a
 * single term is also matched as a substring: a query of several terms is words (matching
 * it as one substring too cost a trigram scan of every word in it, 30 ms at a million
 * invoices, to find the rare text that holds the words side by side with parts of others).
 */
const isSingleTerm = (text: string) =>
  /^[^\s"]+$/.test(text) && !text.startsWith('-') && text.toLowerCase() !== 'or';

/**
 * Letters only: the full-text query is that one word, lower-cased, and an invoice holding
 * the word holds it as a substring, so the substring condition alone decides (and the
 * search skips a scan of the full-text index). Digits are left out: `1E5x` parses as two
 * words side by side (`'1e5' <-> 'x'`), which "1e5 x" matches and no substring does.
 */
const isPlainWord = (text: string) => /^[A-Za-z]+$/.test(text);

/**
 * The free-text condition on `i`: whole words (web-search syntax), and for a single term of
 * 3 characters or more with pg_trgm, the term as a substring. `parseOnce` makes the query
 * an init plan (parsed once, not once per row tested), for conditions tested row by row;
 * left inline elsewhere, so the planner sees the query's words.
 */
function textCondition(
  text: string,
  textMatch: TextMatch,
  p: (v: unknown) => string,
  parseOnce = false,
): string {
  const substring =
    textMatch === 'full_text+trigram' && text.length >= MIN_SUBSTRING && isSingleTerm(text);
  const like = () => `i.search_text ILIKE ${p(`%${escapeLike(text)}%`)}`;
  if (substring && isPlainWord(text)) return like();
  const query = `websearch_to_tsquery('simple', ${p(text)})`;
  const words = `i.search_tsv @@ ${parseOnce ? `(SELECT ${query})` : query}`;
  return substring ? `(${words} OR ${like()})` : words;
}

/**
 * The one SQL statement behind an invoice search: the ids of at most `limit` invoices
 * of `accountId`, newest first by (created_at, id), after the cursor invoice. Every condition
 * leads to an index that starts with `account_id` (migrations/merchants/0096), so the
 * search never reads another account's rows and never scans the table.
 */
export function invoiceSearchSql(
  accountId: string,
  f: InvoiceSearchFilters,
  page: { limit: number; startingAfter?: string | undefined },
  textMatch: TextMatch,
): { text: string; values: unknown[] } {
  const values: unknown[] = [accountId];
  const where = ['i.account_id = $1'];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (page.startingAfter !== undefined) {
    // Keyset on (created_at, id): the cursor invoice's own, read through the primary key
    // and scoped to the account (another account's id finds nothing after it).
    where.push(
      `(i.created_at, i.id) < (SELECT c.created_at, c.id FROM merchant_invoices c
                                 WHERE c.id = ${p(page.startingAfter)} AND c.account_id = $1)`,
    );
  }
  if (f.id !== undefined) where.push(`i.id = ${p(f.id)}`);
  if (f.status !== undefined) where.push(`i.status = ${p(f.status)}`);
  if (f.currency !== undefined) where.push(`i.currency = ${p(f.currency)}`);
  if (f.amountGte !== undefined) where.push(`i.amount >= ${p(f.amountGte.toString())}::numeric`);
  if (f.amountLte !== undefined) where.push(`i.amount <= ${p(f.amountLte.toString())}::numeric`);
  if (f.createdGte !== undefined) where.push(`i.created_at >= ${p(f.createdGte)}`);
  if (f.createdLt !== undefined) where.push(`i.created_at < ${p(f.createdLt)}`);
  if (f.customerEmail !== undefined) {
    // `IS NOT NULL` lets the planner use the partial index.
    where.push(
      `i.customer_email IS NOT NULL AND lower(i.customer_email) = lower(${p(f.customerEmail)})`,
    );
  }
  if (f.orderId !== undefined) where.push(`i.order_id = ${p(f.orderId)}`);
  if (f.address !== undefined) {
    // Near-unique lookups run first, as an init plan, so the planner cannot trade them for
    // a walk down the creation-time index that stops at LIMIT (measured: seconds).
    where.push(
      `i.id = ANY (ARRAY(SELECT a.id FROM merchant_invoices a WHERE a.account_id = $1
                      AND a.address IS NOT NULL AND lower(a.address) = lower(${p(f.address)})))`,
    );
  }
  if (f.txHash !== undefined) {
    where.push(
      `i.id = ANY (ARRAY(SELECT invoice_id FROM merchant_payments
                 WHERE account_id = $1 AND tx_hash IS NOT NULL
                   AND lower(tx_hash) = lower(${p(f.txHash)})))`,
    );
  }
  if (f.text !== undefined) where.push(textCondition(f.text, textMatch, p));
  const text = `SELECT i.id FROM merchant_invoices i WHERE ${where.join(' AND ')}
    ORDER BY i.created_at DESC, i.id DESC LIMIT ${p(page.limit)}`;
  return { text, values };
}

/**
 * How many of the newest invoices (under the other filters) a free-text search reads
 * first, testing the text on each: a word that fills a page among them needs nothing more.
 */
export const TEXT_WINDOW = 2000;

/** How many text matches `textCandidatesSql` gathers before the walk is the better plan. */
export const TEXT_CANDIDATES_CAP = 2500;

/**
 * Planner estimates (`textEstimateSql`) that order the steps. At most TEXT_GATHER_FIRST
 * matches expected: the text is rare, so the gather runs first (the window would read its
 * 2,000 invoices for nothing). Over TEXT_GATHER_SKIP: the text is common, and when the
 * window misses it (it is common, only not lately) the walk follows at once: gathering
 * would read the index entries of every match (20–30 ms for a word in 60,000 invoices)
 * only to find more than the cap. An estimate only picks the order; each step is exact.
 */
export const TEXT_GATHER_FIRST = 5000;
export const TEXT_GATHER_SKIP = 20_000;

/**
 * PostgreSQL's estimate of how many of the account's invoices the text matches (the other
 * filters left out: the gather's cost follows the text's matches). `EXPLAIN` plans the
 * statement without running it; the estimate is the plan's top `Plan Rows`.
 */
export function textEstimateSql(
  accountId: string,
  text: string,
  textMatch: TextMatch,
): { text: string; values: unknown[] } {
  // The planner takes a query's words as independent: "tea tea" would be expected as rare
  // as two different words, and gathered first. Words repeated count once here (only here:
  // one word alone is a substring search, not a word search).
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const plain = words.every((w) => /^[a-z0-9]+$/.test(w) && w !== 'or');
  const once = plain ? [...new Set(words)].join(' ') : text;
  const all = invoiceSearchSql(accountId, { text: once }, { limit: 1 }, textMatch);
  const unordered = all.text.replace(/\s+ORDER BY i\.created_at DESC, i\.id DESC LIMIT \$\d+$/, '');
  if (unordered === all.text)
    throw new Error('textEstimateSql: the search statement changed shape');
  // The LIMIT's parameter went with it (it is the last one).
  return { text: `EXPLAIN (FORMAT JSON) ${unordered}`, values: all.values.slice(0, -1) };
}

/** The row estimate of a plan `textEstimateSql` returned (json or its text, by driver). */
export function planRows(plan: unknown): number {
  const doc = (typeof plan === 'string' ? JSON.parse(plan) : plan) as [
    { Plan: { 'Plan Rows': number } },
  ];
  return doc[0].Plan['Plan Rows'];
}

/**
 * The window step of a free-text search: the newest TEXT_WINDOW invoices the other
 * filters allow (after the cursor), read down the creation-time index (or the filter's
 * own) and tested for the text as they are read, stopping at a page of matches. Rows come
 * back in search order: the matches, and the window's last invoice (`last`) when the read
 * reached it. The page is the answer when it is full, or when no row is `last` (the
 * account has no more), since every invoice outside the window is older than all in it.
 * Otherwise the text is rare among the newest invoices and the next step follows.
 */
export function textWindowSql(
  accountId: string,
  f: InvoiceSearchFilters,
  page: { limit: number; startingAfter?: string | undefined },
  textMatch: TextMatch,
): { text: string; values: unknown[] } {
  // The statement without its text condition, as the walk would run it, cut at the window.
  const rest = invoiceSearchSql(
    accountId,
    { ...f, text: undefined },
    { limit: TEXT_WINDOW, startingAfter: page.startingAfter },
    textMatch,
  );
  const values = [...rest.values];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const text = textCondition(f.text ?? '', textMatch, p, true);
  const windowSize = p(TEXT_WINDOW);
  const limit = p(page.limit);
  // Each row is tested as it is read; row_number() numbers them in the order read (the
  // rows arrive sorted, so it adds no sort), and the outer LIMIT stops the read at a page.
  const newest = rest.text.replace(
    'SELECT i.id FROM',
    `SELECT i.id, ${text} AS hit,
            row_number() OVER (ORDER BY i.created_at DESC, i.id DESC) AS n FROM`,
  );
  return {
    text: `SELECT id, hit, n = ${windowSize} AS last FROM (${newest}) newest
            WHERE hit OR n = ${windowSize} LIMIT ${limit}`,
    values,
  };
}

/**
 * The gather step of a free-text search, first when the text is expected rare, else when
 * the window found it rare among the newest invoices: every match (at most
 * TEXT_CANDIDATES_CAP + 1) through the text
 * indexes, the page of them in search order, and how many there were. Run it with index
 * walks and sequential scans off (bitmap scans only), so the matches come from the GIN
 * indexes. When `matches` is at most the cap, the page is the answer; past it the term is
 * common after all (only not lately), and `invoiceSearchSql` (a walk down the
 * creation-time index, stopping at the page) is the last step.
 *
 * Why steps: PostgreSQL's estimate of a text's matches is rough (it guessed 917 for a
 * token that matched 2 of 200,000; it takes two words as independent), good enough to
 * order exact steps but not to bet one statement's plan on: there it walks the
 * creation-time index for a rare token and reads the whole account (measured: 360 ms at
 * 200,000 invoices, growing with the account), or bitmaps a common word and sorts
 * tens of thousands of rows. The window settles common words at the cost of a short walk;
 * the gather settles rare ones at the cost of one heap visit per match, bounded by the
 * cap. The cap is about where gathering stops paying at a million invoices: the gather
 * visits one heap page per match at random, a walk for a page of 20 reads about
 * 20 × account rows ÷ matches invoices in order (about a third of the cost per row in EXPLAIN ANALYZE on the bench's data), so
 * the two cost the same near √(20 × 1,000,000 ÷ 3) ≈ 2,500 matches.
 */
export function textCandidatesSql(
  accountId: string,
  f: InvoiceSearchFilters,
  page: { limit: number; startingAfter?: string | undefined },
  textMatch: TextMatch,
): { text: string; values: unknown[] } {
  const inner = invoiceSearchSql(
    accountId,
    f,
    { limit: TEXT_CANDIDATES_CAP + 1, startingAfter: page.startingAfter },
    textMatch,
  );
  const values = [...inner.values, page.limit];
  // The inner statement's ORDER BY goes: the candidates are gathered in any order.
  const gather = inner.text.replace(/\s+ORDER BY i\.created_at DESC, i\.id DESC LIMIT/, ' LIMIT');
  const text = `WITH hits AS MATERIALIZED (${gather.replace('SELECT i.id FROM', 'SELECT i.id, i.created_at FROM')})
    SELECT id, (SELECT count(*) FROM hits)::int AS matches FROM hits
     ORDER BY created_at DESC, id DESC LIMIT $${values.length}`;
  return { text, values };
}

/** Whether this database has pg_trgm (the migration creates it when it can). */
export async function detectTextMatch(db: Db): Promise<TextMatch> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_indexes WHERE indexname = 'merchant_invoices_search_trgm_idx'`,
  );
  return rows[0]?.n === '0' ? 'full_text' : 'full_text+trigram';
}
