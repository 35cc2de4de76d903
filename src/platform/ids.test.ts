import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { encodeRandom, isId, newId, ulid } from './ids.js';

describe('ids', () => {
  it('are prefixed ULIDs', () => {
    const id = newId('usr');
    expect(id).toMatch(/^usr_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId('usr', id)).toBe(true);
    expect(isId('key', id)).toBe(false);
    expect(isId('usr', 'usr_123')).toBe(false);
  });

  it('sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => ulid());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('encode the time first, and never go backwards with the clock', () => {
    const now = ulid();
    const later = ulid(Date.now() + 86_400_000);
    expect(now < later).toBe(true);
    expect(later.slice(0, 10) > now.slice(0, 10)).toBe(true);
    const afterClockStep = ulid(1_000);
    expect(afterClockStep > later).toBe(true);
  });

  it('encode the random part as the 80-bit number it is, most significant first', () => {
    const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    // The straightforward BigInt encoding, as the reference.
    const reference = (bytes: Uint8Array) => {
      let v = 0n;
      for (const b of bytes) v = (v << 8n) | BigInt(b);
      let out = '';
      for (let i = 0; i < 16; i++) {
        out = (ALPHABET[Number(v & 31n)] ?? '') + out;
        v >>= 5n;
      }
      return out;
    };
    expect(encodeRandom(new Uint8Array(10))).toBe('0000000000000000');
    expect(encodeRandom(new Uint8Array(10).fill(0xff))).toBe('ZZZZZZZZZZZZZZZZ');
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(randomBytes(10));
      expect(encodeRandom(bytes)).toBe(reference(bytes));
    }
  });
});
