import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../../../test/support/db.js';
import {
  countThings,
  IDEM_THINGS_DDL,
  idempotencyTestApp,
} from '../../../test/support/idempotency-app.js';
import { spawnVaultwire } from '../../../test/support/process.js';
import type { Db, QueryResult } from '../db/db.js';

/**
 * Idempotency-Key claims on a real database: the documented answers, concurrent
 * requests with one key, and a process that dies between its handler's commit and the
 * recording of the response (by SIGKILL on PostgreSQL, and in-process). A request done
 * twice would leave two rows in `idem_things`.
 */

let testDb: TestDb;
let db: Db;

beforeAll(async () => {
  testDb = await createTestDb();
  db = testDb.db;
  await db.query(IDEM_THINGS_DDL);
});

afterAll(async () => {
  await testDb.drop();
});

async function post(
  app: ReturnType<typeof idempotencyTestApp>,
  path: string,
  key: string,
  body: Record<string, unknown>,
) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as {
    id?: string;
    error?: { type: string; code: string; param?: string };
  };
  return { status: res.status, headers: res.headers, body: json };
}

/** Claim lifetime in these tests: long enough that a loaded machine keeps a live one. */
const TTL = 1500;
const LAPSE = TTL + 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the documented answers', () => {
  it('replays the first response for the same key and body, and refuses another body', async () => {
    const app = idempotencyTestApp(db);
    const before = await countThings(db);
    const a = await post(app, '/v1/things', 'doc-1', { name: 'a' });
    const b = await post(app, '/v1/things', 'doc-1', { name: 'a' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    const c = await post(app, '/v1/things', 'doc-1', { name: 'other' });
    expect(c.status).toBe(409);
    expect(c.body.error).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await countThings(db)).toBe(before + 1);
  });

  it('releases the key of a refused request, so a corrected retry runs', async () => {
    const app = idempotencyTestApp(db);
    const bad = await post(app, '/v1/things', 'doc-2', { name: '' });
    expect(bad.status).toBe(400);
    const good = await post(app, '/v1/things', 'doc-2', { name: 'fixed' });
    expect(good.status).toBe(201);
  });

  it('holds no transaction while the handler waits on the network', async () => {
    let open: boolean | undefined;
    const app = idempotencyTestApp(db, {
      beforeWrite: () => {
        open = db.inTransaction();
        return Promise.resolve();
      },
    });
    expect((await post(app, '/v1/things', 'doc-3', { name: 'n', wait: 5 })).status).toBe(201);
    expect(open).toBe(false);
  });

  it('costs one statement to replay, and two around a key-idempotent handler', async () => {
    const counted = countingDb(db);
    const app = idempotencyTestApp(counted.db);
    await post(app, '/v1/keyed', 'doc-4', { name: 'k' });
    const middleware = counted.sql.filter((s) => /idempotency_keys/.test(s));
    expect(middleware).toHaveLength(2); // claim, record
    counted.sql.length = 0;
    const replay = await post(app, '/v1/keyed', 'doc-4', { name: 'k' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(counted.sql).toHaveLength(1); // the claim answers the stored response
  });
});

describe('concurrent requests with one key', () => {
  it('runs one; the others get 409 idempotency_key_in_use or the replay', async () => {
    const app = idempotencyTestApp(db);
    const before = await countThings(db);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(app, '/v1/things', 'race-1', { name: 'r', wait: 200 })),
    );
    const created = results.filter((r) => r.status === 201);
    const busy = results.filter((r) => r.status === 409);
    expect(created.length + busy.length).toBe(10);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) {
      expect(r.body.error).toMatchObject({
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
      });
      expect(r.headers.get('retry-after')).toBe('1');
    }
    expect(await countThings(db)).toBe(before + 1);
    // Once it finished, the same request gets its response.
    const later = await post(app, '/v1/things', 'race-1', { name: 'r', wait: 200 });
    expect(later.body.id).toBe(created[0]?.body.id);
  });
});

describe('a claim that outlives its owner', () => {
  it('is taken over when nothing committed, and the old owner can no longer commit', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // An owner frozen past its claim: it does not renew it.
    const slow = idempotencyTestApp(db, {
      claimTtlMs: TTL,
      renewClaims: false,
      beforeWrite: () => gate,
    });
    const before = await countThings(db);
    const first = post(slow, '/v1/things', 'takeover-1', { name: 't' });
    await waitFor(async () => {
      const { rowCount } = await db.query(
        "SELECT 1 FROM idempotency_keys WHERE key = 'takeover-1' AND status = 0",
      );
      return rowCount === 1;
    });
    const app = idempotencyTestApp(db, { claimTtlMs: TTL });
    expect((await post(app, '/v1/things', 'takeover-1', { name: 't' })).status).toBe(409);
    await sleep(LAPSE); // the first owner's claim lapses
    const second = await post(app, '/v1/things', 'takeover-1', { name: 't' });
    expect(second.status).toBe(201);
    release();
    const stale = await first;
    expect(stale.status).toBe(409);
    expect(stale.body.error?.code).toBe('idempotency_key_in_use');
    expect(await countThings(db)).toBe(before + 1);
    const replay = await post(app, '/v1/things', 'takeover-1', { name: 't' });
    expect(replay.body.id).toBe(second.body.id);
  });

  it('is never run again once its work committed (owner stopped before recording)', async () => {
    const stopped = idempotencyTestApp(db, {
      claimTtlMs: TTL,
      renewClaims: false,
      beforeRecord: () => new Promise(() => undefined),
    });
    const before = await countThings(db);
    void post(stopped, '/v1/things', 'stuck-1', { name: 's' });
    await waitFor(async () => (await countThings(db)) === before + 1);
    const app = idempotencyTestApp(db);
    const live = await post(app, '/v1/things', 'stuck-1', { name: 's' });
    expect(live.body.error?.code).toBe('idempotency_key_in_use');
    await sleep(LAPSE);
    const lapsed = await post(app, '/v1/things', 'stuck-1', { name: 's' });
    expect(lapsed.status).toBe(409);
    expect(lapsed.body.error?.code).toBe('idempotency_key_interrupted');
    expect(await countThings(db)).toBe(before + 1);
  });
});

describe.runIf(testDbKind() === 'postgres')('a process killed mid-request (SIGKILL)', () => {
  async function killedAt(dieAt: string, route: string, key: string): Promise<void> {
    const child = spawnVaultwire(
      [],
      {
        DATABASE_URL: testDb.url ?? '',
        DIE_AT: dieAt,
        ROUTE: route,
        KEY: key,
        NAME: 'k',
        CLAIM_TTL_MS: String(TTL),
      },
      'test/fixtures/idempotency-crash.ts',
    );
    try {
      await child.waitForLog('stopped', 30_000);
    } finally {
      child.kill('SIGKILL');
      await child.exited;
    }
  }

  it('after the commit: a retry never does the work again', async () => {
    const before = await countThings(db);
    await killedAt('before-record', '/v1/things', 'kill-1');
    expect(await countThings(db)).toBe(before + 1);
    const app = idempotencyTestApp(db);
    await sleep(LAPSE);
    const retry = await post(app, '/v1/things', 'kill-1', { name: 'k' });
    expect(retry.status).toBe(409);
    expect(retry.body.error?.code).toBe('idempotency_key_interrupted');
    expect(await countThings(db)).toBe(before + 1);
  });

  it('after the commit of a key-idempotent handler: a retry answers the work done', async () => {
    const before = await countThings(db);
    await killedAt('before-record', '/v1/keyed', 'kill-2');
    const { rows } = await db.query<{ id: string }>(
      "SELECT id FROM idem_things WHERE request_key = 'kill-2'",
    );
    const app = idempotencyTestApp(db);
    expect((await post(app, '/v1/keyed', 'kill-2', { name: 'k' })).status).toBe(409);
    await sleep(LAPSE);
    const retry = await post(app, '/v1/keyed', 'kill-2', { name: 'k' });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(rows[0]?.id);
    expect(await countThings(db)).toBe(before + 1);
    const replay = await post(app, '/v1/keyed', 'kill-2', { name: 'k' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('before any commit: a retry after the claim lapses runs the request once', async () => {
    const before = await countThings(db);
    await killedAt('before-write', '/v1/things', 'kill-3');
    expect(await countThings(db)).toBe(before);
    await sleep(LAPSE);
    const app = idempotencyTestApp(db);
    expect((await post(app, '/v1/things', 'kill-3', { name: 'k' })).status).toBe(201);
    expect(await countThings(db)).toBe(before + 1);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** `db`, remembering the statements sent outside transactions (the middleware's). */
function countingDb(inner: Db): { db: Db; sql: string[] } {
  const sql: string[] = [];
  const counted: Db = Object.create(inner) as Db;
  counted.query = <R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    if (!inner.inTransaction()) sql.push(text);
    return inner.query<R>(text, params);
  };
  return { db: counted, sql };
}
