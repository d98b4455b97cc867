/**
 * Helpers that write gpu.js kernel source for one op and one shape. Sizes are baked in as
 * literals or constants (gpu.js stops loops whose bounds come from data at 1000 iterations), and
 * index arithmetic uses thread ids and loop counters directly: gpu.js's WGSL does other integer
 * arithmetic in f32, which is exact only below 2^24.
 */
import { InvalidArgumentError } from '../framework/errors.js';

/** f32 holds every integer below this exactly; z-index decompositions stay below it. */
export const F32_EXACT = 1 << 23;

export interface ThreadMap {
  /** Output view for gpu.js, row-major, without size-1 dimensions (at least [1]). */
  output: number[];
  /** Index expression for each dimension of `dims` ('0' for a size-1 dimension). */
  idx: string[];
}

/** Maps the dimensions of `dims` (at most 3 larger than 1) to thread ids, innermost to x. */
export function threadMap(dims: readonly number[]): ThreadMap {
  const names = ['this.thread.x', 'this.thread.y', 'this.thread.z'];
  const idx = dims.map(() => '0');
  const output: number[] = [];
  let next = 0;
  for (let i = dims.length - 1; i >= 0; i--) {
    if (dims[i]! === 1) continue;
    if (next === 3) throw new InvalidArgumentError(`GPU kernels index at most 3 non-trivial dimensions, got [${dims}]`);
    idx[i] = names[next++]!;
    output.unshift(dims[i]!);
  }
  return { output: output.length ? output : [1], idx };
}

/** `a[i][j][k]` for the given index expressions. */
export function access(name: string, idx: readonly string[]): string {
  return name + (idx.length ? idx.map((e) => `[${e}]`).join('') : '[0]');
}

/** A JS number literal that gpu.js reads as a float where it must be one. */
export function lit(x: number): string {
  if (Number.isNaN(x)) return '(0 / 0)';
  if (!Number.isFinite(x)) return x > 0 ? '(1 / 0)' : '(-1 / 0)';
  return Number.isInteger(x) ? `${x}.0` : `${x}`;
}

export function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function fmtShape(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}
