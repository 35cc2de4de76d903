import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  deliveryHeaders,
  generateSecret,
  secretKey,
} from '../../../src/webhooks/signing/signing.js';
import { verifyWebhook, WebhookVerificationError } from './webhooks.js';

const body = JSON.stringify({ type: 'payment.completed', data: { amount: '12.50' } });
const now = new Date('2026-01-01T00:00:00Z');
const seconds = Math.floor(now.getTime() / 1000);

function signed(secrets: string[], at = seconds, payload = body) {
  return deliveryHeaders(secrets.map(secretKey), 'msg_01TEST', at, payload);
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'verified';
  } catch (err) {
    return err instanceof WebhookVerificationError ? err.reason : String(err);
  }
}

describe('verifyWebhook (receivers of Vaultwire webhooks)', () => {
  it('accepts a delivery signed by the server and returns its id and payload', async () => {
    const secret = generateSecret();
    const event = await verifyWebhook(secret, body, signed([secret]), { now });
    expect(event.id).toBe('msg_01TEST');
    expect(event.timestamp).toEqual(now);
    expect(event.payload).toEqual({ type: 'payment.completed', data: { amount: '12.50' } });
  });

  it('accepts a Fetch Headers object and a body given as bytes', async () => {
    const secret = generateSecret();
    const headers = new Headers(signed([secret]));
    const event = await verifyWebhook(secret, new TextEncoder().encode(body), headers, { now });
    expect(event.id).toBe('msg_01TEST');
  });

  it('keeps verifying during a secret rotation (either secret, either side)', async () => {
    const [old, fresh] = [generateSecret(), generateSecret()];
    const headers = signed([old, fresh]);
    expect(await reason(verifyWebhook(old, body, headers, { now }))).toBe('verified');
    expect(await reason(verifyWebhook(fresh, body, headers, { now }))).toBe('verified');
    const onlyNew = signed([fresh]);
    expect(await reason(verifyWebhook([old, fresh], body, onlyNew, { now }))).toBe('verified');
  });

  it('refuses an altered body, a wrong secret and a missing header', async () => {
    const secret = generateSecret();
    const headers = signed([secret]);
    expect(
      await reason(verifyWebhook(secret, body.replace('12.50', '99.00'), headers, { now })),
    ).toBe('no_matching_signature');
    expect(await reason(verifyWebhook(generateSecret(), body, headers, { now }))).toBe(
      'no_matching_signature',
    );
    const { 'webhook-signature': _dropped, ...unsigned } = headers;
    expect(await reason(verifyWebhook(secret, body, unsigned, { now }))).toBe('missing_headers');
    expect(await reason(verifyWebhook('not-a-secret', body, headers, { now }))).toBe('bad_secret');
  });

  it('refuses a message older or newer than the tolerance (a replay)', async () => {
    const secret = generateSecret();
    const stale = signed([secret], seconds - 301);
    expect(await reason(verifyWebhook(secret, body, stale, { now }))).toBe(
      'timestamp_out_of_tolerance',
    );
    expect(await reason(verifyWebhook(secret, body, stale, { now, toleranceSeconds: 600 }))).toBe(
      'verified',
    );
  });

  it('agrees with the standardwebhooks reference library in both directions', async () => {
    const secret = generateSecret();
    const reference = new Webhook(secret);
    const at = new Date();
    const signature = reference.sign('msg_REF', at, body);
    const headers = {
      'webhook-id': 'msg_REF',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect((await verifyWebhook(secret, body, headers)).id).toBe('msg_REF');
    const ours = signed([secret], Math.floor(Date.now() / 1000));
    expect(reference.verify(body, ours)).toEqual(JSON.parse(body));
  });
});
