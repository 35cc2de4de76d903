import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliOutput } from '../modules/descriptor.js';

/**
 * The HTTP API as CLI commands call it: with the caller's own token, so a command may do
 * exactly what its user (or merchant key) may do through the API, and nothing more.
 *
 * A few lines over `fetch` rather than the typed client (`packages/client`): the server's
 * build compiles `src/` only, and these commands ship inside it.
 */
export interface ApiClient {
  call(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
}

export interface ApiAnswer {
  status: number;
  /** The parsed JSON body (undefined when the answer is not JSON). */
  body: unknown;
  /** The body as text (CSV, or the JSON as sent). */
  text: string;
}

/** Options every API-backed command takes. */
export interface ApiOptions {
  api: string;
  token?: string | undefined;
}

export function createApiClient(
  options: ApiOptions & { fetch?: typeof fetch | undefined },
): ApiClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.api.replace(/\/+$/, '');
  return {
    async call(method, path, body) {
      const headers: Record<string, string> = { accept: 'application/json, text/csv' };
      if (options.token) headers['authorization'] = `Bearer ${options.token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      // A retried create is applied once.
      if (method === 'POST') headers['idempotency-key'] = randomUUID();
      const res = await doFetch(`${base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown;
      if ((res.headers.get('content-type') ?? '').includes('json')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      return { status: res.status, body: parsed, text };
    },
  };
}

/**
 * Adds `--api` and `--token` to a command. The token is best given in `VW_API_TOKEN`
 * (an argument shows in the process list).
 */
/**
 * Runs a command's body on a client built from its options and exits with the code the
 * body returns (the shape every API-backed command shares).
 */
export async function runWithApi<O extends ApiOptions>(
  opts: O,
  fn: (api: ApiClient, o: O) => Promise<number>,
): Promise<void> {
  process.exitCode = await fn(createApiClient(opts), opts);
}

export function withApiOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--api <url>', 'the Vaultwire API to call')
        .env('VW_API_URL')
        .default('http://127.0.0.1:8080'),
    )
    .addOption(
      new Option('--token <token>', 'a session token, API key or merchant key').env('VW_API_TOKEN'),
    );
}

/**
 * Prints a refusal (the API's error shape: `code (param): message`) and gives the exit
 * code: 2 for a request the API found invalid, 1 for any other refusal.
 */
export function reportFailure(io: CliOutput, what: string, a: ApiAnswer): number {
  const err = (
    a.body as { error?: { code?: string; message?: string; param?: string } } | undefined
  )?.error;
  if (err) {
    io.err(
      `${what}: ${err.code ?? 'error'}${err.param ? ` (${err.param})` : ''}: ${err.message ?? ''} [HTTP ${a.status}]`,
    );
  } else {
    io.err(`${what}: HTTP ${a.status} ${a.text.slice(0, 200)}`);
  }
  return a.status === 400 ? 2 : 1;
}

/**
 * Every item of a paginated list, page after page (up to `max`); the caller says what
 * the items are (`T`), as the API's schema does.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the items' type is the caller's to name
export async function listAll<T>(
  api: ApiClient,
  path: string,
  max = 10_000,
): Promise<{ items: T[] } | { failed: ApiAnswer }> {
  const items: T[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page = await api.call(
      'GET',
      `${path}${sep}limit=100${cursor ? `&starting_after=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (page.status !== 200) return { failed: page };
    const body = page.body as { data: T[]; has_more: boolean; next_cursor: string | null };
    items.push(...body.data);
    cursor = body.has_more ? body.next_cursor : null;
  } while (cursor !== null && items.length < max);
  return { items };
}

/** A commander argument parser for a whole number. */
export function intArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
}

/** A commander argument parser for a repeatable option: every value, in order. */
export function collectArg(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
