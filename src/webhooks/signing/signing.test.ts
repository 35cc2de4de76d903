import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { deliveryHeaders, generateSecret, secretKey, verifySignature } from './signing.js';

/** The Standard Webhooks reference library verifies what we sign. */
describe('Standard Webhooks signatures', () => {
  const body = JSON.stringify({ id: 'wev_1', type: 'address.activity', data: { amount: '1' } });
  const now = Math.floor(Date.now() / 1000);

  it('verify with the reference library, and fail for a tampered body or another secret', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = deliveryHeaders([secretKey(secret)], 'msg_1', now, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('"1"', '"2"'), headers)).toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
  });

  it('carry one signature per live secret during a rotation, each verifying on its own', () => {
    const previous = generateSecret();
    const next = generateSecret();
    const headers = deliveryHeaders([secretKey(next), secretKey(previous)], 'msg_2', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
    expect(new Webhook(next).verify(body, headers)).toBeTruthy();
    expect(
      verifySignature(
        previous,
        { id: 'msg_2', timestamp: String(now), signature: headers['webhook-signature'] },
        body,
      ),
    ).toBe(true);
  });

  it('match the reference library byte for byte', () => {
    const secret = generateSecret();
    const ts = new Date(now * 1000);
    const ours = deliveryHeaders([secretKey(secret)], 'msg_3', now, body)['webhook-signature'];
    expect(ours).toBe(new Webhook(secret).sign('msg_3', ts, body));
  });

  it('are refused by verifiers once the timestamp is stale (replay protection)', () => {
    const secret = generateSecret();
    const old = now - 3600;
    const headers = deliveryHeaders([secretKey(secret)], 'msg_4', old, body);
    expect(() => new Webhook(secret).verify(body, headers)).toThrow(/timestamp/i);
  });
});
