/**
 * MatMul through a real GPU device actor (`npm run bench:gpu-actor`): an in-process task started
 * with `gpus: 1`, a Session on its target, A and B fed as host tensors and C fetched as a host
 * tensor, so every figure includes the session, the master, the device actor, the upload and the
 * readback. Side by side with the same graph on the task's CPU device, and a chain of 10
 * dependent GPU ops in one step against the same ops as 10 steps (a readback after each op).
 * Flags: --backend webgpu|webasm|cpu|auto  --sizes 256,1024,2048,4096  --cpu-max 1024
 *        --chain-size 1024  --max-seconds 300
 */
import * as tf from '../lib/index.js';
import { flag, machine, median, printTable, writeResults } from './stats.js';


const backend = flag('backend', 'auto');
const sizes = flag('sizes', '256,1024,2048,4096').split(',').map(Number);
const cpuMax = Number(flag('cpu-max', '1024'));
const chainN = Number(flag('chain-size', '1024'));
const maxSeconds = Number(flag('max-seconds', '300'));
const started = Date.now();
const elapsed = (): number => (Date.now() - started) / 1000;

function random(n: number, seed: number): tf.Tensor {
  const d = new Float32Array(n * n);
  let s = seed >>> 0;
  for (let i = 0; i < d.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = (s / 4294967296) * 2 - 1;
  }
  return tf.tensor(d, { shape: [n, n] });
}

async function timeRuns(fn: () => Promise<unknown>, minRuns: number, minSeconds: number): Promise<number[]> {
  await fn(); // builds and caches the kernel, registers the graph
  const times: number[] = [];
  const t0 = Date.now();
  while (times.length < minRuns || (Date.now() - t0) / 1000 < minSeconds) {
    const s = performance.now();
    await fn();
    times.push((performance.now() - s) / 1000);
    if (times.length >= 50) break;
  }
  return times;
}

async function main(): Promise<void> {
  const server = new tf.train.Server({ local: ['localhost:0'] }, { jobName: 'local', taskIndex: 0, start: false, gpus: 1, gpuBackend: backend as 'auto' });
  await server.start();
  const gpu = server.listDevices().find((d) => d.type === 'GPU')!;
  process.stdout.write(`machine: ${JSON.stringify(machine())}\ndevice: ${gpu.path} backend ${gpu.backend} (${(gpu as { description?: string }).description ?? ''})\n`);
  const sess = new tf.Session(server.target);
  const rows: Record<string, unknown>[] = [];
  for (const n of sizes) {
    if (elapsed() > maxSeconds) { rows.push({ n, skipped: 'time budget' }); continue; }
    tf.resetDefaultGraph();
    const a = tf.placeholder('float32', [n, n]);
    const b = tf.placeholder('float32', [n, n]);
    const onGpu = tf.device('/gpu:0', () => tf.matMul(a, b));
    const onCpu = tf.device('/cpu:0', () => tf.matMul(a, b));
    const s = new tf.Session(server.target, { graph: tf.getDefaultGraph() });
    const feeds: [tf.SymbolicTensor, tf.Tensor][] = [[a, random(n, 1)], [b, random(n, 2)]];
    const flops = 2 * n ** 3;
    const g = median(await timeRuns(() => s.run(onGpu, feeds), 3, 2));
    const c = n <= cpuMax ? median(await timeRuns(() => s.run(onCpu, feeds), 2, 1)) : NaN;
    const row = { n, 'gpu s': g, 'gpu GFLOP/s': flops / g / 1e9, 'cpu GFLOP/s': Number.isNaN(c) ? 'skipped' : flops / c / 1e9, 'gpu/cpu': Number.isNaN(c) ? '-' : c / g };
    rows.push(row);
    process.stdout.write(`n=${n}: ${JSON.stringify(row)}\n`);
    await s.close();
  }
  tf.resetDefaultGraph();
  const x = tf.placeholder('float32', [chainN, chainN]);
  const chain: tf.SymbolicTensor[] = [];
  tf.device('/gpu:0', () => {
    let t: tf.SymbolicTensor = x;
    for (let i = 0; i < 10; i++) { t = i % 2 === 0 ? tf.mul(t, 1.0001) : tf.add(t, 0.5); chain.push(t); }
  });
  const steps = chain.map((_, i) => {
    const p = tf.placeholder('float32', [chainN, chainN]);
    return { p, op: tf.device('/gpu:0', () => (i % 2 === 0 ? tf.mul(p, 1.0001) : tf.add(p, 0.5))) };
  });
  const cs = new tf.Session(server.target, { graph: tf.getDefaultGraph() });
  const x0 = random(chainN, 3);
  const fused = median(await timeRuns(() => cs.run(chain[9]!, [[x, x0]]), 3, 1));
  const perOp = median(await timeRuns(async () => {
    let v: tf.Tensor = x0;
    for (const s of steps) v = await cs.run(s.op, [[s.p, v]]);
  }, 3, 1));
  const chainRow = { size: `${chainN}x${chainN}`, 'one step s': fused, 'readback per op s': perOp, speedup: perOp / fused };
  process.stdout.write('\nMatMul through the device actor (tensor in, tensor out):\n');
  printTable(rows);
  process.stdout.write('\nChain of 10 dependent GPU ops:\n');
  printTable([chainRow]);
  const file = writeResults(`gpu_actor_${gpu.backend}`, { device: gpu, rows, chain: chainRow });
  process.stdout.write(`results: ${file}\n`);
  await cs.close();
  await sess.close();
  await server.stop();
}

void main();
