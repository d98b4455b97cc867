/**
 * GPU devices in a cluster: the book's pinning example with `b` on /job:worker/task:0/gpu:1 of a
 * task started with two GPUs runs on that GPU and agrees with the CPU; a small MLP's forward
 * pass and loss run on a GPU device; a backend that cannot run fails the server's start.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { createGpuBackend, gpuStats, type GpuBackendKind } from '../../lib/gpu/index.js';
import { clusterSpecOnFreePorts, withTimeout } from '../helpers/processes.js';

const kinds: GpuBackendKind[] = ['webasm'];
try {
  await (await createGpuBackend('webgpu')).dispose();
  kinds.push('webgpu');
} catch (err) {
  console.log(`SKIP webgpu cluster tests: ${(err as Error).message}`);
}

async function withCluster<T>(gpuBackend: GpuBackendKind, fn: (target: string) => Promise<T>): Promise<T> {
  const spec = await clusterSpecOnFreePorts({ ps: 1, worker: 1 });
  const servers = [
    new tf.train.Server(spec, { jobName: 'ps', taskIndex: 0 }),
    new tf.train.Server(spec, { jobName: 'worker', taskIndex: 0, gpus: 2, gpuBackend }),
  ];
  try {
    await withTimeout(Promise.all(servers.map((s) => s.start())), 20000, 'servers');
    return await fn(servers[1]!.target);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

for (const kind of kinds) {
  test(`${kind}: the book's pinning example runs b on /job:worker/task:0/gpu:1 and agrees with the CPU`, async () => {
    await withCluster(kind, async (target) => {
      tf.resetDefaultGraph();
      const a = tf.device('/job:ps/task:0/cpu:0', () => tf.constant(1.0));
      const b = tf.device('/job:worker/task:0/gpu:1', () => tf.add(a, 2));
      const c = tf.add(a, b);
      // The same computation on the worker's CPU, in the same graph.
      const b2 = tf.device('/job:worker/task:0/cpu:0', () => tf.add(a, 2));
      const c2 = tf.device('/job:worker/task:0/cpu:0', () => tf.add(a, b2));
      const sess = new tf.Session(target);
      try {
        const runs0 = gpuStats().kernelRuns;
        const md: tf.RunMetadata = {};
        const [bv, cv] = await withTimeout(sess.run([b, c], undefined, { runMetadata: md }), 20000, 'run');
        assert.is(md.placement!['add'], '/job:worker/replica:0/task:0/device:GPU:1');
        assert.is(bv!.constructor, tf.Tensor, 'fetches arrive as host tensors');
        assert.is(bv!.toArray(), 3);
        assert.is(cv!.toArray(), 4);
        assert.ok(gpuStats().kernelRuns - runs0 >= 1, 'a GPU kernel ran');
        const [bc, cc] = await sess.run([b2, c2]);
        assert.is(bc!.toArray(), bv!.toArray());
        assert.is(cc!.toArray(), cv!.toArray());
      } finally {
        await sess.close();
      }
    });
  });
}

test('an MLP forward pass and softmax loss on /gpu:0 match the same graph on the CPU', async () => {
  await withCluster(kinds[kinds.length - 1]!, async (target) => {
    tf.resetDefaultGraph();
    const build = (dev: string) => {
      return tf.device(dev, () => {
        const x = tf.constant([[0.5, -1, 2], [1, 0.25, -0.5], [0, 1, 1], [-2, 0.5, 0.125]]);
        const w1 = tf.constant([[0.1, -0.2, 0.3, 0.4], [0.5, 0.6, -0.7, 0.8], [-0.9, 1.0, 0.2, -0.1]]);
        const w2 = tf.constant([[0.3, -0.1], [0.2, 0.4], [-0.5, 0.6], [0.7, -0.8]]);
        const h = tf.nn.relu(tf.add(tf.matMul(x, w1), tf.constant([0.1, 0.2, 0.3, 0.4])));
        const logits = tf.matMul(h, w2);
        const labels = tf.constant([[1, 0], [0, 1], [1, 0], [0, 1]]);
        const loss = tf.reduceMean(tf.nn.softmaxCrossEntropyWithLogits({ labels, logits }));
        return [tf.nn.softmax(logits), loss];
      });
    };
    const gpuFetches = build('/job:worker/task:0/gpu:0');
    const cpuFetches = build('/job:worker/task:0/cpu:0');
    const sess = new tf.Session(target);
    try {
      const runs0 = gpuStats().kernelRuns;
      const onGpu = await withTimeout(sess.run(gpuFetches), 20000, 'gpu run');
      assert.ok(gpuStats().kernelRuns - runs0 >= 6, `the MLP ran as GPU kernels (${gpuStats().kernelRuns - runs0})`);
      const onCpu = await sess.run(cpuFetches);
      const flat = (t: tf.Tensor) => Array.from(t.data as Float32Array);
      flat(onGpu[0]!).forEach((v, i) => assert.ok(Math.abs(v - flat(onCpu[0]!)[i]!) < 1e-5, `softmax ${i}`));
      assert.ok(Math.abs(flat(onGpu[1]!)[0]! - flat(onCpu[1]!)[0]!) < 1e-5, 'loss');
    } finally {
      await sess.close();
    }
  });
});

test('a server whose GPU backend cannot run fails to start with a clear error', async () => {
  const spec = await clusterSpecOnFreePorts({ worker: 1 });
  const display = process.env['DISPLAY'];
  delete process.env['DISPLAY'];
  const server = new tf.train.Server(spec, { jobName: 'worker', taskIndex: 0, gpus: 1, gpuBackend: 'headlessgl', start: false });
  try {
    await server.start();
    assert.unreachable('headlessgl started without gl or a display');
  } catch (err) {
    assert.ok(err instanceof tf.errors.FailedPreconditionError || err instanceof tf.errors.UnavailableError, (err as Error).name);
    assert.match((err as Error).message, /headlessgl/);
  } finally {
    if (display !== undefined) process.env['DISPLAY'] = display;
    await server.stop().catch(() => {});
  }
});

test.run();
