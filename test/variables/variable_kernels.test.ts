/** The variable ops' kernels on a real ResourceManager + ActorSystem, through a minimal runner. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { Graph } from '../../lib/framework/graph.js';
import { VariableActor } from '../../actors/variable_actor.js';
import { MiniDevice, MiniSession, DEVICE } from './mini_session.js';
import { rejectsWith as rejects } from '../helpers/rejects.js';


/** The book's simple_client graph: x = Variable(0.0, name="x"); increment via assignAdd. */
function simpleClient(): { graph: Graph; x: tf.Variable; inc: tf.SymbolicTensor } {
  const graph = new Graph();
  return graph.asDefault(() => {
    const x = new tf.Variable(0.0, { name: 'x' });
    return { graph, x, inc: tf.assignAdd(x, 1) };
  });
}

test('two sessions building the same graph share x through the device\'s resource container', async () => {
  const device = new MiniDevice();
  const a = simpleClient();
  const s1 = new MiniSession(a.graph, device);
  await s1.run1(a.x.initializer);
  await s1.run1(a.inc);
  assert.is((await a.x.eval(s1)).toArray(), 1);
  const b = simpleClient();
  const s2 = new MiniSession(b.graph, device);
  await s2.run1(b.inc);
  assert.is((await b.x.eval(s2)).toArray(), 2);
  assert.is((await s1.run1(a.x.value()))!.toArray(), 2);
  const path = `${DEVICE}/container:/variable:x`;
  assert.instance(device.system.lookup(path), VariableActor);
  assert.equal(device.resources.list(), [{ container: '', key: 'variable:x' }]);
});

test('uninitialised reads fail with FailedPrecondition naming the variable and the device', async () => {
  const { graph, x, inc } = simpleClient();
  const s = new MiniSession(graph);
  const err = await rejects(s.run1(x.value()), tf.errors.FailedPreconditionError, /^Attempting to use uninitialized value x/);
  assert.is(err.device, DEVICE);
  assert.is(err.op, 'x/read');
  assert.ok(err.message.includes(DEVICE));
  await rejects(s.run1(inc), tf.errors.FailedPreconditionError, /uninitialized value x/);
  const flag = graph.asDefault(() => tf.isVariableInitialized(x));
  assert.is((await s.run1(flag))!.toArray(), false);
  const report = graph.asDefault(() => tf.reportUninitializedVariables());
  assert.equal((await s.run1(report))!.toArray(), ['x']);
  await s.run1(x.initializer);
  assert.is((await s.run1(flag))!.toArray(), true);
  assert.equal((await s.run1(report))!.toArray(), []);
});

test('containers: resetting one frees its variables, others keep their values', async () => {
  const device = new MiniDevice();
  const graph = new Graph();
  const { x, y, incX, incY, init } = graph.asDefault(() => {
    const x = new tf.Variable(0, { name: 'x' });
    const y = tf.container('my_problem_1', () => new tf.Variable(0, { name: 'x_in_c' }));
    return { x, y, incX: x.assignAdd(1), incY: y.assignAdd(1), init: tf.globalVariablesInitializer() };
  });
  const s = new MiniSession(graph, device);
  await s.run1(init);
  await s.run([incX, incY]);
  assert.equal((await s.run([x.value(), y.value()])).map((t) => t!.toArray()), [1, 1]);
  assert.is(device.resources.cleanup(['my_problem_1', 'no_such_container']), 1);
  assert.is((await s.run1(x.value()))!.toArray(), 1);
  await rejects(s.run1(y.value()), tf.errors.FailedPreconditionError, /uninitialized value x_in_c/);
  await s.run1(y.initializer);
  assert.is((await s.run1(y.value()))!.toArray(), 0);
});

test('assign validates shapes at run time when they are not known when building', async () => {
  const graph = new Graph();
  const { v, p, asg } = graph.asDefault(() => {
    const v = new tf.Variable([1, 2], { name: 'v' });
    const p = tf.placeholder('float32');
    return { v, p, asg: v.assign(p) };
  });
  const s = new MiniSession(graph);
  await s.run1(v.initializer);
  const err = await rejects(s.run1(asg, [[p, [1, 2, 3]]]), tf.errors.InvalidArgumentError,
    /^Assign requires shapes of both tensors to match\. lhs shape= \[2\] rhs shape= \[3\]$/);
  assert.is(err.device, DEVICE);
  assert.equal((await s.run1(asg, [[p, [5, 6]]]))!.toArray(), [5, 6]);
});

test('countUpTo counts to its limit, then OutOfRange "Reached limit of N"', async () => {
  const graph = new Graph();
  const { e, c, init } = graph.asDefault(() => {
    const e = tf.localVariable(0, { name: 'epochs', dtype: 'int64' });
    return { e, c: e.countUpTo(2), init: tf.localVariablesInitializer() };
  });
  const s = new MiniSession(graph);
  await s.run1(init);
  assert.is((await s.run1(c))!.toArray(), 0n);
  assert.is((await s.run1(c))!.toArray(), 1n);
  const err = await rejects(s.run1(c), tf.errors.OutOfRangeError, /^Reached limit of 2$/);
  assert.is(err.device, DEVICE);
  assert.is((await e.eval(s)).toArray(), 2n);
});

test('concurrent assignAdd runs end exact', async () => {
  const { graph, x, inc } = simpleClient();
  const s = new MiniSession(graph);
  await s.run1(x.initializer);
  await Promise.all(Array.from({ length: 1000 }, () => s.run1(inc)));
  assert.is((await x.eval(s)).toArray(), 1000);
});

test('preloading: a placeholder-initialised variable with collections: [] holds the fed data', async () => {
  const n = 4096;
  const graph = new Graph();
  const { init, ts } = graph.asDefault(() => {
    const init = tf.placeholder('float32', [null, 4], 'training_set_init');
    const ts = new tf.Variable(init, { name: 'training_set', trainable: false, collections: [] });
    return { init, ts };
  });
  assert.equal(graph.asDefault(() => tf.globalVariables()), []);
  assert.equal(graph.asDefault(() => tf.trainableVariables()), []);
  const data = new Float32Array(n * 4).map((_, i) => i * 0.5);
  const s = new MiniSession(graph);
  await s.run1(ts.initializer, [[init, tf.tensor(data, { shape: [n, 4] })]]);
  const got = (await ts.eval(s));
  assert.equal(got.shape, [n, 4]);
  assert.equal(Array.from(got.data as Float32Array), Array.from(data));
  data[0] = 99;
  assert.is((await ts.eval(s)).data[0], 0, 'the variable owns a copy of the fed data');
  await rejects(s.run1(ts.initializer, [[init, tf.tensor(new Float32Array(6), { shape: [2, 3] })]]),
    tf.errors.InvalidArgumentError, /lhs shape= \[4096,4\] rhs shape= \[2,3\]/);
});

test('v.load(value, sess) assigns a client value', async () => {
  const graph = new Graph();
  const v = graph.asDefault(() => new tf.Variable([0, 0, 0], { name: 'v' }));
  const s = new MiniSession(graph);
  await v.load([1, 2, 3], s);
  assert.equal((await v.eval(s)).toArray(), [1, 2, 3]);
  await v.load([4, 5, 6], s);
  assert.equal((await v.eval(s)).toArray(), [4, 5, 6]);
});

test('another VariableV2 with the same name but another dtype is refused', async () => {
  const device = new MiniDevice();
  const g1 = new Graph();
  const a = g1.asDefault(() => new tf.Variable(0, { name: 'x' }));
  await new MiniSession(g1, device).run1(a.initializer);
  const g2 = new Graph();
  const b = g2.asDefault(() => new tf.Variable(0, { name: 'x', dtype: 'int32' }));
  await rejects(new MiniSession(g2, device).run1(b.value()), tf.errors.InvalidArgumentError,
    /Trying to share variable x, but specified dtype int32 and found dtype float/);
});

test.run();
