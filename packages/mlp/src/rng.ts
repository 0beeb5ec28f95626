import { checkNumber, ValueError } from "@losscape/core";

/** The project's one seeded pseudo-random generator (`createRng`). */
export interface Rng {
  /** Uniform on [0, 1) with 53 random bits. */
  next(): number;
  /** Standard normal N(0, 1) (Box–Muller, polar-free form; the second variate is cached). */
  normal(): number;
  /** Uniform integer in {0, …, n − 1}. */
  int(n: number): number;
}

/**
 * A seeded PRNG: xoshiro128** (Blackman & Vigna 2018) on four 32-bit words, seeded by splitmix32 from the
 * integer `seed` (any finite number; its low 32 bits and the high part are mixed in). Same seed → same stream on
 * every engine. `next()` joins two 32-bit outputs into a 53-bit double in [0, 1); `normal()` is Box–Muller.
 * This is the RNG of every losscape package (initialisation, multi-start searches, sampling).
 * @example
 * const rng = createRng(42);
 * rng.next(); // the same number on every run
 */
export function createRng(seed: number): Rng {
  checkNumber("createRng", "seed", seed);
  let s = (Math.floor(seed) >>> 0) ^ Math.floor(seed / 4294967296) * 0x9e3779b9;
  const splitmix32 = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  if ((a | b | c | d) === 0) a = 1;
  const next32 = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
  let spare: number | undefined;
  const next = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  return {
    next,
    normal(): number {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      let u = next();
      while (u === 0) u = next();
      const r = Math.sqrt(-2 * Math.log(u));
      const phi = 2 * Math.PI * next();
      spare = r * Math.sin(phi);
      return r * Math.cos(phi);
    },
    int(n: number): number {
      if (!Number.isInteger(n) || n < 1) throw new ValueError(`Rng.int: 'n' must be an integer ≥ 1; found ${String(n)}`);
      return Math.floor(next() * n);
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
