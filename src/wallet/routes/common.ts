import type { Context } from 'hono';
import type { z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http/context.js';
import { ApiError, ErrorSchema } from '../../platform/http/errors.js';
import { requestHeader } from '../../platform/http/node.js';
import { pageSchema } from '../../platform/http/pagination.js';
import { jsonResponse as json, requireUser as caller } from '../../platform/http/route-helpers.js';
import { WalletError, walletApiError } from '../errors.js';
import type { WalletActor } from '../model.js';
import type { WalletService } from '../service.js';

/** What the wallet's route files share: who acts, the request key, common responses. */

type Ctx = Context<AppEnv>;

export const STAFF = ['operator', 'admin'] as const;

export function actorOf(c: Ctx): WalletActor {
  const p = caller(c);
  return {
    type: 'user',
    id: p.userId,
    credentialId: p.credentialId,
    ip: c.get('clientIp'),
    requestId: c.get('requestId'),
  };
}

export function found<T>(value: T | undefined, error: WalletError): T {
  if (value === undefined) throw walletApiError(error);
  return value;
}

/** The request's Idempotency-Key, which the wallet keeps beyond the HTTP layer's 24 h. */
export function requestKey(c: Ctx): string | undefined {
  return requestHeader(c, 'idempotency-key');
}

export function parseTime(text: string | undefined, param: string): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) {
    throw new ApiError(
      400,
      'invalid_request_error',
      'parameter_invalid',
      `${param} is not a valid date`,
      param,
    );
  }
  return d;
}

/** The user an operator route names (`{user}` or `user`: id, `@handle` or email). */
export async function userIdOf(wallet: WalletService, ref: string): Promise<string> {
  const user = await wallet.resolveUser(ref);
  if (!user) throw walletApiError(WalletError.UserNotFound, { message: `No user ${ref}` });
  return user.id;
}

export const list = <T extends z.ZodType>(schema: T) => pageSchema(schema);

export const errors = {
  402: json('Insufficient funds', ErrorSchema),
  404: json('Not found', ErrorSchema),
  409: json('Conflict (state, limit or idempotency key)', ErrorSchema),
};
