import { describe, expect, it } from 'vitest';
import { invoiceSearchSql, textEstimateSql } from './search.js';

/** The search SQL: what a database without pg_trgm runs instead of substring matching. */
describe('invoiceSearchSql', () => {
  const page = { limit: 21 };

  it('matches substrings only where the trigram index exists', () => {
    const withTrgm = invoiceSearchSql('mca_1', { text: 'coff' }, page, 'full_text+trigram');
    expect(withTrgm.text).toContain('ILIKE');
    expect(withTrgm.values).toContain('%coff%');
    const without = invoiceSearchSql('mca_1', { text: 'coff' }, page, 'full_text');
    expect(without.text).not.toContain('ILIKE');
    expect(without.text).toContain('websearch_to_tsquery');
    // A word of letters: the substring alone decides (the word is in it).
    expect(withTrgm.text).not.toContain('websearch_to_tsquery');
    // Several terms: words only; a single term with other characters: word or substring.
    const words = invoiceSearchSql('mca_1', { text: 'coffee tea' }, page, 'full_text+trigram');
    expect(words.text).not.toContain('ILIKE');
    expect(words.text).toContain('websearch_to_tsquery');
    const sku = invoiceSearchSql('mca_1', { text: 'BEAN-42' }, page, 'full_text+trigram');
    expect(sku.text).toContain('ILIKE');
    expect(sku.text).toContain('websearch_to_tsquery');
    // Too short for a trigram: whole words only, even with pg_trgm.
    expect(invoiceSearchSql('mca_1', { text: 'co' }, page, 'full_text+trigram').text).not.toContain(
      'ILIKE',
    );
  });

  it('passes every value as a parameter, LIKE wildcards escaped', () => {
    const q = invoiceSearchSql(
      'mca_1',
      { text: "50%_off';DROP_TABLE_x", customerEmail: "a'@b.c" },
      page,
      'full_text+trigram',
    );
    expect(q.text).not.toContain('DROP');
    expect(q.text).not.toContain("a'@b.c");
    expect(q.values).toContain("%50\\%\\_off';DROP\\_TABLE\\_x%");
    expect(q.values[0]).toBe('mca_1');
  });

  it('estimates a repeated word as that word, and plans without running', () => {
    // The planner would multiply "tea"'s frequency by itself and call "tea tea" rare.
    const twice = textEstimateSql('mca_1', 'tea Tea', 'full_text+trigram');
    expect(twice.text.startsWith('EXPLAIN (FORMAT JSON) SELECT')).toBe(true);
    expect(twice.text).not.toContain('LIMIT');
    expect(twice.values).toEqual(['mca_1', '%tea%']);
    expect(textEstimateSql('mca_1', 'tea coffee', 'full_text+trigram').values).toEqual([
      'mca_1',
      'tea coffee',
    ]);
  });
});
