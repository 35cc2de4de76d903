import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption of secrets at rest (TOTP seeds, webhook signing secrets, wallet seeds).
 *
 * Envelope encryption: each value gets a fresh data key, encrypted ("wrapped") by a key
 * encryption key that a `KeyManagement` implementation holds. The local implementation
 * derives its key from the configured master key; a Vault or cloud-KMS adapter can take
 * its place without touching callers, because only wrapped data keys leave the box.
 */
export interface KeyManagement {
  /** Identifies the key that wrapped a data key, so keys can rotate. */
  readonly keyId: string;
  wrap(dataKey: Buffer): Promise<Buffer>;
  unwrap(wrapped: Buffer, keyId: string): Promise<Buffer>;
}

const VERSION = 'v1';

function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const iv = sealed.subarray(0, 12);
  const tag = sealed.subarray(12, 28);
  const ct = sealed.subarray(28);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

/** Key management backed by a 32-byte master key from configuration. */
export function localKeyManagement(masterKey: Buffer): KeyManagement {
  if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
  const kek = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'vaultwire/kek/v1', 32));
  const keyId = `local:${Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'vaultwire/key-id', 6)).toString('hex')}`;
  return {
    keyId,
    wrap: (dataKey) => Promise.resolve(seal(kek, dataKey, 'vaultwire/wrap')),
    unwrap: (wrapped, id) => {
      if (id !== keyId) {
        return Promise.reject(
          new Error(`data key was wrapped by ${id}, this process holds ${keyId}`),
        );
      }
      return Promise.resolve(open(kek, wrapped, 'vaultwire/wrap'));
    },
  };
}

export interface SecretBox {
  /**
   * Encrypts `plaintext`. `context` (for example `totp:usr_123`) is bound as associated
   * data: a ciphertext copied to another row does not decrypt there.
   */
  encrypt(plaintext: string | Buffer, context: string): Promise<string>;
  decrypt(sealed: string, context: string): Promise<Buffer>;
}

export function createSecretBox(kms: KeyManagement): SecretBox {
  return {
    async encrypt(plaintext, context) {
      const dataKey = randomBytes(32);
      const wrapped = await kms.wrap(dataKey);
      const body = seal(dataKey, Buffer.from(plaintext), context);
      dataKey.fill(0);
      return [VERSION, kms.keyId, wrapped.toString('base64url'), body.toString('base64url')].join(
        '.',
      );
    },
    async decrypt(sealed, context) {
      const [version, keyId, wrapped, body] = sealed.split('.');
      if (version !== VERSION || !keyId || !wrapped || !body)
        throw new Error('not a sealed secret');
      const dataKey = await kms.unwrap(Buffer.from(wrapped, 'base64url'), keyId);
      try {
        return open(dataKey, Buffer.from(body, 'base64url'), context);
      } finally {
        dataKey.fill(0);
      }
    },
  };
}
