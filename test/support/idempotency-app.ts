import { Hono, type MiddlewareHandler } from 'hono';
import type { Db } from '../../src/platform/db/db.js';
import { ANONYMOUS } from '../../src/platform/http/access.js';
import type { AppEnv } from '../../src/platform/http/context.js';
import { ApiError } from '../../src/platform/http/errors.js';
import {
  idempotency,
  keyIdempotent,
  type IdempotencyDeps,
} from '../../src/platform/http/idempotency.js';
import { newId } from '../../src/platform/ids.js';
import { createLogger } from '../../src/platform/observability/logger.js';

/**
 * The Idempotency-Key middleware alone in front of a few handlers, on a real database,
 * for the crash and race tests (src/platform/http/idempotency.int.test.ts and the child
 * process test/fixtures/idempotency-crash.ts). Every write lands in `idem_things`, which
 * the tests count: a request done twice leaves two rows.
 *
 * - `POST /v1/things` `{ name, wait? }`: waits `wait` ms (a price fetch, a DNS check),
 *   then inserts in a transaction of its own. `name: ""` is refused (400) before writing.
 * - `POST /v1/keyed` `{ name }`: idempotent on the key all the way down (`keyIdempotent`):
 *   the row is keyed by the Idempotency-Key and a second run answers the first row.
 */
export const IDEM_THINGS_DDL = `CREATE TABLE IF NOT EXISTS idem_things (
  id text PRIMARY KEY, name text NOT NULL, request_key text UNIQUE)`;

export interface IdempotencyTestOptions extends Omit<IdempotencyDeps, 'db'> {
  /** Awaited inside `/v1/things` after the wait, before the write. */
  beforeWrite?: () => Promise<void>;
  /** Another Idempotency-Key middleware in its place (the benchmark's baseline). */
  middleware?: MiddlewareHandler<AppEnv>;
}

export function idempotencyTestApp(db: Db, options: IdempotencyTestOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('principal', ANONYMOUS);
    c.set('clientIp', '127.0.0.1');
    c.set('logger', createLogger({ level: 'silent' }));
    await next();
  });
  app.use('/v1/*', options.middleware ?? idempotency({ db, ...options }));
  app.onError((err, c) => {
    const e =
      err instanceof ApiError ? err : new ApiError(500, 'api_error', 'internal', String(err));
    for (const [k, v] of Object.entries(e.headers ?? {})) c.header(k, v);
    return c.json(e.toBody(), e.status);
  });

  app.post('/v1/things', async (c) => {
    const body = await c.req.json<{ name: string; wait?: number }>();
    if (body.name === '') {
      throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', 'name', 'name');
    }
    if (body.wait) await new Promise((resolve) => setTimeout(resolve, body.wait));
    await options.beforeWrite?.();
    const id = newId('thg');
    await db.attempt((tx) =>
      tx.query('INSERT INTO idem_things (id, name) VALUES ($1, $2)', [id, body.name]),
    );
    return c.json({ id, name: body.name }, 201);
  });

  app.post('/v1/keyed', async (c) => {
    keyIdempotent(c);
    const body = await c.req.json<{ name: string }>();
    const key = c.req.header('idempotency-key') ?? null;
    const id = await db.attempt(async (tx) => {
      await tx.query(
        `INSERT INTO idem_things (id, name, request_key) VALUES ($1, $2, $3)
         ON CONFLICT (request_key) DO NOTHING`,
        [newId('thg'), body.name, key],
      );
      const { rows } = await tx.query<{ id: string }>(
        'SELECT id FROM idem_things WHERE request_key = $1',
        [key],
      );
      return rows[0]?.id;
    });
    return c.json({ id, name: body.name }, 201);
  });

  return app;
}

/** Rows written so far. */
export async function countThings(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM idem_things');
  return rows[0]?.n ?? 0;
}
