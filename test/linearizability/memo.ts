/**
 * The memo of the search: which (set of placed operations, register state) configurations were
 * already reached. Two paths that placed the same operations and ended in the same state have
 * identical futures, so the second one can be cut; this is what turns the factorial search of
 * Wing & Gong into something close to linear on realistic histories (Lowe, "Testing for
 * linearizability", 2017; Porcupine).
 *
 * A failing check may visit millions of configurations before it proves that none works, so the
 * memo is built for memory, not only speed:
 * - The set is a bitset over the key's operations carrying two 32-bit Zobrist hashes, updated in
 *   O(1) on each add/remove, so looking a configuration up never rebuilds a key from the bitset.
 * - Each configuration is stored exactly (no false pruning on a hash collision, which could turn
 *   a linearizable history into a false failure), but compactly: operations are indexed in
 *   invocation order, so a placed set is mostly a prefix of full words plus a few scattered
 *   bits; it is stored as that prefix length plus its other nonzero words.
 * - Everything lives in typed arrays (an open-addressing table and one append-only arena):
 *   tens of bytes per configuration and nothing for the garbage collector to trace.
 */
export class OpSet {
  private readonly words: Uint32Array;
  private readonly z1: Uint32Array;
  private readonly z2: Uint32Array;
  /** Zobrist hashes of the set. */
  h1 = 0;
  h2 = 0;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.z1 = new Uint32Array(size);
    this.z2 = new Uint32Array(size);
    // A fixed seed keeps the checker deterministic from run to run.
    const random = mulberry32(0x9e3779b9);
    for (let i = 0; i < size; i++) {
      this.z1[i] = random();
      this.z2[i] = random();
    }
  }

  /** Adds operation `i` (must be absent). */
  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
    this.h1 ^= this.z1[i]!;
    this.h2 ^= this.z2[i]!;
  }

  /** Removes operation `i` (must be present). */
  remove(i: number): void {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
    this.h1 ^= this.z1[i]!;
    this.h2 ^= this.z2[i]!;
  }

  /**
   * Appends the compact encoding of the set to `out` from `at`, returns the end: the number of
   * leading all-ones words, then (index, word) for every later nonzero word. Equal sets have
   * equal encodings.
   */
  encode(out: Uint32Array, at: number): number {
    const words = this.words;
    let lead = 0;
    while (lead < words.length && words[lead] === 0xffffffff) lead++;
    out[at++] = lead;
    for (let i = lead; i < words.length; i++) {
      const w = words[i]!;
      if (w !== 0) {
        out[at++] = i;
        out[at++] = w;
      }
    }
    return at;
  }

  /** Upper bound of the encoding's length, in words. */
  get maxEncodedLength(): number {
    return 1 + 2 * this.words.length;
  }
}

/** Words per arena chunk (4 MiB): the arena grows by chunks, never by copying. */
const CHUNK = 1 << 20;

/** Configurations already explored: (placed set, state id) pairs. */
export class ConfigurationCache {
  /** Open addressing, linear probing: slot -> entry number + 1, 0 = empty. */
  private slots = new Int32Array(1 << 12);
  /** Per entry: the two combined hashes, where its encoding starts in the arena, its length. */
  private hashes = new Uint32Array(2 * 1024);
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  /** Encodings (state id, then the set's encoding), in chunks; an encoding never spans two. */
  private readonly chunks: Uint32Array[] = [];
  private used = CHUNK;
  private scratch = new Uint32Array(0);
  private count = 0;

  /** Records (`ops`, `state`); false when that exact configuration was recorded before. */
  addIfNew(ops: OpSet, state: number): boolean {
    const h1 = (ops.h1 ^ Math.imul(state + 1, 0x9e3779b1)) >>> 0;
    const h2 = (ops.h2 ^ Math.imul(state + 1, 0x85ebca77)) >>> 0;
    if (this.scratch.length < 1 + ops.maxEncodedLength) this.scratch = new Uint32Array(1 + ops.maxEncodedLength);
    this.scratch[0] = state;
    const length = ops.encode(this.scratch, 1);

    const mask = this.slots.length - 1;
    for (let slot = h1 & mask; ; slot = (slot + 1) & mask) {
      const found = this.slots[slot]!;
      if (found === 0) {
        this.insert(slot, h1, h2, length);
        return true;
      }
      const e = found - 1;
      if (this.hashes[2 * e] === h1 && this.hashes[2 * e + 1] === h2 && this.matches(e, length)) return false;
    }
  }

  /** Number of distinct configurations recorded. */
  get size(): number {
    return this.count;
  }

  /** Whether entry `e` holds the encoding in the scratch buffer. */
  private matches(e: number, length: number): boolean {
    if (this.lengths[e] !== length) return false;
    const offset = this.offsets[e]!;
    const chunk = this.chunks[Math.floor(offset / CHUNK)]!;
    const from = offset % CHUNK;
    for (let i = 0; i < length; i++) if (chunk[from + i] !== this.scratch[i]) return false;
    return true;
  }

  private insert(slot: number, h1: number, h2: number, length: number): void {
    if (this.used + length > CHUNK) {
      this.chunks.push(new Uint32Array(Math.max(CHUNK, length)));
      this.used = 0;
    }
    this.chunks[this.chunks.length - 1]!.set(this.scratch.subarray(0, length), this.used);

    const e = this.count++;
    if (this.count > this.lengths.length) {
      this.hashes = grow(this.hashes, 2 * this.hashes.length);
      this.offsets = grow(this.offsets, 2 * this.offsets.length);
      this.lengths = grow(this.lengths, 2 * this.lengths.length);
    }
    this.hashes[2 * e] = h1;
    this.hashes[2 * e + 1] = h2;
    this.offsets[e] = (this.chunks.length - 1) * CHUNK + this.used;
    this.lengths[e] = length;
    this.used += length;
    this.slots[slot] = e + 1;
    if (2 * this.count > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const slots = new Int32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    for (let e = 0; e < this.count; e++) {
      let slot = this.hashes[2 * e]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}

function grow<T extends Uint32Array | Float64Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/** Deterministic 32-bit PRNG (mulberry32) for the Zobrist keys. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
