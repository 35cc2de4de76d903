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

/** The alphabet with ambiguous characters removed, upper case, each once. */
export function cleanAlphabet(alphabet: string): string {
  let out = '';
  for (const c of alphabet.toUpperCase().replace(/[^A-Z0-9]/g, '')) {
    if (!AMBIGUOUS.includes(c) && !out.includes(c)) out += c;
  }
  return out;
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
