/**
 * Every GPU kernel agrees with its CPU kernel (or a float64 reference where the op has no CPU
 * kernel yet) on the cpu and webasm backends, which run on any machine: fixed cases that cover
 * 1x1, non-square and odd sizes, then fast-check properties over random shapes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Tensor } from '../../lib/framework/tensor.js';
import { createGpuBackend, runSelfCheck, type GpuBackend } from '../../lib/gpu/index.js';
import { expected, ints, mismatch, randTensor, rng, runGpu } from '../../lib/gpu/self_check.js';

let cpu: GpuBackend;
let webasm: GpuBackend;

test.before(async () => {
  cpu = await createGpuBackend('cpu');
  webasm = await createGpuBackend('webasm');
});
test.after(async () => {
  await cpu.dispose();
  await webasm.dispose();
});

for (const name of ['webasm', 'cpu'] as const) {
  test(`${name}: every GPU kernel agrees with the CPU kernel on the fixed cases`, async () => {
    const be = name === 'cpu' ? cpu : webasm;
    const failures: string[] = [];
    // All cases on webasm; on the (slower to compile) cpu backend, every third.
    let i = 0;
    const filter = name === 'cpu' ? () => i++ % 3 === 0 : undefined;
    const r = await runSelfCheck(be, { filter, log: (l) => { if (l.startsWith('FAIL')) failures.push(l); } });
    assert.is(r.failed, 0, failures.join('\n'));
    assert.ok(r.passed > (name === 'cpu' ? 70 : 200), `${r.passed} cases`);
    const against = new Set(r.results.map((x) => x.against));
    assert.ok(against.has('CPU kernel'));
  });
}

const dim = fc.oneof(fc.constantFrom(1, 7, 9, 17, 33, 65), fc.integer({ min: 1, max: 12 }));

async function agrees(be: GpuBackend, type: string, inputs: Tensor[], attrs: Record<string, unknown> = {}): Promise<void> {
  const want = await expected(type, inputs, attrs);
  const got = await runGpu(be, type, inputs, attrs);
  got.forEach((g, i) => {
    const m = mismatch(g, want.outs[i]!);
    assert.is(m, null, `${type} [${inputs.map((t) => `[${t.shape}]`).join(' ')}] ${JSON.stringify(attrs)}: ${m}`);
  });
}

test('property: broadcasting binary ops agree with the CPU kernel on random shapes (webasm)', async () => {
  const r = rng(11);
  // A random output shape; each operand drops leading dims and sets some dims to 1.
  const arb = fc.record({
    shape: fc.array(dim, { minLength: 0, maxLength: 4 }),
    dropA: fc.nat(4), dropB: fc.nat(4),
    onesA: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), onesB: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    op: fc.constantFrom('AddV2', 'Sub', 'Mul', 'Maximum', 'SquaredDifference'),
  });
  await fc.assert(fc.asyncProperty(arb, async ({ shape, dropA, dropB, onesA, onesB, op }) => {
    const a = shape.slice(Math.min(dropA, shape.length)).map((d, i) => (onesA[i] ? 1 : d));
    const b = shape.slice(Math.min(dropB, shape.length)).map((d, i) => (onesB[i] ? 1 : d));
    await agrees(webasm, op, [randTensor(a, r), randTensor(b, r)]);
  }), { numRuns: 30, seed: 7 });
});

test('property: MatMul with transposes agrees with the CPU kernel on random sizes (webasm and cpu)', async () => {
  const r = rng(12);
  await fc.assert(fc.asyncProperty(dim, dim, dim, fc.boolean(), fc.boolean(), async (M, K, N, ta, tb) => {
    const a = randTensor(ta ? [K, M] : [M, K], r);
    const b = randTensor(tb ? [N, K] : [K, N], r);
    await agrees(webasm, 'MatMul', [a, b], { transpose_a: ta, transpose_b: tb });
    await agrees(cpu, 'MatMul', [a, b], { transpose_a: ta, transpose_b: tb });
  }), { numRuns: 20, seed: 8 });
});

test('property: Sum and Mean over random axes agree with the CPU kernel, across reduction stages', async () => {
  const r = rng(13);
  // A small reduceChunk makes multi-stage reductions happen on small shapes.
  const staged = await createGpuBackend('webasm', { reduceChunk: 4 });
  try {
    await fc.assert(fc.asyncProperty(
      fc.array(dim, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: -4, max: 3 }), { maxLength: 3 }),
      fc.boolean(), fc.constantFrom('Sum', 'Mean'),
      async (shape, rawAxes, keep, op) => {
        const axes = rawAxes.filter((a) => a >= -shape.length && a < shape.length);
        await agrees(staged, op, [randTensor(shape, r), ints(axes)], { keep_dims: keep });
      }), { numRuns: 30, seed: 9 });
  } finally {
    await staged.dispose();
  }
});

test('empty tensors: zero-size outputs, Sum of nothing is 0 and Mean of nothing is NaN', async () => {
  const empty = new Tensor('float32', [0, 3], new Float32Array(0));
  const [s] = await runGpu(webasm, 'Sum', [empty, ints([0])]);
  assert.equal(Array.from(s!.data as Float32Array), [0, 0, 0]);
  const [m] = await runGpu(webasm, 'Mean', [empty, ints([0])]);
  assert.ok(Array.from(m!.data as Float32Array).every(Number.isNaN));
  const [n] = await runGpu(webasm, 'Neg', [empty]);
  assert.equal(n!.shape, [0, 3]);
  const [mm] = await runGpu(webasm, 'MatMul', [new Tensor('float32', [2, 0], new Float32Array(0)), new Tensor('float32', [0, 2], new Float32Array(0))]);
  assert.equal(mm!.toArray(), [[0, 0], [0, 0]]);
});

test.run();
