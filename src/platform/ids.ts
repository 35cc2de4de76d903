import { randomBytes } from 'node:crypto';

/**
 * Stripe-style prefixed ids: `usr_01JD7Q…`. The body is a ULID (48-bit millisecond time
 * + 80 random bits, Crockford base32), so ids sort by creation time and make good cursor
 * keys. Within one millisecond the random part is incremented, keeping the order strict
 * inside a process.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Every prefix in use, so a glance at an id tells what it names. */
export const ID_PREFIXES = {
  user: 'usr',
  apiKey: 'key',
  session: 'ses',
  request: 'req',
  audit: 'aud',
  job: 'job',
  event: 'evt',
} as const;

export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES] | (string & {});

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

function encodeTime(time: number): string {
  let out = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = (ALPHABET[t % 32] ?? '0') + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** The 80 random bits of a ULID as 16 Crockford base32 characters (exported for its test). */
export function encodeRandom(bytes: Uint8Array): string {
  // 80 bits -> 16 base32 characters: each 5 bytes are 40 bits, 8 characters. Plain
  // numbers (40 bits fit a double exactly) rather than a BigInt: ids are made on hot
  // paths (one per webhook message), and this is ~7x cheaper.
  return encode40(bytes, 0) + encode40(bytes, 5);
}

function encode40(bytes: Uint8Array, at: number): string {
  let hi = ((bytes[at] ?? 0) << 12) | ((bytes[at + 1] ?? 0) << 4) | ((bytes[at + 2] ?? 0) >> 4);
  let lo =
    (((bytes[at + 2] ?? 0) & 0x0f) << 16) | ((bytes[at + 3] ?? 0) << 8) | (bytes[at + 4] ?? 0);
  let out = '';
  for (let i = 0; i < 4; i++) {
    out = (ALPHABET[lo & 31] ?? '0') + out;
    lo >>>= 5;
  }
  for (let i = 0; i < 4; i++) {
    out = (ALPHABET[hi & 31] ?? '0') + out;
    hi >>>= 5;
  }
  return out;
}

/**
 * Random bytes are drawn from OpenSSL 4 KiB at a time: a draw per id (one per API
 * request, for its request id) showed in the API's CPU profile (bench:api), while one
 * draw per 400 ids does not. Ids stay unpredictable: every byte is used once.
 */
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let poolAt = 0;

function randomTen(): Uint8Array {
  if (poolAt + 10 > pool.length) {
    pool = new Uint8Array(randomBytes(POOL_BYTES));
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + 10);
  poolAt += 10;
  return out;
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = new Uint8Array(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    const v = (next[i] ?? 0) + 1;
    next[i] = v & 0xff;
    if (v <= 0xff) return next;
  }
  // 2^80 ids in one millisecond: not a real concern, but never return a duplicate.
  return randomTen();
}

/** A new ULID string (26 characters). */
export function ulid(now = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
    return encodeTime(lastTime) + encodeRandom(lastRandom);
  }
  lastTime = now;
  lastRandom = randomTen();
  return encodeTime(now) + encodeRandom(lastRandom);
}

/**
 * The lower bound of the ids of `prefix` made at `timeMs` or later: every id made
 * earlier sorts below it (in byte order, and in any collation that puts digits before
 * capital letters, as PostgreSQL's do), so a primary-key range read finds old rows.
 */
export function idBefore(prefix: IdPrefix, timeMs: number): string {
  return `${prefix}_${encodeTime(timeMs)}`;
}

/** `newId('usr')` → `usr_01JD7Q4Z…` */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` is a well-formed id with this prefix. */
export function isId(prefix: IdPrefix, value: string): boolean {
  const [p, body, extra] = value.split('_');
  return p === prefix && extra === undefined && body !== undefined && ID_BODY.test(body);
}
