/**
 * The memo of the search: which (set of linearized operations, register state) configurations
 * were already reached. Two paths that linearized the same operations and ended in the same state
 * have identical futures, so the second one can be cut; this is what turns the factorial search
 * of Wing & Gong into something close to linear on realistic histories (Lowe, "Testing for
 * linearizability", 2017; Porcupine).
 *
 * The set is a bitset over the key's operations. Building a string from the whole bitset at every
 * step would cost O(n) per step, so the bitset carries two 32-bit Zobrist hashes that are updated
 * in O(1) on each set/clear; a stored copy of the bits is compared on a hash hit, so a collision
 * can never prune a configuration that was not really seen (which could turn a linearizable
 * history into a false failure).
 */
export class OpSet {
  private readonly words: Uint32Array;
  private readonly z1: Uint32Array;
  private readonly z2: Uint32Array;
  private h1 = 0;
  private h2 = 0;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.z1 = new Uint32Array(size);
    this.z2 = new Uint32Array(size);
    // A fixed seed keeps the checker deterministic from run to run.
    let seed = 0x9e3779b9;
    const next = () => {
      // xorshift32
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    for (let i = 0; i < size; i++) {
      this.z1[i] = next();
      this.z2[i] = next();
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

  /** A short string that is equal for equal sets (and rarely for different ones). */
  hash(): string {
    return `${this.h1.toString(36)}.${this.h2.toString(36)}`;
  }

  snapshot(): Uint32Array {
    return this.words.slice();
  }

  equals(words: Uint32Array): boolean {
    const own = this.words;
    for (let i = 0; i < own.length; i++) if (own[i] !== words[i]) return false;
    return true;
  }
}

/** Configurations already explored, keyed by set hash and state key. */
export class ConfigurationCache {
  private readonly seen = new Map<string, Uint32Array[]>();
  private count = 0;

  /** Records (`ops`, `state`); false when that exact configuration was recorded before. */
  addIfNew(ops: OpSet, state: string): boolean {
    const key = `${ops.hash()}|${state}`;
    const bucket = this.seen.get(key);
    if (bucket === undefined) {
      this.seen.set(key, [ops.snapshot()]);
    } else {
      for (const words of bucket) if (ops.equals(words)) return false;
      bucket.push(ops.snapshot());
    }
    this.count++;
    return true;
  }

  /** Number of distinct configurations recorded. */
  get size(): number {
    return this.count;
  }
}
