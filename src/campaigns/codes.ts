import { randomBytes, randomFillSync } from 'node:crypto';

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
 * Distinct normalised codes in sorted order, written back to back in one latin1 buffer,
 * `width` bytes each (every code of one spec has the same width). A million codes as a
 * million strings cost seconds of allocation and garbage collection; as one buffer they
 * cost one allocation, and COPY lines are cut from it without making a string.
 *
 * The text may be written lazily (`generateSortedCodes` draws codes as numbers and writes
 * a range's text when it is first read, so that writing one batch's text overlaps the
 * COPY of the batch before): read it only through the functions below, which write what
 * they read first.
 */
export interface SortedCodes {
  readonly text: Buffer;
  readonly width: number;
  readonly count: number;
  /** Writes the text of every code before `to` that is not written yet. */
  writeUpTo(to: number): void;
}

/** The `k`th code. */
export function codeAt(codes: SortedCodes, k: number): string {
  codes.writeUpTo(k + 1);
  return codes.text.toString('latin1', k * codes.width, (k + 1) * codes.width);
}

/** Codes `from` to `to` (exclusive) as strings. */
export function codesBetween(codes: SortedCodes, from: number, to: number): string[] {
  codes.writeUpTo(to);
  const out = new Array<string>(Math.max(0, to - from));
  for (let k = from; k < to; k++) out[k - from] = codeAt(codes, k);
  return out;
}

/** COPY text lines, `<code><tail>` for codes `from` to `to` (exclusive), in one buffer. */
export function codeLines(codes: SortedCodes, from: number, to: number, tail: string): Buffer {
  codes.writeUpTo(to);
  const { text, width } = codes;
  const end = Buffer.from(tail, 'latin1');
  const line = width + end.length;
  // Byte by byte: for codes a few bytes long that is faster than a native copy per code.
  const out = Buffer.allocUnsafe((to - from) * line);
  let at = 0;
  for (let k = from * width; k < to * width; k += width) {
    for (let i = 0; i < width; i++) out[at++] = text[k + i] ?? 0;
    for (let i = 0; i < end.length; i++) out[at++] = end[i] ?? 0;
  }
  return out;
}

/** Whether sorted `keys` from `from` to `to` (exclusive) hold `key` (binary search). */
function holds(keys: Float64Array, from: number, to: number, key: number): boolean {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] ?? 0) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo < to && keys[lo] === key;
}

/** Codes already written out, as `SortedCodes` (nothing left to write). */
function writtenCodes(text: Buffer, width: number, count: number): SortedCodes {
  return { text, width, count, writeUpTo: () => undefined };
}

/**
 * `count` distinct random codes, normalised (prefix and pattern characters kept, dashes
 * dropped) and sorted, ready to be inserted in index order. The space must hold at least
 * twice `count` (the service asks for 100×).
 *
 * Each code is drawn as a number below alphabet^slots (uniformly) and only
 * written out as text once the numbers are sorted: sorting a million doubles takes
 * milliseconds where sorting a million strings takes seconds. The alphabet is in
 * character order (see `cleanAlphabet`), so numeric order is string order. The text of a
 * range of codes is written when it is first read (`SortedCodes`): a million codes' text
 * is most of the work here, and a generation reads it batch by batch while the database
 * is busy with the batch before. A space past 2^53 falls back to drawing strings, written
 * at once, repeats dropped (so fewer than `count` may come back; the caller makes up the
 * difference).
 */
export function generateSortedCodes(spec: CodeSpec, count: number): SortedCodes {
  const n = spec.alphabet.length;
  const slots = randomSlots(spec);
  const template = (spec.prefix + (spec.pattern ?? '#'.repeat(spec.length))).replace(/[\s-]/g, '');
  const width = template.length;
  if (Math.pow(n, slots) > EXACT_SPACE || !inOrder(spec.alphabet)) {
    const drawn = [
      ...new Set(generateCodes(spec, count).map((c) => c.replace(/[\s-]/g, ''))),
    ].sort();
    return writtenCodes(Buffer.from(drawn.join(''), 'latin1'), width, drawn.length);
  }
  // One draw per code: 53 random bits (a 21-bit and a 32-bit part, exact in a double), kept
  // below the largest multiple of the space that 53 bits hold, so every code is as likely;
  // at least half the draws are kept, and for 10 characters of 22 nineteen in twenty.
  const space = Math.pow(n, slots);
  if (count * 2 > space) throw new Error(`${count} codes asked of a space of ${space}`);
  const accept = Math.floor(EXACT_SPACE / space) * space;
  const pool = new Uint32Array(2 * Math.ceil(count * 1.05) + 16);
  let at = pool.length;
  const drawKey = (): number => {
    for (;;) {
      if (at + 2 > pool.length) {
        randomFillSync(pool);
        at = 0;
      }
      const draw = ((pool[at] ?? 0) & 0x1fffff) * 2 ** 32 + (pool[at + 1] ?? 0);
      at += 2;
      if (draw < accept) return draw % space;
    }
  };
  // The keys are grouped into up to 64 ranges of the space in one pass (a counting sort on
  // the range), and a range is sorted only when its codes are first read: what precedes
  // a generation's first COPY is the draw and the first range's sort, the other ranges'
  // sorts overlap the COPYs before them. `partOf` only grows with the key (rounding
  // included), so ranges in order hold keys in order.
  const parts = Math.max(1, Math.min(64, Math.floor(count / 16_384)));
  const partOf = (key: number) => Math.min(parts - 1, Math.floor((key * parts) / space));
  const drawn = new Float64Array(count);
  const starts = new Uint32Array(parts + 1);
  for (let k = 0; k < count; k++) {
    const key = drawKey();
    drawn[k] = key;
    const p = partOf(key) + 1;
    starts[p] = (starts[p] ?? 0) + 1;
  }
  for (let p = 0; p < parts; p++) starts[p + 1] = (starts[p + 1] ?? 0) + (starts[p] ?? 0);
  let keys = drawn;
  if (parts > 1) {
    keys = new Float64Array(count);
    const next = starts.slice(0, parts);
    for (let k = 0; k < count; k++) {
      const key = drawn[k] ?? 0;
      const p = partOf(key);
      const to = next[p] ?? 0;
      next[p] = to + 1;
      keys[to] = key;
    }
  }
  // Sorted as unsigned 64-bit integers, over the same bytes: a non-negative double's bits
  // order as its value does, and V8 sorts integers about twice as fast as doubles (which
  // it must compare minding NaN and -0).
  const sortPart = (p: number) => {
    const from = starts[p] ?? 0;
    const to = starts[p + 1] ?? 0;
    const sort = () => new BigUint64Array(keys.buffer, from * 8, to - from).sort();
    sort();
    // A repeat is drawn again, within its range, until it is no key of the range (rare:
    // the space holds 100× the codes): every code stays as likely as any other, and the
    // codes are `count` distinct ones.
    for (let i = from + 1; i < to; i++) {
      if (keys[i] !== keys[i - 1]) continue;
      let key = drawKey();
      while (partOf(key) !== p || holds(keys, from, to, key)) key = drawKey();
      keys[i] = key;
      sort();
      i = from;
    }
  };
  let sorted = 0;
  let nextPart = 0;
  // A key's digits come `per` at a time as an integer below 2^31, so that most of the
  // arithmetic is on small integers rather than on doubles.
  let per = 1;
  while (Math.pow(n, per + 1) <= 2 ** 31) per++;
  const group = Math.pow(n, per);
  const slotAt: number[] = [];
  const base = Buffer.from(template, 'latin1');
  for (let i = 0; i < width; i++) if (template[i] === '#') slotAt.push(i);
  const alphabet = Buffer.from(spec.alphabet, 'latin1');
  const text = Buffer.allocUnsafe(count * width);
  let written = 0;
  return {
    text,
    width,
    count,
    writeUpTo(to) {
      const end = Math.min(to, count);
      if (end <= written) return;
      while (sorted < end) {
        sortPart(nextPart);
        nextPart++;
        sorted = starts[nextPart] ?? count;
      }
      // The template repeated (its fixed characters in place), then each code's slots.
      text.fill(base, written * width, end * width);
      for (let k = written; k < end; k++) {
        let key = keys[k] ?? 0;
        const start = k * width;
        let j = slotAt.length - 1;
        while (j >= 0) {
          let digits = key % group;
          key = (key - digits) / group;
          for (let i = 0; i < per && j >= 0; i++, j--) {
            const rest = (digits / n) | 0;
            text[start + (slotAt[j] ?? 0)] = alphabet[digits - rest * n] ?? 0;
            digits = rest;
          }
        }
      }
      written = end;
    },
  };
}

/** Most codes in one listing chunk (campaign_code_chunks, migration 0130). */
export const CHUNK_CODES = 100;

/**
 * The listing chunks of sorted codes `from` to `to` (exclusive), all of one batch, as COPY
 * text lines for campaign_code_chunks: `<head><last code>\t<size>\t<codes>\n` per chunk of
 * `size` codes (the last one shorter), the codes separated by spaces, in order. Normalised
 * codes are letters and digits, so neither the separator nor COPY needs escaping.
 */
export function chunkLines(
  codes: SortedCodes,
  from: number,
  to: number,
  head: string,
  size = CHUNK_CODES,
): Buffer {
  const parts: Buffer[] = [];
  for (let at = from; at < to; at += size) {
    const end = Math.min(to, at + size);
    parts.push(Buffer.from(`${head}${codeAt(codes, end - 1)}\t${end - at}\t`, 'latin1'));
    const listed = codeLines(codes, at, end, ' ');
    // The last code's separator becomes the line's end.
    listed[listed.length - 1] = 0x0a;
    parts.push(listed);
  }
  return Buffer.concat(parts);
}

/** Codes of one width, in any order, as `SortedCodes` (sorted here). */
export function sortedCodesOf(list: readonly string[], width: number): SortedCodes {
  const sorted = [...list].sort();
  if (sorted.some((c) => c.length !== width)) throw new Error('codes of mixed widths');
  return writtenCodes(Buffer.from(sorted.join(''), 'latin1'), width, sorted.length);
}
