/**
 * Sum and Mean over any set of axes. Adjacent axes that are both reduced (or both kept) merge,
 * and each run of reduced axes becomes one pass over a view [outer, R, inner]. A pass whose R is
 * longer than the backend's reduceChunk runs in stages: each thread sums one chunk into a
 * partial result, and the partials are reduced again (Mesa's llvmpipe stops any shader loop at
 * 65,535 iterations, so no thread ever loops over an unbounded R).
 */
import { InvalidArgumentError } from '../../framework/errors.js';
import type { GpuBackend } from '../backend.js';
import { GpuTensor } from '../gpu_tensor.js';
import { F32_EXACT, access, lit, product, threadMap } from '../codegen.js';

/** TensorFlow's reduction axes: negative axes count from the end; duplicates are allowed. */
export function normalizeAxes(axes: readonly number[], rank: number): Set<number> {
  const out = new Set<number>();
  for (const a of axes) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new InvalidArgumentError(`Invalid reduction dimension (${a} for input with ${rank} dimension(s)`);
    }
    out.add(a < 0 ? a + rank : a);
  }
  return out;
}

/** The output shape of a reduction (kept dims as 1 with keepDims). */
export function reducedShape(shape: readonly number[], axes: Set<number>, keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.has(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

export async function reduceOp(
  be: GpuBackend, op: 'Sum' | 'Mean', x: GpuTensor, axesList: readonly number[], keepDims: boolean,
): Promise<GpuTensor> {
  const axes = normalizeAxes(axesList, x.rank);
  const outShape = reducedShape(x.shape, axes, keepDims);
  const count = product(x.shape.filter((_, i) => axes.has(i)));
  const outSize = product(outShape);
  if (outSize === 0) return be.fromHost(new Float32Array(0), outShape);
  if (x.size === 0) {
    // Reducing nothing: TensorFlow gives 0 for Sum and NaN (0/0) for Mean.
    return be.fromHost(new Float32Array(outSize).fill(op === 'Sum' ? 0 : NaN), outShape);
  }
  // Runs of dims: [size, reduced?], size-1 dims dropped, neighbours of one kind merged.
  const runs: [number, boolean][] = [];
  x.shape.forEach((d, i) => {
    if (d === 1) return;
    const red = axes.has(i);
    const last = runs[runs.length - 1];
    if (last && last[1] === red) last[0] *= d;
    else runs.push([d, red]);
  });
  const scale = op === 'Mean' ? count : 1;
  let cur = x;
  const temps: GpuTensor[] = [];
  try {
    // Reduce the last reduced run first; each pass removes one run.
    for (let i = runs.length - 1; i >= 0; i--) {
      if (!runs[i]![1]) continue;
      const outer = product(runs.slice(0, i).map((r) => r[0]));
      const inner = product(runs.slice(i + 1).map((r) => r[0]));
      const isLastPass = !runs.slice(0, i).some((r) => r[1]);
      const next = await reducePass(be, cur, outer, runs[i]![0], inner, isLastPass ? scale : 1);
      if (cur !== x) temps.push(cur);
      cur = next;
      runs.splice(i, 1);
    }
  } catch (err) {
    if (cur !== x) temps.push(cur);
    throw err;
  } finally {
    for (const t of temps) t.dispose();
  }
  if (cur === x) {
    // Nothing to sum (every reduced dim has size 1): the values are the input's.
    if (scale === 1) return be.alias(x, outShape);
    return unaryScale(be, x, outShape, scale);
  }
  const out = be.alias(cur, outShape);
  cur.dispose();
  return out;
}

/** One pass over [outer, R, inner] -> [outer, inner], in as many stages as R needs. */
async function reducePass(be: GpuBackend, x: GpuTensor, outer: number, R: number, inner: number, scale: number): Promise<GpuTensor> {
  if (R >= F32_EXACT) throw new InvalidArgumentError(`Cannot reduce ${R} elements along one axis on the GPU (limit ${F32_EXACT})`);
  let cur = x;
  let r = R;
  const C = be.reduceChunk;
  while (r > C) {
    const P = Math.ceil(r / C);
    const tm = threadMap([outer, P, inner]);
    const source =
      `function (a) {\n  let s = 0.0;\n  for (let j = 0; j < this.constants.C; j++) {\n` +
      `    const r = ${tm.idx[1]} * ${C}.0 + j;\n` +
      `    if (r < ${r}.0) {\n      s += ${access('a', [tm.idx[0]!, 'r', tm.idx[2]!])};\n    }\n  }\n  return s;\n}`;
    const store = await be.run({ source, output: tm.output, constants: { C } }, [{ t: cur, view: [outer, r, inner] }]);
    const next = new GpuTensor(be, [outer, P, inner], store);
    if (cur !== x) cur.dispose();
    cur = next;
    r = P;
  }
  const tm = threadMap([outer, inner]);
  const ret = scale === 1 ? 's' : `s / ${lit(scale)}`;
  const source =
    `function (a) {\n  let s = 0.0;\n  for (let j = 0; j < this.constants.R; j++) {\n` +
    `    s += ${access('a', [tm.idx[0]!, 'j', tm.idx[1]!])};\n  }\n  return ${ret};\n}`;
  try {
    const store = await be.run({ source, output: tm.output, constants: { R: r } }, [{ t: cur, view: [outer, r, inner] }]);
    return new GpuTensor(be, [outer, inner], store);
  } finally {
    if (cur !== x) cur.dispose();
  }
}

async function unaryScale(be: GpuBackend, x: GpuTensor, shape: number[], scale: number): Promise<GpuTensor> {
  const n = x.size;
  const store = await be.run(
    { source: `function (a) {\n  return a[this.thread.x] / ${lit(scale)};\n}`, output: [n] }, [{ t: x, view: [n] }]);
  return new GpuTensor(be, shape, store);
}
