/**
 * GPU-versus-CPU agreement checks: every GPU kernel against the task's CPU kernel for the same op
 * (or a float64 reference where an op has no CPU kernel) on random shapes, including 1x1,
 * non-square and sizes that are not a multiple of any workgroup tile. Used by the tests and by
 * bench/gpu_check.js on a machine with a real GPU; needs no dev dependencies.
 */
import { findKernel } from '../framework/op_registry.js';
import { Tensor } from '../framework/tensor.js';
import type { KernelContext } from '../framework/kernel_context.js';
import type { GpuBackend } from './backend.js';
import { GpuTensor, toHost } from './gpu_tensor.js';
import { standaloneStep } from './standalone.js';
import { reshapeTarget } from './kernels/register.js';
// Every op module, so each GPU kernel is checked against the CPU kernel where one exists.
import '../ops/index.js';
import { Prng } from '../ops/prng.js';

/** A seeded uniform [0, 1) generator (the op library's Prng), so failures reproduce. */
export function rng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.nextDouble();
}

export function randTensor(shape: number[], r: () => number, lo = -2, hi = 2): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + (hi - lo) * r();
  return new Tensor('float32', shape, d);
}

export function ints(values: number[]): Tensor {
  return new Tensor('int32', [values.length], new Int32Array(values));
}

/** numpy's allclose: |a - b| <= atol + rtol * |b|, elementwise; returns a message or null. */
export function mismatch(got: Tensor, want: Tensor, rtol = 1e-4, atol = 1e-5): string | null {
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] != [${want.shape}]`;
  const g = got.data as Float32Array;
  const w = want.data as ArrayLike<number>;
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = Number(w[i]);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) return `element ${i}: got ${a}, want ${b} (shape [${want.shape}])`;
  }
  return null;
}

/** Runs the registry's GPU kernel for `type` on `backend` and reads every output back. */
export async function runGpu(backend: GpuBackend, type: string, inputs: Tensor[], attrs: Record<string, unknown> = {}): Promise<Tensor[]> {
  const step = standaloneStep(backend);
  try {
    const k = findKernel(type, 'GPU', inputs.map((t) => t.dtype));
    if (!k) throw new Error(`no GPU kernel for ${type}`);
    const outs = await k.compute(step.ctx(type, attrs), inputs);
    for (const o of outs) if (!(o instanceof GpuTensor)) throw new Error(`${type} GPU kernel returned a ${o.constructor.name}`);
    return await Promise.all(outs.map(toHost));
  } finally {
    step.end();
  }
}

/** The CPU kernel's result, or null when the op has no CPU kernel yet. */
export async function runCpu(type: string, inputs: Tensor[], attrs: Record<string, unknown> = {}): Promise<Tensor[] | null> {
  const k = findKernel(type, 'CPU', inputs.map((t) => t.dtype));
  if (!k) return null;
  const ctx = {
    node: { name: type, op: type, inputs: [], device: '', attrs },
    device: { path: '/job:t/replica:0/task:0/device:CPU:0', type: 'CPU', index: 0, taskPath: '/job:t/replica:0/task:0' },
    step: { stepId: 's', signal: new AbortController().signal, deadline: null, sessionHandle: 's', onEnd: () => {}, onAbortAfterSuccess: () => {} },
    kernelState: {}, deviceState: new Map(),
  } as unknown as KernelContext;
  return await k.compute(ctx, inputs);
}

/** Float64 references for ops whose CPU kernel may not be registered (nn ops). */
export const REFERENCE: Record<string, (xs: Tensor[], attrs: Record<string, unknown>) => Tensor[] | Promise<Tensor[]>> = {
  Identity: ([x]) => [x!],
  Reshape: ([x, s]) => [new Tensor('float32', reshapeTarget(x!.size, Array.from(s!.data as Int32Array)), x!.data)],
  BiasAdd: async ([x, b]) => (await runCpu('AddV2', [x!, b!]))!,
  BiasAddGrad: async ([g]) => (await runCpu('Sum', [g!, ints(g!.shape.slice(0, -1).map((_, i) => i))]))!,
  Relu: ([x]) => [map1(x!, (v) => Math.max(v, 0))],
  Relu6: ([x]) => [map1(x!, (v) => Math.min(Math.max(v, 0), 6))],
  ReluGrad: ([g, f]) => [map2(g!, f!, (a, b) => (b > 0 ? a : 0))],
  SigmoidGrad: ([y, dy]) => [map2(y!, dy!, (a, b) => b * a * (1 - a))],
  TanhGrad: ([y, dy]) => [map2(y!, dy!, (a, b) => b * (1 - a * a))],
  Softmax: ([x]) => [softmaxRef(x!)],
  SoftmaxCrossEntropyWithLogits: ([f, l]) => sceRef(f!, l!),
};

function map1(x: Tensor, f: (v: number) => number): Tensor {
  return new Tensor('float32', [...x.shape], Float32Array.from(x.data as Float32Array, f));
}
function map2(x: Tensor, y: Tensor, f: (a: number, b: number) => number): Tensor {
  const a = x.data as Float32Array;
  const b = y.data as Float32Array;
  return new Tensor('float32', [...x.shape], Float32Array.from(a, (v, i) => f(v, b[i]!)));
}
function softmaxRef(x: Tensor): Tensor {
  const D = x.shape[x.shape.length - 1]!;
  const a = x.data as Float32Array;
  const out = new Float32Array(a.length);
  for (let r = 0; r < a.length / D; r++) {
    let m = -Infinity;
    for (let j = 0; j < D; j++) m = Math.max(m, a[r * D + j]!);
    let s = 0;
    for (let j = 0; j < D; j++) s += Math.exp(a[r * D + j]! - m);
    for (let j = 0; j < D; j++) out[r * D + j] = Math.exp(a[r * D + j]! - m) / s;
  }
  return new Tensor('float32', [...x.shape], out);
}
function sceRef(f: Tensor, l: Tensor): Tensor[] {
  const [B, C] = f.shape as [number, number];
  const sm = softmaxRef(f).data as Float32Array;
  const a = f.data as Float32Array;
  const lb = l.data as Float32Array;
  const loss = new Float32Array(B);
  const bp = new Float32Array(B * C);
  for (let r = 0; r < B; r++) {
    let m = -Infinity;
    for (let j = 0; j < C; j++) m = Math.max(m, a[r * C + j]!);
    let s = 0;
    for (let j = 0; j < C; j++) s += Math.exp(a[r * C + j]! - m);
    const lse = Math.log(s) + m;
    for (let j = 0; j < C; j++) {
      loss[r] += lb[r * C + j]! * (lse - a[r * C + j]!);
      bp[r * C + j] = sm[r * C + j]! - lb[r * C + j]!;
    }
  }
  return [new Tensor('float32', [B], loss), new Tensor('float32', [B, C], bp)];
}

/** The expected outputs: the CPU kernel where one is registered, else the reference. */
export async function expected(type: string, inputs: Tensor[], attrs: Record<string, unknown> = {}): Promise<{ outs: Tensor[]; from: string }> {
  const cpu = await runCpu(type, inputs, attrs);
  if (cpu) return { outs: cpu, from: 'CPU kernel' };
  const ref = REFERENCE[type];
  if (!ref) throw new Error(`no CPU kernel and no reference for ${type}`);
  return { outs: await ref(inputs, attrs), from: 'reference' };
}

export interface CheckCase {
  name: string;
  type: string;
  inputs: Tensor[];
  attrs?: Record<string, unknown>;
}

const BINARY = ['AddV2', 'Sub', 'Mul', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference'];
const UNARY = ['Neg', 'Square', 'Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Exp', 'Abs'];
const POSITIVE_UNARY = ['Log', 'Sqrt', 'Rsqrt', 'Reciprocal'];
const GRADS = ['ReluGrad', 'SigmoidGrad', 'TanhGrad'];

/** Every GPU kernel on shapes chosen to catch layout and tiling mistakes. */
export function agreementCases(seed = 1): CheckCase[] {
  const r = rng(seed);
  const t = (shape: number[], lo = -2, hi = 2): Tensor => randTensor(shape, r, lo, hi);
  const cases: CheckCase[] = [];
  const pairs: [number[], number[]][] = [
    [[1], [1]], [[1, 1], [1, 1]], [[], []], [[3, 5], [3, 5]], [[7, 13], [13]], [[7, 1], [1, 13]],
    [[9, 33], [9, 1]], [[], [4, 3]], [[65], [65]], [[2, 3, 4, 5], [2, 1, 4, 1]], [[3, 1, 5, 2, 3], [1, 4, 1, 2, 1]],
  ];
  for (const op of BINARY) {
    for (const [a, b] of pairs) {
      // Divisors stay away from zero so the relative tolerance is meaningful.
      cases.push({ name: `${op} [${a}] [${b}]`, type: op, inputs: [t(a), op === 'RealDiv' ? t(b, 0.5, 2) : t(b)] });
    }
  }
  const shapes = [[1], [1, 1], [17, 9], [1003]];
  for (const op of UNARY) for (const s of shapes) cases.push({ name: `${op} [${s}]`, type: op, inputs: [op === 'Relu6' ? t(s, -8, 8) : t(s)] });
  for (const op of POSITIVE_UNARY) for (const s of shapes) cases.push({ name: `${op} [${s}]`, type: op, inputs: [t(s, 0.1, 3)] });
  for (const op of GRADS) {
    for (const s of [[1], [5, 7], [129]]) {
      const first = op === 'ReluGrad' ? t(s) : t(s, -0.99, 0.99);
      cases.push({ name: `${op} [${s}]`, type: op, inputs: [first, t(s)] });
    }
  }
  const mm: [number, number, number][] = [[1, 1, 1], [1, 7, 1], [3, 5, 4], [17, 33, 9], [64, 64, 64], [65, 31, 7]];
  for (const [M, K, N] of mm) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        cases.push({
          name: `MatMul ${M}x${K}x${N}${ta ? ' transpose_a' : ''}${tb ? ' transpose_b' : ''}`, type: 'MatMul',
          inputs: [t(ta ? [K, M] : [M, K]), t(tb ? [N, K] : [K, N])], attrs: { transpose_a: ta, transpose_b: tb },
        });
      }
    }
  }
  const reductions: [number[], number[]][] = [
    [[1], [0]], [[5], [0]], [[3, 5], [0]], [[3, 5], [1]], [[3, 5], [0, 1]], [[3, 5], [-1]], [[3, 5], []],
    [[2, 3, 4, 5], [1, 3]], [[2, 3, 4, 5], [0, 2]], [[2, 3, 4, 5], [3]], [[3, 5000], [1]], [[2100], [0]], [[1, 1], [0, 1]],
  ];
  for (const op of ['Sum', 'Mean']) {
    for (const [s, axes] of reductions) {
      for (const keep of [false, true]) {
        cases.push({ name: `${op} [${s}] axes [${axes}]${keep ? ' keep_dims' : ''}`, type: op, inputs: [t(s), ints(axes)], attrs: { keep_dims: keep } });
      }
    }
  }
  for (const op of ['Softmax', 'LogSoftmax']) {
    for (const s of [[1, 1], [4, 10], [7, 33], [3], [2, 3, 5]]) cases.push({ name: `${op} [${s}]`, type: op, inputs: [t(s)] });
  }
  for (const s of [[1, 1], [4, 10], [13, 7]]) {
    const labels = randTensor(s, r, 0, 1);
    const ld = labels.data as Float32Array;
    const C = s[1]!;
    for (let i = 0; i < s[0]!; i++) {
      let sum = 0;
      for (let j = 0; j < C; j++) sum += ld[i * C + j]!;
      for (let j = 0; j < C; j++) ld[i * C + j]! /= sum;
    }
    cases.push({ name: `SoftmaxCrossEntropyWithLogits [${s}]`, type: 'SoftmaxCrossEntropyWithLogits', inputs: [t(s), labels] });
  }
  cases.push({ name: 'BiasAdd [6,5]', type: 'BiasAdd', inputs: [t([6, 5]), t([5])] });
  cases.push({ name: 'BiasAddGrad [6,5]', type: 'BiasAddGrad', inputs: [t([6, 5])] });
  cases.push({ name: 'Identity [2,3]', type: 'Identity', inputs: [t([2, 3])] });
  cases.push({ name: 'Reshape [2,3] -> [3,-1]', type: 'Reshape', inputs: [t([2, 3]), ints([3, -1])] });
  return cases;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** 'CPU kernel' or 'reference'. */
  against: string;
  message: string | null;
}

/** Runs the agreement cases on `backend`; `log` receives one PASS/FAIL line per case. */
export async function runSelfCheck(
  backend: GpuBackend, opts: { seed?: number; filter?: (c: CheckCase) => boolean; log?: (line: string) => void } = {},
): Promise<{ passed: number; failed: number; results: CheckResult[] }> {
  const results: CheckResult[] = [];
  for (const c of agreementCases(opts.seed ?? 1)) {
    if (opts.filter && !opts.filter(c)) continue;
    let res: CheckResult;
    try {
      const want = await expected(c.type, c.inputs, c.attrs);
      const got = await runGpu(backend, c.type, c.inputs, c.attrs);
      let msg: string | null = got.length === want.outs.length ? null : `${got.length} outputs, want ${want.outs.length}`;
      for (let i = 0; msg === null && i < got.length; i++) msg = mismatch(got[i]!, want.outs[i]!);
      res = { name: c.name, ok: msg === null, against: want.from, message: msg };
    } catch (err) {
      res = { name: c.name, ok: false, against: '-', message: `${(err as Error).name}: ${(err as Error).message}` };
    }
    results.push(res);
    opts.log?.(`${res.ok ? 'PASS' : 'FAIL'} ${backend.name} ${res.name} (vs ${res.against})${res.message ? `: ${res.message}` : ''}`);
  }
  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: results.length - passed, results };
}
