/** Variables through real sessions: an embedded cluster, then in-process servers of one cluster. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { clusterSpecOnFreePorts, withTimeout } from '../helpers/processes.js';
import { rejectsWith as rejects } from '../helpers/rejects.js';

const LOCAL_CPU = '/job:localhost/replica:0/task:0/device:CPU:0';
const PS_CPU = '/job:ps/replica:0/task:0/device:CPU:0';

test.before.each(() => { tf.resetDefaultGraph(); });


test('embedded: initialise, increment, read; the initializer runs beside the variable', async () => {
  const x = new tf.Variable(0.0, { name: 'x' });
  const inc = tf.assignAdd(x, 1);
  await using sess = new tf.Session();
  const md: tf.RunMetadata = {};
  await sess.run(x.initializer, undefined, { runMetadata: md });
  assert.is(md.placement!['x'], LOCAL_CPU);
  assert.is(md.placement!['x/Assign'], LOCAL_CPU);
  assert.is((await sess.run(inc)).toArray(), 1);
  assert.is((await x.eval(sess)).toArray(), 1);
  assert.is((await sess.run(x)).toArray(), 1, 'a variable can be fetched directly');
});

test("embedded: the book's simple_client graph, x = x + 1 through tf.assign", async () => {
  const x = new tf.Variable(0.0, { name: 'x' });
  const incrementX = tf.assign(x, tf.add(x, 1));
  await using sess = new tf.Session();
  await sess.run(x.initializer);
  await sess.run(incrementX);
  assert.is((await x.eval(sess)).toArray(), 1);
  assert.is((await sess.run(incrementX)).toArray(), 2);
  assert.is((await sess.run(x.add(10))).toArray(), 12, 'a variable has the tensor methods of its value');
});

test('embedded: an uninitialised read fails with FailedPrecondition naming the variable and device', async () => {
  const v = new tf.Variable([1, 2], { name: 'weights' });
  await using sess = new tf.Session();
  const err = await rejects(sess.run(v.value()), tf.errors.FailedPreconditionError, /^Attempting to use uninitialized value weights/);
  assert.is(err.device, LOCAL_CPU);
  assert.ok(err.message.includes(LOCAL_CPU));
  assert.is((await sess.run(tf.isVariableInitialized(v))).toArray(), false);
  await sess.run(tf.globalVariablesInitializer());
  assert.is((await sess.run(tf.isVariableInitialized(v))).toArray(), true);
  assert.equal((await sess.run(v)).toArray(), [1, 2]);
});

test('embedded: assign checks shapes at run time; countUpTo ends in OutOfRange', async () => {
  const v = new tf.Variable([1, 2], { name: 'v' });
  const p = tf.placeholder('float32');
  const asg = v.assign(p);
  const e = tf.localVariable(0, { name: 'epochs', dtype: 'int32' });
  const next = e.countUpTo(2);
  await using sess = new tf.Session();
  await sess.run([tf.globalVariablesInitializer(), tf.localVariablesInitializer()]);
  await rejects(sess.run(asg, [[p, [1, 2, 3]]]), tf.errors.InvalidArgumentError,
    /^Assign requires shapes of both tensors to match\. lhs shape= \[2\] rhs shape= \[3\]/);
  assert.equal((await sess.run(asg, [[p, [3, 4]]])).toArray(), [3, 4]);
  assert.is((await sess.run(next)).toArray(), 0);
  assert.is((await sess.run(next)).toArray(), 1);
  await rejects(sess.run(next), tf.errors.OutOfRangeError, /^Reached limit of 2/);
});

test('embedded: 1000 concurrent assignAdd runs end exact', async () => {
  const c = new tf.Variable(0, { name: 'counter', dtype: 'int32' });
  const inc = c.assignAdd(1);
  await using sess = new tf.Session();
  await sess.run(c.initializer);
  await withTimeout(Promise.all(Array.from({ length: 1000 }, () => sess.run(inc))), 20000, '1000 runs');
  assert.is((await sess.run(c)).toArray(), 1000);
});

test('embedded: preloading a float32 training set from a placeholder, kept out of globalVariables()', async () => {
  const nFeatures = 8;
  const rows = 32768; // 1 MiB of float32
  const init = tf.placeholder('float32', [null, nFeatures], 'training_set_init');
  const trainingSet = new tf.Variable(init, { trainable: false, collections: [], name: 'training_set' });
  assert.ok(!tf.globalVariables().includes(trainingSet));
  assert.ok(!tf.trainableVariables().includes(trainingSet));
  const data = new Float32Array(rows * nFeatures).map((_, i) => (i % 1000) / 8);
  await using sess = new tf.Session();
  await sess.run(trainingSet.initializer, [[init, tf.tensor(data, { shape: [rows, nFeatures] })]]);
  const got = await sess.run(trainingSet);
  assert.equal(got.shape, [rows, nFeatures]);
  assert.is(got.data.length, data.length);
  assert.ok((got.data as Float32Array).every((v, i) => v === data[i]));
});

test('cluster: variables are shared by sessions on different servers, outlive them, and reset by container', async () => {
  const spec = await clusterSpecOnFreePorts({ ps: 1, worker: 2 });
  const servers = [
    new tf.train.Server(spec, { jobName: 'ps', taskIndex: 0 }),
    new tf.train.Server(spec, { jobName: 'worker', taskIndex: 0 }),
    new tf.train.Server(spec, { jobName: 'worker', taskIndex: 1 }),
  ];
  try {
    await withTimeout(Promise.all(servers.map((s) => s.start())), 10000, 'servers');
    const [, w0, w1] = servers.map((s) => s.target);
    // The book's figure 12-7: x in the default container, another x in "my_problem_1".
    const build = () => {
      tf.resetDefaultGraph();
      const x = new tf.Variable(0.0, { name: 'x' });
      const xc = tf.container('my_problem_1', () => new tf.Variable(0.0, { name: 'x' }));
      return { x, xc, incX: tf.assignAdd(x, 1), incXc: tf.assignAdd(xc, 10) };
    };
    const a = build();
    {
      await using sA = new tf.Session(w0!);
      const md: tf.RunMetadata = {};
      await sA.run([a.x.initializer, a.xc.initializer], undefined, { runMetadata: md });
      assert.is(md.placement!['x'], PS_CPU, 'unpinned variables live on the default resource device');
      assert.equal((await sA.run([a.incX, a.incXc])).map((t: tf.Tensor) => t.toArray()), [1, 10]);
    }
    const b = build();
    await using sB = new tf.Session(w1!);
    assert.equal((await sB.run([b.incX, b.incXc])).map((t: tf.Tensor) => t.toArray()), [2, 20],
      'a session on another server sees both variables, after the first session closed');
    // Reset through w1: it frees my_problem_1 on every task and closes the sessions on w1's master.
    await tf.Session.reset(w1!, ['my_problem_1']);
    await rejects(sB.run(b.x), tf.errors.AbortedError, /./);
    const c = build();
    await using sC = new tf.Session(w1!);
    assert.is((await sC.run(c.x)).toArray(), 2, 'the default container keeps its value');
    const err = await rejects(sC.run(c.xc), tf.errors.FailedPreconditionError, /^Attempting to use uninitialized value x/);
    assert.is(err.device, PS_CPU, 'the error names the device that owns the variable');
    assert.ok(err.message.includes(PS_CPU));
    await sC.run(c.xc.initializer);
    assert.is((await sC.run(c.incXc)).toArray(), 10);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});

test("a variable's own tensor 'v0:0' stands for its value in a later session (server_lib_test.testSameVariablesNoClear)", async () => {
  const server = await withTimeout(tf.train.Server.createLocalServer(), 10_000, 'server');
  try {
    {
      await using sess1 = new tf.Session(server.target);
      const v0 = new tf.Variable([[2, 1]], { name: 'v0' });
      const v1 = new tf.Variable([[1], [2]], { name: 'v1' });
      await sess1.run([v0.initializer, v1.initializer]);
      assert.equal((await sess1.run(tf.matMul(v0, v1))).toArray(), [[4]]);
    }
    await using sess2 = new tf.Session(server.target);
    const g = tf.getDefaultGraph();
    const nv0 = g.getTensorByName('v0:0');
    const nv1 = g.getTensorByName('v1:0');
    assert.equal((await sess2.run(tf.matMul(nv0, nv1))).toArray(), [[4]], 'as op inputs: read implicitly');
    assert.equal((await sess2.run('v0:0')).toArray(), [[2, 1]], 'fetched by name: the value');
    assert.equal((await sess2.run(nv1)).toArray(), [[1], [2]], 'fetched as a tensor: the value');
    await sess2.run(tf.assign(nv0, [[5, 5]]));
    assert.equal((await sess2.run(nv0)).toArray(), [[5, 5]], 'assign-family ops still take it as the variable');
  } finally {
    await server.stop();
  }
});

test('initializedValue: variables built from others agree whatever order the initializers run in (variables_test.testInitializationOrder)', async () => {
  const rnd = new tf.Variable(tf.randomUniform([3, 6]), { name: 'rnd' });
  const dep = new tf.Variable(rnd.initializedValue(), { name: 'dep' });
  const added = rnd.initializedValue().add(dep.initializedValue()).add(2.0);
  const depdep = new tf.Variable(added, { name: 'depdep' });
  await using sess = new tf.Session();
  await sess.run(tf.globalVariablesInitializer());
  const [r, d, dd] = ((await sess.run([rnd.value(), dep.value(), depdep.value()])) as tf.Tensor[]).map((t) => Array.from(t.data as Float32Array)) as [number[], number[], number[]];
  assert.equal(d, r);
  assert.equal(dd, r.map((x, i) => Math.fround(Math.fround(x + d[i]!) + 2)));
  // Once initialized, it reads the variable, not the initial value.
  await sess.run(rnd.assign(tf.zeros([3, 6])));
  assert.equal(Array.from((await sess.run(rnd.initializedValue())).data as Float32Array), new Array(18).fill(0));
});

test('an assign with validateShape false may change the shape; reads then see the new shape (assign_op_test.testAssignNonStrictShapeChecking)', async () => {
  const p = new tf.Variable([1]);
  const data = tf.fill([4, 4], 0);
  const a = tf.assign(p, data, { validateShape: false });
  await using sess = new tf.Session();
  await sess.run(p.initializer);
  await sess.run(a.op);
  assert.equal((await sess.run(p)).shape, [4, 4]);
  assert.equal((await sess.run(p.readValue())).toArray(), new Array(4).fill(new Array(4).fill(0)));
});

test.run();
