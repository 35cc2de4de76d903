import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { secp256k1 } from '@noble/curves/secp256k1';

const sha256 = (m: Uint8Array) => createHash('sha256').update(m).digest();

/** The key types a producer signs with. */
export type KeyAlgorithm = 'ed25519' | 'secp256k1';

export interface SigningKey {
  readonly algorithm: KeyAlgorithm;
  readonly publicKey: Uint8Array;
  /** Deterministic: the same message always gets the same signature (RFC 8032 / RFC 6979). */
  sign(message: Uint8Array): Uint8Array;
}

/**
 * A key from its 32 private bytes. Ed25519 signs the message (CometBFT); secp256k1 signs
 * its SHA-256 (Cosmos SDK's secp256k1 validators), as a 64-byte compact r‖s with low s.
 */
export function signingKey(algorithm: KeyAlgorithm, privateKey: Uint8Array): SigningKey {
  if (privateKey.length !== 32) throw new Error('a private key is 32 bytes');
  // A copy of its own: the caller wipes its buffer once the key is made.
  privateKey = Uint8Array.from(privateKey);
  if (algorithm === 'ed25519') {
    return {
      algorithm,
      publicKey: ed25519.getPublicKey(privateKey),
      sign: (m) => ed25519.sign(m, privateKey),
    };
  }
  return {
    algorithm,
    publicKey: secp256k1.getPublicKey(privateKey, true),
    sign: (m) => secp256k1.sign(sha256(m), privateKey, { lowS: true }).toCompactRawBytes(),
  };
}

/** Checks a signature (the tests and `vaultwire producer status` use it). */
export function verifySignature(
  algorithm: KeyAlgorithm,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (algorithm === 'ed25519') return ed25519.verify(signature, message, publicKey);
  return secp256k1.verify(signature, sha256(message), publicKey);
}

export function randomPrivateKey(algorithm: KeyAlgorithm): Uint8Array {
  return algorithm === 'ed25519'
    ? ed25519.utils.randomPrivateKey()
    : secp256k1.utils.randomPrivateKey();
}
