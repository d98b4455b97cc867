/**
 * The webgpu backend (Dawn): on a machine with a GPU it runs on the GPU; on one without, on
 * Mesa's llvmpipe through Dawn's OpenGL backend. Skipped, with the reason printed, where Dawn
 * finds no adapter. Each WGSL kernel compiles in tens of milliseconds on llvmpipe, so this file
 * checks a representative subset of the agreement cases (bench/gpu_check.js runs them all).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createGpuBackend, runSelfCheck, type GpuBackend } from '../../lib/gpu/index.js';
import { ints, randTensor, rng, runGpu, mismatch, expected } from '../../lib/gpu/self_check.js';
import { Tensor } from '../../lib/framework/tensor.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';

let be: GpuBackend | null = null;
let reason = '';
try {
  be = await createGpuBackend('webgpu');
} catch (err) {
  reason = `${(err as Error).name}: ${(err as Error).message}`;
}

if (!be) {
  test('webgpu tests skipped', () => {
    console.log(`SKIP webgpu tests: ${reason}`);
  });
} else {
  const gpu = be;
  test.after(async () => { await gpu.dispose(); });

  test('the webgpu backend runs on a real adapter and reports it', () => {
    assert.is(gpu.name, 'webgpu');
    assert.ok(gpu.adapterInfo);
    assert.match(gpu.describe(), /^webgpu \(/);
    console.log(`webgpu adapter: ${gpu.describe()}`);
  });

  const SUBSET = [
    /^AddV2 \[7,1\] \[1,13\]$/, /^Mul \[2,3,4,5\] \[2,1,4,1\]$/, /^Sub \[3,1,5,2,3\] \[1,4,1,2,1\]$/, /^RealDiv \[\] \[4,3\]$/,
    /^(Neg|Relu|Sigmoid|Tanh|Exp|Log|Rsqrt) \[17,9\]$/, /^(ReluGrad|SigmoidGrad) \[5,7\]$/,
    /^MatMul (1x1x1|3x5x4|17x33x9|64x64x64|65x31x7)/, /^(Sum|Mean) \[(3,5|2,3,4,5|3,5000)\] axes \[(1|1,3|0,1)\]$/,
    /^Softmax \[7,33\]$/, /^SoftmaxCrossEntropyWithLogits \[13,7\]$/, /^(BiasAdd|BiasAddGrad|Identity|Reshape)/,
  ];

  test('webgpu kernels agree with the CPU kernels (1x1, non-square, odd sizes, multi-stage sums)', async () => {
    const failures: string[] = [];
    const r = await runSelfCheck(gpu, {
      filter: (c) => SUBSET.some((re) => re.test(c.name)),
      log: (l) => { if (l.startsWith('FAIL')) failures.push(l); },
    });
    assert.is(r.failed, 0, failures.join('\n'));
    assert.ok(r.passed >= 30, `${r.passed} cases`);
  });

  test('MatMul with four outputs per thread agrees on odd M and K, with every transpose', async () => {
    const rand = rng(21);
    for (const [M, K, N] of [[1, 1, 4], [7, 13, 8], [33, 17, 12], [9, 65, 4]] as const) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = randTensor(ta ? [K, M] : [M, K], rand);
          const b = randTensor(tb ? [N, K] : [K, N], rand);
          const attrs = { transpose_a: ta, transpose_b: tb };
          const [got] = await runGpu(gpu, 'MatMul', [a, b], attrs);
          const want = await expected('MatMul', [a, b], attrs);
          assert.is(mismatch(got!, want.outs[0]!), null, `${M}x${K}x${N} ${JSON.stringify(attrs)}`);
        }
      }
    }
  });

  test('a 2-D broadcast larger than a 1-D dispatch row, and a long reduction, stay exact', async () => {
    const rand = rng(5);
    const x = randTensor([600, 129], rand);
    const b = randTensor([129], rand);
    const [got] = await runGpu(gpu, 'AddV2', [x, b]);
    const want = await expected('AddV2', [x, b]);
    assert.is(mismatch(got!, want.outs[0]!), null);
    const long = randTensor([70000], rand);
    const [s] = await runGpu(gpu, 'Sum', [long, ints([0])]);
    const ws = await expected('Sum', [long, ints([0])]);
    assert.is(mismatch(s!, ws.outs[0]!, 1e-3, 1e-2), null);
  });

  test('a broadcast past the WebGPU dispatch limit fails clearly instead of computing garbage', async () => {
    const rows = 65535 * 8 + 1;
    const x = new Tensor('float32', [rows, 2], new Float32Array(rows * 2));
    const b = new Tensor('float32', [2], new Float32Array([1, 2]));
    try {
      await runGpu(gpu, 'AddV2', [x, b]);
      assert.unreachable('no error');
    } catch (e) {
      assert.instance(e, InvalidArgumentError);
      assert.match((e as Error).message, /dispatch limit/);
    }
    // The same size elementwise without broadcasting is a 1-D view and runs.
    const [y] = await runGpu(gpu, 'Neg', [x]);
    assert.is(y!.size, rows * 2);
  });
}

test.run();
