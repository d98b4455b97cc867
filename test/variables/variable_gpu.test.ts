/** A variable pinned to a GPU device (webasm backend): it lives there and takes GPU results. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { gpuStats } from '../../lib/gpu/index.js';
import { withTimeout } from '../helpers/processes.js';

test('a variable pinned to /gpu:0 is placed there and is updated from GPU kernel results', async () => {
  const server = await withTimeout(tf.train.Server.createLocalServer({ gpus: 1, gpuBackend: 'webasm' }), 20000, 'server');
  try {
    tf.resetDefaultGraph();
    const gpu = '/job:local/replica:0/task:0/device:GPU:0';
    const { w, doubled } = tf.device(gpu, () => {
      const w = new tf.Variable([1, 2, 3], { name: 'w' });
      return { w, doubled: w.assign(tf.mul(w, 2)) };
    });
    const sess = new tf.Session(server.target);
    try {
      const md: tf.RunMetadata = {};
      await sess.run(w.initializer, undefined, { runMetadata: md });
      assert.is(md.placement!['w'], gpu);
      assert.is(md.placement!['w/Assign'], gpu);
      const runs0 = gpuStats().kernelRuns;
      assert.equal((await withTimeout(sess.run(doubled, undefined, { runMetadata: md }), 20000, 'run')).toArray(), [2, 4, 6]);
      assert.is(md.placement![doubled.op.inputs[1]!.op.name], gpu);
      assert.ok(gpuStats().kernelRuns > runs0, 'the multiply ran as a GPU kernel');
      assert.equal((await sess.run(w)).toArray(), [2, 4, 6]);
    } finally {
      await sess.close();
    }
  } finally {
    await server.stop();
  }
});

test.run();
