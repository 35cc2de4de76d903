import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

const cheap = { log2N: 10 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', cheap);
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const a = await hashPassword('same password here', cheap);
    const b = await hashPassword('same password here', cheap);
    expect(a).not.toBe(b);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const hash = await hashPassword('caf\u00e9 au lait please', cheap);
    expect(await verifyPassword('cafe\u0301 au lait please', hash)).toBe(true);
  });

  it('keeps verifying an old hash after the cost rises, and asks for a rehash', async () => {
    const old = await hashPassword('correct horse battery', { log2N: 10 });
    expect(await verifyPassword('correct horse battery', old)).toBe(true);
    expect(needsRehash(old, { log2N: 10 })).toBe(false);
    expect(needsRehash(old, { log2N: 11 })).toBe(true);
    const newer = await hashPassword('correct horse battery', { log2N: 11 });
    expect(newer).toContain('ln=11');
    expect(needsRehash(newer, { log2N: 11 })).toBe(false);
    // Lowering the configured cost never downgrades an existing hash.
    expect(needsRehash(newer, { log2N: 10 })).toBe(false);
  });

  it('handles a malformed stored hash as a mismatch', async () => {
    for (const stored of ['', 'plaintext', '$scrypt$ln=10,r=8,p=1$$', '$argon2id$v=19$x$y']) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
      expect(needsRehash(stored, cheap)).toBe(true);
    }
  });

  it('handles the production cost (ln=15) within the memory limit', async () => {
    const hash = await hashPassword('correct horse battery', { log2N: 15 });
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
  });
});
