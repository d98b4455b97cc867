/** replicaDeviceSetter on a real (in-process) cluster: variables live on ps tasks, the sum on the worker. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { clusterSpecOnFreePorts } from '../helpers/processes.js';

test('the book: variables round-robin over two ps tasks, s = v1 + v2 runs on the worker, values are right', async () => {
  tf.resetDefaultGraph();
  const cluster = new tf.train.ClusterSpec(await clusterSpecOnFreePorts({ ps: 2, worker: 1 }));
  const servers = [
    new tf.train.Server(cluster, { jobName: 'ps', taskIndex: 0 }),
    new tf.train.Server(cluster, { jobName: 'ps', taskIndex: 1 }),
    new tf.train.Server(cluster, { jobName: 'worker', taskIndex: 0 }),
  ];
  try {
    await Promise.all(servers.map((s) => s.start()));
    const { v1, v2, v3, s } = tf.device(tf.train.replicaDeviceSetter({ cluster }), () => {
      const v1 = new tf.Variable(1.0);
      const v2 = new tf.Variable(2.0);
      const v3 = new tf.Variable(3.0);
      return { v1, v2, v3, s: tf.add(v1, v2) };
    });
    assert.equal([v1.device, v2.device, v3.device, s.device], ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:0', '/job:worker']);
    const sess = new tf.Session(servers[2]!.target);
    try {
      await sess.run(tf.globalVariablesInitializer());
      const md: tf.RunMetadata = {};
      assert.is((await sess.run(s, undefined, { runMetadata: md, timeoutMs: 10000 })).toArray(), 3);
      assert.is(md.placement![s.op.name], '/job:worker/replica:0/task:0/device:CPU:0');
      const v2op = tf.getDefaultGraph().getOperations().find((o) => o.type === 'VariableV2' && v2.name.startsWith(`${o.name}:`))!;
      const md2: tf.RunMetadata = {};
      await sess.run(v2, undefined, { runMetadata: md2 });
      // The variable and its read op run on ps task 1.
      assert.is(md2.placement![v2op.name], '/job:ps/replica:0/task:1/device:CPU:0');
      assert.is(md2.placement![`${v2op.name}/read`], '/job:ps/replica:0/task:1/device:CPU:0');
    } finally {
      await sess.close();
    }
  } finally {
    await Promise.all(servers.map((sv) => sv.stop()));
  }
});

test.run();
