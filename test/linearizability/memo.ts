/**
 * The memo of the search: which (set of placed operations, register state) configurations were
 * already reached. Two paths that placed the same operations and ended in the same state have
 * identical futures, so the second one can be cut; this is what turns the factorial search of
 * Wing & Gong into something close to linear on realistic histories (Lowe, "Testing for
 * linearizability", 2017; Porcupine).
 *
 * A failing check may visit millions of configurations before it proves that none works, so the
 * memo is built for memory, not only speed:
 * - The set is a bitset over the key's operations carrying a Zobrist hash (XOR of a random word
 *   per member), updated in O(1) on each add/remove, so no string key is ever built.
 * - Each configuration is stored exactly (no false pruning on a hash collision, which could turn
 *   a linearizable history into a false failure), but compactly: operations are indexed in
 *   invocation order, so a placed set is mostly a prefix of full words plus a few scattered
 *   bits; it is stored as that prefix length plus its other nonzero words (one pass over n/32
 *   words per lookup), and compared only where the hash matches.
 * - Everything lives in typed arrays (an open-addressing table, an append-only arena in 4 MiB
 *   chunks): tens of bytes per configuration, no copying on growth, nothing for the garbage
 *   collector to trace.
 */
export class OpSet {
  private readonly words: Uint32Array;
  private readonly zobrist: Uint32Array;
  /** Zobrist hash of the set: XOR of a fixed random word per member. */
  hash = 0;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.zobrist = new Uint32Array(size);
    // A fixed seed keeps the checker deterministic from run to run.
    const random = mulberry32(0x9e3779b9);
    for (let i = 0; i < size; i++) this.zobrist[i] = random();
  }

  /** Adds operation `i` (must be absent). */
  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
    this.hash ^= this.zobrist[i]!;
  }

  /** Removes operation `i` (must be present). */
  remove(i: number): void {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
    this.hash ^= this.zobrist[i]!;
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
/** Words before each encoding in the arena: hash, length. */
const HEADER = 2;

/** Configurations already explored: (placed set, state id) pairs. */
export class ConfigurationCache {
  /** Open addressing, linear probing: slot -> arena position of the entry + 1; 0 = empty. */
  private slots = new Uint32Array(1 << 12);
  /** Entries (header, then state id and the set's encoding), in chunks; none spans two. */
  private readonly chunks: Uint32Array[] = [];
  private used = CHUNK;
  private scratch = new Uint32Array(0);
  private count = 0;

  /** Records (`ops`, `state`); false when that exact configuration was recorded before. */
  addIfNew(ops: OpSet, state: number): boolean {
    const hash = (ops.hash ^ Math.imul(state + 1, 0x9e3779b1)) >>> 0;
    if (this.scratch.length < HEADER + 1 + ops.maxEncodedLength) {
      this.scratch = new Uint32Array(HEADER + 1 + ops.maxEncodedLength);
    }
    const scratch = this.scratch;
    scratch[HEADER] = state;
    const end = ops.encode(scratch, HEADER + 1);
    scratch[0] = hash;
    scratch[1] = end - HEADER;

    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot]!;
      if (at === 0) {
        this.slots[slot] = this.store(end) + 1;
        if (2 * ++this.count > this.slots.length) this.rehash();
        return true;
      }
      if (this.matches(at - 1, end)) return false;
    }
  }

  /** Number of distinct configurations recorded. */
  get size(): number {
    return this.count;
  }

  /** Whether the entry at arena position `at` equals the first `end` words of the scratch. */
  private matches(at: number, end: number): boolean {
    const chunk = this.chunks[Math.floor(at / CHUNK)]!;
    const from = at % CHUNK;
    for (let i = 0; i < end; i++) if (chunk[from + i] !== this.scratch[i]) return false;
    return true;
  }

  /** Copies the scratch entry into the arena; returns its position. */
  private store(end: number): number {
    if (this.used + end > CHUNK) {
      this.chunks.push(new Uint32Array(Math.max(CHUNK, end)));
      this.used = 0;
    }
    this.chunks[this.chunks.length - 1]!.set(this.scratch.subarray(0, end), this.used);
    const at = (this.chunks.length - 1) * CHUNK + this.used;
    this.used += end;
    return at;
  }

  private rehash(): void {
    const slots = new Uint32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    for (const at of this.slots) {
      if (at === 0) continue;
      let slot = this.chunks[Math.floor((at - 1) / CHUNK)]![(at - 1) % CHUNK]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = at;
    }
    this.slots = slots;
  }
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
