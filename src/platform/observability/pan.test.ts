import { describe, expect, it } from 'vitest';
import { containsPan, luhnValid, maskPans } from './pan.js';

describe('card numbers in text', () => {
  it('finds Luhn-valid runs of 13 to 19 digits, grouped or not', () => {
    for (const text of [
      '4242424242424242',
      'pay with 4242 4242 4242 4242 please',
      'amex 3782-822463-10005',
      '6011111111111117.',
      'x5555555555554444y',
      '4222222222222',
    ]) {
      expect(containsPan(text), text).toBe(true);
    }
  });

  it('leaves other numbers alone', () => {
    for (const text of [
      '4242424242424241',
      '20000000000000000000',
      '12345678901234567890123',
      'order 2024-05-01 A-1042',
      '424242424242',
      '4242  4242 4242 4242',
      '',
    ]) {
      expect(containsPan(text), text).toBe(false);
    }
  });

  it('masks all but the last four digits and keeps the rest of the text', () => {
    expect(maskPans('a 4242 4242 4242 4242 and 5555555555554444.')).toBe(
      'a [card …4242] and [card …4444].',
    );
    expect(maskPans('nothing here 123')).toBe('nothing here 123');
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});
