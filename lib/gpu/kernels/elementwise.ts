/**
 * Elementwise GPU kernels: unary math, and binary ops with TensorFlow's broadcasting. Shapes are
 * merged to the smallest view that expresses the broadcast (same-shape operands become one flat
 * vector), so most calls index with one thread id.
 */
import { InvalidArgumentError } from '../../framework/errors.js';
import type { GpuBackend } from '../backend.js';
import { GpuTensor } from '../gpu_tensor.js';
import { F32_EXACT, access, fmtShape, product, threadMap } from '../codegen.js';

/** Unary ops: the expression of `v`, the input element. */
export const UNARY_OPS: Readonly<Record<string, string>> = {
  Neg: '-v',
  Square: 'v * v',
  Relu: 'Math.max(v, 0.0)',
  Relu6: 'Math.min(Math.max(v, 0.0), 6.0)',
  Sigmoid: '1.0 / (1.0 + Math.exp(-v))',
  Tanh: 'Math.tanh(v)',
  Exp: 'Math.exp(v)',
  Log: 'Math.log(v)',
  Sqrt: 'Math.sqrt(v)',
  Rsqrt: '1.0 / Math.sqrt(v)',
  Abs: 'Math.abs(v)',
  Reciprocal: '1.0 / v',
};

/** Binary ops: the expression of `x` and `y`, the broadcast operands. */
export const BINARY_OPS: Readonly<Record<string, string>> = {
  Add: 'x + y',
  AddV2: 'x + y',
  Sub: 'x - y',
  Mul: 'x * y',
  RealDiv: 'x / y',
  Maximum: 'Math.max(x, y)',
  Minimum: 'Math.min(x, y)',
  SquaredDifference: '(x - y) * (x - y)',
  // Gradients (TensorFlow's argument order): ReluGrad(gradients, features), SigmoidGrad(y, dy),
  // TanhGrad(y, dy).
  ReluGrad: 'x * Math.max(Math.sign(y), 0.0)',
  SigmoidGrad: 'y * x * (1.0 - x)',
  TanhGrad: 'y * (1.0 - x * x)',
};

export async function unaryOp(be: GpuBackend, op: string, a: GpuTensor): Promise<GpuTensor> {
  const expr = UNARY_OPS[op];
  if (expr === undefined) throw new InvalidArgumentError(`No GPU kernel for unary op ${op}`);
  const n = a.size;
  if (n === 0) return be.fromHost(new Float32Array(0), [...a.shape]);
  const store = await be.run(
    { source: `function (a) {\n  const v = a[this.thread.x];\n  return ${expr};\n}`, output: [n] },
    [{ t: a, view: [n] }]);
  return new GpuTensor(be, [...a.shape], store);
}

/** TensorFlow's BCast: the broadcast shape, or "Incompatible shapes: [2,3] vs. [4]". */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new InvalidArgumentError(`Incompatible shapes: ${fmtShape(a)} vs. ${fmtShape(b)}`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Merges adjacent dimensions that broadcast alike. Returns the merged output shape and, for
 * each input, its merged shape (1 where it broadcasts).
 */
export function mergeBroadcast(out: readonly number[], ins: readonly (readonly number[])[]): { out: number[]; ins: number[][] } {
  const r = out.length;
  const padded = ins.map((s) => [...new Array<number>(r - s.length).fill(1), ...s]);
  const mOut: number[] = [];
  const mIns: number[][] = ins.map(() => []);
  let prevKey = '';
  for (let i = 0; i < r; i++) {
    if (out[i]! === 1) continue;
    const key = padded.map((p) => (p[i]! === 1 ? 'b' : 'f')).join('');
    if (mOut.length && key === prevKey) {
      mOut[mOut.length - 1]! *= out[i]!;
      padded.forEach((p, j) => { mIns[j]![mIns[j]!.length - 1]! *= p[i]!; });
    } else {
      mOut.push(out[i]!);
      padded.forEach((p, j) => { mIns[j]!.push(p[i]!); });
    }
    prevKey = key;
  }
  if (mOut.length === 0) return { out: [1], ins: ins.map(() => [1]) };
  return { out: mOut, ins: mIns };
}

export async function binaryOp(be: GpuBackend, op: string, a: GpuTensor, b: GpuTensor): Promise<GpuTensor> {
  const expr = BINARY_OPS[op];
  if (expr === undefined) throw new InvalidArgumentError(`No GPU kernel for binary op ${op}`);
  const shape = broadcastShape(a.shape, b.shape);
  if (product(shape) === 0) return be.fromHost(new Float32Array(0), shape);
  const m = mergeBroadcast(shape, [a.shape, b.shape]);
  const plan = m.out.length <= 3 ? directPlan(m.out, m.ins) : foldedPlan(m.out, m.ins);
  const source =
    `function (a, b) {\n${plan.pre}` +
    `  const x = ${access('a', plan.inIdx[0]!)};\n  const y = ${access('b', plan.inIdx[1]!)};\n  return ${expr};\n}`;
  const store = await be.run({ source, output: plan.output }, [{ t: a, view: plan.inViews[0]! }, { t: b, view: plan.inViews[1]! }]);
  return new GpuTensor(be, shape, store);
}

interface BroadcastPlan {
  pre: string;
  output: number[];
  inIdx: string[][];
  inViews: number[][];
}

/** Up to 3 merged dimensions: one thread id per dimension. */
function directPlan(out: number[], ins: number[][]): BroadcastPlan {
  const tm = threadMap(out);
  return {
    pre: '',
    output: tm.output,
    inIdx: ins.map((s) => s.map((d, i) => (d === 1 ? '0' : tm.idx[i]!))),
    inViews: ins.map((s) => [...s]),
  };
}

/**
 * More than 3 merged dimensions: the leading ones fold into thread.z, decomposed with float
 * arithmetic that is exact because z stays below 2^23.
 */
function foldedPlan(out: number[], ins: number[][]): BroadcastPlan {
  const r = out.length;
  const lead = out.slice(0, r - 2);
  const Z = product(lead);
  if (Z >= F32_EXACT) throw new InvalidArgumentError(`Broadcast of shape ${fmtShape(out)} is too large for a GPU kernel`);
  const lines: string[] = ['  let rem = this.thread.z;'];
  for (let i = 0; i < lead.length; i++) {
    const stride = product(lead.slice(i + 1));
    lines.push(`  const c${i} = Math.floor((rem + 0.5) / ${stride}.0);`);
    lines.push(`  rem = rem - c${i} * ${stride}.0;`);
  }
  const inIdx: string[][] = [];
  const inViews: number[][] = [];
  for (const s of ins) {
    const sl = s.slice(0, r - 2);
    const terms: string[] = [];
    for (let i = 0; i < sl.length; i++) {
      if (sl[i]! === 1) continue;
      terms.push(`c${i} * ${product(sl.slice(i + 1))}.0`);
    }
    const zi = terms.length ? terms.join(' + ') : '0';
    inIdx.push([zi, s[r - 2]! === 1 ? '0' : 'this.thread.y', s[r - 1]! === 1 ? '0' : 'this.thread.x']);
    inViews.push([product(sl), s[r - 2]!, s[r - 1]!]);
  }
  return { pre: lines.join('\n') + '\n', output: [Z, out[r - 2]!, out[r - 1]!], inIdx, inViews };
}
