/**
 * Registers the GPU kernels (deviceType 'GPU') in the op registry. Each kernel takes its device's
 * GpuBackend from `ctx.deviceState`, keeps its inputs and outputs on the device (a host input is
 * uploaded once; results are GpuTensors), and frees what it made when the step ends.
 */
import { InvalidArgumentError, NotFoundError } from '../../framework/errors.js';
import { findKernel, registerKernel } from '../../framework/op_registry.js';
import type { DType } from '../../framework/dtypes.js';
import type { KernelContext } from '../../framework/kernel_context.js';
import type { Tensor } from '../../framework/tensor.js';
import type { GpuBackend } from '../backend.js';
import { GpuTensor, hostInputs } from '../gpu_tensor.js';
import { gpuBackendOf } from '../gpu_state.js';
import { BINARY_OPS, UNARY_OPS, binaryOp, unaryOp } from './elementwise.js';
import { matMulOp } from './matmul.js';
import { reduceOp } from './reduce.js';
import { softmaxCrossEntropyOp, softmaxOp } from './softmax.js';
import { fmtShape, product } from '../codegen.js';

type GpuCompute = (be: GpuBackend, xs: GpuTensor[], ctx: KernelContext, raw: Tensor[]) => Promise<GpuTensor[]>;

/** Reads a bool attr under TensorFlow's name or its camelCase form. */
function boolAttr(ctx: KernelContext, snake: string, camel: string): boolean {
  const v = ctx.node.attrs[snake] ?? ctx.node.attrs[camel];
  return v === true;
}

function intList(t: Tensor, what: string): number[] {
  if (t.dtype !== 'int32' && t.dtype !== 'int64') throw new InvalidArgumentError(`${what} must be int32 or int64, got ${t.dtype}`);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/**
 * Registers a GPU kernel whose inputs `floatInputs` are float32 device tensors and whose other
 * inputs (axes, shapes) are small host tensors. Where a float input is not float32 (an int32
 * Sum), the op runs on the task's CPU kernel, as TensorFlow keeps such tensors in host memory.
 */
function gpuKernel(type: string, floatInputs: readonly number[], compute: GpuCompute, hostDtypes: readonly DType[] = []): void {
  registerKernel({
    type,
    deviceType: 'GPU',
    dtypes: ['float32', ...hostDtypes],
    compute: async (ctx, inputs) => {
      if (floatInputs.some((i) => inputs[i]?.dtype !== 'float32')) {
        const cpu = findKernel(type, 'CPU', inputs.map((t) => t.dtype));
        if (!cpu) throw new NotFoundError(`No kernel for ${type} on GPU or CPU for dtypes ${inputs.map((t) => t.dtype).join(', ')}`);
        return cpu.compute(ctx, await hostInputs(inputs));
      }
      const be = gpuBackendOf(ctx);
      const xs: GpuTensor[] = [];
      for (const i of floatInputs) {
        if (inputs[i] === undefined) throw new InvalidArgumentError(`${type} expects input ${i}, got ${inputs.length} inputs`);
        xs.push(await be.resident(inputs[i]!, ctx.step));
      }
      const outs = await compute(be, xs, ctx, inputs);
      for (const o of outs) ctx.step.onEnd(() => o.dispose());
      return outs;
    },
  });
}

for (const op of Object.keys(UNARY_OPS)) {
  gpuKernel(op, [0], async (be, [x]) => [await unaryOp(be, op, x!)]);
}
for (const op of Object.keys(BINARY_OPS)) {
  gpuKernel(op, [0, 1], async (be, [x, y]) => [await binaryOp(be, op, x!, y!)]);
}

gpuKernel('MatMul', [0, 1], async (be, [a, b], ctx) =>
  [await matMulOp(be, a!, b!, boolAttr(ctx, 'transpose_a', 'transposeA'), boolAttr(ctx, 'transpose_b', 'transposeB'))]);

for (const op of ['Sum', 'Mean'] as const) {
  gpuKernel(op, [0], async (be, [x], ctx, raw) => {
    const axesT = raw[1];
    // No axes input (a graph built without one) reduces everything, as reduce_sum(x) does.
    const axes = axesT === undefined ? x!.shape.map((_, i) => i) : intList(axesT, 'reduction indices');
    return [await reduceOp(be, op, x!, axes, boolAttr(ctx, 'keep_dims', 'keepDims'))];
  }, ['int32', 'int64']);
}

gpuKernel('Softmax', [0], async (be, [x]) => [await softmaxOp(be, x!)]);
gpuKernel('LogSoftmax', [0], async (be, [x]) => [await softmaxOp(be, x!, true)]);
gpuKernel('SoftmaxCrossEntropyWithLogits', [0, 1], async (be, [f, l]) => softmaxCrossEntropyOp(be, f!, l!));

gpuKernel('BiasAdd', [0, 1], async (be, [x, b]) => {
  if (b!.rank !== 1 || x!.rank < 2 || x!.shape[x!.rank - 1] !== b!.shape[0]) {
    throw new InvalidArgumentError(`Must provide as many biases as the last dimension of the input tensor: ${fmtShape(b!.shape)} vs. ${fmtShape(x!.shape)}`);
  }
  return [await binaryOp(be, 'AddV2', x!, b!)];
});
gpuKernel('BiasAddGrad', [0], async (be, [g]) => [await reduceOp(be, 'Sum', g!, g!.shape.slice(0, -1).map((_, i) => i), false)]);

// Identity and Reshape never copy: the result shares the device values.
gpuKernel('Identity', [0], async (be, [x]) => [be.alias(x!, [...x!.shape])]);
gpuKernel('Reshape', [0], async (be, [x], _ctx, raw) => {
  const shape = reshapeTarget(x!.size, intList(raw[1]!, 'shape'));
  return [be.alias(x!, shape)];
}, ['int32', 'int64']);

/** TensorFlow's Reshape shape rules (one -1 inferred), with its messages. */
export function reshapeTarget(size: number, req: number[]): number[] {
  let unknown = -1;
  let known = 1;
  req.forEach((d, i) => {
    if (d === -1) {
      if (unknown !== -1) throw new InvalidArgumentError(`Only one input size may be -1, not both ${unknown} and ${i}`);
      unknown = i;
    } else if (d < 0) {
      throw new InvalidArgumentError(`Size ${i} must be non-negative, not ${d}`);
    } else {
      known *= d;
    }
  });
  const out = [...req];
  if (unknown !== -1) {
    if (known === 0 || size % known !== 0) {
      throw new InvalidArgumentError(`Input to reshape is a tensor with ${size} values, but the requested shape requires a multiple of ${known}`);
    }
    out[unknown] = size / known;
  }
  if (product(out) !== size) {
    throw new InvalidArgumentError(`Input to reshape is a tensor with ${size} values, but the requested shape has ${product(out)}`);
  }
  return out;
}

/** The op types that have GPU kernels (float32). */
export const GPU_KERNEL_TYPES: readonly string[] = [
  ...Object.keys(UNARY_OPS), ...Object.keys(BINARY_OPS), 'MatMul', 'Sum', 'Mean', 'Softmax', 'LogSoftmax',
  'SoftmaxCrossEntropyWithLogits', 'BiasAdd', 'BiasAddGrad', 'Identity', 'Reshape',
].sort();
