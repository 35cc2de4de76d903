import { createHash } from 'node:crypto';
import { newId } from '../platform/ids.js';
import type { LedgerContext } from './context.js';
import { failure, LedgerError, type LedgerFailure } from './errors.js';
import type { Leg, Metadata, PostInput, TransactionKind, TransferInput } from './model.js';
import { MAX_AMOUNT } from './money.js';

/**
 * Checks on what callers hand the ledger, before anything touches the database, and the
 * preparation of a transfer or posting into the form the engine applies. A refusal here
 * is a value (`LedgerFailure`) and nothing was written.
 */

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const MAX_LEGS = 64;
export const MAX_BATCH_ITEMS = 10_000;
const MAX_DESCRIPTION = 1000;
const MAX_METADATA_BYTES = 4096;
export const ASSET_CODE = /^[A-Z][A-Z0-9]{1,15}$/;
// Inputs come from JavaScript callers too: enumerations are checked at run time.
const SIDES: ReadonlySet<string> = new Set(['debit', 'credit']);
export const ASSET_KINDS: ReadonlySet<string> = new Set(['fiat', 'crypto']);
export const ACCOUNT_STATUSES: ReadonlySet<string> = new Set(['active', 'frozen']);

/** A write that passed validation, ready for the engine. */
export interface Prepared {
  key: string;
  operation: 'transfer' | 'post';
  requestHash: string;
  id: string;
  kind: TransactionKind;
  legs: Leg[];
  effectiveAt: Date;
  description: string | null;
  metadata: Metadata | null;
  reversesId: string | null;
  holdId: string | null;
}

export function hashRequest(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

export function sortedMetadata(m: Metadata | undefined): [string, unknown][] | null {
  if (m === undefined) return null;
  return Object.keys(m)
    .sort()
    .map((k) => [k, m[k]]);
}

export function checkKey(key: unknown): LedgerFailure | undefined {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    return failure(
      LedgerError.InvalidRequest,
      'The idempotency key must be 1 to 255 printable ASCII characters',
      'key',
    );
  }
  return undefined;
}

export function checkAmount(amount: unknown, param = 'amount'): LedgerFailure | undefined {
  if (typeof amount !== 'bigint') {
    return failure(LedgerError.AmountMalformed, 'Amounts are bigint minor units', param);
  }
  if (amount < 0n) return failure(LedgerError.AmountNegative, `${amount} is negative`, param);
  if (amount === 0n)
    return failure(LedgerError.AmountZero, 'The amount must be greater than zero', param);
  if (amount > MAX_AMOUNT)
    return failure(LedgerError.AmountTooLarge, `${amount} is too large`, param);
  return undefined;
}

export function checkText(description: unknown, metadata: unknown): LedgerFailure | undefined {
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > MAX_DESCRIPTION)
  ) {
    return failure(
      LedgerError.InvalidRequest,
      `The description must be a string of at most ${MAX_DESCRIPTION} characters`,
      'description',
    );
  }
  if (metadata !== undefined) {
    const ok =
      typeof metadata === 'object' &&
      metadata !== null &&
      !Array.isArray(metadata) &&
      Object.values(metadata).every(
        (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v),
      ) &&
      Buffer.byteLength(JSON.stringify(metadata)) <= MAX_METADATA_BYTES;
    if (!ok) {
      return failure(
        LedgerError.InvalidRequest,
        `Metadata is a flat object of strings, numbers, booleans and nulls, at most ${MAX_METADATA_BYTES} bytes`,
        'metadata',
      );
    }
  }
  return undefined;
}

export function checkDate(value: unknown, param: string): LedgerFailure | undefined {
  if (value !== undefined && (!(value instanceof Date) || Number.isNaN(value.getTime()))) {
    return failure(LedgerError.InvalidRequest, `${param} must be a valid Date`, param);
  }
  return undefined;
}

/** What preparing a write needs from the service: the asset cache and the clock. */
type PrepareContext = Pick<LedgerContext, 'knownAsset' | 'clock'>;

export function checkAccountId(id: unknown, param: string): LedgerFailure | undefined {
  if (typeof id !== 'string' || id.length === 0 || id.length > 100) {
    return failure(LedgerError.UnknownAccount, `No account ${String(id)}`, param);
  }
  return undefined;
}

export async function prepareTransfer(
  ctx: PrepareContext,
  input: TransferInput,
): Promise<Prepared | LedgerFailure> {
  const bad =
    checkKey(input.key) ??
    checkAmount(input.amount) ??
    checkAccountId(input.from, 'from') ??
    checkAccountId(input.to, 'to') ??
    checkText(input.description, input.metadata) ??
    checkDate(input.effectiveAt, 'effectiveAt') ??
    (await ctx.knownAsset(input.asset, 'asset'));
  if (bad) return bad;
  if (input.from === input.to) {
    return failure(LedgerError.SameAccount, 'Cannot transfer from an account to itself', 'to');
  }
  return {
    key: input.key,
    operation: 'transfer',
    requestHash: hashRequest([
      'transfer',
      input.from,
      input.to,
      input.asset,
      input.amount.toString(),
      input.effectiveAt?.toISOString() ?? null,
      input.description ?? null,
      sortedMetadata(input.metadata),
    ]),
    id: newId('ltx'),
    kind: 'transfer',
    legs: [
      { accountId: input.from, asset: input.asset, direction: 'debit', amount: input.amount },
      { accountId: input.to, asset: input.asset, direction: 'credit', amount: input.amount },
    ],
    effectiveAt: input.effectiveAt ?? ctx.clock(),
    description: input.description ?? null,
    metadata: input.metadata ?? null,
    reversesId: null,
    holdId: null,
  };
}

export async function preparePost(
  ctx: PrepareContext,
  input: PostInput,
): Promise<Prepared | LedgerFailure> {
  const bad =
    checkKey(input.key) ??
    checkText(input.description, input.metadata) ??
    checkDate(input.effectiveAt, 'effectiveAt');
  if (bad) return bad;
  const inputLegs: readonly Leg[] = input.legs;
  // Not a narrowing check: Array.isArray would widen the legs to any[].
  const isList: boolean = Array.isArray(inputLegs);
  if (!isList || inputLegs.length < 2 || inputLegs.length > MAX_LEGS) {
    return failure(LedgerError.InvalidRequest, `A transaction has 2 to ${MAX_LEGS} legs`, 'legs');
  }
  const net = new Map<string, bigint>();
  for (const [i, leg] of inputLegs.entries()) {
    const legBad =
      checkAmount(leg.amount, `legs[${i}].amount`) ??
      checkAccountId(leg.accountId, `legs[${i}].accountId`) ??
      (await ctx.knownAsset(leg.asset, `legs[${i}].asset`));
    if (legBad) return legBad;
    if (!SIDES.has(leg.direction)) {
      return failure(
        LedgerError.InvalidRequest,
        'direction is debit or credit',
        `legs[${i}].direction`,
      );
    }
    net.set(
      leg.asset,
      (net.get(leg.asset) ?? 0n) + (leg.direction === 'debit' ? leg.amount : -leg.amount),
    );
  }
  for (const [code, n] of net) {
    if (n !== 0n) {
      return failure(
        LedgerError.Unbalanced,
        `Debits and credits in ${code} differ by ${n < 0n ? -n : n} minor units`,
        'legs',
      );
    }
  }
  const legs = inputLegs.map((l) => ({
    accountId: l.accountId,
    asset: l.asset,
    direction: l.direction,
    amount: l.amount,
  }));
  return {
    key: input.key,
    operation: 'post',
    requestHash: hashRequest([
      'post',
      legs.map((l) => [l.accountId, l.asset, l.direction, l.amount.toString()]),
      input.effectiveAt?.toISOString() ?? null,
      input.description ?? null,
      sortedMetadata(input.metadata),
    ]),
    id: newId('ltx'),
    kind: 'transfer',
    legs,
    effectiveAt: input.effectiveAt ?? ctx.clock(),
    description: input.description ?? null,
    metadata: input.metadata ?? null,
    reversesId: null,
    holdId: null,
  };
}

export function prepare(
  ctx: PrepareContext,
  item: TransferInput | PostInput,
): Promise<Prepared | LedgerFailure> {
  return 'legs' in item ? preparePost(ctx, item) : prepareTransfer(ctx, item);
}
