import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { InvalidArgumentError, NotFoundError } from '../../lib/framework/errors.js';
import type { Operation } from '../../lib/framework/graph.js';
import { throwsError } from '../ops/op_test_util.js';

test.before.each(() => { tf.resetDefaultGraph(); });

const c = (name?: string) => tf.constant(1, { name });

test('op names are unique in the graph: add, add_1, add_2; explicit names too; case-insensitively', () => {
  const a = c('a');
  assert.equal([tf.add(a, 1), tf.add(a, 1), tf.add(a, 1)].map((t) => t.op.name), ['add', 'add_1', 'add_2']);
  assert.equal([c('foo'), c('foo'), c('Foo')].map((t) => t.op.name), ['foo', 'foo_1', 'Foo_2']);
  // A user name that looks like a generated one is skipped over.
  c('x_1');
  assert.equal([c('x'), c('x')].map((t) => t.op.name), ['x', 'x_2']);
  const g = tf.getDefaultGraph();
  assert.is(g.getOperationByName('add_1').type, 'AddV2');
  assert.is(g.getTensorByName('add_1:0').name, 'add_1:0');
  throwsError(() => g.getOperationByName('nope'), InvalidArgumentError, /nope/);
});

test('tensors: name op:index, dtype, static shape, op, device; toString', () => {
  const x = tf.placeholder('float32', [null, 3], 'x');
  assert.is(x.name, 'x:0');
  assert.is(x.dtype, 'float32');
  assert.equal(x.shape, [null, 3]);
  assert.is(x.op.type, 'Placeholder');
  assert.is(x.device, '');
  assert.is(x.toString(), 'Tensor("x:0", shape=(?, 3), dtype=float32)');
  assert.is(tf.placeholder('int32').shape, null);
  const [u, v] = tf.unstack(tf.constant([[1, 2], [3, 4]]));
  assert.equal([u!.name, v!.name], ['unstack:0', 'unstack:1']);
});

test('name scopes nest, get unique names when reused, and end with "/"; a trailing "/" reopens a scope', () => {
  const names: string[] = [];
  tf.nameScope('outer', (s) => {
    assert.is(s, 'outer/');
    names.push(c().op.name);
    tf.nameScope('inner', (s2) => {
      assert.is(s2, 'outer/inner/');
      names.push(tf.add(1, 2).op.name);
    });
  });
  tf.nameScope('outer', (s) => { assert.is(s, 'outer_1/'); names.push(c().op.name); });
  tf.nameScope('outer/', () => { names.push(c().op.name); });
  tf.nameScope('outer', () => tf.nameScope(null, () => { names.push(c().op.name); }));
  assert.equal(names, ['outer/Const', 'outer/inner/add', 'outer_1/Const', 'outer/Const_1', 'Const']);
  // Consts made for plain operands live under their op's name.
  const t = tf.add(c('k'), 2);
  assert.equal(t.op.inputs.map((i) => i.name), ['k:0', `${t.op.name}/y:0`]);
});

test('device scopes: an inner block overrides only the fields it names', () => {
  const r = tf.device('/job:worker/task:0', () => [
    c().device,
    tf.device('/gpu:1', () => c().device),
    tf.device('/job:ps', () => c().device),
    tf.device('/task:3', () => tf.device('/cpu:0', () => c().device)),
  ]);
  assert.equal(r, ['/job:worker/task:0', '/job:worker/task:0/device:GPU:1', '/job:ps/task:0', '/job:worker/task:3/device:CPU:0']);
  assert.is(c().device, '');
  // The type and the index merge separately.
  assert.is(tf.device('/gpu:7', () => tf.device('/device:GPU:*', () => c().device)), '/device:GPU:7');
  assert.is(tf.device(new tf.DeviceSpec({ job: 'ps', task: 1 }), () => c().device), '/job:ps/task:1');
});

test('tf.device(null) clears the outer scopes; tf.device returns what its body returns', () => {
  const d = tf.device('/job:ps/task:0', () => tf.device(null, () => c().device));
  assert.is(d, '');
  const inner = tf.device('/job:ps', () => tf.device(null, () => tf.device('/gpu:0', () => c().device)));
  assert.is(inner, '/device:GPU:0');
  assert.is(tf.device('/cpu:0', () => 42), 42);
  throwsError(() => tf.device('/job:a/cpu:0/gpu:0', () => 1), InvalidArgumentError, /multiple device types/);
});

test('device functions run innermost first; a merge scope lets fields already on the op win', () => {
  const seen: string[] = [];
  const fn = (tag: string, out: string) => (op: Operation) => { seen.push(`${tag}:${op.device}`); return out; };
  // Outer spec around an inner function: the function's string is then merged under the spec.
  assert.is(tf.device('/job:a/task:3', () => tf.device(fn('inner', '/job:b'), () => c().device)), '/job:b/task:3');
  assert.equal(seen, ['inner:']);
  // Outer function around an inner spec: the function sees the spec's result and overwrites it.
  seen.length = 0;
  assert.is(tf.device(fn('outer', '/job:z'), () => tf.device('/job:a/gpu:0', () => c().device)), '/job:z');
  assert.equal(seen, ['outer:/job:a/device:GPU:0']);
  // A function that merges keeps what inner scopes set.
  const merging = (op: Operation) => new tf.DeviceSpec({ job: 'worker', deviceType: 'CPU', deviceIndex: 0 }).mergeFrom(op.device);
  assert.is(tf.device(merging, () => tf.device('/gpu:1', () => c().device)), '/job:worker/device:GPU:1');
  // A function returning null leaves no device.
  assert.is(tf.device(() => null, () => c().device), '');
});

test('colocation: colocateWith records the op; resource inputs colocate automatically', () => {
  const a = c('a');
  const b = tf.colocateWith(a, () => tf.add(a, 1));
  assert.equal(b.op.colocate, ['a']);
  assert.equal(b.op.toNodeDef().colocate, ['a']);
  assert.is(tf.add(a, 1).op.colocate.length, 0);
  const v = new tf.Variable(1.0, { name: 'v' });
  const read = tf.add(v, 1);
  // The variable's read op runs where the variable lives.
  assert.equal(read.op.inputs[0]!.op.colocate, ['v']);
});

test('control dependencies apply to ops built inside; null clears them; group makes one NoOp', () => {
  const a = c('a');
  const b = c('b');
  const x = c('x');
  const d = tf.controlDependencies([a, b.op], () => tf.identity(x));
  assert.equal(d.op.controlInputs.map((o) => o.name), ['a', 'b']);
  assert.equal(d.op.toNodeDef().inputs.slice(-2), ['^a', '^b']);
  // As in TensorFlow, an op over inputs built in the same block waits for the block through them.
  const sum = tf.controlDependencies([a], () => tf.add(1, 2));
  assert.equal(sum.op.controlInputs, []);
  assert.equal(sum.op.inputs.map((t) => t.op.controlInputs.map((o) => o.name)), [['a'], ['a']]);
  const e = tf.controlDependencies([a], () => tf.controlDependencies(null, () => c()));
  assert.is(e.op.controlInputs.length, 0);
  const g = tf.group(a, [b, d]);
  assert.is(g.type, 'NoOp');
  assert.is(g.name, 'group_deps');
  assert.equal(g.controlInputs.map((o) => o.name), ['a', 'b', d.op.name]);
  assert.is(g.outputs.length, 0);
  assert.is(tf.group(a, { name: 'init' }).name, 'init');
  assert.is(tf.noOp().type, 'NoOp');
});

test('graphs: asDefault returns the body value and builds there; ops from two graphs do not mix', () => {
  const g = new tf.Graph();
  const t = g.asDefault(() => tf.constant(2, { name: 'two' }));
  assert.is(t.graph, g);
  assert.is(g.getOperationByName('two').type, 'Const');
  throwsError(() => tf.getDefaultGraph().getOperationByName('two'), InvalidArgumentError, /two/);
  // An op over a tensor of g joins g, whatever the default graph is.
  assert.is(tf.add(t, 1).graph, g);
  throwsError(() => tf.add(t, tf.constant(1)), InvalidArgumentError, /must be from the same graph/);
  const before = tf.getDefaultGraph();
  tf.resetDefaultGraph();
  assert.is.not(tf.getDefaultGraph(), before);
});

test('unknown op types fail at once naming the type', () => {
  throwsError(() => tf.getDefaultGraph().createOp('NoSuchOp', []), NotFoundError, /Op type not registered 'NoSuchOp'/);
});

test('seeds: none -> (0, 0); op seed only -> (87654321, seed); graph seed -> (graph, op seed or a counter)', () => {
  const g = tf.getDefaultGraph();
  assert.equal(g.getSeed(), [0, 0]);
  assert.equal(g.getSeed(5), [87654321, 5]);
  tf.setRandomSeed(42);
  assert.equal(g.getSeed(7), [42, 7]);
  const [s1, s2] = g.getSeed();
  assert.is(s1, 42);
  assert.is.not(g.getSeed()[1], s2);
  // random_seed.get_seed: explicit seeds (0, 0) become (0, 2^31-1), never "random"; seeds are
  // taken modulo 2^31-1 as Python's % does.
  tf.setRandomSeed(0);
  assert.equal(g.getSeed(0), [0, 2147483647]);
  assert.equal(g.getSeed(-1), [0, 2147483646]);
  assert.equal(g.getSeed(2147483647 + 5), [0, 5]);
});

test("names are TensorFlow's: 'invalid:0' or '_x' is not a valid node name; a root scope may not start with '_', a nested one may", () => {
  const valid = (fn: () => unknown, re: RegExp): void => {
    assert.throws(fn, (e: unknown) => e instanceof tf.errors.InvalidArgumentError && re.test((e as Error).message));
  };
  valid(() => tf.constant(1, { name: 'invalid:0' }), /^'invalid:0' is not a valid node name$/);
  valid(() => tf.constant(1, { name: '_invalid' }), /^'_invalid' is not a valid node name$/);
  valid(() => tf.nameScope('foo:0', () => null), /^'foo:0' is not a valid scope name$/);
  valid(() => tf.nameScope('_bar', () => null), /^'_bar' is not a valid scope name$/);
  const nested = tf.nameScope('outer', () => tf.nameScope('_bar', () => tf.constant(1, { name: 'c' })));
  assert.is(nested.op.name, 'outer/_bar/c');
  // List inputs made into constants are named as TensorFlow names them (values_0, not values[0]).
  const s = tf.stack([1, 2]);
  assert.equal(s.op.inputs.map((t) => t.op.name), ['stack/values_0', 'stack/values_1']);
});

test.run();
