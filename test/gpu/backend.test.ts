/** GPU backends: creation, the backend that really runs, clear failures, GpuTensor lifetimes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { findKernel } from '../../lib/framework/op_registry.js';
import {
  createGpuBackend, gpuBackendOf, GpuTensor, standaloneStep, toHost, GPU_STATE_KEY, GPU_KERNEL_TYPES,
} from '../../lib/gpu/index.js';
import '../../lib/ops/math_ops.js';
import '../../lib/ops/reduction_ops.js';
import { rejectsWith as rejects } from '../helpers/rejects.js';

const { errors } = tf;


const f32 = (shape: number[], values: number[]): tf.Tensor => new tf.Tensor('float32', shape, new Float32Array(values));

// First in the file: Dawn is installed once per process, and a failed install must not stick.
test('webgpu with a Dawn backend that has no adapter fails with UnavailableError, not a fallback', async () => {
  await rejects(createGpuBackend('webgpu', { dawnFlags: [['backend=d3d12']] }), errors.UnavailableError, /no GPU adapter/);
});

test('cpu and webasm backends report the backend that actually ran their probe kernel', async () => {
  for (const kind of ['cpu', 'webasm'] as const) {
    const be = await createGpuBackend(kind);
    assert.is(be.name, kind);
    assert.is(be.adapterInfo, null);
    assert.is(be.describe(), kind);
    await be.dispose();
    assert.ok(be.disposed);
  }
});

test('auto picks webgpu where an adapter exists, else webasm', async () => {
  const be = await createGpuBackend('auto');
  assert.ok(be.name === 'webgpu' || be.name === 'webasm', be.name);
  if (be.name === 'webgpu') assert.ok(be.adapterInfo && typeof be.adapterInfo.device === 'string');
  else console.log(`auto chose webasm: ${be.describe()}`);
  await be.dispose();
});

test('an unknown backend name is an InvalidArgumentError listing the choices', async () => {
  await rejects(createGpuBackend('cuda'), errors.InvalidArgumentError, /Unknown GPU backend 'cuda'.*webgpu, webasm, headlessgl, cpu, auto/);
});

test('headlessgl fails at creation with a clear message when the gl addon or a display is missing', async () => {
  const display = process.env['DISPLAY'];
  delete process.env['DISPLAY'];
  try {
    const err = await rejects(createGpuBackend('headlessgl'), errors.OpError, /headlessgl/);
    assert.ok(err instanceof errors.FailedPreconditionError || err instanceof errors.UnavailableError, err.name);
    assert.match(err.message, /'gl' addon|DISPLAY/);
  } finally {
    if (display !== undefined) process.env['DISPLAY'] = display;
  }
});

test('options are validated', async () => {
  await rejects(createGpuBackend('cpu', { maxKernels: 0 }), errors.InvalidArgumentError, /maxKernels/);
  await rejects(createGpuBackend('cpu', { reduceChunk: 100000 }), errors.InvalidArgumentError, /reduceChunk/);
});

test('kernels find their backend under GPU_STATE_KEY, and fail clearly on a device without one', async () => {
  const be = await createGpuBackend('cpu');
  const step = standaloneStep(be);
  const ctx = step.ctx('Neg');
  assert.is(gpuBackendOf(ctx), be);
  assert.is(ctx.deviceState.get(GPU_STATE_KEY), be);
  ctx.deviceState.delete(GPU_STATE_KEY);
  assert.throws(() => gpuBackendOf(ctx), (e: Error) => e instanceof errors.FailedPreconditionError && /has no GPU backend/.test(e.message));
  step.end();
  await be.dispose();
});

test('every GPU kernel is registered for float32 only (host dtypes fall back to CPU kernels)', () => {
  for (const type of GPU_KERNEL_TYPES) {
    const k = findKernel(type, 'GPU', ['float32']);
    assert.ok(k, type);
    assert.ok(k!.dtypes!.includes('float32'));
    assert.not.ok(k!.dtypes!.includes('float64'), type);
  }
  assert.is(findKernel('AddV2', 'GPU', ['int32', 'int32']), null);
  assert.is(findKernel('MatMul', 'GPU', ['float64', 'float64']), null);
});

test('an int32 Sum placed on a GPU runs on the CPU kernel (host memory), as TensorFlow does', async () => {
  const be = await createGpuBackend('cpu');
  const step = standaloneStep(be);
  const x = new tf.Tensor('int32', [2, 2], new Int32Array([1, 2, 3, 4]));
  const axes = new tf.Tensor('int32', [1], new Int32Array([1]));
  const [out] = await findKernel('Sum', 'GPU', ['int32', 'int32'])!.compute(step.ctx('Sum'), [x, axes]);
  assert.not.instance(out, GpuTensor);
  assert.is(out!.dtype, 'int32');
  assert.equal(out!.toArray(), [3, 7]);
  step.end();
  await be.dispose();
});

test('bad shapes fail with TensorFlow\'s messages before any kernel runs', async () => {
  const be = await createGpuBackend('cpu');
  const step = standaloneStep(be);
  const run = (type: string, inputs: tf.Tensor[], attrs = {}) => findKernel(type, 'GPU', inputs.map((t) => t.dtype))!.compute(step.ctx(type, attrs), inputs) as Promise<tf.Tensor[]>;
  const before = be.stats.kernelRuns;
  await rejects(run('AddV2', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([4], [1, 2, 3, 4])]), errors.InvalidArgumentError, /^Incompatible shapes: \[2,3\] vs\. \[4\]$/);
  await rejects(run('MatMul', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([2, 3], [1, 2, 3, 4, 5, 6])]), errors.InvalidArgumentError, /^Matrix size-incompatible: In\[0\]: \[2,3\], In\[1\]: \[2,3\]$/);
  await rejects(run('MatMul', [f32([6], [1, 2, 3, 4, 5, 6]), f32([2, 3], [1, 2, 3, 4, 5, 6])]), errors.InvalidArgumentError, /^In\[0\] is not a matrix\. Instead it has shape \[6\]$/);
  await rejects(run('Sum', [f32([2, 3], [1, 2, 3, 4, 5, 6]), new tf.Tensor('int32', [1], new Int32Array([2]))]), errors.InvalidArgumentError, /^Invalid reduction dimension \(2 for input with 2 dimension\(s\)$/);
  await rejects(run('Reshape', [f32([2, 3], [1, 2, 3, 4, 5, 6]), new tf.Tensor('int32', [1], new Int32Array([4]))]), errors.InvalidArgumentError, /tensor with 6 values, but the requested shape has 4/);
  await rejects(run('SoftmaxCrossEntropyWithLogits', [f32([1, 2], [1, 2]), f32([1, 3], [1, 2, 3])]), errors.InvalidArgumentError, /logits and labels must be same size/);
  assert.is(be.stats.kernelRuns, before, 'no kernel ran on bad shapes');
  step.end();
  await be.dispose();
});

test('one kernel per op and shape, cached with a bounded size', async () => {
  const be = await createGpuBackend('cpu', { maxKernels: 2 });
  const step = standaloneStep(be);
  const neg = findKernel('Neg', 'GPU', ['float32'])!;
  const builds0 = be.stats.kernelBuilds;
  await neg.compute(step.ctx('Neg'), [f32([2], [1, 2])]);
  await neg.compute(step.ctx('Neg'), [f32([2], [3, 4])]);
  assert.is(be.stats.kernelBuilds - builds0, 1, 'same shape reuses the kernel');
  await neg.compute(step.ctx('Neg'), [f32([3], [1, 2, 3])]);
  await neg.compute(step.ctx('Neg'), [f32([4], [1, 2, 3, 4])]);
  assert.is(be.stats.kernelBuilds - builds0, 3);
  assert.is(be.cachedKernels, 2, 'least recently used kernels are destroyed beyond maxKernels');
  step.end();
  await be.dispose();
});

test('GpuTensor: results stay on the device until read; freed at step end unless read', async () => {
  const be = await createGpuBackend('auto');
  const step = standaloneStep(be);
  const [kept] = await findKernel('Square', 'GPU', ['float32'])!.compute(step.ctx('Square'), [f32([3], [1, 2, 3])]);
  const [dropped] = await findKernel('Neg', 'GPU', ['float32'])!.compute(step.ctx('Neg'), [f32([1], [5])]);
  assert.instance(kept, GpuTensor);
  const g = kept as GpuTensor;
  assert.ok(g.onDevice);
  if (be.name === 'webgpu') {
    // A WebGPU buffer can only be read asynchronously.
    assert.throws(() => g.data, (e: Error) => e instanceof errors.FailedPreconditionError && /still in device memory/.test(e.message));
  }
  const host = await toHost(g);
  assert.is(host.constructor, tf.Tensor);
  assert.equal(Array.from(host.data as Float32Array), [1, 4, 9]);
  assert.not.ok(g.onDevice);
  step.end();
  assert.ok((dropped as GpuTensor).deleted);
  assert.equal(g.toArray(), [1, 4, 9], 'a result read before the step ended stays readable');
  await rejects((dropped as GpuTensor).read(), errors.FailedPreconditionError, /freed at the end of its step/);
  await be.dispose();
});

test.run();
