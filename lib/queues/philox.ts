/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), laid out as
 * TensorFlow's random::PhiloxRandom seeded with (seed, seed2), read one 32-bit sample at a time
 * like its SingleSampleAdapter. RandomShuffleQueue draws its indices from it, so the same seeds give
 * the same order on every node.
 */
import { randomBytes } from 'node:crypto';

const W32A = 0x9e3779b9;
const W32B = 0xbb67ae85;
const M4x32A = 0xd2511f53;
const M4x32B = 0xcd9e8d57;

/** 32x32 -> 64-bit product as [lo, hi] (exact, with 16-bit halves). */
function mulHiLo(a: number, b: number): [number, number] {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const lo = (((mid & 0xffff) << 16) | (ll & 0xffff)) >>> 0;
  const hi = (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
  return [lo, hi];
}

export class Philox {
  private readonly key: [number, number];
  private readonly counter: [number, number, number, number];
  private results: number[] = [];
  private used = 4;

  /** Seeds as TensorFlow's PhiloxRandom(seed_lo, seed_hi); (0, 0) picks random seeds. */
  constructor(seed: number | bigint, seed2: number | bigint) {
    let s1 = BigInt.asUintN(64, BigInt(seed));
    let s2 = BigInt.asUintN(64, BigInt(seed2));
    if (s1 === 0n && s2 === 0n) {
      const b = randomBytes(16);
      s1 = b.readBigUInt64LE(0);
      s2 = b.readBigUInt64LE(8);
    }
    this.key = [Number(s1 & 0xffffffffn), Number(s1 >> 32n)];
    this.counter = [0, 0, Number(s2 & 0xffffffffn), Number(s2 >> 32n)];
  }

  /** A generator at an explicit key and counter (known-answer tests). */
  static fromKeyAndCounter(key: [number, number], counter: [number, number, number, number]): Philox {
    const p = new Philox(1, 0);
    p.key[0] = key[0] >>> 0; p.key[1] = key[1] >>> 0;
    for (let i = 0; i < 4; i++) p.counter[i] = counter[i]! >>> 0;
    return p;
  }

  /** The next uniform 32-bit unsigned sample. */
  next(): number {
    if (this.used === 4) {
      this.results = this.block();
      this.used = 0;
    }
    return this.results[this.used++]!;
  }

  private block(): number[] {
    let c = [...this.counter];
    let k0 = this.key[0], k1 = this.key[1];
    for (let round = 0; round < 10; round++) {
      const [lo0, hi0] = mulHiLo(M4x32A, c[0]!);
      const [lo1, hi1] = mulHiLo(M4x32B, c[2]!);
      c = [(hi1 ^ c[1]! ^ k0) >>> 0, lo1, (hi0 ^ c[3]! ^ k1) >>> 0, lo0];
      k0 = (k0 + W32A) >>> 0;
      k1 = (k1 + W32B) >>> 0;
    }
    this.skipOne();
    return c;
  }

  private skipOne(): void {
    for (let i = 0; i < 4; i++) {
      this.counter[i] = (this.counter[i]! + 1) >>> 0;
      if (this.counter[i] !== 0) return;
    }
  }
}
