import { describe, expect, it } from 'vitest';
import { packColumn, packColumns, unpacked } from './packed.js';

describe('packed text columns', () => {
  it('joins values with record separators and marks NULL', () => {
    expect(packColumn(['a', 1, null, 'x"y\\z', undefined, 5n, true])).toBe(
      'a\u001e1\u001e\u001f\u001ex"y\\z\u001e\u001f\u001e5\u001etrue',
    );
    expect(packColumn([])).toBe('');
    expect(unpacked(4, '::int[]')).toBe('string_to_array($4, chr(30), chr(31))::int[]');
  });

  it('gives up on values that would split or read as NULL', () => {
    expect(packColumn(['a\u001eb'])).toBeNull();
    expect(packColumn(['\u001f'])).toBeNull();
    // A unit separator inside a longer value is only text.
    expect(packColumn(['a\u001fb'])).toBe('a\u001fb');
    expect(packColumns([['ok'], ['x\u001e']])).toBeNull();
    expect(
      packColumns([
        ['a', 'b'],
        [1, 2],
      ]),
    ).toEqual(['a\u001eb', '1\u001e2']);
  });
});
