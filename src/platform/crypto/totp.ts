import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238), with the base32 secrets and
 * `otpauth://` URIs that authenticator apps read. Defaults are what every app supports:
 * HMAC-SHA1, 6 digits, 30-second steps.
 */

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  /** Step length in seconds (default 30). */
  stepSeconds?: number;
  /** Code length (default 6). */
  digits?: number;
  algorithm?: TotpAlgorithm;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as authenticator apps expect. */
export function base32Encode(data: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31] ?? '';
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31] ?? '';
  return out;
}

/** Decodes base32 (case, spaces and padding ignored); throws on other characters. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const idx = BASE32.indexOf(ch);
    if (idx < 0) throw new Error('not a base32 string');
    value = ((value << 5) | idx) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 160 random bits, the length RFC 4226 recommends for HMAC-SHA1. */
export function generateTotpSecret(): Buffer {
  return randomBytes(20);
}

/** HOTP value for one counter (RFC 4226 §5.3, dynamic truncation). */
export function hotp(
  secret: Buffer,
  counter: number | bigint,
  digits = 6,
  algorithm: TotpAlgorithm = 'sha1',
): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step that `timeMs` falls in. */
export function totpStep(timeMs: number, stepSeconds = 30): number {
  return Math.floor(timeMs / 1000 / stepSeconds);
}

/** TOTP code at `timeMs` (RFC 6238). */
export function totp(secret: Buffer, timeMs: number, options: TotpOptions = {}): string {
  return hotp(
    secret,
    totpStep(timeMs, options.stepSeconds),
    options.digits ?? 6,
    options.algorithm ?? 'sha1',
  );
}

/**
 * Checks `code` against the steps around `timeMs` (± `window` steps, for clock drift and
 * typing time). Returns the matching step, or `undefined`. Every candidate is compared
 * in constant time, so timing does not reveal which step was close.
 *
 * Only steps after `afterStep` count: the caller passes the last step it accepted, so a
 * code cannot be used twice (RFC 6238 §5.2).
 */
export function verifyTotp(
  secret: Buffer,
  code: string,
  timeMs: number,
  options: TotpOptions & { window?: number; afterStep?: number } = {},
): number | undefined {
  const digits = options.digits ?? 6;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return undefined;
  const given = Buffer.from(code);
  const current = totpStep(timeMs, options.stepSeconds);
  const window = options.window ?? 1;
  let matched: number | undefined;
  for (let step = current - window; step <= current + window; step++) {
    const expected = Buffer.from(hotp(secret, step, digits, options.algorithm ?? 'sha1'));
    const equal = timingSafeEqual(expected, given);
    if (equal && (options.afterStep === undefined || step > options.afterStep)) matched = step;
  }
  return matched;
}

/** The `otpauth://totp/…` URI an authenticator app scans (as a QR code) to enrol. */
export function otpauthUri(options: {
  issuer: string;
  account: string;
  secret: Buffer;
  digits?: number;
  stepSeconds?: number;
}): string {
  const label = `${encodeURIComponent(options.issuer)}:${encodeURIComponent(options.account)}`;
  const params = new URLSearchParams({
    secret: base32Encode(options.secret),
    issuer: options.issuer,
    algorithm: 'SHA1',
    digits: String(options.digits ?? 6),
    period: String(options.stepSeconds ?? 30),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
