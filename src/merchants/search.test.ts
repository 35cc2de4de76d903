import { describe, expect, it } from 'vitest';
import { invoiceSearchSql } from './search.js';

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
    // Too short for a trigram: whole words only, even with pg_trgm.
    expect(invoiceSearchSql('mca_1', { text: 'co' }, page, 'full_text+trigram').text).not.toContain(
      'ILIKE',
    );
  });

  it('passes every value as a parameter, LIKE wildcards escaped', () => {
    const q = invoiceSearchSql(
      'mca_1',
      { text: "50%_off'; DROP TABLE x", customerEmail: "a'@b.c" },
      page,
      'full_text+trigram',
    );
    expect(q.text).not.toContain('DROP');
    expect(q.text).not.toContain("a'@b.c");
    expect(q.values).toContain("%50\\%\\_off'; DROP TABLE x%");
    expect(q.values[0]).toBe('mca_1');
  });
});
