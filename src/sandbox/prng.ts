/** A small seeded PRNG (mulberry32) so that every injected fault is reproducible from its seed. */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
}

export function createPrng(seed: number): Prng {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
