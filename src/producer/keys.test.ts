import { describe, expect, it } from 'vitest';
import { randomPrivateKey, signingKey, verifySignature } from './keys.js';

describe('producer signing keys', () => {
  it.each(['ed25519', 'secp256k1'] as const)(
    '%s signs deterministically and the signature verifies',
    (algorithm) => {
      const key = signingKey(algorithm, randomPrivateKey(algorithm));
      const msg = Buffer.from('vote bytes');
      const sig = key.sign(msg);
      expect(sig).toHaveLength(64);
      expect(Buffer.from(key.sign(msg))).toEqual(Buffer.from(sig));
      expect(verifySignature(algorithm, key.publicKey, msg, sig)).toBe(true);
      expect(verifySignature(algorithm, key.publicKey, Buffer.from('other'), sig)).toBe(false);
    },
  );

  it('keeps working after the caller wipes the private key it was made from', () => {
    const priv = randomPrivateKey('ed25519');
    const key = signingKey('ed25519', priv);
    priv.fill(0);
    const msg = Buffer.from('x');
    expect(verifySignature('ed25519', key.publicKey, msg, key.sign(msg))).toBe(true);
  });
});
