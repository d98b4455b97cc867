/**
 * A small deterministic pseudo-random generator (xoshiro128**, seeded through splitmix32) shared
 * by the random ops, RandomShuffleQueue and anything else that needs TensorFlow's contract: the
 * same (seed, seed2) pair gives the same stream; the pair (0, 0) means "nondeterministic", as in
 * TensorFlow's kernels, and draws its state from the platform's crypto source.
 */

const TWO_32 = 4294967296;

/** splitmix32: spreads a 32-bit input into a well-mixed 32-bit output. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The low and high 32-bit words of a (possibly negative, possibly > 2^32) integer seed. */
function seedWords(seed: number): [number, number] {
  const s = Number.isFinite(seed) ? Math.trunc(seed) : 0;
  const lo = s >>> 0;
  const hi = Math.floor(s / TWO_32) >>> 0;
  return [lo, hi];
}

function randomWord(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0]!;
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  /** A generator whose stream is a pure function of (seed, seed2). */
  constructor(seed: number, seed2 = 0) {
    const [a, b] = seedWords(seed);
    const [c, d] = seedWords(seed2);
    // Chain the words so that every seed word influences every state word.
    let h = splitmix32(a);
    this.s0 = h = splitmix32(h ^ b);
    this.s1 = h = splitmix32(h ^ c);
    this.s2 = h = splitmix32(h ^ d);
    this.s3 = splitmix32(h ^ 0x6a09e667);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // xoshiro's one bad state
    for (let i = 0; i < 8; i++) this.nextUint32(); // warm up away from correlated seeds
  }

  /**
   * TensorFlow's seeding rule for a kernel: (0, 0) = fresh randomness on every construction;
   * anything else = deterministic.
   */
  static fromSeedPair(seed: number, seed2: number): Prng {
    if (!seed && !seed2) return new Prng(randomWord(), randomWord());
    return new Prng(seed, seed2);
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A double uniformly distributed in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer uniformly distributed in [0, n) (unbiased; n up to 2^53). */
  nextInt(n: number): number {
    if (!(n > 0)) throw new RangeError(`Prng.nextInt needs a positive bound, got ${n}`);
    if (n <= TWO_32) {
      // Rejection sampling removes the modulo bias.
      const limit = TWO_32 - (TWO_32 % n);
      let x: number;
      do x = this.nextUint32(); while (x >= limit);
      return x % n;
    }
    return Math.floor(this.nextDouble() * n);
  }

  /** A standard normal sample (Box-Muller, caching the second value). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.nextDouble();
    const v = this.nextDouble();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    this.shuffle(p);
    return p;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
