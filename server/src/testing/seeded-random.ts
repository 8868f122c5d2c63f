/**
 * A seeded source of integers for randomized unit tests (xorshift32): the same seed gives the
 * same run, and every bit of it varies (an LCG computed in doubles loses its low bits). The
 * simulation has its own generator (test/simulation/prng.ts), outside this package.
 */
export function seededRandom(seed: number): (below: number) => number {
  let state = seed | 0 || 1;
  return (below) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
}
