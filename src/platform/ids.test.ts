import { describe, expect, it } from 'vitest';
import { isId, newId, ulid } from './ids.js';

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
});
