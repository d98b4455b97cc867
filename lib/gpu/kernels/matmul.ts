/**
 * MatMul: each thread loops over the inner dimension (a constant of the kernel), reading A's
 * row and B's columns in place, with TensorFlow's transpose_a/transpose_b. On webgpu a thread
 * computes four adjacent outputs when N is a multiple of 4 (option matmulVec4); elsewhere one.
 */
import { InvalidArgumentError } from '../../framework/errors.js';
import type { GpuBackend } from '../backend.js';
import { GpuTensor } from '../gpu_tensor.js';
import { access, fmtShape, threadMap } from '../codegen.js';

export async function matMulOp(be: GpuBackend, a: GpuTensor, b: GpuTensor, transposeA: boolean, transposeB: boolean): Promise<GpuTensor> {
  if (a.rank !== 2) throw new InvalidArgumentError(`In[0] is not a matrix. Instead it has shape ${fmtShape(a.shape)}`);
  if (b.rank !== 2) throw new InvalidArgumentError(`In[1] is not a matrix. Instead it has shape ${fmtShape(b.shape)}`);
  const [M, K] = transposeA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [K2, N] = transposeB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (K !== K2) {
    throw new InvalidArgumentError(`Matrix size-incompatible: In[0]: ${fmtShape(a.shape)}, In[1]: ${fmtShape(b.shape)}`);
  }
  const shape = [M, N];
  if (M === 0 || N === 0) return be.fromHost(new Float32Array(0), shape);
  if (K === 0) return be.fromHost(new Float32Array(M * N), shape);
  if (K > be.maxLoopIterations) {
    throw new InvalidArgumentError(
      `MatMul inner dimension ${K} exceeds the GPU backend's maxLoopIterations (${be.maxLoopIterations})`);
  }
  const args = [{ t: a, view: [...a.shape] }, { t: b, view: [...b.shape] }];
  if (be.matmulVec4 && N % 4 === 0) {
    // Four adjacent outputs per thread (a gpu.js Array(4) result, stored interleaved, which is
    // exactly row-major [M, N]): each A element loaded serves four products.
    const tm = threadMap([M, N / 4]);
    const [row, group] = tm.idx as [string, string];
    const ai = transposeA ? ['k', row] : [row, 'k'];
    const bj = (j: number): string[] => (transposeB ? [`c + ${j}`, 'k'] : ['k', `c + ${j}`]);
    const source =
      `function (a, b) {\n  let s0 = 0.0;\n  let s1 = 0.0;\n  let s2 = 0.0;\n  let s3 = 0.0;\n  const c = ${group} * 4;\n` +
      `  for (let k = 0; k < this.constants.K; k++) {\n    const v = ${access('a', ai)};\n` +
      [0, 1, 2, 3].map((j) => `    s${j} += v * ${access('b', bj(j))};\n`).join('') +
      `  }\n  return [s0, s1, s2, s3];\n}`;
    const store = await be.run({ source, output: tm.output, constants: { K } }, args);
    return new GpuTensor(be, shape, store);
  }
  const tm = threadMap(shape);
  const [row, col] = tm.idx as [string, string];
  const ai = transposeA ? ['k', row] : [row, 'k'];
  const bi = transposeB ? [col, 'k'] : ['k', col];
  const source =
    `function (a, b) {\n  let s = 0.0;\n  for (let k = 0; k < this.constants.K; k++) {\n` +
    `    s += ${access('a', ai)} * ${access('b', bi)};\n  }\n  return s;\n}`;
  const store = await be.run({ source, output: tm.output, constants: { K } }, args);
  return new GpuTensor(be, shape, store);
}
