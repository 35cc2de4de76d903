import { createHash, randomBytes, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Bearer tokens: API keys (`vwk_…`) and session tokens (`vws_…`).
 *
 * Layout: prefix, `_`, 43 base62 characters holding 256 random bits, 6 base62
 * characters of CRC-32 over everything before them. The prefix tells people and secret
 * scanners what leaked; the checksum lets a scanner (and us) reject a mistyped or made-up
 * token without a database lookup. Base62 keeps the token one double-click word.
 *
 * Only `hashToken(token)` is stored. A plain SHA-256 is the right tool here: the input
 * has 256 bits of entropy, so there is nothing to brute-force and no salt to add, and a
 * fast hash keeps the per-request lookup cheap.
 */

export const TOKEN_PREFIXES = { apiKey: 'vwk', session: 'vws' } as const;
export type TokenPrefix = (typeof TOKEN_PREFIXES)[keyof typeof TOKEN_PREFIXES];

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_CHARS = 43;
const CHECK_CHARS = 6;
const TOKEN = /^(vwk|vws)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

function base62(value: bigint, width: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = (BASE62[Number(v % 62n)] ?? '0') + out;
    v /= 62n;
  }
  return out;
}

function checksum(text: string): string {
  return base62(BigInt(crc32(text)), CHECK_CHARS);
}

export interface IssuedToken {
  /** The secret: shown to its owner once, never stored. */
  token: string;
  /** What is stored and looked up. */
  hash: string;
  /** Last four characters, for people to recognise a key in a list. */
  last4: string;
}

/** A new random token with this prefix. */
export function issueToken(prefix: TokenPrefix): IssuedToken {
  const body = base62(BigInt(`0x${randomBytes(32).toString('hex')}`), BODY_CHARS);
  const head = `${prefix}_${body}`;
  const token = head + checksum(head);
  return { token, hash: hashToken(token), last4: token.slice(-4) };
}

/**
 * The prefix of a well-formed token whose checksum holds, else `undefined`. Says nothing
 * about whether the token exists.
 */
export function tokenKind(token: string): TokenPrefix | undefined {
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const [, prefix, body, check] = m;
  if (checksum(`${prefix ?? ''}_${body ?? ''}`) !== check) return undefined;
  return prefix as TokenPrefix;
}

/** SHA-256 of the token, hex: the only form in which tokens are stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

// Crockford base32 without the letters people confuse (i, l, o, u).
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A single-use recovery code, `xxxx-xxxx-xxxx-xxxx`: 80 random bits. */
export function generateRecoveryCode(): string {
  let raw = '';
  for (let i = 0; i < 16; i++) raw += RECOVERY_ALPHABET[randomInt(32)] ?? '';
  return raw.match(/.{4}/g)?.join('-') ?? raw;
}

/** Hash of a recovery code as typed: case, spaces and dashes do not matter. */
export function hashRecoveryCode(code: string): string {
  const normalised = code.toLowerCase().replace(/[^0-9a-z]/g, '');
  return createHash('sha256').update(`vaultwire/recovery/${normalised}`).digest('hex');
}
