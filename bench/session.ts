/**
 * `npm run bench:session`: steps/s and p50/p99 step latency through a real cluster (a ps and a
 * worker started with `node actors/node.js`), against a bare transport ask of the same payload in
 * the same run: (a) a trivial step that fetches a constant from a remote worker, (b) a step that
 * moves a 1 MiB tensor produced on ps to the worker and reduces it there.
 */
import * as tf from '../lib/index.js';
import { WsTransport } from '../transport/ws_transport.js';
import { clusterSpecOnFreePorts, startNode, stopNode } from '../test/helpers/processes.js';
import { machine, percentile, printTable, writeResults } from './stats.js';

const quick = process.argv.includes('--quick');
const STEPS = quick ? 300 : 2000;
const BIG_STEPS = quick ? 60 : 300;
const ROUNDS = 3;

async function timeLoop(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return out;
}

function summarise(name: string, us: number[]): Record<string, unknown> {
  const s = [...us].sort((a, b) => a - b);
  const total = us.reduce((a, b) => a + b, 0);
  return { case: name, 'steps/s': us.length / (total / 1e6), 'p50 us': percentile(s, 50), 'p99 us': percentile(s, 99) };
}

async function main(): Promise<void> {
  const cluster = await clusterSpecOnFreePorts({ ps: 1, worker: 1 });
  const nodes = await Promise.all([startNode(cluster, 'ps', 0), startNode(cluster, 'worker', 0)]);
  const worker = `ws://${cluster['worker']![0]}`;
  const ps = `ws://${cluster['ps']![0]}`;
  const bare = new WsTransport({ logger: null });
  try {
    const c = tf.device('/job:worker/task:0', () => tf.constant(1.0));
    const big = tf.device('/job:ps/task:0', () => tf.constant(new Float32Array(256 * 1024).fill(1)));
    const reduced = tf.device('/job:worker/task:0', () => tf.reduceSum(big));
    const sess = new tf.Session(worker);
    const scalar = tf.tensor(1.0);
    const mib = tf.tensor(new Float32Array(256 * 1024).fill(1));
    await sess.run([c, reduced]);
    const echo = '/job:worker/replica:0/task:0/echo';
    const sink = '/job:ps/replica:0/task:0/echo';
    const samples: Record<string, number[]> = { stepA: [], askA: [], stepB: [], askB: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // Interleaved so both contenders see the same machine state.
      samples['askA']!.push(...await timeLoop(STEPS, () => bare.request(worker, echo, { type: 'echo', body: scalar })));
      samples['stepA']!.push(...await timeLoop(STEPS, () => sess.run(c)));
      samples['askB']!.push(...await timeLoop(BIG_STEPS, () => bare.request(ps, sink, { type: 'sink', body: mib })));
      samples['stepB']!.push(...await timeLoop(BIG_STEPS, () => sess.run(reduced)));
      if (process.stdout.isTTY) process.stderr.write(`round ${r + 1}/${ROUNDS}\r`);
    }
    const stats = await bare.request(worker, '/job:worker/replica:0/task:0/master', { type: 'stats' }) as Record<string, number>;
    const rows = [
      summarise('(a) step: fetch a constant on the worker', samples['stepA']!),
      summarise('(a) bare ask: echo a scalar tensor', samples['askA']!),
      summarise('(b) step: 1 MiB ps -> worker, reduceSum', samples['stepB']!),
      summarise('(b) bare ask: 1 MiB to ps', samples['askB']!),
    ];
    const ratioA = (rows[0]!['p50 us'] as number) / (rows[1]!['p50 us'] as number);
    const ratioB = (rows[2]!['p50 us'] as number) / (rows[3]!['p50 us'] as number);
    process.stdout.write(`machine: ${JSON.stringify(machine())}\n`);
    printTable(rows);
    process.stdout.write(`\np50 step / bare ask: (a) ${ratioA.toFixed(2)}x (target <= 1.5x), (b) ${ratioB.toFixed(2)}x\n`);
    process.stdout.write(`graph registrations on the worker's master after ${samples['stepA']!.length + samples['stepB']!.length + 1} steps: ${stats['registrations']} (one per partition, never per step)\n`);
    const file = writeResults('session', { rows, ratioA, ratioB, masterStats: stats, steps: STEPS, bigSteps: BIG_STEPS, rounds: ROUNDS });
    process.stdout.write(`results: ${file}\n`);
    await sess.close();
  } finally {
    await bare.close();
    await Promise.all(nodes.map((n) => stopNode(n)));
  }
}

void main();
