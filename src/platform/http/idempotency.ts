import { createHash, randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { CommitFence, Db, Queryable } from '../db/db.js';
import { requestLog, type AppEnv } from './context.js';
import { ApiError } from './errors.js';
import { requestHeader } from './node.js';

/**
 * `Idempotency-Key` for every POST, in three short steps with no transaction held across
 * the handler (which may call a price source, a DNS server or a chain node):
 *
 * 1. **Claim** the key: one autocommitted statement inserts an open claim (status 0), or
 *    answers the key's row as it stands: the same key and body again replays the stored
 *    response (`Idempotent-Replayed: true`); another body or path is a 409
 *    `idempotency_key_reused`; a claim still open is a 409 `idempotency_key_in_use`
 *    (another request with this key is running: retry after `Retry-After`).
 * 2. **Run** the handler outside any transaction; its services open transactions on
 *    purpose (`db.attempt`). Each transaction it commits also marks the claim
 *    (`committed`), checking it still holds it, in the same transaction (`db.fenced`).
 * 3. **Record** the response (one statement, only while the claim is still ours).
 *
 * A crash between a handler's commit and step 3 leaves an open claim marked committed:
 * the work happened once and is never done again. A retry then gets 409
 * `idempotency_key_interrupted` (look the result up) rather than a second payment. A
 * claim abandoned before anything committed (its process died, or ran past `claimTtlMs`)
 * is taken over by the next retry and run afresh; an owner that still runs (frozen past
 * its claim) cannot commit any more (its fence fails).
 *
 * A handler that is idempotent on the key all the way down says so with
 * `keyIdempotent(c)`: its transactions skip the fence (two statements fewer), and a
 * retry after a crash runs it again, which answers the work already done. A route that
 * also refuses the key with another request itself (the wallet's payments: the key is
 * stored with the payment and keys its ledger write; quote executions, keyed by the
 * quote) is declared with `keyIdempotentRoute`, and gets no claim or record at all.
 *
 * The claim, its release, renewal and the recorded response commit asynchronously
 * (`synchronous_commit` off for that one statement): none of them is money, and each
 * request's own transactions still wait for their WAL flush, which carries the claim
 * written before them. A database crash can lose at most the last fraction of a second
 * of claims and records, and each loss answers as a process crash at that point does
 * (a claim gone: the request never came; a record gone: the claim stays open and is
 * taken over, or answers `idempotency_key_interrupted`, as above). A synchronous commit
 * is a disk flush (~5 ms here, bench:api): three per payment would be two too many.
 *
 * A response is stored when the handler answered below 500 without throwing. A handler
 * that fails (validation, auth, a fault) having committed nothing releases the key, so
 * a corrected retry runs afresh; one that fails after committing work has its error
 * recorded like any other response.
 */

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * How long an open claim lasts without being renewed. Its owner renews it every third of
 * this while the handler runs, so only a dead (or frozen) owner's claim lapses, and a
 * client retrying after a crash waits at most this long (409 `idempotency_key_in_use`).
 */
export const CLAIM_TTL_MS = 10_000;

export interface IdempotencyDeps {
  db: Db;
  /**
   * POST paths whose handlers keep the Idempotency-Key themselves, all the way down
   * (see `keyIdempotentRoute`): only the key's form is checked here.
   */
  keyedByHandler?: (path: string) => boolean;
  /** Default `CLAIM_TTL_MS`. */
  claimTtlMs?: number;
  /** Default true. Tests turn it off to stand in for an owner frozen past its claim. */
  renewClaims?: boolean;
  /**
   * Runs after the handler, before its response is recorded. Tests use it to stand in
   * for a process that dies at that moment.
   */
  beforeRecord?: () => Promise<void>;
}

/** The claim a request holds while its handler runs (context variable `idempotency`). */
export interface IdempotencyClaim {
  /** The handler's writes are keyed by the Idempotency-Key itself: see `keyIdempotent`. */
  keyIdempotent: boolean;
}

/**
 * Declares that this POST handler is idempotent on its `Idempotency-Key` all the way
 * down (running it twice with one key does the work once and answers the same), so the
 * middleware need not fence its transactions and may run it again after a crash.
 */
export function keyIdempotent(c: Context<AppEnv>): void {
  const claim = c.get('idempotency');
  if (claim) claim.keyIdempotent = true;
}

const keyIdempotentPathsOf = new WeakMap<object, Set<string>>();

/**
 * Declares that POST `path` on `app` keeps its `Idempotency-Key` itself, all the way
 * down: the key is stored with the work (in the work's own transaction) and keys it, so
 * a retry, concurrent or days later, even after a crash, answers the work already done
 * (200, `Idempotent-Replayed: true`), and the same key with another request is refused
 * by the handler. The middleware then neither claims nor records the key (two statements
 * and a commit fewer per request); it still refuses a malformed one. A retry racing the
 * first request waits for it and answers its work instead of a 409
 * `idempotency_key_in_use`.
 *
 * @example
 * keyIdempotentRoute(app, '/v1/payments'); // the wallet stores the key with the payment
 */
export function keyIdempotentRoute(app: object, path: string): void {
  keyIdempotentPaths(app).add(path);
}

/**
 * The route templates declared with `keyIdempotentRoute` on `app` (created empty);
 * `{param}` stands for one path segment.
 */
export function keyIdempotentPaths(app: object): Set<string> {
  let paths = keyIdempotentPathsOf.get(app);
  if (!paths) {
    paths = new Set();
    keyIdempotentPathsOf.set(app, paths);
  }
  return paths;
}

/** Whether a request path is one of `templates` (see `keyIdempotentPaths`). */
export function matchesKeyIdempotent(templates: ReadonlySet<string>, path: string): boolean {
  if (templates.has(path)) return true;
  for (const t of templates) {
    if (!t.includes('{')) continue;
    const want = t.split('/');
    const got = path.split('/');
    if (
      want.length === got.length &&
      want.every((w, i) => (w.startsWith('{') ? (got[i] ?? '') !== '' : w === got[i]))
    ) {
      return true;
    }
  }
  return false;
}

interface KeyRow {
  mine: boolean;
  path: string;
  request_hash: string;
  status: number;
  response_body: string;
  committed: boolean;
  live: boolean;
}

/**
 * A FROM item that turns off `synchronous_commit` for the statement's own (implicit)
 * transaction: it commits without waiting for its WAL flush (see the module comment).
 */
const ASYNC_COMMIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

// One round trip: take a new key, or answer its row as it stands. DO NOTHING, not DO
// UPDATE, so a replay writes nothing (a row lock would be a write, and a commit to flush).
// The second branch reads the statement's snapshot, so a row committed by a concurrent
// claim after it began is missed: `READ_SQL` covers that.
const CLAIM_SQL = `
  WITH claim AS (
    INSERT INTO idempotency_keys
      (principal, key, method, path, request_hash, status, response_body, claim_token, claimed_until)
    SELECT $1, $2, 'POST', $3, $4, 0, '', $5, now() + $6 * interval '1 millisecond'
      FROM ${ASYNC_COMMIT}
    ON CONFLICT (principal, key) DO NOTHING
    RETURNING true AS mine, path, request_hash, status, response_body, committed, true AS live
  )
  SELECT * FROM claim
  UNION ALL
  SELECT false, path, request_hash, status, response_body, committed, claimed_until >= now()
    FROM idempotency_keys
   WHERE principal = $1 AND key = $2 AND NOT EXISTS (SELECT 1 FROM claim)`;

const READ_SQL = `
  SELECT false AS mine, path, request_hash, status, response_body, committed,
         claimed_until >= now() AS live
    FROM idempotency_keys WHERE principal = $1 AND key = $2`;

// An abandoned claim (lapsed, nothing committed under it) for the same request: ours now.
const TAKEOVER_SQL = `
  UPDATE idempotency_keys
     SET claim_token = $4, claimed_until = now() + $5 * interval '1 millisecond'
    FROM ${ASYNC_COMMIT}
   WHERE principal = $1 AND key = $2 AND request_hash = $3
     AND status = 0 AND NOT committed AND claimed_until < now()
  RETURNING true AS mine, path, request_hash, status, response_body, committed, true AS live`;

export function idempotency(deps: IdempotencyDeps): MiddlewareHandler<AppEnv> {
  const { db } = deps;
  const ttlMs = deps.claimTtlMs ?? CLAIM_TTL_MS;

  async function claimOrRead(params: unknown[], requestHash: string): Promise<KeyRow> {
    // A row can vanish between statements (its owner failed and released it): then claim
    // again. Bounded, as each pass means another request finished meanwhile.
    for (let pass = 0; pass < 3; pass++) {
      const claimed = await db.query<KeyRow>(CLAIM_SQL, params);
      const row = claimed.rows[0] ?? (await db.query<KeyRow>(READ_SQL, params.slice(0, 2))).rows[0];
      if (!row) continue;
      const abandoned =
        !row.mine &&
        row.status === 0 &&
        !row.committed &&
        !row.live &&
        row.request_hash === requestHash;
      if (!abandoned) return row;
      const [owner, key, , , token, ttl] = params;
      const taken = await db.query<KeyRow>(TAKEOVER_SQL, [owner, key, requestHash, token, ttl]);
      if (taken.rows[0]) return taken.rows[0];
    }
    throw new Error('idempotency key neither claimed nor found after three passes');
  }

  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const key = requestHeader(c, 'idempotency-key');
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new ApiError(
        400,
        'invalid_request_error',
        'idempotency_key_invalid',
        'Idempotency-Key must be 1 to 255 printable ASCII characters',
        'Idempotency-Key',
      );
    }
    if (deps.keyedByHandler?.(c.req.path)) return next();
    const principal = c.get('principal');
    // Anonymous callers get a namespace per client IP, so one caller cannot collide with
    // (or read back) another's keys.
    const owner = principal.kind === 'user' ? principal.userId : `anonymous:${c.get('clientIp')}`;
    const body = await c.req.text();
    const path = c.req.path;
    const requestHash = createHash('sha256').update(`POST ${path}\n`).update(body).digest('hex');
    const token = randomUUID();

    const row = await claimOrRead([owner, key, path, requestHash, token, ttlMs], requestHash);
    if (!row.mine) {
      if (row.request_hash !== requestHash) {
        throw new ApiError(
          409,
          'idempotency_error',
          'idempotency_key_reused',
          row.path === path
            ? 'This Idempotency-Key was already used with a different request body'
            : `This Idempotency-Key was already used for ${row.path}`,
          'Idempotency-Key',
        );
      }
      if (row.status !== 0) {
        c.res = new Response(row.response_body, {
          status: row.status,
          headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
        });
        return;
      }
      if (row.committed && !row.live) {
        throw new ApiError(
          409,
          'idempotency_error',
          'idempotency_key_interrupted',
          'The request with this Idempotency-Key was interrupted after its changes were saved, so its response was lost; it will not run again: look its result up',
          'Idempotency-Key',
        );
      }
      throw claimBusy();
    }

    const claim: IdempotencyClaim = { keyIdempotent: false };
    c.set('idempotency', claim);
    const fence: CommitFence = {
      async beforeCommit(tx: Queryable) {
        if (claim.keyIdempotent) return;
        const { rowCount } = await tx.query(
          `UPDATE idempotency_keys SET committed = true
            WHERE principal = $1 AND key = $2 AND claim_token = $3 AND status = 0`,
          [owner, key, token],
        );
        // Our claim was taken over (we ran past its lifetime): the new owner runs the
        // request; this transaction must not commit as well.
        if (rowCount === 0) throw claimBusy();
      },
    };
    const renewal =
      deps.renewClaims === false
        ? undefined
        : setInterval(() => {
            db.detached(() =>
              db.query(
                `UPDATE idempotency_keys SET claimed_until = now() + $4 * interval '1 millisecond'
                   FROM ${ASYNC_COMMIT}
                  WHERE principal = $1 AND key = $2 AND claim_token = $3`,
                [owner, key, token, ttlMs],
              ),
            ).catch((err: unknown) => {
              requestLog(c).warn({ err, key }, 'could not renew an idempotency claim');
            });
          }, ttlMs / 3);
    renewal?.unref();
    try {
      await db.fenced(fence, () => next());
    } finally {
      clearInterval(renewal);
    }

    const failed = c.error !== undefined || c.res.status >= 500;
    if (failed) {
      // Nothing committed under the claim: release it, as if the request never came. The
      // row stays when something did (the DELETE skips it), and the error is recorded.
      const released = await db.query(
        `DELETE FROM idempotency_keys USING ${ASYNC_COMMIT}
          WHERE principal = $1 AND key = $2 AND claim_token = $3 AND NOT committed`,
        [owner, key, token],
      );
      if (released.rowCount === 1) return;
    }
    const responseBody = c.get('idempotencyStoredBody') ?? (await c.res.clone().text());
    await deps.beforeRecord?.();
    const recorded = await db.query(
      `UPDATE idempotency_keys
          SET status = $4, response_body = $5, claim_token = NULL, claimed_until = NULL
         FROM ${ASYNC_COMMIT}
        WHERE principal = $1 AND key = $2 AND claim_token = $3`,
      [owner, key, token, c.res.status, responseBody],
    );
    if (recorded.rowCount === 0) {
      requestLog(c).warn({ key }, 'idempotency claim taken over before its response was recorded');
    }
  };
}

function claimBusy(): ApiError {
  return new ApiError(
    409,
    'idempotency_error',
    'idempotency_key_in_use',
    'Another request with this Idempotency-Key is still running; retry shortly to get its response',
    'Idempotency-Key',
    { 'retry-after': '1' },
  );
}
