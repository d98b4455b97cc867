/**
 * Registration of elementwise ops: binary ops with NumPy broadcasting (both operands of one
 * dtype), and unary ops. Each op gives one scalar function per dtype family; integer results wrap
 * as TensorFlow's fixed-width integers do (int32 add overflows to negative, int64 is bigint).
 */
import { registerKernel, registerOp } from '../framework/op_registry.js';
import type { DType } from '../framework/dtypes.js';
import type { Tensor } from '../framework/tensor.js';
import type { KernelContext } from '../framework/kernel_context.js';
import { broadcastStatic, checkDType, checkSameDType, fmtShape } from './shape_fns.js';
import { alloc, broadcastShapes, broadcastStrides, forEachBroadcast, kernelError } from './kernel_util.js';

// Scalar functions see numbers (bigint for int64, strings/bytes for string, 0/1 for bool).
export type ScalarFn = (x: any, y: any) => any;
export type UnaryFn = (x: any) => any;

/** Scalar functions per dtype; `ctx` lets a function raise a typed error naming the node. */
export type FnFor<F> = (dtype: DType, ctx: KernelContext) => F;

export interface BinaryOpSpec {
  type: string;
  allowed: readonly DType[];
  /** Comparison ops produce bool. */
  outBool?: boolean;
  fn: FnFor<ScalarFn>;
}

export function registerBinary(spec: BinaryOpSpec): void {
  registerOp({
    type: spec.type,
    inferOutputs: (info) => {
      const d = checkSameDType(info, ['x', 'y']);
      checkDType(info, 0, 'x', spec.allowed);
      return [{ dtype: spec.outBool ? 'bool' : d, shape: broadcastStatic(info, info.inputs[0]!.shape, info.inputs[1]!.shape) }];
    },
  });
  registerKernel({
    type: spec.type,
    deviceType: 'CPU',
    compute: (ctx, [a, b]) => [binaryCompute(ctx, a!, b!, spec.outBool ? 'bool' : a!.dtype, spec.fn(a!.dtype, ctx))],
  });
}

/** Applies f over the broadcast of a and b; "Incompatible shapes" when they do not broadcast. */
export function binaryCompute(ctx: KernelContext, a: Tensor, b: Tensor, outDtype: DType, f: ScalarFn): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  if (shape === null) throw kernelError(ctx, `Incompatible shapes: ${fmtShape(a.shape)} vs. ${fmtShape(b.shape)}`);
  const { t, data } = alloc(outDtype, shape);
  const out = data as unknown[];
  const x = a.data as ArrayLike<unknown>;
  const y = b.data as ArrayLike<unknown>;
  const n = out.length;
  if (a.size === n && b.size === n) {
    for (let i = 0; i < n; i++) out[i] = f(x[i], y[i]);
  } else if (b.size === 1 && a.size === n) {
    const y0 = y[0];
    for (let i = 0; i < n; i++) out[i] = f(x[i], y0);
  } else if (a.size === 1 && b.size === n) {
    const x0 = x[0];
    for (let i = 0; i < n; i++) out[i] = f(x0, y[i]);
  } else {
    forEachBroadcast(shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape),
      (i, ia, ib) => { out[i] = f(x[ia], y[ib]); });
  }
  return t;
}

export interface UnaryOpSpec {
  type: string;
  allowed: readonly DType[];
  fn: FnFor<UnaryFn>;
}

export function registerUnary(spec: UnaryOpSpec): void {
  registerOp({
    type: spec.type,
    inferOutputs: (info) => {
      const d = checkDType(info, 0, 'x', spec.allowed);
      return [{ dtype: d, shape: info.inputs[0]!.shape }];
    },
  });
  registerKernel({
    type: spec.type,
    deviceType: 'CPU',
    compute: (ctx, [a]) => [unaryCompute(a!, a!.dtype, spec.fn(a!.dtype, ctx))],
  });
}

export function unaryCompute(a: Tensor, outDtype: DType, f: UnaryFn): Tensor {
  const { t, data } = alloc(outDtype, [...a.shape]);
  const out = data as unknown[];
  const x = a.data as ArrayLike<unknown>;
  for (let i = 0; i < out.length; i++) out[i] = f(x[i]);
  return t;
}

/** Picks the scalar function for a dtype family. */
export function byDType<F>(fns: { float?: F; int32?: F; uint8?: F; int64?: F; bool?: F; string?: F }): FnFor<F> {
  return (dtype) => {
    const f = dtype === 'float32' || dtype === 'float64' ? fns.float : (fns as Record<string, F | undefined>)[dtype];
    // Op definitions restrict dtypes before a kernel ever runs, so a gap here is a registry bug.
    if (f === undefined) throw new Error(`no scalar function for ${dtype}`);
    return f;
  };
}

export const wrapU8 = (v: number): number => v & 255;
// Typed loosely: scalar functions see `any`, and TS types `any - any` as number.
export const wrap64 = (v: bigint | number): bigint => BigInt.asIntN(64, v as bigint);

/** Equality of string-tensor elements (text or bytes). */
export function elementsEqual(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    const x = typeof a === 'string' ? new TextEncoder().encode(a) : (a as Uint8Array);
    const y = typeof b === 'string' ? new TextEncoder().encode(b) : (b as Uint8Array);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  return a === b;
}

