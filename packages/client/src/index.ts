/**
 * The typed Vaultwire API client: `openapi-fetch` over the types generated from the
 * server's `/openapi.json` (`schema.ts`), so every path, parameter, body and answer is
 * checked by the compiler, plus the request rules forms validate with and the Standard
 * Webhooks verification receivers need.
 *
 * @example
 * const vw = createVaultwireClient({ baseUrl: 'http://127.0.0.1:8080', token: 'vwk_…' });
 * const balances = unwrap(await vw.GET('/v1/wallet/balances'));
 * unwrap(await vw.POST('/v1/payments', { body: { to: '@bob', asset: 'USD', amount: '12.50' } }));
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { NO_IDEMPOTENCY_KEY } from './rules.js';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export { REQUEST_RULES } from './rules.js';
export { validateRequest, type FieldError, type FieldRule } from './validate.js';
export {
  verifyWebhook,
  WebhookVerificationError,
  type VerifiedWebhook,
  type WebhookHeaders,
} from './webhooks.js';

/** A schema of the API by name: `Schema<'Balance'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/** The one error shape every non-2xx answer has. */
export type ApiErrorBody = components['schemas']['Error'];

export type VaultwireClient = Client<paths>;

export interface ClientOptions {
  /** The server's origin, `http://127.0.0.1:8080`; empty for the page's own origin. */
  baseUrl?: string;
  /** An API key (`vwk_…`) or session token (`vws_…`), or a function read at each request. */
  token?: string | (() => string | undefined);
  fetch?: typeof fetch;
  /**
   * Every POST without an `Idempotency-Key` gets a fresh one (default on), so a request
   * retried after a network failure is applied once; except those carrying a password,
   * which the API refuses keys on.
   */
  idempotencyKeys?: boolean;
}

/** A client for one server and credential. */
export function createVaultwireClient(options: ClientOptions = {}): VaultwireClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const auth: Middleware = {
    onRequest({ request, schemaPath }) {
      const token = typeof options.token === 'function' ? options.token() : options.token;
      if (token && !request.headers.has('authorization')) {
        request.headers.set('authorization', `Bearer ${token}`);
      }
      if (
        options.idempotencyKeys !== false &&
        request.method === 'POST' &&
        !request.headers.has('idempotency-key') &&
        !NO_IDEMPOTENCY_KEY.has(`POST ${schemaPath}`)
      ) {
        request.headers.set('idempotency-key', idempotencyKey());
      }
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** An answer of the API that is not a success, with its typed error. */
export class VaultwireApiError extends Error {
  override name = 'VaultwireApiError';
  readonly type: ApiErrorBody['error']['type'];
  readonly code: string;
  /** The request field the error is about (`email`, `amount`), when there is one. */
  readonly param: string | undefined;
  constructor(
    readonly status: number,
    body: ApiErrorBody | undefined,
  ) {
    super(body?.error.message ?? `The server answered ${status}`);
    this.type = body?.error.type ?? 'api_error';
    this.code = body?.error.code ?? 'unexpected_response';
    this.param = body?.error.param;
  }
}

/**
 * The data of an openapi-fetch result, or a `VaultwireApiError` thrown with the API's
 * typed error (TanStack Query and other callers then see one error type).
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  if (result.response.ok) return undefined as T;
  throw new VaultwireApiError(result.response.status, asErrorBody(result.error));
}

function asErrorBody(value: unknown): ApiErrorBody | undefined {
  if (typeof value !== 'object' || value === null || !('error' in value)) return undefined;
  const error = value.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  return typeof e['code'] === 'string' && typeof e['message'] === 'string'
    ? (value as ApiErrorBody)
    : undefined;
}

/** A random key; `crypto.randomUUID` exists only on https pages, getRandomValues everywhere. */
function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
