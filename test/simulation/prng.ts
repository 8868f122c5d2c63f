/**
 * Seeded randomness for the simulation. mulberry32 is written out here rather than imported: it
 * is a dozen lines, has no dependencies, is fast, and its output for a seed never changes with a
 * library upgrade, so a seed printed by a failing run replays the same run forever.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A uniformly chosen element (the array must not be empty). */
  pick<T>(items: readonly T[]): T;
  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number;
  /** An independent generator derived from this one (one stream per concern). */
  fork(): Prng;
}

/** A {@link Prng} from a 32-bit seed. */
export function createPrng(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const prng: Prng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    exponential: (mean) => -mean * Math.log(1 - next()),
    fork: () => createPrng(Math.floor(next() * 4294967296)),
  };
  return prng;
}
