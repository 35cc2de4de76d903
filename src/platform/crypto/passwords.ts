import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (memory-hard, in node:crypto, no native addon).
 *
 * Hashes are PHC strings that carry their own parameters:
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (unpadded base64). A hash made at a lower cost
 * still verifies after the configured cost rises; `needsRehash` tells the caller to
 * store a fresh hash at the next successful login.
 */

export interface PasswordHashParams {
  /** log2 of scrypt's N (CPU/memory cost). Memory is 128 × r × 2^ln bytes. */
  log2N: number;
  /** Block size. */
  r?: number;
  /** Parallelisation. */
  p?: number;
}

const DEFAULT_R = 8;
const DEFAULT_P = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface Parsed {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function scryptAsync(password: Buffer, salt: Buffer, ln: number, r: number, p: number) {
  const N = 2 ** ln;
  const options: ScryptOptions = {
    N,
    r,
    p,
    // Node's default ceiling (32 MiB) sits exactly at ln=15, r=8; allow twice the need.
    maxmem: 256 * N * r + 1024 * 1024,
  };
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, HASH_BYTES, options, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/**
 * NFKC first, so the same password typed on two keyboards (composed vs decomposed
 * accents, full-width digits) gives the same hash.
 */
function encode(password: string): Buffer {
  return Buffer.from(password.normalize('NFKC'), 'utf8');
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

function parse(stored: string): Parsed | undefined {
  const m = PHC.exec(stored);
  if (!m) return undefined;
  const ln = Number(m[1]);
  const r = Number(m[2]);
  const p = Number(m[3]);
  if (ln < 1 || ln > 30 || r < 1 || p < 1) return undefined;
  return {
    ln,
    r,
    p,
    salt: Buffer.from(m[4] ?? '', 'base64'),
    hash: Buffer.from(m[5] ?? '', 'base64'),
  };
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string, params: PasswordHashParams): Promise<string> {
  const r = params.r ?? DEFAULT_R;
  const p = params.p ?? DEFAULT_P;
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(encode(password), salt, params.log2N, r, p);
  return `$scrypt$ln=${params.log2N},r=${r},p=${p}$${b64(salt)}$${b64(hash)}`;
}

/**
 * True when `password` matches `stored`. Compares in constant time; a malformed stored
 * hash is a mismatch, never an exception.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const candidate = await scryptAsync(encode(password), parsed.salt, parsed.ln, parsed.r, parsed.p);
  return candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}

/** True when `stored` was made with weaker (or different) parameters than `params`. */
export function needsRehash(stored: string, params: PasswordHashParams): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  return (
    parsed.ln < params.log2N ||
    parsed.r !== (params.r ?? DEFAULT_R) ||
    parsed.p !== (params.p ?? DEFAULT_P) ||
    parsed.hash.length !== HASH_BYTES
  );
}
