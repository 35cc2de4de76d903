import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Principal } from './access.js';
import type { AppEnv } from './context.js';

/** Small building blocks every module's routes use, so route files hold only routes. */

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** An OpenAPI response with a JSON body. */
export const jsonResponse = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});

/**
 * The authenticated caller of a route whose access rule already required a user;
 * reaching it without one is a wiring bug, not a client error.
 */
export function requireUser(c: Context<AppEnv>): UserPrincipal {
  const p = c.get('principal');
  if (p.kind !== 'user') throw new Error('route reached without an authenticated user');
  return p;
}

/** Largest value a PostgreSQL bigint column holds. */
export const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * A non-negative integer sent as a decimal string (block numbers and other values past
 * 2^53), bounded by the bigint column that stores it: a larger one is a typed 400 here,
 * never an overflow in a query.
 */
export const bigintString = (max: bigint = INT8_MAX) =>
  z
    .string()
    .regex(/^\d{1,19}$/, 'must be a non-negative integer')
    .refine((v) => BigInt(v) <= max, `must be at most ${max}`);

/** The `{id}` path parameter of a resource route, with the id an example shows. */
export const IdParam = (example: string) =>
  z.object({
    id: z
      .string()
      .max(64)
      .openapi({ param: { name: 'id', in: 'path' }, example }),
  });
