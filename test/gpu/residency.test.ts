/**
 * Tensors stay on the GPU between the ops of a partition: a chain of GPU kernels uploads its
 * host inputs once, reads back only what leaves, and frees everything when the step ends.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findKernel } from '../../lib/framework/op_registry.js';
import { Tensor } from '../../lib/framework/tensor.js';
import {
  createGpuBackend, GpuTensor, gpuStats, standaloneStep, toHost, type GpuBackend, type GpuBackendKind,
} from '../../lib/gpu/index.js';

const backends: GpuBackend[] = [];
test.before(async () => {
  for (const kind of ['webasm', 'webgpu'] as GpuBackendKind[]) {
    try {
      backends.push(await createGpuBackend(kind));
    } catch (err) {
      console.log(`SKIP ${kind} residency tests: ${(err as Error).message}`);
    }
  }
});
test.after(async () => { for (const b of backends) await b.dispose(); });

const f32 = (shape: number[], values: number[]): Tensor => new Tensor('float32', shape, new Float32Array(values));
const kernel = (type: string) => findKernel(type, 'GPU', ['float32'])!;

test('a chain of 10 GPU ops uploads its input once and downloads only the fetched result', async () => {
  for (const be of backends) {
    const step = standaloneStep(be);
    const x = f32([2, 2], [0.5, -1, 2, -3]);
    const ops = ['Sigmoid', 'Square', 'Neg', 'Relu', 'Tanh', 'Abs', 'Exp', 'Square', 'Sigmoid', 'Neg'];
    const s0 = { ...be.stats };
    const g0 = gpuStats();
    let cur: Tensor = x;
    const intermediates: GpuTensor[] = [];
    for (const op of ops) {
      [cur] = await kernel(op).compute(step.ctx(op), [cur]) as Tensor[];
      assert.instance(cur, GpuTensor);
      intermediates.push(cur as GpuTensor);
    }
    assert.is(be.stats.uploads - s0.uploads, 1, `${be.name}: one upload`);
    assert.is(be.stats.downloads - s0.downloads, 0, `${be.name}: nothing read back yet`);
    assert.is(be.stats.kernelRuns - s0.kernelRuns, 10);
    assert.ok(intermediates.every((t) => t.onDevice), 'every intermediate is still on the device');
    const out = await toHost(cur);
    assert.is(be.stats.downloads - s0.downloads, 1, `${be.name}: one download`);
    assert.is(gpuStats().uploads - g0.uploads, 1, 'process-wide counters agree');
    // The same chain on the host, in float64.
    const want = Array.from(x.data as Float32Array, (v) => {
      let y = v;
      y = 1 / (1 + Math.exp(-y)); y = y * y; y = -y; y = Math.max(y, 0); y = Math.tanh(y);
      y = Math.abs(y); y = Math.exp(y); y = y * y; y = 1 / (1 + Math.exp(-y)); return -y;
    });
    Array.from(out.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `${v} vs ${want[i]}`));
    step.end();
    assert.ok(intermediates.slice(0, -1).every((t) => t.deleted), `${be.name}: step end frees every intermediate`);
    const last = intermediates[intermediates.length - 1]!;
    assert.not.ok(last.onDevice);
    assert.is(last.size, 4, 'the result that was read back stays readable');
  }
});

test('one host tensor used by several GPU ops in a step is uploaded once; again in the next step', async () => {
  for (const be of backends) {
    const x = f32([3], [1, 2, 3]);
    for (let stepNo = 0; stepNo < 2; stepNo++) {
      const step = standaloneStep(be);
      const u0 = be.stats.uploads;
      const [sum] = await kernel('AddV2').compute(step.ctx('AddV2'), [x, x]);
      const [prod] = await kernel('Mul').compute(step.ctx('Mul'), [x, sum!]);
      assert.is(be.stats.uploads - u0, 1, `${be.name} step ${stepNo}`);
      assert.equal(Array.from((await toHost(prod!)).data as Float32Array), [2, 8, 18]);
      step.end();
    }
  }
});

test('concurrent steps each own their upload of a shared host tensor', async () => {
  for (const be of backends) {
    const x = f32([2], [1, 2]);
    const a = standaloneStep(be);
    const b = standaloneStep(be);
    const [ya] = await kernel('Neg').compute(a.ctx('Neg'), [x]);
    const u0 = be.stats.uploads;
    const [yb] = await kernel('Neg').compute(b.ctx('Neg'), [x]);
    assert.is(be.stats.uploads - u0, 1, 'the second step uploads its own copy');
    a.end();
    assert.ok((ya as GpuTensor).deleted);
    const [zb] = await kernel('Square').compute(b.ctx('Square'), [x]);
    assert.equal((await toHost(zb!)).toArray(), [1, 4], "the other step's end did not free this step's copy");
    assert.equal((await toHost(yb!)).toArray(), [-1, -2]);
    b.end();
  }
});

test('Identity and Reshape share the device values: no kernel, no copy', async () => {
  for (const be of backends) {
    const step = standaloneStep(be);
    const [sq] = await kernel('Square').compute(step.ctx('Square'), [f32([2, 3], [1, 2, 3, 4, 5, 6])]);
    const runs = be.stats.kernelRuns;
    const [id] = await kernel('Identity').compute(step.ctx('Identity'), [sq!]);
    const [re] = await findKernel('Reshape', 'GPU', ['float32', 'int32'])!.compute(step.ctx('Reshape'), [id!, new Tensor('int32', [2], new Int32Array([3, -1]))]);
    assert.is(be.stats.kernelRuns, runs);
    assert.equal(re!.shape, [3, 2]);
    const [neg] = await kernel('Neg').compute(step.ctx('Neg'), [re!]);
    assert.equal((await toHost(neg!)).toArray(), [[-1, -4], [-9, -16], [-25, -36]]);
    step.end();
  }
});

test('a GpuTensor of another GPU device is moved, not misread', async () => {
  if (backends.length === 0) return;
  const other = await createGpuBackend('cpu');
  try {
    const src = standaloneStep(other);
    const [onOther] = await kernel('Square').compute(src.ctx('Square'), [f32([2], [3, 4])]);
    for (const be of backends) {
      const step = standaloneStep(be);
      const [neg] = await kernel('Neg').compute(step.ctx('Neg'), [onOther!]);
      assert.is((neg as GpuTensor).backend, be);
      assert.equal((await toHost(neg!)).toArray(), [-9, -16]);
      step.end();
    }
    src.end();
  } finally {
    await other.dispose();
  }
});

test.run();
