import { z } from '@hono/zod-openapi';
import { ApiError } from './errors.js';

/**
 * Cursor pagination over time-ordered ids (see ids.ts): `?limit=20&starting_after=usr_…`.
 * The cursor is the last id of the previous page, opaque to clients but stable: a row
 * inserted meanwhile never shifts a page the way OFFSET would.
 */
export const PaginationQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ description: 'Page size, 1 to 100', example: 20 }),
  starting_after: z.string().max(64).optional().openapi({
    description: 'Return items after this id (the `next_cursor` of the previous page)',
  }),
});

export interface Page<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    object: z.literal('list'),
    data: z.array(item),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
  });
}

/**
 * The one way a list becomes a page. `rows` are `limit + 1` rows fetched with
 * `WHERE key > $cursor ORDER BY key LIMIT $limit + 1`: the extra row only says another
 * page follows. The cursor is the last shown row's id, or `cursorOf(row)` when the list
 * is keyed by something else (trades by their trade id).
 *
 * @example
 * const rows = await listPayments({ limit: q.limit + 1, startingAfter: q.starting_after });
 * return c.json(toPage(rows, q.limit, paymentJson), 200);
 */
export function toPage<R extends { id: string }, T>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
): Page<T>;
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
  cursorOf: (r: R) => string,
): Page<T>;
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
  cursorOf: (r: R) => string = (r) => (r as { id: string }).id,
): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    object: 'list',
    data: items.map(map),
    has_more: hasMore,
    next_cursor: hasMore && last !== undefined ? cursorOf(last) : null,
  };
}

/** Refuses a cursor that is not an id of the listed kind. */
export function checkCursor(cursor: string | undefined, prefix: string): string | undefined {
  if (cursor === undefined) return undefined;
  if (!cursor.startsWith(`${prefix}_`)) {
    throw new ApiError(
      400,
      'invalid_request_error',
      'parameter_invalid',
      `starting_after must be a ${prefix}_ id`,
      'starting_after',
    );
  }
  return cursor;
}
