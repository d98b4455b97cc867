/**
 * Helpers shared by the CPU kernels: typed errors that name the node, attribute access, integer
 * reads of index tensors, strides and NumPy broadcasting of concrete shapes.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import type { KernelContext } from '../framework/kernel_context.js';
import { allocData, type DType, type TensorData } from '../framework/dtypes.js';
import { Tensor, numElements } from '../framework/tensor.js';
import { fmtShape } from './shape_fns.js';

/** An InvalidArgumentError raised by the kernel of `ctx.node`, naming it (and its device). */
export function kernelError(ctx: KernelContext, msg: string): InvalidArgumentError {
  return new InvalidArgumentError(msg, { op: ctx.node.name, device: ctx.device?.path ?? null });
}

export function attr<T>(ctx: KernelContext, key: string, dflt: T): T {
  const v = ctx.node.attrs[key];
  return v === undefined || v === null ? dflt : (v as T);
}

/** The integers of an index tensor (int32/int64) as numbers. */
export function ints(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** The scalar integer of an index tensor, or an error naming `what`. */
export function scalarInt(ctx: KernelContext, t: Tensor, what: string): number {
  if (t.shape.length !== 0) throw kernelError(ctx, `${what} must be a scalar, got shape ${fmtShape(t.shape)}`);
  return Number(t.data[0] as number | bigint);
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The broadcast of two concrete shapes, or null when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/** For each output dim, the step in the input's flat index (0 where the input broadcasts). */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const inStrides = stridesOf(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((_, i) => (i < off || inShape[i - off] === 1 ? 0 : inStrides[i - off]!));
}

/**
 * Calls fn(outIndex, indexA, indexB) for every element of the broadcast of a and b, walking the
 * output in row-major order with an odometer instead of dividing per element.
 */
export function forEachBroadcast(outShape: readonly number[], sa: readonly number[], sb: readonly number[],
  fn: (i: number, ia: number, ib: number) => void): void {
  const n = numElements(outShape);
  if (n === 0) return;
  const rank = outShape.length;
  const counter = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    fn(i, ia, ib);
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      ia += sa[d]!;
      ib += sb[d]!;
      if (counter[d]! < outShape[d]!) break;
      ia -= sa[d]! * outShape[d]!;
      ib -= sb[d]! * outShape[d]!;
      counter[d] = 0;
    }
  }
}

/** A new tensor of `dtype` and `shape`, with its data array to fill. */
export function alloc(dtype: DType, shape: number[]): { t: Tensor; data: TensorData } {
  const data = allocData(dtype, numElements(shape));
  return { t: new Tensor(dtype, shape, data), data };
}

/** Copies `count` elements from src[srcOff..] to dst[dstOff..] (typed arrays or string arrays). */
export function copyRange(dst: TensorData, dstOff: number, src: TensorData, srcOff: number, count: number): void {
  if (ArrayBuffer.isView(dst) && ArrayBuffer.isView(src)) {
    (dst as Float64Array).set((src as Float64Array).subarray(srcOff, srcOff + count), dstOff);
    return;
  }
  for (let k = 0; k < count; k++) (dst as unknown[])[dstOff + k] = (src as unknown[])[srcOff + k];
}
