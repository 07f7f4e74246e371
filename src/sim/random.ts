import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * A seeded source of the few distributions the simulator needs. pure-rand 8 generators are
 * mutable, so one instance is one stream: draw order decides every value that follows.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in (0, 1]: safe to take the log of. */
  uniformPositive(): number;
  /** Standard normal (mean 0, sd 1). */
  normal(): number;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** Uniform in [a, b). */
  between(a: number, b: number): number;
}

/** A fresh 32-bit seed for when the caller gave none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x1_0000_0000) | 0;
}

export function createRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed | 0);
  let spareNormal: number | undefined;
  const uniform = (): number => uniformFloat64(gen);
  const uniformPositive = (): number => 1 - uniform();
  return {
    uniform,
    uniformPositive,
    normal() {
      if (spareNormal !== undefined) {
        const n = spareNormal;
        spareNormal = undefined;
        return n;
      }
      // Box–Muller, keeping the second variate for the next call.
      const r = Math.sqrt(-2 * Math.log(uniformPositive()));
      const theta = 2 * Math.PI * uniform();
      spareNormal = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
    exponential(mean) {
      return -Math.log(uniformPositive()) * mean;
    },
    between(a, b) {
      return a + (b - a) * uniform();
    },
  };
}
