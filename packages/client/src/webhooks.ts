/**
 * Standard Webhooks verification for receivers of Vaultwire webhooks
 * (https://www.standardwebhooks.com): HMAC-SHA256 over `${id}.${timestamp}.${body}`,
 * any `v1,` signature of the header matching, timestamp within a tolerance.
 *
 * Written on WebCrypto rather than on the `standardwebhooks` package so the client runs
 * unchanged on Node 20, browsers, Deno, Bun and edge workers with no dependency; the
 * tests check it against both the server's signing and that reference library.
 */

/** The three Standard Webhooks headers, as any framework hands them over. */
export type WebhookHeaders =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifiedWebhook<T = unknown> {
  /** `webhook-id`: the same on every retry and replay of a message; deduplicate on it. */
  id: string;
  /** `webhook-timestamp`, as a date. */
  timestamp: Date;
  /** The parsed JSON body. */
  payload: T;
}

export type WebhookVerificationFailure =
  | 'missing_headers'
  | 'bad_secret'
  | 'timestamp_out_of_tolerance'
  | 'no_matching_signature'
  | 'bad_json';

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookVerificationFailure,
    message: string,
  ) {
    super(message);
  }
}

const PREFIX = 'whsec_';
const encoder = new TextEncoder();

/**
 * Verifies a delivery and returns its parsed payload, or throws a
 * `WebhookVerificationError` saying why not. Pass the raw body exactly as received (not
 * re-serialised JSON) and every live secret during a rotation.
 *
 * @example
 * app.post('/hooks', express.text({ type: '*\/*' }), async (req, res) => {
 *   const event = await verifyWebhook(process.env.WEBHOOK_SECRET, req.body, req.headers);
 *   res.sendStatus(204);
 * });
 */
export async function verifyWebhook<T = unknown>(
  secrets: string | readonly string[],
  body: string | Uint8Array,
  headers: WebhookHeaders,
  options: { toleranceSeconds?: number; now?: Date } = {},
): Promise<VerifiedWebhook<T>> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signature) {
    throw new WebhookVerificationError(
      'missing_headers',
      'webhook-id, webhook-timestamp and webhook-signature are required',
    );
  }
  const seconds = Number(timestamp);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (
    !/^\d{1,12}$/.test(timestamp) ||
    Math.abs(now - seconds) > (options.toleranceSeconds ?? 300)
  ) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      'webhook-timestamp is too far from now (a replayed or delayed message)',
    );
  }
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const signed = concat(encoder.encode(`${id}.${timestamp}.`), bytes);
  const given = signature
    .split(' ')
    .map((part) => part.split(','))
    .flatMap(([version, sig]) => (version === 'v1' && sig ? [sig] : []));
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const key = await crypto.subtle.importKey(
      'raw',
      secretBytes(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    for (const sig of given) {
      const mac = fromBase64(sig);
      // subtle.verify compares in constant time.
      if (mac && (await crypto.subtle.verify('HMAC', key, mac, signed))) {
        return { id, timestamp: new Date(seconds * 1000), payload: parse(bytes) as T };
      }
    }
  }
  throw new WebhookVerificationError(
    'no_matching_signature',
    'No webhook-signature matches the secret: wrong secret, or the body was altered',
  );
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return typeof value === 'string' ? value : value?.[0];
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret);
  if (!bytes || bytes.length < 24) {
    throw new WebhookVerificationError('bad_secret', 'The secret is not a whsec_… signing secret');
  }
  return bytes;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function parse(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new WebhookVerificationError('bad_json', 'The body is not JSON');
  }
}
