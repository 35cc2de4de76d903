import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import {
  BaseDb,
  type ChannelHandlers,
  type Db,
  type IsolationLevel,
  type QueryResult,
  type Subscription,
  type TxClient,
  preparedName,
} from './db.js';

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

/** Embedded PostgreSQL (WASM). One connection: queries queue, transactions are exclusive. */
class PgliteDb extends BaseDb {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly pglite: PGlite,
    private readonly release: () => void,
  ) {
    super();
  }

  protected async run(sql: string, params: readonly unknown[]) {
    const r = await this.pglite.query<Record<string, unknown>>(sql, [...params]);
    return normalize(r);
  }

  protected async runScript(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }

  protected withTransaction<T>(
    isolation: IsolationLevel | undefined,
    fn: (client: TxClient) => Promise<T>,
  ): Promise<T> {
    // PGlite's own transaction() holds its exclusive lock and issues BEGIN/COMMIT/ROLLBACK.
    return this.pglite.transaction(async (tx) => {
      if (isolation) await tx.query(`SET TRANSACTION ISOLATION LEVEL ${isolation.toUpperCase()}`);
      return fn({
        query: async (sql, params = []) =>
          normalize(await tx.query<Record<string, unknown>>(sql, [...params])),
        exec: async (sql) => {
          await tx.exec(sql);
        },
      });
    });
  }

  async subscribe(channel: string, handlers: ChannelHandlers): Promise<Subscription> {
    // One process owns the embedded database, so every NOTIFY is this process's own and
    // the one connection hears it: there is no gap to report.
    const unlisten = await this.pglite.listen(channel, (payload) => {
      handlers.message(payload);
    });
    return {
      live: true,
      close: async () => {
        if (!this.pglite.closed) await unlisten();
      },
    };
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
    this.release();
  }

  /** The whole data folder as an uncompressed tar, for `loadDataDir`. */
  async dump(): Promise<Blob> {
    return this.pglite.dumpDataDir('none');
  }
}

/** An embedded database's data folder as a tar (see OpenDbOptions.loadDataDir). */
export async function dumpEmbeddedDb(db: Db): Promise<Blob> {
  if (!(db instanceof PgliteDb)) throw new Error('only an embedded database can be dumped');
  return db.dump();
}

function normalize(r: {
  rows: Record<string, unknown>[];
  affectedRows?: number;
  rowCount?: number;
}): QueryResult<Record<string, unknown>> {
  return { rows: r.rows, rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length };
}

/** `{1,2,NULL}` → [1n, 2n, null]: int8[] in text form needs no quoting rules. */
function parseInt8Array(v: string): (bigint | null)[] {
  if (v === '{}') return [];
  return v
    .slice(1, -1)
    .split(',')
    .map((x) => (x === 'NULL' ? null : BigInt(x)));
}

/** int8 and int8[] as bigint, like PGlite; everything else as node-postgres does. */
const defaultTypeParser = pg.types.getTypeParser as (
  oid: number,
  format: 'text' | 'binary',
) => (v: string) => unknown;

function pgTypeParser(oid: number, format?: 'text' | 'binary'): (v: string) => unknown {
  if (oid === INT8_OID) return (v: string) => BigInt(v);
  if (oid === INT8_ARRAY_OID) return parseInt8Array;
  return defaultTypeParser(oid, format ?? 'text');
}

/** PostgreSQL server through a node-postgres pool. */
class PostgresDb extends BaseDb {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
  ) {
    super();
  }

  async subscribe(channel: string, handlers: ChannelHandlers): Promise<Subscription> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
    let client: pg.Client | undefined;
    let live = false;
    let closed = false;
    let retryMs = 100;
    let timer: NodeJS.Timeout | undefined;
    const drop = () => {
      if (live) handlers.gap();
      live = false;
      client?.removeAllListeners();
      client?.end().catch(() => undefined);
      client = undefined;
      if (!closed) {
        timer = setTimeout(() => void connect(), retryMs);
        timer.unref();
        retryMs = Math.min(retryMs * 2, 5_000);
      }
    };
    const connect = async (): Promise<void> => {
      const c = new pg.Client(this.clientConfig);
      client = c;
      c.on('error', drop);
      c.on('end', () => {
        if (client === c) drop();
      });
      c.on('notification', (n) => {
        if (n.channel === channel) handlers.message(n.payload ?? '');
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${channel}`);
        if (closed || client !== c) return;
        // Whatever happened before this point was not heard.
        handlers.gap();
        live = true;
        retryMs = 100;
      } catch {
        if (client === c) drop();
      }
    };
    await connect();
    return {
      get live() {
        return live;
      },
      close: async () => {
        closed = true;
        live = false;
        if (timer) clearTimeout(timer);
        const c = client;
        client = undefined;
        c?.removeAllListeners();
        // Still listened to while it ends: the server may close it first.
        c?.on('error', () => undefined);
        await c?.end().catch(() => undefined);
      },
    };
  }

  protected async run(sql: string, params: readonly unknown[]) {
    const name = preparedName(sql);
    const r = await this.pool.query(
      name === undefined
        ? { text: sql, values: params as unknown[] }
        : { name, text: sql, values: params as unknown[] },
    );
    return { rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? r.rows.length };
  }

  protected async runScript(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  protected async withTransaction<T>(
    isolation: IsolationLevel | undefined,
    fn: (client: TxClient) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    // A connection-level failure (not a SQL error) must not go back into the pool.
    let broken: Error | undefined;
    // pg-pool listens for errors only on idle clients: a checked-out one losing its
    // connection between statements (a server restart, an administrator's terminate)
    // would emit 'error' with no listener and crash the process. Its next statement fails.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    const send = async (sql: string, params: readonly unknown[] = []) => {
      try {
        // A multi-statement script (exec) yields one result per statement: keep the last.
        const name = preparedName(sql);
        const raw = (await client.query(
          name === undefined
            ? { text: sql, values: params as unknown[] }
            : { name, text: sql, values: params as unknown[] },
        )) as pg.QueryResult | pg.QueryResult[];
        const r = Array.isArray(raw) ? raw[raw.length - 1] : raw;
        if (!r) return { rows: [], rowCount: 0 };
        return { rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? r.rows.length };
      } catch (err) {
        if (!(err instanceof pg.DatabaseError)) broken = err as Error;
        throw err;
      }
    };
    try {
      await send(isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN');
      let result: T;
      try {
        result = await fn({
          query: send,
          exec: async (sql) => {
            await send(sql);
          },
          copyFrom: async (sql, data) => {
            const stream = client.query(copyFromStdin(sql));
            try {
              await pipeline(Readable.from(data), stream);
            } catch (err) {
              if (!(err instanceof pg.DatabaseError)) broken = err as Error;
              throw err;
            }
            return stream.rowCount;
          },
        });
      } catch (err) {
        if (!broken) await send('ROLLBACK').catch(() => undefined);
        throw err;
      }
      await send('COMMIT');
      return result;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface OpenDbOptions {
  /** `postgres://…` for a server; otherwise the embedded database. */
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; `memory://` for a throwaway one. */
  dataDir?: string;
  /**
   * Embedded only: a data folder dumped by PGlite's `dumpDataDir` (a tar) to start from
   * instead of running initdb; the tests load one already migrated.
   */
  loadDataDir?: Blob;
  poolMax?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) {
    const clientConfig: pg.ClientConfig = {
      connectionString: options.databaseUrl,
      application_name: options.applicationName ?? 'vaultwire',
      types: { getTypeParser: pgTypeParser as typeof pg.types.getTypeParser },
    };
    const pool = new pg.Pool({ ...clientConfig, max: options.poolMax ?? 20 });
    // An idle client losing its connection emits on the pool; without a listener that
    // would crash the process. The next checkout simply gets a new connection.
    pool.on('error', () => undefined);
    const db = new PostgresDb(pool, clientConfig);
    await db.ping();
    return db;
  }

  const dataDir = options.dataDir ?? './data';
  const inMemory = dataDir.startsWith('memory://');
  let release = (): void => undefined;
  let path: string | undefined;
  if (!inMemory) {
    path = resolve(dataDir, 'pg');
    mkdirSync(path, { recursive: true });
    release = lockDataDir(resolve(dataDir));
  }
  try {
    const pglite = await PGlite.create(path ?? 'memory://', {
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      // Contrib extensions migrations may create (trigram search over invoices).
      extensions: { pg_trgm },
      parsers: {
        [INT8_OID]: (v: string) => BigInt(v),
        [INT8_ARRAY_OID]: parseInt8Array,
      },
    });
    return new PgliteDb(pglite, release);
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * PGlite's files must only ever be opened by one process: a second one would corrupt
 * them. We take an exclusive lock file and refuse to start if a live process holds it.
 */
function lockDataDir(dir: string): () => void {
  const lockPath = join(dir, 'vaultwire.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        rmSync(lockPath, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${dir} is in use by process ${holder}. ` +
            'Run one process per data folder, or set DATABASE_URL to share a PostgreSQL server.',
          { cause: err },
        );
      }
      // Stale lock from a process that died (e.g. SIGKILL): take it over.
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
