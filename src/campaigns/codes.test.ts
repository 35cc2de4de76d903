import { describe, expect, it } from 'vitest';
import {
  AMBIGUOUS,
  chunkLines,
  codeAt,
  DEFAULT_ALPHABET,
  generateSortedCodes,
  sortedCodesOf,
} from './codes.js';

/**
 * Sorted generation (what bulk generation inserts) and the listing chunks cut from it: the
 * codes come out distinct, in byte order, of the spec's shape, and spread over the whole
 * alphabet in every position; the chunks hold every code once, in order.
 */
describe('generateSortedCodes', () => {
  it('draws distinct codes in byte order, from the alphabet only, every character as likely', () => {
    const codes = generateSortedCodes(
      { length: 10, prefix: '', alphabet: DEFAULT_ALPHABET },
      44_000,
    );
    expect(codes.width).toBe(10);
    expect(codes.count).toBe(44_000); // 44,000 of 22^10: a repeat has odds ~4·10^-5
    const all = Array.from({ length: codes.count }, (_, k) => codeAt(codes, k));
    for (let k = 1; k < all.length; k++) expect((all[k - 1] ?? '') < (all[k] ?? '')).toBe(true);
    expect(all.every((c) => /^[3479ACDEFGHJKMNPQRTWXY]{10}$/.test(c))).toBe(true);
    expect(all.some((c) => new RegExp(`[${AMBIGUOUS}]`).test(c))).toBe(false);
    // Each position uses every character about 2,000 times (a character missing from a
    // position, or one twice as common, is far outside these bounds).
    for (const position of [0, 4, 9]) {
      const seen = new Map<string, number>();
      for (const c of all) seen.set(c[position] ?? '', (seen.get(c[position] ?? '') ?? 0) + 1);
      expect(seen.size).toBe(22);
      for (const n of seen.values()) {
        expect(n).toBeGreaterThan(1_700);
        expect(n).toBeLessThan(2_300);
      }
    }
  });

  it('keeps the prefix and the pattern’s fixed characters, dashes dropped', () => {
    const codes = generateSortedCodes(
      { length: 0, prefix: 'CUP', pattern: 'IN-####-##', alphabet: 'ACDEF' },
      200,
    );
    expect(codes.width).toBe(11);
    const all = Array.from({ length: codes.count }, (_, k) => codeAt(codes, k));
    expect(all.every((c) => /^CUPIN[ACDEF]{4}[ACDEF]{2}$/.test(c))).toBe(true);
    expect([...all].sort()).toEqual(all);
  });
});

describe('chunkLines', () => {
  it('cuts a batch’s codes into chunks of 100 in order, the last one shorter', () => {
    const codes = generateSortedCodes({ length: 8, prefix: '', alphabet: DEFAULT_ALPHABET }, 450);
    const lines = chunkLines(codes, 20, 270, 'cmp_X\t7\t').toString('latin1').split('\n');
    expect(lines.pop()).toBe('');
    const all = Array.from({ length: codes.count }, (_, k) => codeAt(codes, k));
    expect(lines.map((l) => l.split('\t').slice(0, 4))).toEqual([
      ['cmp_X', '7', all[119], '100'],
      ['cmp_X', '7', all[219], '100'],
      ['cmp_X', '7', all[269], '50'],
    ]);
    expect(lines.flatMap((l) => (l.split('\t')[4] ?? '').split(' '))).toEqual(all.slice(20, 270));
  });

  it('chunks codes that survived a collision, sorted again', () => {
    const survivors = sortedCodesOf(['KKK', 'AAA', 'CCC'], 3);
    expect(chunkLines(survivors, 0, 3, '').toString('latin1')).toBe('KKK\t3\tAAA CCC KKK\n');
  });
});
