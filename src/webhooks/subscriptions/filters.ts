import { decodeEventLog, parseAbiItem, type AbiEvent } from 'viem';
import { z } from 'zod';
import { fail, type Failure } from '../../platform/failure.js';

/**
 * Subscription filters: what each kind of subscription matches, validated once at the
 * API and compiled once per process.
 */

export const SUBSCRIPTION_KINDS = [
  'address_activity',
  'contract_log',
  'new_block',
  'transaction',
] as const;
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number];

export const STAGES = ['pending', 'confirmed', 'removed'] as const;
export type Stage = (typeof STAGES)[number];

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address');
const topic = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 32-byte hex topic');
const scalar = z.union([z.string().max(200), z.number(), z.boolean()]);

/** A condition on ABI-decoded fields: a leaf, or `and` / `or` of conditions. */
export type Predicate =
  | {
      field: string;
      op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
      value: string | number | boolean;
    }
  | { field: string; op: 'in' | 'nin'; value: (string | number | boolean)[] }
  | { and: Predicate[] }
  | { or: Predicate[] };

const fieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be an event field name');

export const PredicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z.union([
    z.strictObject({
      field: fieldName,
      op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']),
      value: scalar,
    }),
    z.strictObject({
      field: fieldName,
      op: z.enum(['in', 'nin']),
      value: z.array(scalar).min(1).max(100),
    }),
    z.strictObject({ and: z.array(PredicateSchema).min(1).max(20) }),
    z.strictObject({ or: z.array(PredicateSchema).min(1).max(20) }),
  ]),
);

const stages = z.array(z.enum(STAGES)).min(1).max(3).optional();

export const AddressActivityFilter = z.strictObject({
  /** Transfer kinds to report (default all). */
  kinds: z
    .array(z.enum(['native', 'erc20', 'erc721', 'erc1155']))
    .min(1)
    .max(4)
    .optional(),
  stages,
});

export const ContractLogFilter = z.strictObject({
  addresses: z.array(address).min(1).max(100).optional(),
  /** Per position: a topic, any of several, or null for "anything". */
  topics: z
    .array(z.union([topic, z.array(topic).min(1).max(20), z.null()]))
    .max(4)
    .optional(),
  /** Human-readable event signature to decode with: `event Transfer(address indexed from, …)`. */
  abi: z.string().startsWith('event ').max(1000).optional(),
  /** Condition on the decoded fields (needs `abi`). */
  where: PredicateSchema.optional(),
  stages,
});

export const NewBlockFilter = z.strictObject({ stages });
/** Bounds of a transaction subscription's `drop_after_seconds`. */
export const DROP_AFTER_SECONDS = { min: 10, max: 30 * 86_400 } as const;

export const TransactionFilter = z.strictObject({
  stages,
  /**
   * Chain time a watched hash has to be mined in before `tx.dropped` is sent (default:
   * the `VW_WEBHOOK_TX_DROP_AFTER_SECONDS` setting).
   */
  drop_after_seconds: z
    .number()
    .int()
    .min(DROP_AFTER_SECONDS.min)
    .max(DROP_AFTER_SECONDS.max)
    .optional(),
});

export type AddressActivityFilter = z.infer<typeof AddressActivityFilter>;
export type ContractLogFilter = z.infer<typeof ContractLogFilter>;

export const FILTER_SCHEMAS = {
  address_activity: AddressActivityFilter,
  contract_log: ContractLogFilter,
  new_block: NewBlockFilter,
  transaction: TransactionFilter,
} as const;

/** Validates a filter for a kind; returns the parsed filter, or a failure naming the field. */
export function parseFilter(
  kind: SubscriptionKind,
  raw: unknown,
): Record<string, unknown> | Failure<'filter_invalid'> {
  const r = FILTER_SCHEMAS[kind].safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue && issue.path.length > 0 ? `filter.${issue.path.join('.')}: ` : 'filter: ';
    return fail('filter_invalid', { message: `${at}${issue?.message ?? 'invalid'}` });
  }
  if (kind === 'contract_log') {
    const f = r.data as ContractLogFilter;
    let event: AbiEvent | undefined;
    if (f.abi !== undefined) {
      try {
        const item = parseAbiItem(f.abi);
        if (item.type !== 'event')
          return fail('filter_invalid', { message: 'filter.abi: not an event' });
        event = item;
      } catch (err) {
        return fail('filter_invalid', {
          message: `filter.abi: ${(err as Error).message.split('\n')[0]}`,
        });
      }
    }
    if (f.where !== undefined) {
      if (event === undefined) {
        return fail('filter_invalid', {
          message: 'filter.where: needs filter.abi to decode the fields',
        });
      }
      // A field the event does not have never matches: the subscription would be silent.
      const fields = new Set(event.inputs.flatMap((i) => (i.name ? [i.name] : [])));
      const missing = predicateFields(f.where).find((name) => !fields.has(name));
      if (missing !== undefined) {
        const known = fields.size > 0 ? [...fields].join(', ') : 'none named';
        return fail('filter_invalid', {
          message: `filter.where: ${event.name} has no field "${missing}" (its fields: ${known})`,
        });
      }
    }
    if (
      f.addresses === undefined &&
      (f.topics === undefined || f.topics.every((t) => t === null))
    ) {
      return fail('filter_invalid', { message: 'filter: give addresses or at least one topic' });
    }
  }
  return r.data;
}

function predicateFields(p: Predicate): string[] {
  if ('and' in p) return p.and.flatMap(predicateFields);
  if ('or' in p) return p.or.flatMap(predicateFields);
  return [p.field];
}

/** A compiled contract-log filter. */
export interface CompiledLogFilter {
  addresses: Set<string> | null;
  topics: (Set<string> | null)[];
  abi: AbiEvent | null;
  where: Predicate | undefined;
}

export function compileLogFilter(f: ContractLogFilter): CompiledLogFilter {
  return {
    addresses: f.addresses ? new Set(f.addresses.map((a) => a.toLowerCase())) : null,
    topics: (f.topics ?? []).map((t) =>
      t === null ? null : new Set((Array.isArray(t) ? t : [t]).map((x) => x.toLowerCase())),
    ),
    abi: f.abi ? (parseAbiItem(f.abi) as AbiEvent) : null,
    where: f.where,
  };
}

export function topicsMatch(f: CompiledLogFilter, topics: readonly string[]): boolean {
  for (let i = 0; i < f.topics.length; i++) {
    const want = f.topics[i];
    if (!want) continue;
    const got = topics[i];
    if (got === undefined || !want.has(got)) return false;
  }
  return true;
}

/** ABI-decodes a raw log with the filter's event; null when it does not fit. */
export function decodeWith(
  abi: AbiEvent,
  topics: readonly string[],
  data: string,
): { eventName: string; args: Record<string, unknown> } | null {
  try {
    const d = decodeEventLog({
      abi: [abi],
      data: data as `0x${string}`,
      topics: topics as [`0x${string}`, ...`0x${string}`[]],
    });
    return { eventName: d.eventName, args: jsonSafe(d.args) as Record<string, unknown> };
  } catch {
    return null;
  }
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v)) return v.toLowerCase();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}

const INTEGER = /^-?\d+$/;

function compare(a: unknown, b: string | number | boolean): number | undefined {
  if (typeof b === 'boolean' || typeof a === 'boolean') return a === b ? 0 : undefined;
  const as = typeof a === 'string' ? a : typeof a === 'number' ? String(a) : undefined;
  if (as === undefined) return undefined;
  const bs = String(b);
  if (INTEGER.test(as) && INTEGER.test(bs)) {
    const x = BigInt(as);
    const y = BigInt(bs);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = as.toLowerCase();
  const y = bs.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Evaluates a predicate on decoded args (numbers compared as integers, text case-insensitively). */
export function evaluate(p: Predicate, args: Record<string, unknown>): boolean {
  if ('and' in p) return p.and.every((q) => evaluate(q, args));
  if ('or' in p) return p.or.some((q) => evaluate(q, args));
  const v = args[p.field];
  switch (p.op) {
    case 'in':
      return p.value.some((x) => compare(v, x) === 0);
    case 'nin':
      return !p.value.some((x) => compare(v, x) === 0);
    default: {
      const c = compare(v, p.value);
      if (c === undefined) return p.op === 'ne';
      switch (p.op) {
        case 'eq':
          return c === 0;
        case 'ne':
          return c !== 0;
        case 'gt':
          return c > 0;
        case 'gte':
          return c >= 0;
        case 'lt':
          return c < 0;
        case 'lte':
          return c <= 0;
      }
    }
  }
}
