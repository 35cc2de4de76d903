import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks v1 signatures (HMAC-SHA256, symmetric). The signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}` over the exact bytes sent; the header
 * carries one `v1,<base64>` per live secret, space-separated, so receivers keep
 * verifying while a rotation overlaps two secrets.
 */

export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A new signing secret, `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The key bytes of a `whsec_…` secret. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a whsec_ secret');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length < 24 || key.length > 64) throw new Error('a signing secret is 24 to 64 bytes');
  return key;
}

/** The `webhook-signature` header value for one message under every key given. */
export function signatureHeader(
  keys: readonly Buffer[],
  messageId: string,
  timestampSeconds: number,
  body: string | Buffer,
): string {
  const parts: string[] = [];
  for (const key of keys) {
    const mac = createHmac('sha256', key);
    mac.update(`${messageId}.${timestampSeconds}.`);
    mac.update(body);
    parts.push(`v1,${mac.digest('base64')}`);
  }
  return parts.join(' ');
}

/** Headers of one delivery attempt. */
export interface DeliveryHeaders extends Record<string, string> {
  'content-type': string;
  'user-agent': string;
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function deliveryHeaders(
  keys: readonly Buffer[],
  messageId: string,
  timestampSeconds: number,
  body: string | Buffer,
): DeliveryHeaders {
  return {
    'content-type': 'application/json',
    'user-agent': 'Vaultwire-Webhooks/1',
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatureHeader(keys, messageId, timestampSeconds, body),
  };
}

/**
 * Verifies headers against a secret the way receivers should (used by the CLI and
 * tests): any `v1` signature matching, timestamp within `toleranceSeconds`.
 */
export function verifySignature(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string | Buffer,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(
    signatureHeader([secretKey(secret)], headers.id, ts, body).slice(3),
    'base64',
  );
  for (const part of headers.signature.split(' ')) {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || sig === undefined) continue;
    const got = Buffer.from(sig, 'base64');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return true;
  }
  return false;
}
