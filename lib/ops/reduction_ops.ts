/**
 * Reductions (TensorFlow's math_ops reduce_*): Sum, Mean, Max, Min, Prod, All, Any over a list
 * of axes (negative axes count from the end; none = all axes), with keep_dims; ArgMax/ArgMin.
 */
import { registerKernel, registerOp, type InferenceInput, type OutputSpec } from '../framework/op_registry.js';
import type { DType } from '../framework/dtypes.js';
import type { SymbolicTensor } from '../framework/graph.js';
import { toSymbolic } from '../framework/convert.js';
import type { Tensor } from '../framework/tensor.js';
import type { KernelContext } from '../framework/kernel_context.js';
import {
  INDEX, NUMERIC, checkDType, constInput, fmtShape, intValues, shapeError,
} from './shape_fns.js';
import { alloc, ints, kernelError, stridesOf } from './kernel_util.js';
import { buildOp1, graphOf, nameOf, type NameOpt } from './op_builder.js';

/** Normalised, de-duplicated, sorted axes; or an error message naming the bad one. */
function normaliseAxes(axes: readonly number[], rank: number): number[] | string {
  const out = new Set<number>();
  for (const a of axes) {
    if (a < -rank || a >= rank) return `Invalid reduction dimension ${a} for input with ${rank} dimensions.`;
    out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((x, y) => x - y);
}

function reducedShape(shape: readonly (number | null)[], axes: readonly number[], keepDims: boolean): (number | null)[] {
  const out: (number | null)[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

function inferReduction(info: InferenceInput, allowed: readonly DType[]): OutputSpec[] {
  const d = checkDType(info, 0, 'input', allowed);
  checkDType(info, 1, 'reduction_indices', INDEX);
  const keepDims = info.attrs['keep_dims'] === true;
  const x = info.inputs[0]!.shape;
  const axesT = constInput(info, 1);
  const axesShape = info.inputs[1]!.shape;
  if (axesShape !== null && axesShape.length > 1) throw shapeError(info, `Shape must be at most rank 1 but is rank ${axesShape.length}`);
  if (x === null) return [{ dtype: d, shape: null }];
  if (axesT === null) return [{ dtype: d, shape: keepDims ? x.map(() => null) : null }];
  const axes = normaliseAxes(intValues(axesT), x.length);
  if (typeof axes === 'string') throw shapeError(info, axes);
  return [{ dtype: d, shape: reducedShape(x, axes, keepDims) }];
}

/** An accumulator over one output element: init, fold each value in, finish with the count. */
interface Reducer {
  init: number | bigint;
  step: (acc: any, v: any) => any;
  finish?: (acc: any, count: number) => any;
  /** A float sum: contiguous blocks are folded by a plain loop (no call per element). */
  floatSum?: boolean;
}

/** Reduces x over `axes` (normalised) into a tensor of `outDtype`. */
function reduce(x: Tensor, axes: readonly number[], keepDims: boolean, r: Reducer, outDtype: DType = x.dtype): Tensor {
  const outShape = reducedShape(x.shape, axes, keepDims) as number[];
  const { t, data } = alloc(outDtype, outShape);
  const acc = new Array<number | bigint>(data.length).fill(r.init);
  // For each input dim, how far one step moves in the output (0 along reduced dims).
  const keptShape = x.shape.filter((_, i) => !axes.includes(i));
  const keptStrides = stridesOf(keptShape);
  const step: number[] = [];
  let k = 0;
  x.shape.forEach((_, i) => { step.push(axes.includes(i) ? 0 : keptStrides[k++]!); });
  const src = x.data as ArrayLike<number | bigint>;
  const n = src.length;
  const rank = x.shape.length;
  const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
  if (axes.every((a, i) => a === rank - axes.length + i)) {
    // Reducing trailing axes (or all of them): each output folds one contiguous block.
    if (r.floatSum) {
      const sum = src instanceof Float32Array ? sumF32 : sumF64;
      for (let o = 0; o < acc.length; o++) acc[o] = sum(src as never, o * count, o * count + count);
    } else for (let o = 0; o < acc.length; o++) {
      let a = acc[o];
      for (let i = o * count, end = i + count; i < end; i++) a = r.step(a, src[i]);
      acc[o] = a!;
    }
  } else if (axes.every((a, i) => a === i)) {
    // Reducing leading axes: output j folds src[j], src[j + inner], ...
    const inner = acc.length;
    for (let b = 0; b < count; b++) {
      const base = b * inner;
      for (let j = 0; j < inner; j++) acc[j] = r.step(acc[j], src[base + j]);
    }
  } else {
    const counter = new Array<number>(rank).fill(0);
    let o = 0;
    for (let i = 0; i < n; i++) {
      acc[o] = r.step(acc[o], src[i]);
      for (let dd = rank - 1; dd >= 0; dd--) {
        counter[dd]!++;
        o += step[dd]!;
        if (counter[dd]! < x.shape[dd]!) break;
        o -= step[dd]! * x.shape[dd]!;
        counter[dd] = 0;
      }
    }
  }
  const out = data as unknown as (number | bigint)[];
  for (let j = 0; j < out.length; j++) out[j] = r.finish ? r.finish(acc[j], count) : acc[j]!;
  return t;
}

// One monomorphic loop per array type: V8 keeps each tight, unlike one loop over any array.
function sumF32(f: Float32Array, start: number, end: number): number {
  let a = 0;
  for (let i = start; i < end; i++) a += f[i]!;
  return a;
}

function sumF64(f: Float64Array, start: number, end: number): number {
  let a = 0;
  for (let i = start; i < end; i++) a += f[i]!;
  return a;
}

const LOWEST: Record<string, number | bigint> = {
  float32: -Infinity, float64: -Infinity, int32: -2147483648, uint8: 0, int64: -(2n ** 63n),
};
const HIGHEST: Record<string, number | bigint> = {
  float32: Infinity, float64: Infinity, int32: 2147483647, uint8: 255, int64: 2n ** 63n - 1n,
};

function sumReducer(dtype: DType): Reducer {
  switch (dtype) {
    case 'int64': return { init: 0n, step: (a, v) => BigInt.asIntN(64, (a as bigint) + (v as bigint)) };
    case 'int32': return { init: 0, step: (a, v) => (a + v) | 0 };
    case 'uint8': return { init: 0, step: (a, v) => (a + v) & 255 };
    default: return { init: 0, step: (a, v) => a + v, floatSum: true };
  }
}

const REDUCERS: Record<string, { allowed: readonly DType[]; make: (d: DType) => Reducer }> = {
  Sum: { allowed: NUMERIC, make: sumReducer },
  Mean: {
    allowed: NUMERIC,
    make: (d) => {
      const s = sumReducer(d);
      // Integer means truncate, as TensorFlow's integer division does.
      if (d === 'int64') return { ...s, finish: (a: bigint, c) => (c === 0 ? 0n : a / BigInt(c)) };
      if (d === 'int32' || d === 'uint8') return { ...s, finish: (a: number, c) => (c === 0 ? 0 : Math.trunc(a / c)) };
      return { ...s, finish: (a: number, c) => a / c };
    },
  },
  Prod: {
    allowed: NUMERIC,
    make: (d) => d === 'int64' ? { init: 1n, step: (a, v) => BigInt.asIntN(64, (a as bigint) * (v as bigint)) }
      : d === 'int32' ? { init: 1, step: (a, v) => Math.imul(a, v) }
      : d === 'uint8' ? { init: 1, step: (a, v) => Math.imul(a, v) & 255 }
      : { init: 1, step: (a, v) => a * v },
  },
  Max: {
    allowed: NUMERIC,
    make: (d) => ({ init: LOWEST[d]!, step: (a, v) => (Number.isNaN(v) || v > a ? v : a) }),
  },
  Min: {
    allowed: NUMERIC,
    make: (d) => ({ init: HIGHEST[d]!, step: (a, v) => (Number.isNaN(v) || v < a ? v : a) }),
  },
  All: { allowed: ['bool'], make: () => ({ init: 1, step: (a, v) => a & v }) },
  Any: { allowed: ['bool'], make: () => ({ init: 0, step: (a, v) => a | v }) },
};

/** The axes of a reduction at run time, checked against the input's rank. */
function runtimeAxes(ctx: KernelContext, x: Tensor, axesT: Tensor): number[] {
  if (axesT.shape.length > 1) throw kernelError(ctx, `axes must be a scalar or vector, got shape ${fmtShape(axesT.shape)}`);
  const axes = normaliseAxes(ints(axesT), x.shape.length);
  if (typeof axes === 'string') {
    const bad = ints(axesT).find((a) => a < -x.shape.length || a >= x.shape.length);
    throw kernelError(ctx, `Invalid reduction dimension (${bad} for input with ${x.shape.length} dimension(s)`);
  }
  return axes;
}

for (const [type, spec] of Object.entries(REDUCERS)) {
  registerOp({ type, inferOutputs: (info) => inferReduction(info, spec.allowed) });
  registerKernel({
    type,
    deviceType: 'CPU',
    compute: (ctx, [x, axesT]) => {
      const axes = runtimeAxes(ctx, x!, axesT!);
      return [reduce(x!, axes, ctx.node.attrs['keep_dims'] === true, spec.make(x!.dtype))];
    },
  });
}

// ---- ArgMax / ArgMin ----------------------------------------------------------------------

for (const type of ['ArgMax', 'ArgMin'] as const) {
  const better = type === 'ArgMax' ? (v: number | bigint, b: number | bigint) => v > b : (v: number | bigint, b: number | bigint) => v < b;
  registerOp({
    type,
    inferOutputs: (info) => {
      checkDType(info, 0, 'input', NUMERIC);
      checkDType(info, 1, 'dimension', INDEX);
      const out = (info.attrs['output_type'] as DType | undefined) ?? 'int64';
      const x = info.inputs[0]!.shape;
      const dimT = constInput(info, 1);
      if (x === null) return [{ dtype: out, shape: null }];
      if (dimT === null) return [{ dtype: out, shape: x.length === 0 ? null : x.slice(1).map(() => null) }];
      const axis = intValues(dimT)[0]!;
      if (axis < -x.length || axis >= x.length) {
        throw shapeError(info, `Expected dimension in the range [${-x.length}, ${x.length}), but got ${axis}`);
      }
      const a = axis < 0 ? axis + x.length : axis;
      return [{ dtype: out, shape: x.filter((_, i) => i !== a) }];
    },
  });
  registerKernel({
    type,
    deviceType: 'CPU',
    compute: (ctx, [x, dimT]) => {
      const rank = x!.shape.length;
      const axis0 = ints(dimT!)[0]!;
      if (axis0 < -rank || axis0 >= rank) {
        throw kernelError(ctx, `Expected dimension in the range [${-rank}, ${rank}), but got ${axis0}`);
      }
      const axis = axis0 < 0 ? axis0 + rank : axis0;
      if (x!.shape[axis] === 0) throw kernelError(ctx, `Reduction axis ${axis} is empty in shape ${fmtShape(x!.shape)}`);
      const outDtype = (ctx.node.attrs['output_type'] as DType | undefined) ?? 'int64';
      const outer = x!.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      const len = x!.shape[axis]!;
      const inner = x!.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      const { t, data } = alloc(outDtype, x!.shape.filter((_, i) => i !== axis));
      const src = x!.data as ArrayLike<number | bigint>;
      const out = data as unknown as (number | bigint)[];
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let best = 0;
          let bestV = src[o * len * inner + i]!;
          for (let k = 1; k < len; k++) {
            const v = src[(o * len + k) * inner + i]!;
            if (better(v, bestV)) { best = k; bestV = v; }
          }
          out[o * inner + i] = outDtype === 'int64' ? BigInt(best) : best;
        }
      }
      return [t];
    },
  });
}

// ---- user functions -----------------------------------------------------------------------

/** Axis argument: one axis, several, or undefined/null for all of them. */
export type Axis = number | readonly number[] | SymbolicTensor | null | undefined;

export interface ReduceOptions { axis?: Axis; keepDims?: boolean; name?: string }

/** The reduction_indices input: TF's _ReductionDims (all axes as a Const, or Range(0, Rank(x))). */
function reductionDims(x: SymbolicTensor, axis: Axis): unknown {
  if (axis !== undefined && axis !== null) return axis;
  if (x.shape !== null) return Int32Array.from(x.shape.keys());
  const g = x.graph;
  const rank = g.createOp('Rank', [x], { name: 'Rank' }).outputs[0]!;
  const zero = toSymbolic(0, { graph: g, dtype: 'int32' });
  const one = toSymbolic(1, { graph: g, dtype: 'int32' });
  return g.createOp('Range', [zero, rank, one], { name: 'range', attrs: { Tidx: 'int32' } }).outputs[0]!;
}

function reduction(type: string, defaultName: string) {
  /**
   * `tf.reduceX(x, axis?, keepDims?)`; also `(x, {axis, keepDims, name})`, and `keepDims` may be
   * an options object `{keepDims, name}`.
   */
  return (x: unknown, axis?: Axis | ReduceOptions, keepDims?: boolean | { keepDims?: boolean; name?: string }, name?: NameOpt): SymbolicTensor => {
    let o: ReduceOptions;
    if (axis !== null && typeof axis === 'object' && !Array.isArray(axis) && !('op' in axis) && !ArrayBuffer.isView(axis)) {
      o = { ...(axis as ReduceOptions) };
    } else {
      o = { axis: axis as Axis };
    }
    if (typeof keepDims === 'boolean') o.keepDims = keepDims;
    else if (keepDims) o = { ...o, ...keepDims };
    o.name = nameOf(name) ?? o.name;
    const graph = graphOf([x]);
    const xs = toSymbolic(x, { graph });
    const base = o.name ?? defaultName;
    const dims = graph.nameScope(`${graph.uniqueName(base, false)}/`, () => reductionDims(xs, o.axis));
    return buildOp1(type, base, [{ value: xs, param: 'input' }, { value: dims, param: 'reduction_indices', dtype: 'int32' }],
      { attrs: { keep_dims: o.keepDims === true, Tidx: 'int32' } });
  };
}

export const reduceSum = reduction('Sum', 'Sum');
export const reduceMean = reduction('Mean', 'Mean');
export const reduceMax = reduction('Max', 'Max');
export const reduceMin = reduction('Min', 'Min');
export const reduceProd = reduction('Prod', 'Prod');
export const reduceAll = reduction('All', 'All');
export const reduceAny = reduction('Any', 'Any');

export interface ArgMaxOptions { outputType?: 'int32' | 'int64'; name?: string }

function argReduction(type: string) {
  /** `tf.argMax(x, axis = 0, {outputType = 'int64'})`. */
  return (x: unknown, axis: number | SymbolicTensor = 0, opts: ArgMaxOptions | string = {}): SymbolicTensor => {
    const o = typeof opts === 'string' ? { name: opts } : opts;
    return buildOp1(type, type, [{ value: x, param: 'input' }, { value: axis, param: 'dimension', dtype: 'int32' }],
      { name: o.name, attrs: { output_type: o.outputType ?? 'int64', Tidx: 'int32' } });
  };
}
export const argMax = argReduction('ArgMax');
export const argMin = argReduction('ArgMin');

