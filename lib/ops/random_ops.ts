/**
 * Random ops (TensorFlow's random_ops.py): RandomShuffle, RandomUniform, RandomUniformInt,
 * RandomStandardNormal, TruncatedNormal. Seeds follow random_seed.get_seed through
 * graph.getSeed: with a graph or op seed the stream is deterministic, and each kernel instance
 * keeps its generator across steps (so successive runs differ, but identically for equal seeds).
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { registerKernel, registerOp, type StaticShape } from '../framework/op_registry.js';
import { asDType, type DType } from '../framework/dtypes.js';
import type { SymbolicTensor } from '../framework/graph.js';
import { numElements, Tensor } from '../framework/tensor.js';
import type { KernelContext } from '../framework/kernel_context.js';
import { FLOATS, INDEX, checkDType, checkRank, checkSameDType, constInput, intValues, shapeError } from './shape_fns.js';
import { alloc, copyRange, ints, kernelError } from './kernel_util.js';
import { buildOp1, graphOf, type NameOpt } from './op_builder.js';
import { add, mul } from './math_ops.js';
import { Prng } from './prng.js';

/** The kernel instance's generator, created from its seed attrs on first use. */
function prngOf(ctx: KernelContext): Prng {
  let p = ctx.kernelState['prng'] as Prng | undefined;
  if (!p) {
    p = Prng.fromSeedPair(Number(ctx.node.attrs['seed'] ?? 0), Number(ctx.node.attrs['seed2'] ?? 0));
    ctx.kernelState['prng'] = p;
  }
  return p;
}

// ---- RandomShuffle ------------------------------------------------------------------------

registerOp({
  type: 'RandomShuffle',
  stateful: true,
  inferOutputs: ({ inputs }) => [{ dtype: inputs[0]!.dtype, shape: inputs[0]!.shape }],
});
registerKernel({
  type: 'RandomShuffle',
  deviceType: 'CPU',
  compute: (ctx, [x]) => {
    const n = x!.shape.length === 0 ? 1 : x!.shape[0]!;
    if (n <= 1) return [x!];
    const perm = prngOf(ctx).permutation(n);
    const row = numElements(x!.shape.slice(1));
    const { t, data } = alloc(x!.dtype, [...x!.shape]);
    for (let i = 0; i < n; i++) copyRange(data, i * row, x!.data, perm[i]! * row, row);
    return [t];
  },
});

// ---- shape-driven generators --------------------------------------------------------------

function shapeOutput(info: Parameters<typeof constInput>[0]): StaticShape {
  checkDType(info, 0, 'shape', INDEX);
  checkRank(info, 0, 1);
  const c = constInput(info, 0);
  if (c !== null) {
    const s = intValues(c);
    if (s.some((d) => d < 0)) throw shapeError(info, `Dimension ${s.find((d) => d < 0)} must be >= 0`);
    return s;
  }
  const ss = info.inputs[0]!.shape;
  return ss !== null && ss[0] !== null && ss[0] !== undefined ? new Array<null>(ss[0]).fill(null) : null;
}

function shapeArg(ctx: KernelContext, t: Tensor): number[] {
  if (t.shape.length !== 1) throw kernelError(ctx, `shape must be a vector of {int32,int64}, got shape [${t.shape}]`);
  const s = ints(t);
  if (s.some((d) => d < 0)) throw kernelError(ctx, `Dimension ${s.find((d) => d < 0)} must be >= 0`);
  return s;
}

function registerFloatGenerator(type: string, sample: (p: Prng) => number): void {
  registerOp({
    type,
    stateful: true,
    inferOutputs: (info) => {
      const d = info.attrs['dtype'] as DType;
      if (!FLOATS.includes(d)) throw shapeError(info, `Value for attr 'dtype' of ${d} is not in the list of allowed values: float32, float64`);
      return [{ dtype: d, shape: shapeOutput(info) }];
    },
  });
  registerKernel({
    type,
    deviceType: 'CPU',
    compute: (ctx, [shapeT]) => {
      const { t, data } = alloc(ctx.node.attrs['dtype'] as DType, shapeArg(ctx, shapeT!));
      const p = prngOf(ctx);
      const out = data as Float64Array;
      for (let i = 0; i < out.length; i++) out[i] = sample(p);
      return [t];
    },
  });
}

registerFloatGenerator('RandomUniform', (p) => {
  // Float32 storage may round a value just below 1 up to 1; TF's range is [0, 1).
  const v = p.nextDouble();
  return Math.fround(v) >= 1 ? 0.99999994 : v;
});
registerFloatGenerator('RandomStandardNormal', (p) => p.nextNormal());
registerFloatGenerator('TruncatedNormal', (p) => {
  let v: number;
  do v = p.nextNormal(); while (Math.abs(v) > 2);
  return v;
});

registerOp({
  type: 'RandomUniformInt',
  stateful: true,
  inferOutputs: (info) => {
    const d = checkSameDType(info, ['minval', 'maxval'], [1, 2]);
    checkDType(info, 1, 'minval', INDEX);
    const lo = constInput(info, 1);
    const hi = constInput(info, 2);
    if (lo && hi && !(Number(lo.data[0]) < Number(hi.data[0]))) {
      throw shapeError(info, `Need minval < maxval, got ${lo.data[0]} >= ${hi.data[0]}`);
    }
    return [{ dtype: d, shape: shapeOutput(info) }];
  },
});
registerKernel({
  type: 'RandomUniformInt',
  deviceType: 'CPU',
  compute: (ctx, [shapeT, minT, maxT]) => {
    const lo = Number(minT!.data[0]);
    const hi = Number(maxT!.data[0]);
    if (!(lo < hi)) throw kernelError(ctx, `Need minval < maxval, got ${lo} >= ${hi}`);
    const { t, data } = alloc(minT!.dtype, shapeArg(ctx, shapeT!));
    const p = prngOf(ctx);
    const out = data as unknown as (number | bigint)[];
    for (let i = 0; i < out.length; i++) {
      const v = lo + p.nextInt(hi - lo);
      out[i] = minT!.dtype === 'int64' ? BigInt(v) : v;
    }
    return [t];
  },
});

// ---- user functions -----------------------------------------------------------------------

export interface SeedOptions { seed?: number | null; name?: string }

function seedAttrs(graph: ReturnType<typeof graphOf>, seed: number | null | undefined): { seed: number; seed2: number } {
  const [s1, s2] = graph.getSeed(seed ?? null);
  return { seed: s1, seed2: s2 };
}

/**
 * `tf.randomShuffle(x, {seed?})`: x with its first dimension shuffled. With a seed (op or graph
 * level) the sequence of orders is the same for every run of an equally seeded graph.
 */
export function randomShuffle(x: unknown, opts: SeedOptions | NameOpt = {}): SymbolicTensor {
  const o: SeedOptions = typeof opts === 'string' ? { name: opts } : opts ?? {};
  const graph = graphOf([x]);
  return buildOp1('RandomShuffle', 'RandomShuffle', [{ value: x, param: 'value' }],
    { name: o.name, attrs: seedAttrs(graph, o.seed) });
}

export interface RandomUniformOptions extends SeedOptions { minval?: unknown; maxval?: unknown; dtype?: DType | string }

/**
 * `tf.randomUniform(shape, {minval = 0, maxval = 1 (required for ints), dtype = 'float32', seed?})`.
 */
export function randomUniform(shape: unknown, opts: RandomUniformOptions = {}): SymbolicTensor {
  const dtype = asDType(opts.dtype ?? 'float32');
  const graph = graphOf([shape]);
  const name = opts.name ?? 'random_uniform';
  if (dtype === 'int32' || dtype === 'int64') {
    if (opts.maxval === undefined || opts.maxval === null) {
      throw new InvalidArgumentError(`Must specify maxval for integer dtype ${dtype}`);
    }
    return buildOp1('RandomUniformInt', name, [
      { value: shape, param: 'shape', dtype: 'int32' },
      { value: opts.minval ?? 0, param: 'minval', dtype }, { value: opts.maxval, param: 'maxval', dtype },
    ], { attrs: { ...seedAttrs(graph, opts.seed), Tout: dtype } });
  }
  if (!FLOATS.includes(dtype)) throw new InvalidArgumentError(`Invalid dtype ${dtype} for randomUniform`);
  const minval = opts.minval ?? 0;
  const maxval = opts.maxval ?? 1;
  return graph.nameScope(name, () => {
    const rnd = buildOp1('RandomUniform', 'RandomUniform', [{ value: shape, param: 'shape', dtype: 'int32' }],
      { attrs: { ...seedAttrs(graph, opts.seed), dtype } });
    if (minval === 0 && maxval === 1) return rnd;
    const range = typeof minval === 'number' && typeof maxval === 'number' ? maxval - minval : add(maxval, mul(minval, -1));
    return add(mul(rnd, range), minval);
  });
}

export interface RandomNormalOptions extends SeedOptions { mean?: unknown; stddev?: unknown; dtype?: DType | string }

function normal(type: string, defaultName: string) {
  return (shape: unknown, opts: RandomNormalOptions = {}): SymbolicTensor => {
    const dtype = asDType(opts.dtype ?? 'float32');
    const graph = graphOf([shape]);
    return graph.nameScope(opts.name ?? defaultName, () => {
      const rnd = buildOp1(type, type, [{ value: shape, param: 'shape', dtype: 'int32' }],
        { attrs: { ...seedAttrs(graph, opts.seed), dtype } });
      const mean = opts.mean ?? 0;
      const stddev = opts.stddev ?? 1;
      const scaled = stddev === 1 ? rnd : mul(rnd, stddev);
      return mean === 0 ? scaled : add(scaled, mean);
    });
  };
}

/** `tf.randomNormal(shape, {mean = 0, stddev = 1, dtype = 'float32', seed?})`. */
export const randomNormal = normal('RandomStandardNormal', 'random_normal');
/** `tf.truncatedNormal(shape, {mean, stddev, dtype, seed})`: normal samples redrawn beyond 2 stddev. */
export const truncatedNormal = normal('TruncatedNormal', 'truncated_normal');
