import { randomBytes } from 'node:crypto';

/**
 * Coupon code generation. The default alphabet has no characters people confuse when
 * reading or typing a code (0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V): 22 letters and digits,
 * about 4.46 bits each, so 10 characters give ~44.6 bits and a code guessed at random among
 * a million issued hits one in ~26 million (22^10 / 10^6).
 */
export const DEFAULT_ALPHABET = '3479ACDEFGHJKMNPQRTWXY';
/** Characters never generated, whatever alphabet is asked for. */
export const AMBIGUOUS = '0O1IL5S2Z8BUV';

export interface CodeSpec {
  /** Random characters per code (ignored when `pattern` is given). */
  length: number;
  prefix: string;
  /** `#` is a random character, anything else is kept: `CRICKET-####-####`. */
  pattern?: string | undefined;
  alphabet: string;
}

/**
 * The alphabet with ambiguous characters removed, upper case, each once, in character
 * order (so that codes compared as numbers in this alphabet sort as strings do).
 */
export function cleanAlphabet(alphabet: string): string {
  const wanted = alphabet.toUpperCase();
  let out = '';
  for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (wanted.includes(c) && !AMBIGUOUS.includes(c)) out += c;
  }
  return out;
}

/** Whether the alphabet's characters are in character order (as `cleanAlphabet` makes it). */
function inOrder(alphabet: string): boolean {
  for (let i = 1; i < alphabet.length; i++) {
    if ((alphabet[i - 1] ?? '') >= (alphabet[i] ?? '')) return false;
  }
  return true;
}

export function randomSlots(spec: CodeSpec): number {
  return spec.pattern ? spec.pattern.replace(/[^#]/g, '').length : spec.length;
}

/** How many distinct codes the spec can make (as a float; it only bounds feasibility). */
export function codeSpace(spec: CodeSpec): number {
  return Math.pow(spec.alphabet.length, randomSlots(spec));
}

/**
 * Whether `count` codes fit comfortably: at most 1 % of the space, so that duplicates are
 * rare and guessing a valid code stays hard.
 */
export function spaceSuffices(spec: CodeSpec, count: number): boolean {
  return codeSpace(spec) >= count * 100;
}

/**
 * `count` random codes in display form (prefix and pattern separators kept). Uniform:
 * bytes at or past the largest multiple of the alphabet size are drawn again. Codes may
 * repeat; the database's unique index decides (see the service).
 */
export function generateCodes(spec: CodeSpec, count: number): string[] {
  const n = spec.alphabet.length;
  const limit = 256 - (256 % n);
  const slots = randomSlots(spec);
  const out: string[] = new Array<string>(count);
  let pool = randomBytes(Math.max(64, count * slots * 2));
  let at = 0;
  const next = (): string => {
    for (;;) {
      if (at >= pool.length) {
        pool = randomBytes(pool.length);
        at = 0;
      }
      const b = pool[at++] ?? 255;
      if (b < limit) return spec.alphabet[b % n] ?? '';
    }
  };
  for (let k = 0; k < count; k++) {
    let body = '';
    if (spec.pattern) {
      for (const c of spec.pattern) body += c === '#' ? next() : c;
    } else {
      for (let j = 0; j < slots; j++) body += next();
    }
    out[k] = spec.prefix + body;
  }
  return out;
}

/** Largest code space drawn as numbers: integers up to 2^53 are exact in a double. */
const EXACT_SPACE = 2 ** 53;

/**
 * Up to `count` distinct random codes, normalised (prefix and pattern characters kept,
 * dashes dropped) and sorted, ready to be inserted in index order. Fewer than `count`
 * come back when draws repeat; the caller makes up the difference.
 *
 * Each code is drawn as a number below alphabet^slots (slot by slot, uniformly) and only
 * written out as text once the numbers are sorted and repeats dropped: sorting a million
 * doubles takes milliseconds where sorting a million strings takes seconds. The alphabet
 * is in character order (see `cleanAlphabet`), so numeric order is string order. A space
 * past 2^53 falls back to drawing strings.
 */
export function generateSortedCodes(spec: CodeSpec, count: number): string[] {
  const n = spec.alphabet.length;
  const slots = randomSlots(spec);
  const template = (spec.prefix + (spec.pattern ?? '#'.repeat(spec.length))).replace(/[\s-]/g, '');
  if (Math.pow(n, slots) > EXACT_SPACE || !inOrder(spec.alphabet)) {
    return [...new Set(generateCodes(spec, count).map((c) => c.replace(/[\s-]/g, '')))].sort();
  }
  const limit = 256 - (256 % n);
  const keys = new Float64Array(count);
  let pool = randomBytes(Math.max(64, count * slots * 2));
  let at = 0;
  for (let k = 0; k < count; k++) {
    let key = 0;
    for (let j = 0; j < slots; j++) {
      let b: number;
      for (;;) {
        if (at >= pool.length) {
          pool = randomBytes(pool.length);
          at = 0;
        }
        b = pool[at++] ?? 255;
        if (b < limit) break;
      }
      key = key * n + (b % n);
    }
    keys[k] = key;
  }
  keys.sort();
  const width = template.length;
  const slotAt: number[] = [];
  const base = Buffer.from(template, 'latin1');
  for (let i = 0; i < width; i++) if (template[i] === '#') slotAt.push(i);
  const alphabet = Buffer.from(spec.alphabet, 'latin1');
  const text = Buffer.allocUnsafe(count * width);
  let made = 0;
  let previous = -1;
  for (let k = 0; k < count; k++) {
    let key = keys[k] ?? 0;
    if (key === previous) continue;
    previous = key;
    const start = made++ * width;
    base.copy(text, start);
    for (let j = slotAt.length - 1; j >= 0; j--) {
      const digit = key % n;
      key = (key - digit) / n;
      text[start + (slotAt[j] ?? 0)] = alphabet[digit] ?? 0;
    }
  }
  // One string, cut in JavaScript: a million Buffer.toString calls cost seconds.
  const all = text.toString('latin1', 0, made * width);
  const out = new Array<string>(made);
  for (let k = 0; k < made; k++) out[k] = all.substring(k * width, (k + 1) * width);
  return out;
}
