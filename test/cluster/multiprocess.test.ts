/**
 * Real `node actors/node.js` processes on loopback: a ps and two workers. Tensors of every dtype
 * cross between them; a killed worker turns into UnavailableError and comes back after a restart.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { rejects } from '../helpers/rejects.js';
import { WsTransport } from '../../transport/ws_transport.js';
import { clusterSpecOnFreePorts, startNode, stopNode, withTimeout, type NodeProc } from '../helpers/processes.js';

let cluster: Record<string, string[]>;
let nodes: NodeProc[] = [];
const target = (job: string, i: number): string => `ws://${cluster[job]![i]}`;

test.before(async () => {
  cluster = await clusterSpecOnFreePorts({ ps: 1, worker: 2 });
  nodes = await Promise.all([startNode(cluster, 'ps', 0), startNode(cluster, 'worker', 0), startNode(cluster, 'worker', 1)]);
  tf.configureClientTransport({ unavailableTimeoutMs: 1500, connectTimeoutMs: 1000 } as never);
});

test.after(async () => {
  await Promise.all(nodes.map((n) => stopNode(n)));
  await tf.closeClientTransport();
});

test.before.each(() => { tf.resetDefaultGraph(); });

test('each node prints one ready line with its canonical task path and URL', () => {
  assert.match(nodes[0]!.readyLine, new RegExp(`^actorflow /job:ps/replica:0/task:0 listening on ws://${cluster['ps']![0]!.replace(/\./g, '\\.')}`));
  assert.match(nodes[2]!.readyLine, /\/job:worker\/replica:0\/task:1 listening on ws:\/\/127\.0\.0\.1:\d+/);
});

test('the book: a on ps, b on worker 0, c unpinned: c = a + b runs where the book says', async () => {
  const a = tf.device('/job:ps/task:0/cpu:0', () => tf.constant(1.0));
  const b = tf.device('/job:worker/task:0', () => tf.add(a, 2));
  const c = tf.add(a, b);
  await using sess = new tf.Session(target('worker', 1));
  const md: tf.RunMetadata = {};
  assert.is((await withTimeout(sess.run(c, undefined, { runMetadata: md }), 10000, 'run')).toArray(), 4);
  assert.is(md.placement![a.op.name], '/job:ps/replica:0/task:0/device:CPU:0');
  assert.is(md.placement![b.op.name], '/job:worker/replica:0/task:0/device:CPU:0');
  assert.is(md.placement![c.op.name], '/job:worker/replica:0/task:1/device:CPU:0');
});

test('a chain ps -> worker -> ps moves each tensor once per edge and never through the client', async () => {
  const n = 256 * 1024; // 1 MiB of float32
  const big = tf.device('/job:ps/task:0', () => tf.fill([n], 2));
  const doubled = tf.device('/job:worker/task:1', () => tf.mul(big, 2));
  const total = tf.device('/job:ps/task:0', () => tf.reduceSum(doubled));
  await using sess = new tf.Session(target('worker', 0));
  assert.is((await sess.run(total)).toArray(), 4 * n); // registers the graph once
  const status = async (job: string, i: number): Promise<Record<string, { bytesSent: number; bytesReceived: number }>> => {
    const t = new WsTransport({});
    try {
      const s = await t.request(target(job, i), `/job:${job}/replica:0/task:${i}`, { type: 'status' }) as { linkStats: Record<string, { bytesSent: number; bytesReceived: number }> };
      return s.linkStats;
    } finally {
      await t.close();
    }
  };
  const before = { ps: await status('ps', 0), w1: await status('worker', 1), client: tf.clientLinkStats() };
  assert.is((await sess.run(total)).toArray(), 4 * n);
  const after = { ps: await status('ps', 0), w1: await status('worker', 1), client: tf.clientLinkStats() };
  const sent = (a: typeof before.ps, b: typeof before.ps, peer: string): number => (b[peer]?.bytesSent ?? 0) - (a[peer]?.bytesSent ?? 0);
  const psToW1 = sent(before.ps, after.ps, target('worker', 1));
  const w1ToPs = sent(before.w1, after.w1, target('ps', 0));
  assert.ok(psToW1 >= 4 * n && psToW1 < 4 * n + 4096, `ps -> worker 1 carried ${psToW1} bytes`);
  assert.ok(w1ToPs >= 4 * n && w1ToPs < 4 * n + 4096, `worker 1 -> ps carried ${w1ToPs} bytes`);
  const clientBytes = Object.values(after.client).reduce((a, s) => a + s.bytesSent + s.bytesReceived, 0)
    - Object.values(before.client).reduce((a, s) => a + s.bytesSent + s.bytesReceived, 0);
  assert.ok(clientBytes < 4096, `the client saw ${clientBytes} bytes`);
});

test('tensors of every dtype cross between tasks and come back equal', async () => {
  const values: [tf.DType, unknown][] = [
    ['float32', [[1.5, -2], [3, 4]]], ['float64', [1e300, -1e-300]], ['int32', [-7, 2147483647]],
    ['int64', [9007199254740993n, -5n]], ['uint8', [0, 255]], ['bool', [true, false, true]],
    ['string', ['héllo', '', 'x,y']],
  ];
  const fetches = values.map(([dtype, v]) => {
    const t = tf.device('/job:ps/task:0', () => tf.constant(v, { dtype }));
    return tf.device('/job:worker/task:1', () => tf.identity(t));
  });
  await using sess = new tf.Session(target('worker', 0));
  const out = await withTimeout(sess.run(fetches), 10000, 'run');
  out.forEach((t: tf.Tensor, i: number) => {
    assert.is(t.dtype, values[i]![0]);
    assert.equal(t.toArray(), values[i]![1]);
  });
});

test('an op failing on a remote worker arrives as the same class naming the op and device', async () => {
  const p = tf.placeholder('int32', [null]);
  const x = tf.device('/job:worker/task:1', () => tf.reshape(p, [2, 2]));
  await using sess = new tf.Session(target('worker', 0));
  try {
    await withTimeout(sess.run(x, [[p, [1, 2, 3]]]), 10000, 'run');
    assert.unreachable('should fail');
  } catch (e) {
    assert.instance(e, tf.errors.InvalidArgumentError);
    const err = e as tf.errors.OpError;
    assert.is(err.op, x.op.name);
    assert.is(err.device, '/job:worker/replica:0/task:1/device:CPU:0');
  }
});

test('a killed worker gives UnavailableError; other steps still run; a restart brings it back', async () => {
  const onW1 = tf.device('/job:worker/task:1', () => tf.add(tf.constant(1), 1));
  const onPs = tf.device('/job:ps/task:0', () => tf.add(tf.constant(10), 1));
  await using sess = new tf.Session(target('worker', 0));
  assert.is((await sess.run(onW1)).toArray(), 2);
  await stopNode(nodes[2]!, 'SIGKILL');
  const started = Date.now();
  await rejects(() => withTimeout(sess.run(onW1), 10000, 'run'), (e: Error) => e instanceof tf.errors.UnavailableError);
  assert.ok(Date.now() - started < 8000, 'fails within the bound');
  assert.is((await sess.run(onPs)).toArray(), 11);
  nodes[2] = await startNode(cluster, 'worker', 1);
  let ok = false;
  for (let i = 0; i < 40 && !ok; i++) {
    try {
      ok = (await sess.run(onW1)).toArray() === 2;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  assert.ok(ok, 'traffic flows again after the restart');
});

test('SIGTERM shuts a node down cleanly (exit code 0)', async () => {
  const c2 = await clusterSpecOnFreePorts({ solo: 1 });
  const n = await startNode(c2, 'solo', 0);
  assert.is(await stopNode(n, 'SIGTERM'), 0);
});

test.run();
