/**
 * Shape manipulation and data movement (TensorFlow's array_ops.py): Identity, Shape, Size, Rank,
 * Fill, ZerosLike/OnesLike, Reshape, Pack/Unpack, Tile, Gather, ConcatV2, ExpandDims, Squeeze,
 * Slice, StopGradient; op definitions, CPU kernels and user functions.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { registerKernel, registerOp, type InferenceInput, type StaticShape } from '../framework/op_registry.js';
import { asDType, type DType } from '../framework/dtypes.js';
import { SymbolicTensor } from '../framework/graph.js';
import { constantOp, toSymbolic } from '../framework/convert.js';
import { Tensor, numElements } from '../framework/tensor.js';
import type { KernelContext } from '../framework/kernel_context.js';
import {
  INDEX, NUMERIC, checkDType, checkRank, checkSameDType, constInput, fmtShape, intValues, mergeDim, mergeShapes,
  numElementsStatic, shapeError,
} from './shape_fns.js';
import { alloc, copyRange, ints, kernelError, stridesOf } from './kernel_util.js';
import { buildOp, buildOp1, graphOf, nameOf, type NameOpt } from './op_builder.js';

/** Ops whose output is their input: no copy (tensors are immutable once produced). */
for (const type of ['Identity', 'StopGradient']) {
  registerOp({ type, inferOutputs: ({ inputs }) => [{ dtype: inputs[0]!.dtype, shape: inputs[0]!.shape }] });
  registerKernel({ type, deviceType: 'CPU', compute: (_ctx, [x]) => [x!] });
}

// ---- Shape, Size, Rank --------------------------------------------------------------------

function outType(attrs: Readonly<Record<string, unknown>>): DType {
  return (attrs['out_type'] as DType | undefined) ?? 'int32';
}

function intTensor(dtype: DType, values: readonly number[], shape: number[]): Tensor {
  return dtype === 'int64'
    ? new Tensor('int64', shape, BigInt64Array.from(values, (v) => BigInt(v)))
    : new Tensor('int32', shape, Int32Array.from(values));
}

registerOp({
  type: 'Shape',
  inferOutputs: ({ inputs, attrs }) => [{ dtype: outType(attrs), shape: [inputs[0]!.shape === null ? null : inputs[0]!.shape.length] }],
});
registerKernel({
  type: 'Shape', deviceType: 'CPU',
  compute: (ctx, [x]) => [intTensor(outType(ctx.node.attrs), x!.shape, [x!.shape.length])],
});
registerOp({ type: 'Size', inferOutputs: ({ attrs }) => [{ dtype: outType(attrs), shape: [] }] });
registerKernel({ type: 'Size', deviceType: 'CPU', compute: (ctx, [x]) => [intTensor(outType(ctx.node.attrs), [x!.size], [])] });
registerOp({ type: 'Rank', inferOutputs: () => [{ dtype: 'int32', shape: [] }] });
registerKernel({ type: 'Rank', deviceType: 'CPU', compute: (_ctx, [x]) => [intTensor('int32', [x!.shape.length], [])] });

// ---- Fill, ZerosLike, OnesLike ------------------------------------------------------------

/** A static shape from a shape-vector input: its value if constant, else its length in nulls. */
function shapeFromInput(info: InferenceInput, i: number): StaticShape {
  const c = constInput(info, i);
  if (c !== null) return intValues(c).map((d) => (d < 0 ? null : d));
  const s = info.inputs[i]!.shape;
  return s !== null && s.length === 1 && s[0] !== null ? new Array<null>(s[0]).fill(null) : null;
}

registerOp({
  type: 'Fill',
  inferOutputs: (info) => {
    checkDType(info, 0, 'dims', INDEX);
    checkRank(info, 0, 1);
    checkRank(info, 1, 0);
    const c = constInput(info, 0);
    if (c !== null && intValues(c).some((d) => d < 0)) throw shapeError(info, 'Fill dimensions must be >= 0');
    return [{ dtype: info.inputs[1]!.dtype, shape: shapeFromInput(info, 0) }];
  },
});
registerKernel({
  type: 'Fill', deviceType: 'CPU',
  compute: (ctx, [dims, value]) => {
    if (dims!.shape.length !== 1) throw kernelError(ctx, `dims must be a vector, got shape ${fmtShape(dims!.shape)}`);
    if (value!.shape.length !== 0) throw kernelError(ctx, `value must be a scalar, got shape ${fmtShape(value!.shape)}`);
    const shape = ints(dims!);
    if (shape.some((d) => d < 0)) throw kernelError(ctx, `Fill dimensions must be >= 0, got ${fmtShape(shape)}`);
    return [filled(value!.dtype, shape, value!.data[0]!)];
  },
});

function filled(dtype: DType, shape: number[], v: unknown): Tensor {
  const { t, data } = alloc(dtype, shape);
  (data as unknown as { fill(x: unknown): void }).fill(v);
  return t;
}

function zeroOf(dtype: DType): unknown {
  return dtype === 'string' ? '' : dtype === 'int64' ? 0n : 0;
}
function oneOf(dtype: DType): unknown {
  return dtype === 'int64' ? 1n : 1;
}

registerOp({ type: 'ZerosLike', inferOutputs: ({ inputs }) => [{ dtype: inputs[0]!.dtype, shape: inputs[0]!.shape }] });
registerKernel({ type: 'ZerosLike', deviceType: 'CPU', compute: (_ctx, [x]) => [filled(x!.dtype, [...x!.shape], zeroOf(x!.dtype))] });
registerOp({
  type: 'OnesLike',
  inferOutputs: (info) => {
    const d = checkDType(info, 0, 'x', [...NUMERIC, 'bool']);
    return [{ dtype: d, shape: info.inputs[0]!.shape }];
  },
});
registerKernel({ type: 'OnesLike', deviceType: 'CPU', compute: (_ctx, [x]) => [filled(x!.dtype, [...x!.shape], oneOf(x!.dtype))] });

// ---- Reshape ------------------------------------------------------------------------------

/** Resolves a requested shape (one -1 allowed) against `n` elements; an error string if it cannot. */
function resolveReshape(req: readonly number[], n: number | null, forBuild: boolean): (number | null)[] | string {
  let unknown = -1;
  let product = 1;
  for (let i = 0; i < req.length; i++) {
    const d = req[i]!;
    if (d === -1) {
      if (unknown !== -1) return `Only one input size may be -1, not both ${unknown} and ${i}`;
      unknown = i;
    } else if (d < 0) {
      return `Size ${i} must be non-negative, not ${d}`;
    } else {
      product *= d;
    }
  }
  const out: (number | null)[] = [...req];
  if (n === null) {
    if (unknown !== -1) out[unknown] = null;
    return out;
  }
  if (unknown !== -1) {
    if (product === 0) {
      return 'Reshape cannot infer the missing input size for an empty tensor unless all specified input sizes are non-zero';
    }
    const missing = Math.floor(n / product);
    if (missing * product !== n) {
      return forBuild
        ? `Dimension size must be evenly divisible by ${product} but is ${n}`
        : `Input to reshape is a tensor with ${n} values, but the requested shape requires a multiple of ${product}`;
    }
    out[unknown] = missing;
    return out;
  }
  if (product !== n) {
    return forBuild
      ? `Cannot reshape a tensor with ${n} elements to shape ${fmtShape(req)} (${product} elements)`
      : `Input to reshape is a tensor with ${n} values, but the requested shape has ${product}`;
  }
  return out;
}

registerOp({
  type: 'Reshape',
  inferOutputs: (info) => {
    checkDType(info, 1, 'shape', INDEX);
    const ss = info.inputs[1]!.shape;
    if (ss !== null && ss.length !== 1) throw shapeError(info, `Shape must be rank 1 but is rank ${ss.length}`);
    const dtype = info.inputs[0]!.dtype;
    const c = constInput(info, 1);
    if (c === null) return [{ dtype, shape: shapeFromInput(info, 1) }];
    const r = resolveReshape(intValues(c), numElementsStatic(info.inputs[0]!.shape), true);
    if (typeof r === 'string') throw shapeError(info, r);
    return [{ dtype, shape: r }];
  },
});
registerKernel({
  type: 'Reshape', deviceType: 'CPU',
  compute: (ctx, [x, shapeT]) => {
    if (shapeT!.shape.length !== 1) throw kernelError(ctx, `sizes input must be 1-D, not ${fmtShape(shapeT!.shape)}`);
    const r = resolveReshape(ints(shapeT!), x!.size, false);
    if (typeof r === 'string') throw kernelError(ctx, r);
    return [new Tensor(x!.dtype, r as number[], x!.data)];
  },
});

// ---- Pack / Unpack ------------------------------------------------------------------------

registerOp({
  type: 'Pack',
  inferOutputs: (info) => {
    if (info.inputs.length === 0) throw shapeError(info, 'Pack needs at least one value');
    const d = checkSameDType(info, info.inputs.map((_, i) => `values[${i}]`));
    let s: StaticShape = info.inputs[0]!.shape;
    for (const i of info.inputs.slice(1)) s = mergeShapes(info, s, i.shape);
    if (s === null) return [{ dtype: d, shape: null }];
    const axis = info.attrs['axis'] as number;
    const r = s.length + 1;
    if (axis < -r || axis >= r) throw shapeError(info, `axis = ${axis} not in [${-r}, ${r})`);
    const a = axis < 0 ? axis + r : axis;
    return [{ dtype: d, shape: [...s.slice(0, a), info.inputs.length, ...s.slice(a)] }];
  },
});
registerKernel({
  type: 'Pack', deviceType: 'CPU',
  compute: (ctx, inputs) => {
    const first = inputs[0]!;
    inputs.forEach((t, i) => {
      if (t.shape.length !== first.shape.length || t.shape.some((d, k) => d !== first.shape[k])) {
        throw kernelError(ctx, `Shapes of all inputs must match: values[0].shape = ${fmtShape(first.shape)} != values[${i}].shape = ${fmtShape(t.shape)}`);
      }
    });
    const r = first.shape.length + 1;
    const axis0 = ctx.node.attrs['axis'] as number;
    const axis = axis0 < 0 ? axis0 + r : axis0;
    const outer = numElements(first.shape.slice(0, axis));
    const inner = numElements(first.shape.slice(axis));
    const n = inputs.length;
    const { t, data } = alloc(first.dtype, [...first.shape.slice(0, axis), n, ...first.shape.slice(axis)]);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < n; k++) copyRange(data, (o * n + k) * inner, inputs[k]!.data, o * inner, inner);
    }
    return [t];
  },
});

registerOp({
  type: 'Unpack',
  inferOutputs: (info) => {
    const s = info.inputs[0]!.shape;
    const num = info.attrs['num'] as number;
    const axis0 = info.attrs['axis'] as number;
    const d = info.inputs[0]!.dtype;
    if (s === null) return new Array(num).fill(0).map(() => ({ dtype: d, shape: null }));
    if (axis0 < -s.length || axis0 >= s.length) throw shapeError(info, `axis = ${axis0} not in [${-s.length}, ${s.length})`);
    const axis = axis0 < 0 ? axis0 + s.length : axis0;
    if (s[axis] !== null && s[axis] !== num) throw shapeError(info, `Dimension must be ${num} but is ${s[axis]}`);
    const rest = s.filter((_, i) => i !== axis);
    return new Array(num).fill(0).map(() => ({ dtype: d, shape: [...rest] }));
  },
});
registerKernel({
  type: 'Unpack', deviceType: 'CPU',
  compute: (ctx, [x]) => {
    const rank = x!.shape.length;
    const axis0 = ctx.node.attrs['axis'] as number;
    const axis = axis0 < 0 ? axis0 + rank : axis0;
    const num = ctx.node.attrs['num'] as number;
    if (x!.shape[axis] !== num) throw kernelError(ctx, `Input shape axis ${axis} must equal ${num}, got shape ${fmtShape(x!.shape)}`);
    const outer = numElements(x!.shape.slice(0, axis));
    const inner = numElements(x!.shape.slice(axis + 1));
    const rest = x!.shape.filter((_, i) => i !== axis);
    const outs: Tensor[] = [];
    for (let k = 0; k < num; k++) {
      const { t, data } = alloc(x!.dtype, [...rest]);
      for (let o = 0; o < outer; o++) copyRange(data, o * inner, x!.data, (o * num + k) * inner, inner);
      outs.push(t);
    }
    return outs;
  },
});

// ---- Tile ---------------------------------------------------------------------------------

registerOp({
  type: 'Tile',
  inferOutputs: (info) => {
    checkDType(info, 1, 'multiples', INDEX);
    checkRank(info, 1, 1);
    const x = info.inputs[0]!.shape;
    const dtype = info.inputs[0]!.dtype;
    const c = constInput(info, 1);
    const ms = info.inputs[1]!.shape;
    const len = c !== null ? c.size : ms !== null ? ms[0] ?? null : null;
    if (x !== null && len !== null && len !== x.length) {
      throw shapeError(info, `Expected multiples argument to be a vector of length ${x.length} but got length ${len}`);
    }
    if (c === null) return [{ dtype, shape: x === null ? (len === null ? null : new Array<null>(len).fill(null)) : x.map(() => null) }];
    const m = intValues(c);
    const bad = m.findIndex((v) => v < 0);
    if (bad >= 0) throw shapeError(info, `Expected multiples[${bad}] >= 0, but got ${m[bad]}`);
    return [{ dtype, shape: x === null ? m.map(() => null) : x.map((d, i) => (d === null ? null : d * m[i]!)) }];
  },
});
registerKernel({
  type: 'Tile', deviceType: 'CPU',
  compute: (ctx, [x, multiplesT]) => {
    const m = ints(multiplesT!);
    const rank = x!.shape.length;
    if (multiplesT!.shape.length !== 1 || m.length !== rank) {
      throw kernelError(ctx, `Expected multiples argument to be a vector of length ${rank} but got length ${m.length}`);
    }
    const bad = m.findIndex((v) => v < 0);
    if (bad >= 0) throw kernelError(ctx, `Expected multiples[${bad}] >= 0, but got ${m[bad]}`);
    const outShape = x!.shape.map((d, i) => d * m[i]!);
    const { t, data } = alloc(x!.dtype, outShape);
    const n = data.length;
    if (n === 0) return [t];
    const inStrides = stridesOf(x!.shape);
    const src = x!.data as ArrayLike<unknown>;
    const out = data as unknown[];
    const counter = new Array<number>(rank).fill(0);
    const inIdx = new Array<number>(rank).fill(0); // counter[d] % x.shape[d]
    let ii = 0;
    for (let i = 0; i < n; i++) {
      out[i] = src[ii];
      for (let d = rank - 1; d >= 0; d--) {
        counter[d]!++;
        inIdx[d]!++;
        ii += inStrides[d]!;
        if (inIdx[d] === x!.shape[d]) { inIdx[d] = 0; ii -= inStrides[d]! * x!.shape[d]!; }
        if (counter[d]! < outShape[d]!) break;
        ii -= inIdx[d]! * inStrides[d]!;
        inIdx[d] = 0;
        counter[d] = 0;
      }
    }
    return [t];
  },
});

// ---- Gather -------------------------------------------------------------------------------

function inferGather(info: InferenceInput, axisIndex: number | null): StaticShape {
  checkDType(info, 1, 'indices', INDEX);
  const p = info.inputs[0]!.shape;
  const idx = info.inputs[1]!.shape;
  let axis = 0;
  if (axisIndex !== null) {
    const c = constInput(info, axisIndex);
    if (c === null) return null;
    axis = intValues(c)[0]!;
  }
  if (p === null || idx === null) return null;
  if (p.length < 1) throw shapeError(info, 'Shape must be at least rank 1 but is rank 0');
  if (axis < -p.length || axis >= p.length) throw shapeError(info, `Expected axis in the range [${-p.length}, ${p.length}), but got ${axis}`);
  const a = axis < 0 ? axis + p.length : axis;
  return [...p.slice(0, a), ...idx, ...p.slice(a + 1)];
}

function gatherCompute(ctx: KernelContext, params: Tensor, indices: Tensor, axis0: number): Tensor {
  const rank = params.shape.length;
  if (rank < 1) throw kernelError(ctx, 'params must be at least 1 dimensional');
  if (axis0 < -rank || axis0 >= rank) throw kernelError(ctx, `Expected axis in the range [${-rank}, ${rank}), but got ${axis0}`);
  const axis = axis0 < 0 ? axis0 + rank : axis0;
  const limit = params.shape[axis]!;
  const idx = ints(indices);
  idx.forEach((v, i) => {
    if (v < 0 || v >= limit) throw kernelError(ctx, `indices[${i}] = ${v} is not in [0, ${limit})`);
  });
  const outer = numElements(params.shape.slice(0, axis));
  const inner = numElements(params.shape.slice(axis + 1));
  const { t, data } = alloc(params.dtype, [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)]);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < idx.length; k++) {
      copyRange(data, (o * idx.length + k) * inner, params.data, (o * limit + idx[k]!) * inner, inner);
    }
  }
  return t;
}

registerOp({ type: 'Gather', inferOutputs: (info) => [{ dtype: info.inputs[0]!.dtype, shape: inferGather(info, null) }] });
registerKernel({ type: 'Gather', deviceType: 'CPU', compute: (ctx, [p, i]) => [gatherCompute(ctx, p!, i!, 0)] });
registerOp({
  type: 'GatherV2',
  inferOutputs: (info) => {
    checkDType(info, 2, 'axis', INDEX);
    return [{ dtype: info.inputs[0]!.dtype, shape: inferGather(info, 2) }];
  },
});
registerKernel({ type: 'GatherV2', deviceType: 'CPU', compute: (ctx, [p, i, a]) => [gatherCompute(ctx, p!, i!, ints(a!)[0]!)] });

// ---- ConcatV2 -----------------------------------------------------------------------------

registerOp({
  type: 'ConcatV2',
  inferOutputs: (info) => {
    const n = info.inputs.length - 1;
    if (n < 1) throw shapeError(info, 'ConcatV2 needs at least one value');
    checkDType(info, n, 'axis', INDEX);
    const d = checkSameDType(info, info.inputs.slice(0, n).map((_, i) => `values[${i}]`), info.inputs.slice(0, n).map((_, i) => i));
    const c = constInput(info, n);
    const shapes = info.inputs.slice(0, n).map((i) => i.shape);
    const known = shapes.find((s) => s !== null) ?? null;
    if (known === null) return [{ dtype: d, shape: null }];
    const rank = known.length;
    for (const s of shapes) {
      if (s !== null && s.length !== rank) throw shapeError(info, `Shape must be rank ${rank} but is rank ${s.length}`);
    }
    if (c === null) return [{ dtype: d, shape: new Array<null>(rank).fill(null) }];
    const axis0 = intValues(c)[0]!;
    if (axis0 < -rank || axis0 >= rank) {
      throw shapeError(info, `ConcatOp : Expected concatenating dimensions in the range [${-rank}, ${rank}), but got ${axis0}`);
    }
    const axis = axis0 < 0 ? axis0 + rank : axis0;
    const out: (number | null)[] = new Array(rank).fill(null);
    let sum: number | null = 0;
    for (const s of shapes) {
      if (s === null) { sum = null; continue; }
      for (let i = 0; i < rank; i++) {
        if (i === axis) continue;
        if (out[i] !== null && s[i] !== null && out[i] !== s[i]) {
          throw shapeError(info, `Dimension ${i} in both shapes must be equal, but are ${out[i]} and ${s[i]}. ` +
            `Shapes are ${fmtShape(known)} and ${fmtShape(s)}.`);
        }
        out[i] = mergeDim(info, out[i]!, s[i]!);
      }
      sum = sum === null || s[axis] === null ? null : sum + s[axis]!;
    }
    out[axis] = sum;
    return [{ dtype: d, shape: out }];
  },
});
registerKernel({
  type: 'ConcatV2', deviceType: 'CPU',
  compute: (ctx, inputs) => {
    const values = inputs.slice(0, -1);
    const first = values[0]!;
    const rank = first.shape.length;
    const axis0 = ints(inputs[inputs.length - 1]!)[0]!;
    if (axis0 < -rank || axis0 >= rank) {
      throw kernelError(ctx, `ConcatOp : Expected concatenating dimensions in the range [${-rank}, ${rank}), but got ${axis0}`);
    }
    const axis = axis0 < 0 ? axis0 + rank : axis0;
    values.forEach((t, i) => {
      if (t.shape.length !== rank) {
        throw kernelError(ctx, `ConcatOp : Ranks of all input tensors should match: shape[0] = ${fmtShape(first.shape)} vs. shape[${i}] = ${fmtShape(t.shape)}`);
      }
      if (t.shape.some((d, k) => k !== axis && d !== first.shape[k])) {
        throw kernelError(ctx, `ConcatOp : Dimensions of inputs should match: shape[0] = ${fmtShape(first.shape)} vs. shape[${i}] = ${fmtShape(t.shape)}`);
      }
    });
    const outShape = [...first.shape];
    outShape[axis] = values.reduce((s, t) => s + t.shape[axis]!, 0);
    const outer = numElements(first.shape.slice(0, axis));
    const inner = numElements(first.shape.slice(axis + 1));
    const { t, data } = alloc(first.dtype, outShape);
    let off = 0;
    for (let o = 0; o < outer; o++) {
      for (const v of values) {
        const chunk = v.shape[axis]! * inner;
        copyRange(data, off, v.data, o * chunk, chunk);
        off += chunk;
      }
    }
    return [t];
  },
});

// ---- ExpandDims, Squeeze ------------------------------------------------------------------

registerOp({
  type: 'ExpandDims',
  inferOutputs: (info) => {
    checkDType(info, 1, 'dim', INDEX);
    const x = info.inputs[0]!.shape;
    const dtype = info.inputs[0]!.dtype;
    const c = constInput(info, 1);
    if (x === null) return [{ dtype, shape: null }];
    if (c === null) return [{ dtype, shape: new Array<null>(x.length + 1).fill(null) }];
    const dim = intValues(c)[0]!;
    if (dim < -x.length - 1 || dim > x.length) throw shapeError(info, `Tried to expand dim index ${dim} for tensor with ${x.length} dimensions.`);
    const a = dim < 0 ? dim + x.length + 1 : dim;
    return [{ dtype, shape: [...x.slice(0, a), 1, ...x.slice(a)] }];
  },
});
registerKernel({
  type: 'ExpandDims', deviceType: 'CPU',
  compute: (ctx, [x, dimT]) => {
    const rank = x!.shape.length;
    const dim = ints(dimT!)[0]!;
    if (dim < -rank - 1 || dim > rank) throw kernelError(ctx, `Tried to expand dim index ${dim} for tensor with ${rank} dimensions.`);
    const a = dim < 0 ? dim + rank + 1 : dim;
    return [new Tensor(x!.dtype, [...x!.shape.slice(0, a), 1, ...x!.shape.slice(a)], x!.data)];
  },
});

/** The squeezed shape, or an error message. `dims` empty = every dim of size 1. */
function squeezeShape(shape: readonly (number | null)[], dims: readonly number[]): (number | null)[] | null | string {
  const rank = shape.length;
  const wanted = new Set<number>();
  for (const d of dims) {
    if (d < -rank || d >= rank) return `Tried to squeeze dim index ${d} for tensor with ${rank} dimensions.`;
    wanted.add(d < 0 ? d + rank : d);
  }
  const out: (number | null)[] = [];
  for (let i = 0; i < rank; i++) {
    const d = shape[i]!;
    if (wanted.size > 0) {
      if (!wanted.has(i)) { out.push(d); continue; }
      if (d !== null && d !== 1) return `Can not squeeze dim[${i}], expected a dimension of 1, got ${d}`;
    } else {
      if (d === null) return null; // could be 1 or not: rank unknown
      if (d !== 1) out.push(d);
    }
  }
  return out;
}

registerOp({
  type: 'Squeeze',
  inferOutputs: (info) => {
    const x = info.inputs[0]!.shape;
    const dtype = info.inputs[0]!.dtype;
    if (x === null) return [{ dtype, shape: null }];
    const r = squeezeShape(x, (info.attrs['squeeze_dims'] as number[] | undefined) ?? []);
    if (typeof r === 'string') throw shapeError(info, r);
    return [{ dtype, shape: r }];
  },
});
registerKernel({
  type: 'Squeeze', deviceType: 'CPU',
  compute: (ctx, [x]) => {
    const r = squeezeShape(x!.shape, (ctx.node.attrs['squeeze_dims'] as number[] | undefined) ?? []);
    if (typeof r === 'string') throw kernelError(ctx, r);
    return [new Tensor(x!.dtype, r as number[], x!.data)];
  },
});

// ---- Slice --------------------------------------------------------------------------------

/** Resolved sizes of a slice (size -1 = to the end), or an error message. */
function sliceSizes(shape: readonly number[], begin: readonly number[], size: readonly number[]): number[] | string {
  if (begin.length !== shape.length || size.length !== shape.length) {
    return `Expected begin and size arguments to be 1-D tensors of size ${shape.length}, but got shapes [${begin.length}] and [${size.length}] instead.`;
  }
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const s = size[i] === -1 ? shape[i]! - begin[i]! : size[i]!;
    if (begin[i]! < 0 || begin[i]! > shape[i]!) return `Expected begin[${i}] in [0, ${shape[i]}], but got ${begin[i]}`;
    if (s < 0 || begin[i]! + s > shape[i]!) return `Expected size[${i}] in [0, ${shape[i]! - begin[i]!}], but got ${size[i]}`;
    out.push(s);
  }
  return out;
}

registerOp({
  type: 'Slice',
  inferOutputs: (info) => {
    checkDType(info, 1, 'begin', INDEX);
    checkSameDType(info, ['begin', 'size'], [1, 2]);
    const x = info.inputs[0]!.shape;
    const dtype = info.inputs[0]!.dtype;
    const b = constInput(info, 1);
    const s = constInput(info, 2);
    if (x !== null && b !== null && s !== null && x.every((d) => d !== null)) {
      const r = sliceSizes(x as number[], intValues(b), intValues(s));
      if (typeof r === 'string') throw shapeError(info, r);
      return [{ dtype, shape: r }];
    }
    if (s !== null) {
      const sv = intValues(s);
      return [{ dtype, shape: sv.map((v, i) => (v === -1 ? (x === null || b === null || x[i] === null ? null : x[i]! - intValues(b)[i]!) : v)) }];
    }
    return [{ dtype, shape: x === null ? null : x.map(() => null) }];
  },
});
registerKernel({
  type: 'Slice', deviceType: 'CPU',
  compute: (ctx, [x, beginT, sizeT]) => {
    const begin = ints(beginT!);
    const r = sliceSizes(x!.shape, begin, ints(sizeT!));
    if (typeof r === 'string') throw kernelError(ctx, r);
    const { t, data } = alloc(x!.dtype, r);
    const n = data.length;
    if (n === 0) return [t];
    const rank = r.length;
    if (rank === 0) return [new Tensor(x!.dtype, [], x!.data)];
    const strides = stridesOf(x!.shape);
    // Copy contiguous rows along the last dim.
    const rowLen = r[rank - 1]!;
    const rows = n / rowLen;
    const counter = new Array<number>(rank - 1).fill(0);
    for (let row = 0; row < rows; row++) {
      let src = begin[rank - 1]!;
      for (let d = 0; d < rank - 1; d++) src += (begin[d]! + counter[d]!) * strides[d]!;
      copyRange(data, row * rowLen, x!.data, src, rowLen);
      for (let d = rank - 2; d >= 0; d--) {
        counter[d]!++;
        if (counter[d]! < r[d]!) break;
        counter[d] = 0;
      }
    }
    return [t];
  },
});

// ---- user functions -----------------------------------------------------------------------

/** `tf.identity(x)`. */
export function identity(x: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('Identity', 'Identity', [{ value: x, param: 'input' }], { name: nameOf(opts) });
}

/** `tf.stopGradient(x)`: the value of x (a marker for gradient code). */
export function stopGradient(x: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('StopGradient', 'StopGradient', [{ value: x, param: 'input' }], { name: nameOf(opts) });
}

export interface OutTypeOptions { outType?: 'int32' | 'int64'; name?: string }

function outTypeOpts(opts: OutTypeOptions | string | undefined): OutTypeOptions {
  return typeof opts === 'string' ? { name: opts } : opts ?? {};
}

/** x's static shape when every dimension is known (TensorFlow's is_fully_defined), else null. */
function fullyDefined(xs: SymbolicTensor): number[] | null {
  return xs.shape !== null && xs.shape.every((d) => d !== null) ? (xs.shape as number[]) : null;
}

/**
 * `tf.shape(x, {outType?})`: the shape of x as a 1-D int32 (or int64) tensor. As TensorFlow's
 * shape_internal(optimize=True), a fully known static shape becomes a Const, so what is built
 * from it (`tf.zeros(tf.shape(x))`) has a known static shape too; otherwise a Shape op.
 */
export function shape(x: unknown, opts?: OutTypeOptions | string): SymbolicTensor {
  const o = outTypeOpts(opts);
  const graph = graphOf([x]);
  const xs = toSymbolic(x, { graph });
  const known = fullyDefined(xs);
  if (known !== null) return constantOp(graph, intTensor(o.outType ?? 'int32', known, [known.length]), o.name ?? 'Shape');
  return buildOp1('Shape', 'Shape', [{ value: xs, param: 'input' }], { name: o.name, attrs: { out_type: o.outType ?? 'int32' } });
}

/** `tf.size(x, {outType?})`: the number of elements of x (a Const when the shape is known, as in TF). */
export function size(x: unknown, opts?: OutTypeOptions | string): SymbolicTensor {
  const o = outTypeOpts(opts);
  const graph = graphOf([x]);
  const xs = toSymbolic(x, { graph });
  const known = fullyDefined(xs);
  if (known !== null) return constantOp(graph, intTensor(o.outType ?? 'int32', [numElements(known)], []), o.name ?? 'Size');
  return buildOp1('Size', 'Size', [{ value: xs, param: 'input' }], { name: o.name, attrs: { out_type: o.outType ?? 'int32' } });
}

/** `tf.rank(x)`: the number of dimensions of x (int32 scalar; a Const when the rank is known, as in TF). */
export function rank(x: unknown, opts?: NameOpt): SymbolicTensor {
  const graph = graphOf([x]);
  const xs = toSymbolic(x, { graph });
  if (xs.shape !== null) return constantOp(graph, intTensor('int32', [xs.shape.length], []), nameOf(opts) ?? 'Rank');
  return buildOp1('Rank', 'Rank', [{ value: xs, param: 'input' }], { name: nameOf(opts) });
}

/** `tf.fill(dims, value)`: a tensor of shape `dims` filled with `value`. */
export function fill(dims: unknown, value: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('Fill', 'Fill', [{ value: dims, param: 'dims', dtype: 'int32' }, { value, param: 'value' }], { name: nameOf(opts) });
}

/** TensorFlow builds small all-same tensors of a known shape as a Const (`_constant_if_small`). */
const SMALL_CONSTANT = 1000;

function filledTensor(shapeArg: unknown, dtype: DType, v: unknown, name: string): SymbolicTensor {
  const graph = graphOf([shapeArg]);
  if (Array.isArray(shapeArg) && shapeArg.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)
    && numElements(shapeArg as number[]) < SMALL_CONSTANT) {
    return constantOp(graph, filled(dtype, [...(shapeArg as number[])], v), name);
  }
  const scalarValue = toSymbolic(new Tensor(dtype, [], filled(dtype, [], v).data), { graph });
  return fill(shapeArg, scalarValue, name);
}

/** The keyword arguments of tf.zeros/tf.ones/tf.zerosLike/tf.onesLike (dtype, name). */
export interface FilledOptions { dtype?: DType | string; name?: string }

/**
 * TensorFlow takes `dtype` positionally or as a keyword, so these helpers take either a dtype
 * (`tf.zeros([2], 'int32', name?)`) or an options object (`tf.zeros([2], {dtype, name})`), as the
 * other ops of this code base take their keyword arguments.
 */
function dtypeAndName(dtypeOrOpts: DType | string | FilledOptions | null | undefined, opts: NameOpt): { dtype?: DType; name?: string } {
  if (dtypeOrOpts === null || dtypeOrOpts === undefined) return { name: nameOf(opts) };
  // Anything else that is not a string goes to asDType, which names it in its error.
  const o: FilledOptions = typeof dtypeOrOpts === 'object' && !Array.isArray(dtypeOrOpts)
    ? dtypeOrOpts : { dtype: dtypeOrOpts as string };
  return {
    dtype: o.dtype === undefined || o.dtype === null ? undefined : asDType(o.dtype),
    name: nameOf(opts) ?? o.name,
  };
}

/** `tf.zeros(shape, dtype = 'float32')` or `tf.zeros(shape, {dtype, name})`. */
export function zeros(shapeArg: unknown, dtype: DType | string | FilledOptions | null = 'float32', opts?: NameOpt): SymbolicTensor {
  const o = dtypeAndName(dtype, opts);
  const d = o.dtype ?? 'float32';
  return filledTensor(shapeArg, d, zeroOf(d), o.name ?? 'zeros');
}

/** `tf.ones(shape, dtype = 'float32')` or `tf.ones(shape, {dtype, name})`. */
export function ones(shapeArg: unknown, dtype: DType | string | FilledOptions | null = 'float32', opts?: NameOpt): SymbolicTensor {
  const o = dtypeAndName(dtype, opts);
  const d = o.dtype ?? 'float32';
  if (d === 'string') throw new InvalidArgumentError('Cannot create a tensor of ones of dtype string');
  return filledTensor(shapeArg, d, oneOf(d), o.name ?? 'ones');
}

/** `tf.zerosLike(x, dtype?)` or `tf.zerosLike(x, {dtype, name})`. */
export function zerosLike(x: unknown, dtype?: DType | string | FilledOptions | null, opts?: NameOpt): SymbolicTensor {
  const o = dtypeAndName(dtype, opts);
  const xs = toSymbolic(x, { graph: graphOf([x]) });
  if (o.dtype !== undefined && o.dtype !== xs.dtype) return zeros(shape(xs), o.dtype, o.name ?? 'zeros_like');
  return buildOp1('ZerosLike', 'zeros_like', [{ value: xs, param: 'x' }], { name: o.name });
}

/** `tf.onesLike(x, dtype?)` or `tf.onesLike(x, {dtype, name})`. */
export function onesLike(x: unknown, dtype?: DType | string | FilledOptions | null, opts?: NameOpt): SymbolicTensor {
  const o = dtypeAndName(dtype, opts);
  const xs = toSymbolic(x, { graph: graphOf([x]) });
  if (o.dtype !== undefined && o.dtype !== xs.dtype) return ones(shape(xs), o.dtype, o.name ?? 'ones_like');
  return buildOp1('OnesLike', 'ones_like', [{ value: xs, param: 'x' }], { name: o.name });
}

/** `tf.reshape(x, shape)`: one dimension may be -1 (inferred). */
export function reshape(x: unknown, shapeArg: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('Reshape', 'Reshape', [{ value: x, param: 'tensor' }, { value: shapeArg, param: 'shape', dtype: 'int32' }],
    { name: nameOf(opts) });
}

/** `tf.stack(values, axis = 0)` (op Pack): values of one shape stacked along a new axis. */
export function stack(values: readonly unknown[], axis = 0, opts?: NameOpt): SymbolicTensor {
  if (!Array.isArray(values) || values.length === 0) throw new InvalidArgumentError('stack needs a non-empty list of values');
  return buildOp1('Pack', 'stack', values.map((v, i) => ({ value: v, param: `values[${i}]` })),
    { name: nameOf(opts), sameDType: true, attrs: { N: values.length, axis } });
}

export interface UnstackOptions { num?: number; axis?: number; name?: string }

/** `tf.unstack(x, {num?, axis = 0})` (op Unpack): the slices of x along `axis`. */
export function unstack(x: unknown, opts: UnstackOptions = {}): SymbolicTensor[] {
  const xs = toSymbolic(x, { graph: graphOf([x]) });
  const axis = opts.axis ?? 0;
  let num = opts.num;
  if (num === undefined) {
    const s = xs.shape;
    const a = s === null ? null : axis < 0 ? axis + s.length : axis;
    const d = s === null || a === null ? null : s[a];
    if (d === null || d === undefined) throw new InvalidArgumentError(`Cannot infer num from shape ${fmtShape(s)}`);
    num = d;
  }
  return buildOp('Unpack', 'unstack', [{ value: xs, param: 'value' }], { name: opts.name, attrs: { num, axis } }).outputs;
}

/** `tf.tile(x, multiples)`. */
export function tile(x: unknown, multiples: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('Tile', 'Tile', [{ value: x, param: 'input' }, { value: multiples, param: 'multiples', dtype: 'int32' }],
    { name: nameOf(opts) });
}

/** `tf.gather(params, indices, axis = 0)`: op Gather on axis 0, GatherV2 on another axis. */
export function gather(params: unknown, indices: unknown, axis: number | SymbolicTensor = 0, opts?: NameOpt): SymbolicTensor {
  const inputs = [{ value: params, param: 'params' }, { value: indices, param: 'indices', dtype: 'int32' as DType }];
  if (axis === 0) return buildOp1('Gather', 'Gather', inputs, { name: nameOf(opts) });
  return buildOp1('GatherV2', 'GatherV2', [...inputs, { value: axis, param: 'axis', dtype: 'int32' }], { name: nameOf(opts) });
}

/** `tf.concat(values, axis)` (op ConcatV2); a single value is returned through Identity, as TF does. */
export function concat(values: readonly unknown[], axis: number | SymbolicTensor, opts?: NameOpt): SymbolicTensor {
  if (!Array.isArray(values) || values.length === 0) throw new InvalidArgumentError('concat needs a non-empty list of values');
  if (values.length === 1) {
    const graph = graphOf(values);
    return graph.nameScope(nameOf(opts) ?? 'concat', () => identity(values[0]));
  }
  return buildOp1('ConcatV2', 'concat', [
    ...values.map((v, i) => ({ value: v, param: `values[${i}]` })),
    { value: axis, param: 'axis', dtype: 'int32' as DType },
  ], { name: nameOf(opts), sameDType: true, attrs: { N: values.length, Tidx: 'int32' } });
}

/** `tf.expandDims(x, axis)`. */
export function expandDims(x: unknown, axis: number | SymbolicTensor, opts?: NameOpt): SymbolicTensor {
  return buildOp1('ExpandDims', 'ExpandDims', [{ value: x, param: 'input' }, { value: axis, param: 'dim', dtype: 'int32' }],
    { name: nameOf(opts) });
}

/** `tf.squeeze(x, axis?)`: removes the given size-1 dims (all of them when none are given). */
export function squeeze(x: unknown, axis?: number | readonly number[], opts?: NameOpt): SymbolicTensor {
  const dims = axis === undefined || axis === null ? [] : typeof axis === 'number' ? [axis] : [...axis];
  return buildOp1('Squeeze', 'Squeeze', [{ value: x, param: 'input' }], { name: nameOf(opts), attrs: { squeeze_dims: dims } });
}

/** `tf.slice(x, begin, size)`: size -1 takes the rest of a dimension. */
export function slice(x: unknown, begin: unknown, sizeArg: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('Slice', 'Slice', [
    { value: x, param: 'input' }, { value: begin, param: 'begin', dtype: 'int32' }, { value: sizeArg, param: 'size', dtype: 'int32' },
  ], { name: nameOf(opts) });
}

