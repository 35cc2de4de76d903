import { z } from '@hono/zod-openapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Failure } from '../failure.js';

/**
 * The one error shape at the edge: `{ "error": { "type", "code", "message", "param" } }`.
 * Domain code returns error codes as values; routes turn them into `ApiError`s through
 * a module's exhaustive map (see `errorCatalog`).
 */

export const ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'conflict_error',
  'idempotency_error',
  'rate_limit_error',
  'api_error',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export interface ErrorBody {
  error: { type: ErrorType; code: string; message: string; param?: string | undefined };
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error: {
        type: this.type,
        code: this.code,
        message: this.message,
        ...(this.param !== undefined ? { param: this.param } : {}),
      },
    };
  }
}

export const ErrorSchema = z
  .object({
    error: z.object({
      type: z.enum(ERROR_TYPES).openapi({ example: 'invalid_request_error' }),
      code: z.string().openapi({ example: 'parameter_invalid' }),
      message: z.string().openapi({ example: 'email: Invalid email address' }),
      param: z.string().optional().openapi({ example: 'email' }),
    }),
  })
  .openapi('Error');

interface CatalogEntry {
  status: ContentfulStatusCode;
  type: ErrorType;
  message: string;
  param?: string;
}

/**
 * An exhaustive map from a module's error codes to HTTP. TypeScript refuses a catalog
 * that forgets a code.
 *
 * @example
 * enum KeyError { NotFound = 'api_key_not_found' }
 * const toApiError = errorCatalog<KeyError>({
 *   [KeyError.NotFound]: { status: 404, type: 'not_found_error', message: 'No such API key' },
 * });
 * throw toApiError(KeyError.NotFound);
 */
export function errorCatalog<C extends string>(
  catalog: Record<C, CatalogEntry>,
): (code: C, detail?: { message?: string; param?: string }) => ApiError {
  return (code, detail) => {
    const entry = catalog[code];
    return new ApiError(
      entry.status,
      entry.type,
      code,
      detail?.message ?? entry.message,
      detail?.param ?? entry.param,
    );
  };
}

/**
 * The edge of a route: a success passes through, a `Failure` becomes its catalog's
 * `ApiError` (thrown, so the error middleware writes the one error shape).
 *
 * @example
 * const payment = unwrap(await wallet.pay(user, body), toApiError);
 * return c.json(paymentJson(payment), 201);
 */
export function unwrap<T, C extends string>(
  result: T | Failure<C>,
  toApiError: (code: C, detail?: { message?: string; param?: string }) => ApiError,
): Exclude<T, Failure> {
  if (result instanceof Failure) {
    const detail: { message?: string; param?: string } = {};
    if (result.message !== undefined) detail.message = result.message;
    if (result.param !== undefined) detail.param = result.param;
    throw toApiError(result.code, detail);
  }
  return result as Exclude<T, Failure>;
}

/** Default type for an HTTP status that has no more specific meaning. */
export function typeForStatus(status: number): ErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409) return 'conflict_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}
