/**
 * Neural-network kernels (TensorFlow's nn_ops.py): Relu, Relu6, Softmax, LogSoftmax and
 * SoftmaxCrossEntropyWithLogits (loss and backprop). User functions live in nn.ts (tf.nn).
 */
import { registerKernel, registerOp } from '../framework/op_registry.js';
import type { Tensor } from '../framework/tensor.js';
import { byDType, registerUnary, wrap64, type UnaryFn } from './elementwise.js';
import { FLOATS, NUMERIC, checkDType, checkRank, checkRankAtLeast, checkSameDType, fmtShape, mergeShapes } from './shape_fns.js';
import { alloc, kernelError } from './kernel_util.js';

registerUnary({
  type: 'Relu', allowed: NUMERIC,
  fn: byDType<UnaryFn>({
    float: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0), int32: (x) => (x > 0 ? x : 0), uint8: (x) => x,
    int64: (x) => wrap64(x > 0n ? x : 0n),
  }),
});
registerUnary({ type: 'Relu6', allowed: FLOATS, fn: byDType<UnaryFn>({ float: (x) => Math.min(Math.max(x, 0), 6) }) });

/** Softmax (or log-softmax) of each row along the last axis, computed stably. */
function softmaxRows(x: Tensor, log: boolean): Tensor {
  const { t, data } = alloc(x.dtype, [...x.shape]);
  const src = x.data as Float64Array;
  const out = data as Float64Array;
  const cols = x.shape[x.shape.length - 1]!;
  if (cols === 0) return t;
  for (let r = 0; r < src.length / cols; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, src[o + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(src[o + j]! - max);
    const logSum = Math.log(sum);
    for (let j = 0; j < cols; j++) {
      const shifted = src[o + j]! - max;
      out[o + j] = log ? shifted - logSum : Math.exp(shifted) / sum;
    }
  }
  return t;
}

for (const [type, log] of [['Softmax', false], ['LogSoftmax', true]] as const) {
  registerOp({
    type,
    inferOutputs: (info) => {
      const d = checkDType(info, 0, 'logits', FLOATS);
      checkRankAtLeast(info, 0, 1);
      return [{ dtype: d, shape: info.inputs[0]!.shape }];
    },
  });
  registerKernel({
    type,
    deviceType: 'CPU',
    compute: (ctx, [x]) => {
      if (x!.shape.length < 1) throw kernelError(ctx, `logits must have >= 1 dimension, got ${fmtShape(x!.shape)}`);
      return [softmaxRows(x!, log)];
    },
  });
}

registerOp({
  type: 'SoftmaxCrossEntropyWithLogits',
  inferOutputs: (info) => {
    const d = checkSameDType(info, ['features', 'labels']);
    checkDType(info, 0, 'features', FLOATS);
    checkRank(info, 0, 2);
    checkRank(info, 1, 2);
    const s = mergeShapes(info, info.inputs[0]!.shape, info.inputs[1]!.shape);
    return [{ dtype: d, shape: s === null ? [null] : [s[0]!] }, { dtype: d, shape: s === null ? [null, null] : s }];
  },
});
registerKernel({
  type: 'SoftmaxCrossEntropyWithLogits',
  deviceType: 'CPU',
  compute: (ctx, [logits, labels]) => {
    if (logits!.shape.length !== 2) throw kernelError(ctx, `logits must be 2-dimensional, got shape ${fmtShape(logits!.shape)}`);
    if (labels!.shape.length !== 2) throw kernelError(ctx, `labels must be 2-dimensional, got shape ${fmtShape(labels!.shape)}`);
    if (logits!.shape[0] !== labels!.shape[0] || logits!.shape[1] !== labels!.shape[1]) {
      throw kernelError(ctx, `logits and labels must be same size: logits_size=${fmtShape(logits!.shape)} labels_size=${fmtShape(labels!.shape)}`);
    }
    const [rows, cols] = logits!.shape as [number, number];
    const logSm = softmaxRows(logits!, true).data as Float64Array;
    const y = labels!.data as Float64Array;
    const loss = alloc(logits!.dtype, [rows]);
    const back = alloc(logits!.dtype, [rows, cols]);
    const l = loss.data as Float64Array;
    const b = back.data as Float64Array;
    for (let r = 0; r < rows; r++) {
      let acc = 0;
      for (let j = 0; j < cols; j++) {
        const k = r * cols + j;
        acc -= y[k]! * logSm[k]!;
        b[k] = Math.exp(logSm[k]!) - y[k]!;
      }
      l[r] = acc;
    }
    return [loss.t, back.t];
  },
});
