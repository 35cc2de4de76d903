import { describe, expect, it } from 'vitest';
import { HexKeyTable } from './hex-table.js';

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;

describe('HexKeyTable', () => {
  it('stores, finds, overwrites and removes keys through growth', () => {
    const t = new HexKeyTable(20, 16);
    for (let i = 0; i < 50_000; i++) t.set(addr(i), i % 1000);
    expect(t.size).toBe(50_000);
    for (let i = 0; i < 50_000; i += 997) expect(t.get(addr(i))).toBe(i % 1000);
    expect(t.get(addr(50_001))).toBeUndefined();
    // Case does not matter; malformed keys are never found.
    expect(t.get(addr(0xabc).toUpperCase().replace('0X', '0x'))).toBe(0xabc % 1000);
    expect(t.get('0x1234')).toBeUndefined();
    expect(t.get(`0x${'g'.repeat(40)}`)).toBeUndefined();
    t.set(addr(7), 42);
    expect(t.get(addr(7))).toBe(42);
    expect(t.size).toBe(50_000);
    // Deleting leaves the rest reachable across tombstones.
    for (let i = 0; i < 50_000; i += 2) expect(t.delete(addr(i))).toBe(true);
    expect(t.size).toBe(25_000);
    for (let i = 1; i < 50_000; i += 2) expect(t.get(addr(i))).toBe(i === 7 ? 42 : i % 1000);
    expect(t.get(addr(2))).toBeUndefined();
    // Re-adding after deletions and dropping by value.
    for (let i = 0; i < 50_000; i += 2) t.set(addr(i), 1);
    t.update((v) => (v === 1 ? null : undefined));
    expect(t.get(addr(4))).toBeUndefined();
    expect(t.get(addr(3))).toBe(3);
    expect(() => {
      t.set('0xzz', 1);
    }).toThrow();
  });
});
