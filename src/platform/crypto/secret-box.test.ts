import { describe, expect, it } from 'vitest';
import { createSecretBox, localKeyManagement } from './secret-box.js';

const box = createSecretBox(localKeyManagement(Buffer.alloc(32, 3)));

describe('secret box', () => {
  it('round-trips and never stores the plaintext', async () => {
    const sealed = await box.encrypt('JBSWY3DPEHPK3PXP', 'totp:usr_1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect((await box.decrypt(sealed, 'totp:usr_1')).toString()).toBe('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh data key each time', async () => {
    const a = await box.encrypt('same', 'ctx');
    const b = await box.encrypt('same', 'ctx');
    expect(a).not.toBe(b);
  });

  it('refuses a ciphertext moved to another context', async () => {
    const sealed = await box.encrypt('secret', 'totp:usr_1');
    await expect(box.decrypt(sealed, 'totp:usr_2')).rejects.toThrow();
  });

  it('refuses a tampered ciphertext', async () => {
    const sealed = await box.encrypt('secret', 'ctx');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 1;
    parts[3] = body.toString('base64url');
    await expect(box.decrypt(parts.join('.'), 'ctx')).rejects.toThrow();
  });

  it('refuses a ciphertext from another master key', async () => {
    const other = createSecretBox(localKeyManagement(Buffer.alloc(32, 4)));
    const sealed = await other.encrypt('secret', 'ctx');
    await expect(box.decrypt(sealed, 'ctx')).rejects.toThrow(/wrapped by/);
  });
});
