/**
 * Elementwise arithmetic, comparisons and unary math (TensorFlow's math_ops.py): op definitions,
 * CPU kernels and the user functions tf.add, tf.sub, tf.mul, tf.div, ...
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { registerKernel, registerOp } from '../framework/op_registry.js';
import { asDType, isFloating, type DType } from '../framework/dtypes.js';
import { SymbolicTensor } from '../framework/graph.js';
import { castConcrete, convertToTensor, type Tensor } from '../framework/tensor.js';
import { toSymbolic } from '../framework/convert.js';
import {
  byDType, elementsEqual, registerBinary, registerUnary, wrap64, wrapU8, type ScalarFn, type UnaryFn,
} from './elementwise.js';
import {
  ALL, FLOATS, NUMERIC, SIGNED, checkDType, checkRank, checkSameDType, mergeDim, mergeShapes, shapeError,
} from './shape_fns.js';
import { alloc, kernelError } from './kernel_util.js';
import { buildOp1, graphOf, isTyped, nameOf, type NameOpt } from './op_builder.js';
import type { KernelContext } from '../framework/kernel_context.js';

// ---- binary arithmetic --------------------------------------------------------------------

registerBinary({
  type: 'AddV2', allowed: NUMERIC,
  fn: byDType<ScalarFn>({
    float: (x, y) => x + y, int32: (x, y) => (x + y) | 0, uint8: (x, y) => wrapU8(x + y), int64: (x, y) => wrap64(x + y),
  }),
});
registerBinary({
  type: 'Sub', allowed: NUMERIC,
  fn: byDType<ScalarFn>({
    float: (x, y) => x - y, int32: (x, y) => (x - y) | 0, uint8: (x, y) => wrapU8(x - y), int64: (x, y) => wrap64(x - y),
  }),
});
registerBinary({
  type: 'Mul', allowed: NUMERIC,
  fn: byDType<ScalarFn>({
    float: (x, y) => x * y, int32: (x, y) => Math.imul(x, y), uint8: (x, y) => wrapU8(Math.imul(x, y)),
    int64: (x, y) => wrap64(x * y),
  }),
});
registerBinary({ type: 'RealDiv', allowed: FLOATS, fn: byDType<ScalarFn>({ float: (x, y) => x / y }) });

/** Integer division by zero is an error in TensorFlow's CPU kernels, not a silent value. */
function intDivisor(ctx: KernelContext): (y: number | bigint) => void {
  return (y) => {
    if (y === 0 || y === 0n) throw kernelError(ctx, 'Integer division by zero');
  };
}

function floorDivInt(x: number, y: number): number { return Math.floor(x / y); }
function floorDiv64(x: bigint, y: bigint): bigint {
  const q = x / y;
  return (x % y !== 0n) && ((x < 0n) !== (y < 0n)) ? q - 1n : q;
}
function floorMod64(x: bigint, y: bigint): bigint {
  const r = x % y;
  return r !== 0n && ((r < 0n) !== (y < 0n)) ? r + y : r;
}

registerBinary({
  type: 'FloorDiv', allowed: NUMERIC,
  fn: (dtype, ctx) => {
    const check = intDivisor(ctx);
    switch (dtype) {
      case 'float32': case 'float64': return (x: number, y: number) => Math.floor(x / y);
      case 'int64': return (x: bigint, y: bigint) => { check(y); return wrap64(floorDiv64(x, y)); };
      case 'int32': return (x: number, y: number) => { check(y); return floorDivInt(x, y) | 0; };
      default: return (x: number, y: number) => { check(y); return wrapU8(floorDivInt(x, y)); };
    }
  },
});
registerBinary({
  type: 'FloorMod', allowed: NUMERIC,
  fn: (dtype, ctx) => {
    const check = intDivisor(ctx);
    const modF = (x: number, y: number): number => {
      const r = x % y;
      return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
    };
    switch (dtype) {
      case 'float32': case 'float64': return modF;
      case 'int64': return (x: bigint, y: bigint) => { check(y); return floorMod64(x, y); };
      default: return (x: number, y: number) => { check(y); return modF(x, y); };
    }
  },
});

function intPow(ctx: KernelContext, wrapMul: (a: number, b: number) => number) {
  return (x: number, y: number): number => {
    if (y < 0) throw kernelError(ctx, 'Integers to negative integer powers are not allowed');
    let result = 1;
    let base = x;
    let e = y;
    while (e > 0) {
      if (e & 1) result = wrapMul(result, base);
      base = wrapMul(base, base);
      e = Math.floor(e / 2);
    }
    return result;
  };
}
registerBinary({
  type: 'Pow', allowed: SIGNED,
  fn: (dtype, ctx) => {
    switch (dtype) {
      case 'float32': case 'float64': return (x: number, y: number) => x ** y;
      case 'int32': return intPow(ctx, Math.imul);
      default: return (x: bigint, y: bigint) => {
        if (y < 0n) throw kernelError(ctx, 'Integers to negative integer powers are not allowed');
        return BigInt.asIntN(64, x ** y);
      };
    }
  },
});
registerBinary({
  type: 'Maximum', allowed: NUMERIC,
  fn: byDType<ScalarFn>({
    float: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y)),
    int32: (x, y) => (x > y ? x : y), uint8: (x, y) => (x > y ? x : y), int64: (x, y) => (x > y ? x : y),
  }),
});
registerBinary({
  type: 'Minimum', allowed: NUMERIC,
  fn: byDType<ScalarFn>({
    float: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y)),
    int32: (x, y) => (x < y ? x : y), uint8: (x, y) => (x < y ? x : y), int64: (x, y) => (x < y ? x : y),
  }),
});
registerBinary({
  type: 'SquaredDifference', allowed: SIGNED,
  fn: byDType<ScalarFn>({
    float: (x, y) => (x - y) * (x - y), int32: (x, y) => Math.imul(x - y, x - y), int64: (x, y) => wrap64((x - y) * (x - y)),
  }),
});

// ---- comparisons and logic ----------------------------------------------------------------

const cmp = (f: (x: number | bigint, y: number | bigint) => boolean): ScalarFn => (x, y) => (f(x, y) ? 1 : 0);
const sameForAll = <F>(f: F) => byDType<F>({ float: f, int32: f, uint8: f, int64: f, bool: f, string: f });
registerBinary({ type: 'Greater', allowed: NUMERIC, outBool: true, fn: sameForAll(cmp((x, y) => x > y)) });
registerBinary({ type: 'GreaterEqual', allowed: NUMERIC, outBool: true, fn: sameForAll(cmp((x, y) => x >= y)) });
registerBinary({ type: 'Less', allowed: NUMERIC, outBool: true, fn: sameForAll(cmp((x, y) => x < y)) });
registerBinary({ type: 'LessEqual', allowed: NUMERIC, outBool: true, fn: sameForAll(cmp((x, y) => x <= y)) });
registerBinary({ type: 'Equal', allowed: ALL, outBool: true, fn: sameForAll<ScalarFn>((x, y) => (elementsEqual(x, y) ? 1 : 0)) });
registerBinary({ type: 'NotEqual', allowed: ALL, outBool: true, fn: sameForAll<ScalarFn>((x, y) => (elementsEqual(x, y) ? 0 : 1)) });
registerBinary({ type: 'LogicalAnd', allowed: ['bool'], fn: byDType<ScalarFn>({ bool: (x, y) => x & y }) });
registerBinary({ type: 'LogicalOr', allowed: ['bool'], fn: byDType<ScalarFn>({ bool: (x, y) => x | y }) });

// ---- unary --------------------------------------------------------------------------------

const floatOnly = (f: (x: number) => number) => byDType<UnaryFn>({ float: f });
/** Round half to even, as TensorFlow's Round (and NumPy's rint). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

registerUnary({
  type: 'Neg', allowed: SIGNED,
  fn: byDType<UnaryFn>({ float: (x) => -x, int32: (x) => -x | 0, int64: (x) => wrap64(-x) }),
});
registerUnary({
  type: 'Square', allowed: SIGNED,
  fn: byDType<UnaryFn>({ float: (x) => x * x, int32: (x) => Math.imul(x, x), int64: (x) => wrap64(x * x) }),
});
registerUnary({
  type: 'Abs', allowed: SIGNED,
  fn: byDType<UnaryFn>({ float: Math.abs, int32: (x) => Math.abs(x) | 0, int64: (x) => wrap64(x < 0n ? -x : x) }),
});
registerUnary({
  type: 'Sign', allowed: SIGNED,
  fn: byDType<UnaryFn>({
    float: (x) => (Number.isNaN(x) ? NaN : Math.sign(x) || 0), int32: (x) => Math.sign(x), int64: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n),
  }),
});
registerUnary({ type: 'Exp', allowed: FLOATS, fn: floatOnly(Math.exp) });
registerUnary({ type: 'Log', allowed: FLOATS, fn: floatOnly(Math.log) });
registerUnary({ type: 'Log1p', allowed: FLOATS, fn: floatOnly(Math.log1p) });
registerUnary({ type: 'Sqrt', allowed: FLOATS, fn: floatOnly(Math.sqrt) });
registerUnary({ type: 'Rsqrt', allowed: FLOATS, fn: floatOnly((x) => 1 / Math.sqrt(x)) });
registerUnary({ type: 'Reciprocal', allowed: FLOATS, fn: floatOnly((x) => 1 / x) });
registerUnary({ type: 'Floor', allowed: FLOATS, fn: floatOnly(Math.floor) });
registerUnary({ type: 'Ceil', allowed: FLOATS, fn: floatOnly(Math.ceil) });
registerUnary({ type: 'Round', allowed: FLOATS, fn: floatOnly(roundHalfEven) });
registerUnary({ type: 'Sigmoid', allowed: FLOATS, fn: floatOnly((x) => 1 / (1 + Math.exp(-x))) });
registerUnary({ type: 'Tanh', allowed: FLOATS, fn: floatOnly(Math.tanh) });
registerUnary({ type: 'LogicalNot', allowed: ['bool'], fn: byDType<UnaryFn>({ bool: (x) => (x ? 0 : 1) }) });

// ---- AddN ---------------------------------------------------------------------------------

registerOp({
  type: 'AddN',
  inferOutputs: (info) => {
    if (info.inputs.length === 0) throw shapeError(info, 'AddN needs at least one input');
    const d = checkSameDType(info, info.inputs.map((_, i) => `inputs[${i}]`));
    checkDType(info, 0, 'inputs', NUMERIC);
    let shape = info.inputs[0]!.shape;
    for (const i of info.inputs.slice(1)) shape = mergeShapes(info, shape, i.shape);
    return [{ dtype: d, shape }];
  },
});
registerKernel({
  type: 'AddN',
  deviceType: 'CPU',
  compute: (ctx, inputs) => {
    const first = inputs[0]!;
    for (const t of inputs) {
      if (t.shape.length !== first.shape.length || t.shape.some((d, i) => d !== first.shape[i])) {
        throw kernelError(ctx, `Inputs to operation ${ctx.node.name} of type AddN must have the same size and shape.  ` +
          `Input 0: [${first.shape}] != input ${inputs.indexOf(t)}: [${t.shape}]`);
      }
    }
    const { t, data } = alloc(first.dtype, [...first.shape]);
    const out = data as unknown as (number | bigint)[];
    const add = byDType<ScalarFn>({
      float: (x, y) => x + y, int32: (x, y) => (x + y) | 0, uint8: (x, y) => wrapU8(x + y), int64: (x, y) => wrap64(x + y),
    })(first.dtype, ctx);
    for (let i = 0; i < out.length; i++) {
      let acc = (first.data as ArrayLike<number | bigint>)[i]!;
      for (let k = 1; k < inputs.length; k++) acc = add(acc, (inputs[k]!.data as ArrayLike<number | bigint>)[i]!);
      out[i] = acc;
    }
    return [t];
  },
});

// ---- Cast ---------------------------------------------------------------------------------

registerOp({
  type: 'Cast',
  inferOutputs: (info) => {
    const src = info.inputs[0]!.dtype;
    const dst = info.attrs['DstT'] as DType;
    if (src !== dst && (src === 'string' || dst === 'string')) {
      throw shapeError(info, `Cast ${src} to ${dst} is not supported`);
    }
    return [{ dtype: dst, shape: info.inputs[0]!.shape }];
  },
});
registerKernel({
  type: 'Cast',
  deviceType: 'CPU',
  compute: (ctx, [x]) => [castKernel(x!, ctx.node.attrs['DstT'] as DType)],
});

const INT64_MIN = -(2n ** 63n);

/** Cast with C++ static_cast semantics; NaN and infinities to int64 become INT64_MIN as on x86. */
function castKernel(x: Tensor, dst: DType): Tensor {
  if (dst === 'int64' && isFloating(x.dtype)) {
    const { t, data } = alloc('int64', [...x.shape]);
    const src = x.data as Float32Array | Float64Array;
    const out = data as BigInt64Array;
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      out[i] = Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : INT64_MIN;
    }
    return t;
  }
  return castConcrete(x, dst);
}

// ---- Range --------------------------------------------------------------------------------

const RANGE_TYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64'];

/** Number of elements of range(start, limit, delta), or the TensorFlow error text. */
function rangeSize(start: number | bigint, limit: number | bigint, delta: number | bigint): number | string {
  if (delta === 0 || delta === 0n) return `Requires delta != 0: ${delta}`;
  if (delta > 0 && start > limit) return `Requires start <= limit when delta > 0: ${start}/${limit}`;
  if (delta < 0 && start < limit) return `Requires start >= limit when delta < 0: ${start}/${limit}`;
  if (typeof start === 'bigint') {
    const span = (limit as bigint) - start;
    const d = delta as bigint;
    const abs = (v: bigint): bigint => (v < 0n ? -v : v);
    return Number((abs(span) + abs(d) - 1n) / abs(d));
  }
  return Math.ceil(Math.abs(((limit as number) - start) / (delta as number)));
}

registerOp({
  type: 'Range',
  inferOutputs: (info) => {
    const d = checkSameDType(info, ['start', 'limit', 'delta']);
    checkDType(info, 0, 'start', RANGE_TYPES);
    for (const inp of info.inputs) {
      if (inp.shape !== null && inp.shape.length !== 0) {
        throw shapeError(info, `Shape must be rank 0 but is rank ${inp.shape.length}`);
      }
    }
    const vals = info.constantInputs.map((t) => (t ? t.data[0] as number | bigint : null));
    if (vals.every((v) => v !== null)) {
      const n = rangeSize(vals[0]!, vals[1]!, vals[2]!);
      if (typeof n === 'string') throw shapeError(info, n);
      return [{ dtype: d, shape: [n] }];
    }
    return [{ dtype: d, shape: [null] }];
  },
});
registerKernel({
  type: 'Range',
  deviceType: 'CPU',
  compute: (ctx, [start, limit, delta]) => {
    for (const [t, what] of [[start!, 'start'], [limit!, 'limit'], [delta!, 'delta']] as const) {
      if (t.shape.length !== 0) throw kernelError(ctx, `${what} must be a scalar, not shape [${t.shape}]`);
    }
    const s = start!.data[0] as number | bigint;
    const dl = delta!.data[0] as number | bigint;
    const n = rangeSize(s, limit!.data[0] as number | bigint, dl);
    if (typeof n === 'string') throw kernelError(ctx, n);
    const { t, data } = alloc(start!.dtype, [n]);
    const out = data as unknown as (number | bigint)[];
    if (typeof s === 'bigint') {
      let v = s;
      for (let i = 0; i < n; i++, v += dl as bigint) out[i] = v;
    } else {
      for (let i = 0; i < n; i++) out[i] = s + i * (dl as number);
    }
    return [t];
  },
});

// ---- MatMul -------------------------------------------------------------------------------

registerOp({
  type: 'MatMul',
  inferOutputs: (info) => {
    const d = checkSameDType(info, ['a', 'b']);
    checkDType(info, 0, 'a', SIGNED);
    checkRank(info, 0, 2);
    checkRank(info, 1, 2);
    const ta = info.attrs['transpose_a'] === true;
    const tb = info.attrs['transpose_b'] === true;
    const a = info.inputs[0]!.shape ?? [null, null];
    const b = info.inputs[1]!.shape ?? [null, null];
    const [m, ka] = ta ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
    const [kb, n] = tb ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
    mergeDim(info, ka, kb);
    return [{ dtype: d, shape: [m, n] }];
  },
});
registerKernel({
  type: 'MatMul',
  deviceType: 'CPU',
  compute: (ctx, [a, b]) => {
    for (const [i, t] of [a!, b!].entries()) {
      if (t.shape.length !== 2) throw kernelError(ctx, `In[${i}] is not a matrix. Instead it has shape [${t.shape}]`);
    }
    const ta = ctx.node.attrs['transpose_a'] === true;
    const tb = ctx.node.attrs['transpose_b'] === true;
    const [m, k] = ta ? [a!.shape[1]!, a!.shape[0]!] : [a!.shape[0]!, a!.shape[1]!];
    const [k2, n] = tb ? [b!.shape[1]!, b!.shape[0]!] : [b!.shape[0]!, b!.shape[1]!];
    if (k !== k2) {
      throw kernelError(ctx, `Matrix size-incompatible: In[0]: [${a!.shape}], In[1]: [${b!.shape}]`);
    }
    return [matmulCompute(a!, b!, m, k, n, ta, tb)];
  },
});

function matmulCompute(a: Tensor, b: Tensor, m: number, k: number, n: number, ta: boolean, tb: boolean): Tensor {
  const { t, data } = alloc(a.dtype, [m, n]);
  // Element (i, p) of op(A) and (p, j) of op(B) in the row-major storage of A and B.
  const [aRow, aCol] = ta ? [1, m] : [k, 1];
  const [bRow, bCol] = tb ? [1, k] : [n, 1];
  if (a.dtype === 'int64') {
    const x = a.data as BigInt64Array;
    const y = b.data as BigInt64Array;
    const out = data as BigInt64Array;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0n;
        for (let p = 0; p < k; p++) acc += x[i * aRow + p * aCol]! * y[p * bRow + j * bCol]!;
        out[i * n + j] = BigInt.asIntN(64, acc);
      }
    }
    return t;
  }
  const x = a.data as Float64Array;
  const y = b.data as Float64Array;
  const out = data as Float64Array;
  const isInt = a.dtype === 'int32';
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      if (isInt) for (let p = 0; p < k; p++) acc = (acc + Math.imul(x[i * aRow + p * aCol]!, y[p * bRow + j * bCol]!)) | 0;
      else for (let p = 0; p < k; p++) acc += x[i * aRow + p * aCol]! * y[p * bRow + j * bCol]!;
      out[i * n + j] = acc;
    }
  }
  return t;
}

// ---- user functions -----------------------------------------------------------------------

function binary(type: string, defaultName: string) {
  return (x: unknown, y: unknown, opts?: NameOpt): SymbolicTensor =>
    buildOp1(type, defaultName, [{ value: x, param: 'x' }, { value: y, param: 'y' }], { name: nameOf(opts), sameDType: true });
}
function unary(type: string, defaultName: string) {
  return (x: unknown, opts?: NameOpt): SymbolicTensor =>
    buildOp1(type, defaultName, [{ value: x, param: 'x' }], { name: nameOf(opts) });
}

/** `tf.add(x, y)` (op AddV2): x + y with broadcasting. */
export const add = binary('AddV2', 'add');
/** `tf.sub(x, y)` (TF's subtract; op Sub). */
export const sub = binary('Sub', 'sub');
export const subtract = sub;
/** `tf.mul(x, y)` (TF's multiply; op Mul). */
export const mul = binary('Mul', 'mul');
export const multiply = mul;
export const realDiv = binary('RealDiv', 'RealDiv');
export const floorDiv = binary('FloorDiv', 'floordiv');
export const floorMod = binary('FloorMod', 'floormod');
export const mod = floorMod;
export const pow = binary('Pow', 'pow');
export const maximum = binary('Maximum', 'Maximum');
export const minimum = binary('Minimum', 'Minimum');
export const squaredDifference = binary('SquaredDifference', 'SquaredDifference');
export const greater = binary('Greater', 'Greater');
export const greaterEqual = binary('GreaterEqual', 'GreaterEqual');
export const less = binary('Less', 'Less');
export const lessEqual = binary('LessEqual', 'LessEqual');
export const equal = binary('Equal', 'Equal');
export const notEqual = binary('NotEqual', 'NotEqual');
export const logicalAnd = binary('LogicalAnd', 'LogicalAnd');
export const logicalOr = binary('LogicalOr', 'LogicalOr');

export const neg = unary('Neg', 'Neg');
export const negative = neg;
export const square = unary('Square', 'Square');
export const abs = unary('Abs', 'Abs');
export const sign = unary('Sign', 'Sign');
export const exp = unary('Exp', 'Exp');
export const log = unary('Log', 'Log');
export const log1p = unary('Log1p', 'Log1p');
export const sqrt = unary('Sqrt', 'Sqrt');
export const rsqrt = unary('Rsqrt', 'Rsqrt');
export const reciprocal = unary('Reciprocal', 'Reciprocal');
export const floor = unary('Floor', 'Floor');
export const ceil = unary('Ceil', 'Ceil');
export const round = unary('Round', 'Round');
export const sigmoid = unary('Sigmoid', 'Sigmoid');
export const tanh = unary('Tanh', 'Tanh');
export const logicalNot = unary('LogicalNot', 'LogicalNot');

/** The dtype x/y would have once converted, converting the typed one(s) now. */
function divOperands(x: unknown, y: unknown): { x: unknown; y: unknown; dtype: DType } {
  const graph = graphOf([x, y]);
  const xs = isTyped(x) ? toSymbolic(x, { graph }) : x;
  const ys = isTyped(y) ? toSymbolic(y, { graph }) : y;
  const dtype = xs instanceof SymbolicTensor ? xs.dtype : ys instanceof SymbolicTensor ? ys.dtype : convertToTensor(x).dtype;
  return { x: xs, y: ys, dtype };
}

/**
 * `tf.div(x, y)`: TensorFlow 1.x's Python 2 division: RealDiv for floating dtypes, FloorDiv for
 * integers (so int32 7 / 2 = 3 and -7 / 2 = -4).
 */
export function div(x: unknown, y: unknown, opts?: NameOpt): SymbolicTensor {
  const o = divOperands(x, y);
  const type = isFloating(o.dtype) ? 'RealDiv' : 'FloorDiv';
  return buildOp1(type, 'div', [{ value: o.x, param: 'x' }, { value: o.y, param: 'y' }],
    { name: nameOf(opts), sameDType: true, fallbackDType: o.dtype });
}

/**
 * `tf.truediv(x, y)` / `tf.divide`: Python 3 division; integers are cast to floating point first
 * (uint8 to float32, int32/int64 to float64), as TensorFlow does.
 */
export function truediv(x: unknown, y: unknown, opts?: NameOpt): SymbolicTensor {
  const o = divOperands(x, y);
  if (isFloating(o.dtype)) return realDiv(o.x, o.y, { name: nameOf(opts) ?? 'truediv' });
  if (o.dtype === 'bool' || o.dtype === 'string') {
    throw new InvalidArgumentError(`Invalid dtype ${o.dtype} in __truediv__`);
  }
  const target: DType = o.dtype === 'uint8' ? 'float32' : 'float64';
  const graph = graphOf([o.x, o.y]);
  const base = nameOf(opts) ?? 'truediv';
  const [cx, cy] = graph.nameScope(`${graph.uniqueName(base, false)}/`, () => [o.x, o.y].map((v) =>
    castTo(toSymbolic(v, { graph, dtype: v instanceof SymbolicTensor ? undefined : o.dtype }), target)));
  return realDiv(cx, cy, base);
}
export const divide = truediv;

function castTo(x: SymbolicTensor, dtype: DType): SymbolicTensor {
  if (x.dtype === dtype) return x;
  return x.graph.createOp('Cast', [x], { name: 'Cast', attrs: { SrcT: x.dtype, DstT: dtype, Truncate: false } }).outputs[0]!;
}

/** `tf.addN(inputs)`: the elementwise sum of same-shaped tensors. */
export function addN(inputs: readonly unknown[], opts?: NameOpt): SymbolicTensor {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new InvalidArgumentError('inputs must be a list of at least one Tensor with the same dtype and shape');
  }
  return buildOp1('AddN', 'AddN', inputs.map((v, i) => ({ value: v, param: `inputs[${i}]` })),
    { name: nameOf(opts), sameDType: true, attrs: { N: inputs.length } });
}


/** `tf.cast(x, dtype)`: x itself when it already has that dtype, else a Cast op. */
export function cast(x: unknown, dtype: DType | string, opts?: NameOpt): SymbolicTensor {
  const d = asDType(dtype);
  const graph = graphOf([x]);
  const xs = toSymbolic(x, { graph });
  if (xs.dtype === d) return xs;
  return buildOp1('Cast', 'Cast', [{ value: xs, param: 'x' }],
    { name: nameOf(opts), attrs: { SrcT: xs.dtype, DstT: d, Truncate: false } });
}

export interface RangeOptions { dtype?: DType | string; name?: string }

/**
 * `tf.range(limit)` or `tf.range(start, limit, delta?, {dtype?})`. JS numbers do not say whether
 * they are ints, so whole numbers give int32 (as Python ints do) and any fraction gives float32,
 * unless `dtype` (or a symbolic argument) decides.
 */
export function range(start: unknown, limit?: unknown, delta: unknown = 1, opts: RangeOptions | string = {}): SymbolicTensor {
  const o = typeof opts === 'string' ? { name: opts } : opts;
  if (limit === undefined || limit === null) {
    limit = start;
    start = 0;
  }
  const args = [start, limit, delta];
  let dtype: DType | undefined = o.dtype === undefined ? undefined : asDType(o.dtype);
  if (dtype === undefined) {
    const typed = args.find((v) => isTyped(v));
    if (typed !== undefined) dtype = toSymbolic(typed, { graph: graphOf(args) }).dtype;
    else if (args.some((v) => typeof v === 'bigint')) dtype = 'int64';
    else dtype = args.every((v) => typeof v === 'number' && Number.isInteger(v)) ? 'int32' : 'float32';
  }
  return buildOp1('Range', 'range', [
    { value: start, param: 'start', dtype }, { value: limit, param: 'limit', dtype }, { value: delta, param: 'delta', dtype },
  ], { name: o.name, attrs: { Tidx: dtype } });
}

export interface MatMulOptions { transposeA?: boolean; transposeB?: boolean; name?: string }

/** `tf.matMul(a, b, {transposeA?, transposeB?})`: the product of two rank-2 tensors. */
export function matMul(a: unknown, b: unknown, opts: MatMulOptions = {}): SymbolicTensor {
  return buildOp1('MatMul', 'MatMul', [{ value: a, param: 'a' }, { value: b, param: 'b' }], {
    name: opts.name, sameDType: true, attrs: { transpose_a: opts.transposeA === true, transpose_b: opts.transposeB === true },
  });
}
export const matmul = matMul;
