/**
 * `npm run bench:variables` (add `--quick` for a short run): assignAdd on a 1M-element float32
 * variable that lives on ps, from 1, 2 and 4 concurrent client processes connected to a worker
 * (a ps and a worker started with `node actors/node.js`).
 *
 * Two workloads, each op built with `readValue: false` so no value travels back:
 * - `const`: the update is a 1M constant built beside the variable (on ps): the cost of a step and
 *   of the in-place update itself, with almost nothing on the wire;
 * - `fed`: each step feeds a fresh 1M float32 delta (4 MiB) from the client: the data path.
 *
 * Bytes moved per step are read from /proc/<pid>/io (rchar + wchar, which count socket traffic)
 * of the ps and worker processes over the timed window, so they are independent of the transport's
 * own counters. The in-process part compares the variable's storage strategies on one actor
 * (in-place update, copy-on-write after a read, and the copy-at-read alternative) and measures
 * the memory a variable holds.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '../lib/index.js';
import { VariableActor } from '../actors/variable_actor.js';
import { Tensor } from '../lib/framework/tensor.js';
import { spawn } from 'node:child_process';
import { clusterSpecOnFreePorts, ROOT, startNode, stopNode, type NodeProc } from '../test/helpers/processes.js';
import { machine, median, printTable, writeResults } from './stats.js';

const quick = process.argv.includes('--quick');
const N = 1 << 20;
const WINDOW_MS = quick ? 1500 : 5000;
const CLIENTS = [1, 2, 4];
const CONTAINER = 'bench_variables';

/** A client process: builds the same graph, warms up, then runs steps until the window closes. */
const CLIENT = `
import * as tf from 'actorflow';
const [target, mode, n] = process.argv.slice(1);
const v = tf.container(${JSON.stringify(CONTAINER)}, () => new tf.Variable(new Float32Array(Number(n)), { name: 'bench_v' }));
let step, feeds;
if (mode === 'const') {
  // A plain value becomes a Const colocated with the variable: it stays on ps.
  step = v.assignAdd(new Float32Array(Number(n)).fill(1), { readValue: false });
} else {
  const delta = tf.placeholder('float32', [Number(n)], 'delta');
  step = v.assignAdd(delta, { readValue: false });
  feeds = () => [[delta, new Float32Array(Number(n)).fill(1)]];
}
const sess = new tf.Session(target);
for (let i = 0; i < 3; i++) await sess.run(step, feeds?.());
// Ready: wait for the parent's "go <startAt> <endAt>" (epoch ms) on stdin.
console.log('ready');
const [startAt, endAt] = await new Promise((resolve) => {
  let buf = '';
  process.stdin.on('data', (d) => {
    buf += d;
    const m = /^go (\\d+(?:\\.\\d+)?) (\\d+(?:\\.\\d+)?)$/m.exec(buf);
    if (m) { process.stdin.pause(); resolve([Number(m[1]), Number(m[2])]); }
  });
});
const now = () => performance.timeOrigin + performance.now();
while (now() < startAt) await new Promise((r) => setTimeout(r, Math.min(20, startAt - now())));
const lat = [];
let steps = 0;
const t0 = now();
while (now() < endAt) {
  const f = feeds?.();
  const s = now();
  await sess.run(step, f);
  lat.push(now() - s);
  steps++;
}
const t1 = now();
await sess.close();
await tf.closeClientTransport?.();
console.log(JSON.stringify({ steps, t0, t1, lat }));
`;

interface ClientProc {
  ready: Promise<void>;
  go(startAt: number, endAt: number): void;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts a client process; `ready` resolves once it has warmed up, `go` starts its window. */
function startClient(args: string[]): ClientProc {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, '--', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady!: () => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<void>((resolve, reject) => { onReady = resolve; onFail = reject; });
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); if (/^ready$/m.test(stdout)) onReady(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), WINDOW_MS + 120_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      onFail(new Error(`client exited (${code}) before it was ready: ${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  return { ready, done, go: (startAt, endAt) => { child.stdin.end(`go ${startAt} ${endAt}\n`); } };
}

interface IoSample { rchar: number; wchar: number }

function io(pid: number | undefined): IoSample | null {
  if (pid === undefined) return null;
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const get = (k: string): number => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { rchar: get('rchar'), wchar: get('wchar') };
  } catch {
    return null;
  }
}

const sleepUntil = (t: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

async function clusterRuns(nodes: NodeProc[], worker: string, ps: string): Promise<Record<string, unknown>[]> {
  // One variable for all runs, initialised once from this process through ps's master.
  tf.resetDefaultGraph();
  const v = tf.container(CONTAINER, () => new tf.Variable(new Float32Array(N), { name: 'bench_v' }));
  const probe = v.value();
  const admin = new tf.Session(ps);
  await admin.run(v.initializer);
  const rows: Record<string, unknown>[] = [];
  const [psNode, workerNode] = nodes;
  let expected = 0;
  for (const mode of ['const', 'fed'] as const) {
    for (const clients of CLIENTS) {
      const procs = Array.from({ length: clients }, () => startClient([worker, mode, String(N)]));
      await Promise.all(procs.map((p) => p.ready));
      const startAt = Date.now() + 100;
      const endAt = startAt + WINDOW_MS;
      for (const p of procs) p.go(startAt, endAt);
      const runs = procs.map((p) => p.done);
      await sleepUntil(startAt);
      const psBefore = io(psNode!.child.pid);
      const wBefore = io(workerNode!.child.pid);
      await sleepUntil(endAt);
      const psAfter = io(psNode!.child.pid);
      const wAfter = io(workerNode!.child.pid);
      const outs = await Promise.all(runs);
      const results = outs.map((o) => {
        if (o.code !== 0) throw new Error(`client failed (${o.code}): ${o.stderr}`);
        return JSON.parse(o.stdout.trim().split('\n').pop()!) as { steps: number; t0: number; t1: number; lat: number[] };
      });
      const steps = results.reduce((a, r) => a + r.steps, 0);
      expected += steps + 3 * clients;
      const wall = (Math.max(...results.map((r) => r.t1)) - Math.min(...results.map((r) => r.t0))) / 1000;
      const lat = results.flatMap((r) => r.lat);
      const perStep = (a: IoSample | null, b: IoSample | null): number | null =>
        a && b && steps > 0 ? (b.rchar - a.rchar + b.wchar - a.wchar) / steps : null;
      rows.push({
        workload: mode, clients, steps, 'steps/s': steps / wall, 'p50 ms': median(lat),
        'ps bytes/step': perStep(psBefore, psAfter), 'worker bytes/step': perStep(wBefore, wAfter),
      });
      process.stderr.write(`${mode} x${clients}: ${(steps / wall).toFixed(1)} steps/s\n`);
    }
  }
  // Every step of every client landed exactly once (the value counts them).
  const value = (await admin.run(probe)) as Tensor;
  const first = (value.data as Float32Array)[0]!;
  await tf.Session.reset(ps, [CONTAINER]);
  await admin.close();
  rows.push({ workload: 'check', clients: 0, steps: first, 'steps/s': NaN, 'p50 ms': NaN, 'ps bytes/step': expected, 'worker bytes/step': null });
  return rows;
}

/**
 * The book's preloading pattern: a 100 MB float32 training set fed once from this client into a
 * ps-resident variable (collections: []), through the worker's master and through ps's own.
 */
async function preload(nodes: NodeProc[], worker: string, ps: string): Promise<Record<string, unknown>[]> {
  const targets: Record<string, string> = { 'worker master': worker, 'ps master': ps };
  const rows = quick ? 2_500_000 : 25_000_000; // floats: 10 MB quick, 100 MB full
  const data = new Float32Array(rows).fill(0.5);
  const out: Record<string, unknown>[] = [];
  for (const [via, target] of Object.entries(targets)) {
    tf.resetDefaultGraph();
    const init = tf.placeholder('float32', [null], 'training_set_init');
    const ts = tf.container(CONTAINER, () => new tf.Variable(init, { trainable: false, collections: [], name: 'training_set' }));
    const sess = new tf.Session(target);
    await sess.run(tf.isVariableInitialized(ts)); // connect and register before the timed part
    const [psNode, workerNode] = nodes;
    const p0 = io(psNode!.child.pid);
    const w0 = io(workerNode!.child.pid);
    const t0 = performance.now();
    await sess.run(ts.initializer, [[init, data]]);
    const ms = performance.now() - t0;
    const p1 = io(psNode!.child.pid);
    const w1 = io(workerNode!.child.pid);
    const rx = (a: IoSample | null, b: IoSample | null): number | null => (a && b ? b.rchar - a.rchar : null);
    out.push({ via, MB: data.byteLength / 1e6, ms, 'MB/s': data.byteLength / 1e3 / ms, 'ps MB in': (rx(p0, p1) ?? NaN) / 1e6, 'worker MB in': (rx(w0, w1) ?? NaN) / 1e6 });
    await sess.close();
    await tf.Session.reset(ps, [CONTAINER]);
  }
  return out;
}

/** In process, one actor: what each storage strategy costs per update of 1M float32s. */
async function storageStrategies(): Promise<Record<string, unknown>[]> {
  const dev = '/job:localhost/replica:0/task:0/device:CPU:0';
  const make = (): VariableActor => new VariableActor(`${dev}/container:/variable:v`, { name: 'v', container: '', device: dev, dtype: 'float32', shape: [N] });
  const ones = new Tensor('float32', [N], new Float32Array(N).fill(1));
  const reps = quick ? 50 : 300;
  const time = async (fn: (a: VariableActor) => Promise<unknown>): Promise<number> => {
    const a = make();
    await a.deliver({ type: 'assign', value: new Tensor('float32', [N], new Float32Array(N)), readValue: false });
    for (let i = 0; i < 5; i++) await fn(a);
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await fn(a);
    return ((performance.now() - t0) / reps) * 1000;
  };
  const inPlace = await time((a) => a.deliver({ type: 'assignAdd', value: ones, readValue: false }));
  const cow = await time((a) => a.deliver({ type: 'assignAdd', value: ones, readValue: true }));
  const copyAtRead = await time(async (a) => {
    await a.deliver({ type: 'assignAdd', value: ones, readValue: false });
    const t = await a.deliver<Tensor>({ type: 'read' });
    return (t.data as Float32Array).slice(); // what a copy-at-read design would pay on every read
  });
  const readOnly = await time((a) => a.deliver({ type: 'read' }));
  return [
    { strategy: 'assignAdd, no read since last update (in place)', 'us/op': inPlace },
    { strategy: 'assignAdd returning its value (copy-on-write: fresh buffer)', 'us/op': cow },
    { strategy: 'assignAdd + read, if reads copied (rejected design)', 'us/op': copyAtRead },
    { strategy: 'read (lends the live buffer, no copy)', 'us/op': readOnly },
  ];
}

/** Bytes held per 1M-float32 variable, measured with the GC's view of ArrayBuffers. */
async function memoryPerVariable(): Promise<Record<string, unknown>> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const count = 16;
  tf.resetDefaultGraph();
  const vars = Array.from({ length: count }, (_, i) => new tf.Variable(new Float32Array(N), { name: `m${i}` }));
  const sess = new tf.Session();
  await sess.run(vars[0]!.isInitialized()); // starts the embedded cluster before the baseline
  gc();
  const before = process.memoryUsage().arrayBuffers;
  await sess.run(vars.map((v) => v.initializer));
  gc();
  const after = process.memoryUsage().arrayBuffers;
  const incs = vars.map((v) => v.assignAdd(new Float32Array(N).fill(1), { readValue: false }));
  for (let i = 0; i < 5; i++) await sess.run(incs);
  gc();
  const afterUpdates = process.memoryUsage().arrayBuffers;
  await sess.close();
  return {
    valueBytes: 4 * N,
    bytesPerVariable: (after - before) / count,
    bytesPerVariableAfter5Updates: (afterUpdates - before) / count,
    note: 'ArrayBuffer bytes held after initialising 16 variables (includes each Const initial value kept by the graph)',
  };
}

async function main(): Promise<void> {
  const cluster = await clusterSpecOnFreePorts({ ps: 1, worker: 1 });
  const nodes = await Promise.all([startNode(cluster, 'ps', 0), startNode(cluster, 'worker', 0)]);
  const worker = `ws://${cluster['worker']![0]}`;
  const ps = `ws://${cluster['ps']![0]}`;
  try {
    const rows = await clusterRuns(nodes, worker, ps);
    const check = rows.pop()!;
    process.stdout.write(`machine: ${JSON.stringify(machine())}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
    printTable(rows);
    const exact = check['steps'] === check['ps bytes/step'];
    process.stdout.write(`\nfinal value ${String(check['steps'])} = steps run ${String(check['ps bytes/step'])}: ${exact ? 'exact' : 'MISMATCH'}\n\n`);
    const preloads = await preload(nodes, worker, ps);
    printTable(preloads);
    process.stdout.write('\n');
    const strategies = await storageStrategies();
    printTable(strategies);
    const memory = await memoryPerVariable();
    process.stdout.write(`\nmemory per 1M-float32 variable: ${(memory['bytesPerVariable'] as number / 2 ** 20).toFixed(2)} MiB (value ${(4 * N / 2 ** 20).toFixed(0)} MiB)\n`);
    const file = writeResults('variables', {
      elements: N, windowMs: WINDOW_MS, loadAverage: loadavg(), rows, exact, finalValue: check['steps'], stepsRun: check['ps bytes/step'],
      preloads, strategies, memory,
      notes: 'bytes/step = (rchar + wchar) delta of the node process over the window / steps; fed steps carry one 4 MiB delta',
    });
    process.stdout.write(`results: ${file}\n`);
  } finally {
    await tf.closeClientTransport();
    await Promise.all(nodes.map((n) => stopNode(n)));
  }
}

void main();
