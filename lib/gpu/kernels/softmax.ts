/**
 * Softmax over the last axis and SoftmaxCrossEntropyWithLogits, as a few small kernels: a row
 * max, a row sum of exp(x - max), then the elementwise result, so every thread loops over one
 * row once (rows are limited to the backend's maxLoopIterations).
 */
import { InvalidArgumentError } from '../../framework/errors.js';
import type { GpuBackend } from '../backend.js';
import { GpuTensor } from '../gpu_tensor.js';
import { access, fmtShape, threadMap } from '../codegen.js';

interface RowStats { max: GpuTensor; sum: GpuTensor }

async function rowStats(be: GpuBackend, x: GpuTensor, rows: number, D: number): Promise<RowStats> {
  if (D > be.maxLoopIterations) {
    throw new InvalidArgumentError(`Softmax over ${D} classes exceeds the GPU backend's maxLoopIterations (${be.maxLoopIterations})`);
  }
  const tm = threadMap([rows]);
  const r = tm.idx[0]!;
  const maxSrc =
    `function (a) {\n  let m = ${access('a', [r, '0'])};\n  for (let j = 1; j < this.constants.D; j++) {\n` +
    `    m = Math.max(m, ${access('a', [r, 'j'])});\n  }\n  return m;\n}`;
  const max = new GpuTensor(be, [rows], await be.run({ source: maxSrc, output: tm.output, constants: { D } }, [{ t: x, view: [rows, D] }]));
  const sumSrc =
    `function (a, m) {\n  const mx = ${access('m', [r])};\n  let s = 0.0;\n  for (let j = 0; j < this.constants.D; j++) {\n` +
    `    s += Math.exp(${access('a', [r, 'j'])} - mx);\n  }\n  return s;\n}`;
  try {
    const sum = new GpuTensor(be, [rows], await be.run({ source: sumSrc, output: tm.output, constants: { D } }, [
      { t: x, view: [rows, D] }, { t: max, view: [rows] },
    ]));
    return { max, sum };
  } catch (err) {
    max.dispose();
    throw err;
  }
}

/** TensorFlow's Softmax (or LogSoftmax): over the last axis of a tensor of rank >= 1. */
export async function softmaxOp(be: GpuBackend, x: GpuTensor, log = false): Promise<GpuTensor> {
  if (x.rank < 1) throw new InvalidArgumentError(`logits must have >= 1 dimension, got ${fmtShape(x.shape)}`);
  const D = x.shape[x.rank - 1]!;
  const rows = x.size / Math.max(D, 1);
  if (x.size === 0) return be.fromHost(new Float32Array(0), [...x.shape]);
  const st = await rowStats(be, x, rows, D);
  try {
    const tm = threadMap([rows, D]);
    const [r, c] = tm.idx as [string, string];
    const shifted = `${access('a', [r, c])} - ${access('m', [r])}`;
    const src = log
      ? `function (a, m, s) {\n  return ${shifted} - Math.log(${access('s', [r])});\n}`
      : `function (a, m, s) {\n  return Math.exp(${shifted}) / ${access('s', [r])};\n}`;
    const store = await be.run({ source: src, output: tm.output }, [
      { t: x, view: [rows, D] }, { t: st.max, view: [rows] }, { t: st.sum, view: [rows] },
    ]);
    return new GpuTensor(be, [...x.shape], store);
  } finally {
    st.max.dispose();
    st.sum.dispose();
  }
}

/** SoftmaxCrossEntropyWithLogits(features [B,C], labels [B,C]) -> [loss [B], backprop [B,C]]. */
export async function softmaxCrossEntropyOp(be: GpuBackend, f: GpuTensor, l: GpuTensor): Promise<[GpuTensor, GpuTensor]> {
  if (f.rank !== 2) throw new InvalidArgumentError(`logits must be 2-dimensional, got shape ${fmtShape(f.shape)}`);
  if (l.rank !== 2) throw new InvalidArgumentError(`labels must be 2-dimensional, got shape ${fmtShape(l.shape)}`);
  if (l.shape[0] !== f.shape[0] || l.shape[1] !== f.shape[1]) {
    throw new InvalidArgumentError(`logits and labels must be same size: logits_size=${fmtShape(f.shape)} labels_size=${fmtShape(l.shape)}`);
  }
  const [B, C] = f.shape as [number, number];
  if (B === 0) return [be.fromHost(new Float32Array(0), [0]), be.fromHost(new Float32Array(0), [0, C])];
  if (C === 0) return [be.fromHost(new Float32Array(B), [B]), be.fromHost(new Float32Array(0), [B, 0])];
  const st = await rowStats(be, f, B, C);
  try {
    const t1 = threadMap([B]);
    const r = t1.idx[0]!;
    const lossSrc =
      `function (f, l, m, s) {\n  const lse = Math.log(${access('s', [r])}) + ${access('m', [r])};\n  let acc = 0.0;\n` +
      `  for (let j = 0; j < this.constants.C; j++) {\n    acc += ${access('l', [r, 'j'])} * (lse - ${access('f', [r, 'j'])});\n  }\n  return acc;\n}`;
    const args = [
      { t: f, view: [B, C] }, { t: l, view: [B, C] }, { t: st.max, view: [B] }, { t: st.sum, view: [B] },
    ];
    const loss = new GpuTensor(be, [B], await be.run({ source: lossSrc, output: t1.output, constants: { C } }, args));
    const t2 = threadMap([B, C]);
    const [rr, cc] = t2.idx as [string, string];
    const bpSrc =
      `function (f, l, m, s) {\n  return Math.exp(${access('f', [rr, cc])} - ${access('m', [rr])}) / ${access('s', [rr])} - ${access('l', [rr, cc])};\n}`;
    try {
      const bp = new GpuTensor(be, [B, C], await be.run({ source: bpSrc, output: t2.output }, args));
      return [loss, bp];
    } catch (err) {
      loss.dispose();
      throw err;
    }
  } finally {
    st.max.dispose();
    st.sum.dispose();
  }
}
