/**
 * A hash table from fixed-length hex keys (`0x` + 40 hex for addresses, + 64 for tx
 * hashes) to small integers, stored as raw bytes in two typed arrays: open addressing
 * with linear probing, no object per entry. A million addresses cost about 48 MB
 * (20 key bytes + 4 value bytes per slot at ≤ 60 % load) instead of the ~150 MB of a
 * `Map<string, number>` and its strings, and the garbage collector never walks them.
 *
 * Values are non-negative. Removal leaves a tombstone that lookups step over; tombstones
 * go away when the table grows.
 */
const EMPTY = -1;
const TOMBSTONE = -2;

export class HexKeyTable {
  private keys: Uint8Array;
  private values: Int32Array;
  private capacity: number;
  private used = 0; // live entries plus tombstones
  private live = 0;
  private readonly scratch: Uint8Array;

  constructor(
    private readonly keyBytes: number,
    initialCapacity = 1024,
  ) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.capacity = cap;
    this.keys = new Uint8Array(cap * keyBytes);
    this.values = new Int32Array(cap).fill(EMPTY);
    this.scratch = new Uint8Array(keyBytes);
  }

  get size(): number {
    return this.live;
  }

  /** Parses `0x…` into the scratch buffer; false when it is not a key of this length. */
  private parse(hex: string): boolean {
    if (hex.length !== 2 + this.keyBytes * 2) return false;
    const s = this.scratch;
    for (let i = 0; i < this.keyBytes; i++) {
      const hi = nibble(hex.charCodeAt(2 + i * 2));
      const lo = nibble(hex.charCodeAt(3 + i * 2));
      if (hi < 0 || lo < 0) return false;
      s[i] = (hi << 4) | lo;
    }
    return true;
  }

  private hash(bytes: Uint8Array, offset: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < this.keyBytes; i++) {
      h ^= bytes[offset + i] ?? 0;
      h = Math.imul(h, 0x01000193);
    }
    return (h ^ (h >>> 15)) >>> 0;
  }

  private equalsAt(slot: number): boolean {
    const base = slot * this.keyBytes;
    for (let i = 0; i < this.keyBytes; i++) {
      if (this.keys[base + i] !== this.scratch[i]) return false;
    }
    return true;
  }

  /** The slot holding the scratch key, or -1. */
  private find(): number {
    const mask = this.capacity - 1;
    let slot = this.hash(this.scratch, 0) & mask;
    for (;;) {
      const v = this.values[slot] ?? EMPTY;
      if (v === EMPTY) return -1;
      if (v !== TOMBSTONE && this.equalsAt(slot)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  get(hex: string): number | undefined {
    if (!this.parse(hex)) return undefined;
    const slot = this.find();
    return slot < 0 ? undefined : this.values[slot];
  }

  set(hex: string, value: number): void {
    if (value < 0) throw new Error('HexKeyTable values are non-negative');
    if (!this.parse(hex)) throw new Error(`not a ${this.keyBytes}-byte hex key: ${hex}`);
    const found = this.find();
    if (found >= 0) {
      this.values[found] = value;
      return;
    }
    if ((this.used + 1) * 5 > this.capacity * 3) this.grow();
    const mask = this.capacity - 1;
    let slot = this.hash(this.scratch, 0) & mask;
    while ((this.values[slot] ?? EMPTY) >= 0) slot = (slot + 1) & mask;
    if (this.values[slot] === EMPTY) this.used++;
    this.keys.set(this.scratch, slot * this.keyBytes);
    this.values[slot] = value;
    this.live++;
  }

  delete(hex: string): boolean {
    if (!this.parse(hex)) return false;
    const slot = this.find();
    if (slot < 0) return false;
    this.values[slot] = TOMBSTONE;
    this.live--;
    return true;
  }

  /** Calls `fn` with each value; a returned number replaces it, `null` removes the entry. */
  update(fn: (value: number) => number | null | undefined): void {
    for (let slot = 0; slot < this.capacity; slot++) {
      const v = this.values[slot] ?? EMPTY;
      if (v < 0) continue;
      const next = fn(v);
      if (next === null) {
        this.values[slot] = TOMBSTONE;
        this.live--;
      } else if (next !== undefined) {
        this.values[slot] = next;
      }
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldCapacity = this.capacity;
    // Doubles unless tombstones are most of the load: then a rehash at the same size.
    this.capacity = this.live * 2 > oldCapacity * 0.6 ? oldCapacity * 2 : oldCapacity;
    this.keys = new Uint8Array(this.capacity * this.keyBytes);
    this.values = new Int32Array(this.capacity).fill(EMPTY);
    this.used = this.live;
    const mask = this.capacity - 1;
    for (let old = 0; old < oldCapacity; old++) {
      const v = oldValues[old] ?? EMPTY;
      if (v < 0) continue;
      let slot = this.hash(oldKeys, old * this.keyBytes) & mask;
      while ((this.values[slot] ?? EMPTY) !== EMPTY) slot = (slot + 1) & mask;
      this.keys.set(
        oldKeys.subarray(old * this.keyBytes, (old + 1) * this.keyBytes),
        slot * this.keyBytes,
      );
      this.values[slot] = v;
    }
  }
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}
