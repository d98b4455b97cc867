/**
 * TensorFlow 1.x's ops_test.py, translated: ControlDependenciesTest, ColocationGroupTest,
 * CollectionTest, and the graph-element lookups (get_tensor_by_name, as_graph_element).
 * TensorFlow's test ops (FloatOutput, TwoFloatInputsFloatOutput) become constants and tf.mul.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import type { Operation, SymbolicTensor } from '../../lib/framework/graph.js';
import { throwsError } from '../ops/op_test_util.js';
import { rejects } from '../helpers/rejects.js';

test.before.each(() => { tf.resetDefaultGraph(); });

const floatOutput = (name?: string): SymbolicTensor => tf.constant(1.0, { name });
const ctl = (t: SymbolicTensor | Operation): string[] => ('op' in t ? t.op : t).controlInputs.map((o) => o.name);
const sorted = (xs: string[]): string[] => [...xs].sort();

// ---- ControlDependenciesTest ---------------------------------------------------------------

test('ControlDependenciesTest.testBasic: an op over an input built in the same block gets no control inputs', () => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.constant(1.0);
    const b = tf.constant(1.0);
    let c!: SymbolicTensor, d!: SymbolicTensor, e!: SymbolicTensor;
    g.controlDependencies([a], () => {
      c = tf.constant(1.0);
      d = tf.identity(b);
      e = tf.identity(c);
    });
    assert.equal(c.op.controlInputs, [a.op]);
    assert.equal(d.op.controlInputs, [a.op]);
    // e is dominated by c.
    assert.equal(e.op.controlInputs, []);
  });
});

test('ControlDependenciesTest.testBasicWithConversion: objects with _asGraphElement, variables and names convert to ops', () => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = floatOutput('a');
    const convertible = { _asGraphElement: () => a };
    const c = g.controlDependencies([convertible], () => floatOutput());
    assert.equal(c.op.controlInputs, [a.op]);
    // A variable stands for its variable op (TensorFlow's ref tensor), not the Variable object.
    const v = new tf.Variable(0.0, { name: 'v' });
    const d = g.controlDependencies([v], () => floatOutput());
    assert.equal(d.op.controlInputs, [v.op]);
    assert.equal(d.op.toNodeDef().inputs, ['^v']);
    // Names are graph elements too.
    assert.equal(g.controlDependencies(['a'], () => floatOutput()).op.controlInputs, [a.op]);
    assert.equal(g.controlDependencies(['a:0'], () => floatOutput()).op.controlInputs, [a.op]);
    throwsError(() => g.controlDependencies([{}], () => floatOutput()), InvalidArgumentError, /Control input must be Operation or Tensor/);
    throwsError(() => g.controlDependencies([42], () => floatOutput()), InvalidArgumentError, /Control input must be Operation or Tensor/);
    const other = new tf.Graph().asDefault(() => floatOutput('elsewhere'));
    throwsError(() => g.controlDependencies([other], () => floatOutput()), InvalidArgumentError, /is not an element of this graph/);
  });
});

test('ControlDependenciesTest.testNested: nested blocks give the union of their control inputs', () => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const [a1, a2, a3, a4] = ['a_1', 'a_2', 'a_3', 'a_4'].map(floatOutput) as [SymbolicTensor, SymbolicTensor, SymbolicTensor, SymbolicTensor];
    const b1 = g.controlDependencies([a1, a2, a3, a4], () => floatOutput());
    const b2 = g.controlDependencies([a1], () => g.controlDependencies([a2], () =>
      g.controlDependencies([a3], () => g.controlDependencies([a4], () => floatOutput()))));
    assert.equal(sorted(ctl(b1)), ['a_1', 'a_2', 'a_3', 'a_4']);
    assert.equal(sorted(ctl(b2)), sorted(ctl(b1)));
  });
});

test('ControlDependenciesTest.testClear: null clears the outer blocks until it ends', () => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const [a1, a2, a3, a4] = ['a_1', 'a_2', 'a_3', 'a_4'].map(floatOutput) as [SymbolicTensor, SymbolicTensor, SymbolicTensor, SymbolicTensor];
    const r: Record<string, SymbolicTensor> = {};
    g.controlDependencies([a1], () => {
      g.controlDependencies([a2], () => {
        g.controlDependencies(null, () => {
          g.controlDependencies([a3], () => {
            g.controlDependencies([a4], () => { r['b_3_4'] = floatOutput(); });
            r['b_3'] = floatOutput();
          });
          r['b_none'] = floatOutput();
        });
        r['b_1_2'] = floatOutput();
      });
      r['b_1'] = floatOutput();
      g.controlDependencies(null, () => { r['b_none2'] = floatOutput(); });
    });
    assert.equal(sorted(ctl(r['b_3_4']!)), ['a_3', 'a_4']);
    assert.equal(ctl(r['b_3']!), ['a_3']);
    assert.equal(ctl(r['b_none']!), []);
    assert.equal(sorted(ctl(r['b_1_2']!)), ['a_1', 'a_2']);
    assert.equal(ctl(r['b_1']!), ['a_1']);
    assert.equal(ctl(r['b_none2']!), []);
  });
});

test('ControlDependenciesTest.testComplex: blocks that built an input are skipped, data inputs are not repeated', () => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const [a1, a2, a3, a4] = ['a_1', 'a_2', 'a_3', 'a_4'].map(floatOutput) as [SymbolicTensor, SymbolicTensor, SymbolicTensor, SymbolicTensor];
    const m = (x: SymbolicTensor, y: SymbolicTensor): SymbolicTensor => tf.mul(x, y);
    const b: SymbolicTensor[] = [], cs: SymbolicTensor[] = [], d: SymbolicTensor[] = [], e: SymbolicTensor[] = [];
    g.controlDependencies([a1], () => {
      b.push(m(a3, a4)); cs.push(m(a1, b[0]!)); d.push(m(b[0]!, cs[0]!)); e.push(floatOutput());
      g.controlDependencies([a2], () => {
        b.push(m(a3, a4)); cs.push(m(a1, b[0]!)); d.push(m(b[1]!, cs[1]!)); e.push(m(e[0]!, e[0]!));
        g.controlDependencies([a3], () => {
          b.push(m(a3, a4)); cs.push(m(a1, b[0]!)); d.push(m(b[2]!, cs[2]!)); e.push(m(e[1]!, e[1]!));
          g.controlDependencies([a4], () => {
            b.push(m(a3, a4)); cs.push(m(a1, b[0]!)); d.push(m(b[3]!, cs[3]!)); e.push(m(e[2]!, e[2]!));
          });
        });
      });
    });
    assert.equal(b.map((t) => sorted(ctl(t))), [['a_1'], ['a_1', 'a_2'], ['a_1', 'a_2'], ['a_1', 'a_2']]);
    assert.equal(cs.map((t) => sorted(ctl(t))), [[], ['a_2'], ['a_2', 'a_3'], ['a_2', 'a_3', 'a_4']]);
    assert.equal(d.map((t) => ctl(t)), [[], [], [], []]);
    assert.equal(e.map((t) => ctl(t)), [['a_1'], ['a_2'], ['a_3'], ['a_4']]);
  });
});

test('ControlDependenciesTest.testRepeatedDependency: two outputs of one op give one control input', () => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const [a0, a1] = tf.unstack(tf.constant([1, 2], { name: 'pair' }), { name: 'a' }) as [SymbolicTensor, SymbolicTensor];
    const a = a0.op;
    let b!: SymbolicTensor, c!: SymbolicTensor;
    g.controlDependencies([a0], () => {
      b = floatOutput();
      g.controlDependencies([a1], () => { c = floatOutput(); });
    });
    assert.equal(b.op.controlInputs, [a]);
    assert.equal(c.op.controlInputs, [a]);
  });
});

test('ControlDependenciesTest.testNoControlDependencyWithDataDependency', () => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = floatOutput();
    const b = g.controlDependencies([a], () => tf.identity(a));
    assert.equal(b.op.controlInputs, []);
  });
});

test('tf.group inside a block keeps the outer control inputs and adds its own once', () => {
  const a = floatOutput('a');
  const b = floatOutput('b');
  const grp = tf.controlDependencies([a], () => tf.group(a, b));
  assert.equal(ctl(grp), ['a', 'b']);
});

test('a control dependency on a variable runs (the NodeDef names its op, not the Variable object)', async () => {
  const v = new tf.Variable(0.0, { name: 'v' });
  const inc = v.assignAdd(1.0);
  // Through the graph: tf.controlDependencies' type (scopes.ts) still admits only ops and tensors.
  const c = tf.getDefaultGraph().controlDependencies([v], () => tf.constant(1));
  const y = tf.controlDependencies([inc], () => tf.identity(tf.constant(5)));
  await using sess = new tf.Session();
  await sess.run(v.initializer);
  assert.is((await sess.run(c)).toArray(), 1);
  assert.is((await sess.run(y)).toArray(), 5);
  // The Const made inside the block carries the dependency, so inc ran once.
  assert.is((await sess.run(v.value())).toArray(), 1);
});

// ---- OperationTest / GraphTest: graphs and graph elements ----------------------------------

test('OperationTest.testInputFromDifferentGraphError: "must be from the same graph"', () => {
  const g0 = new tf.Graph();
  const g1 = new tf.Graph();
  const x = g0.asDefault(() => tf.constant(1));
  g1.asDefault(() => {
    const y = tf.constant(2);
    throwsError(() => tf.mul(y, x), InvalidArgumentError, /must be from the same graph/);
  });
});

test('getTensorByName / getOperationByName: TensorFlow\'s messages for bare op names, tensor names and missing ops', () => {
  const g = new tf.Graph();
  g.asDefault(() => {
    const a = tf.constant(1, { name: 'a' });
    assert.is(g.getTensorByName('a:0'), a);
    assert.is(g.getOperationByName('a'), a.op);
    throwsError(() => g.getTensorByName('a'), InvalidArgumentError,
      /^The name 'a' refers to an Operation, not a Tensor\. Tensor names must be of the form "<op_name>:<output_index>"\.$/);
    throwsError(() => g.getTensorByName('zz'), InvalidArgumentError,
      /^The name 'zz' looks like an \(invalid\) Operation name, not a Tensor\. Tensor names must be of the form "<op_name>:<output_index>"\.$/);
    throwsError(() => g.getTensorByName('b:0'), InvalidArgumentError,
      /^The name 'b:0' refers to a Tensor which does not exist\. The operation, 'b', does not exist in the graph\.$/);
    throwsError(() => g.getTensorByName('a:1'), InvalidArgumentError, /The operation, 'a', exists but only has 1 outputs\./);
    throwsError(() => g.getTensorByName('a:x'), InvalidArgumentError, /looks a like a Tensor name, but is not a valid one/);
    throwsError(() => g.getOperationByName('a:0'), InvalidArgumentError, /^Name 'a:0' appears to refer to a Tensor, not a Operation\.$/);
    throwsError(() => g.getOperationByName('b'), InvalidArgumentError, /^The name 'b' refers to an Operation not in the graph\.$/);
  });
});

test('GraphTest.testAsGraphElementConversions', () => {
  const g = new tf.Graph();
  const a = g.asDefault(() => tf.constant(1, { name: 'FloatOutput' }));
  assert.is(g.asGraphElement({ _asGraphElement: () => 'FloatOutput:0' }), a);
  assert.is(g.asGraphElement('FloatOutput'), a.op);
  throwsError(() => g.asGraphElement({}), InvalidArgumentError, /Can not convert a Object into a Tensor or Operation/);
});

test('session feeds: a bare op name is not a feed key (TensorFlow\'s "Cannot interpret feed_dict key")', async () => {
  const a = tf.placeholder('float32', [], 'a');
  const b = tf.mul(a, 2);
  await using sess = new tf.Session();
  assert.is((await sess.run(b, [['a:0', 3]])).toArray(), 6);
  await rejects(() => sess.run(b, [['a', 3]]), (e: Error) => e instanceof tf.errors.InvalidArgumentError
    && /^Cannot interpret feed_dict key as Tensor: The name 'a' refers to an Operation, not a Tensor\./.test(e.message));
  await rejects(() => sess.run(b, [['nope', 3]]), (e: Error) => e instanceof tf.errors.InvalidArgumentError
    && /Cannot interpret feed_dict key as Tensor: The name 'nope' looks like an \(invalid\) Operation name/.test(e.message));
});

// ---- ColocationGroupTest -------------------------------------------------------------------

test('ColocationGroupTest.testColocationDeviceInteraction: colocation overrides the outer device scope', () => {
  let a!: SymbolicTensor, b!: SymbolicTensor;
  tf.device('/cpu:0', () => {
    tf.device('/device:GPU:0', () => { a = tf.constant([2.0], { name: 'a' }); });
    tf.colocateWith(a.op, () => { b = tf.constant(3.0); });
  });
  assert.equal(b.op.colocate, ['a']);
  assert.is(b.op.device, a.op.device);
});

test('ColocationGroupTest.testLocationOverrides: the device stack is restored after the block', () => {
  let a!: SymbolicTensor, b!: SymbolicTensor, c!: SymbolicTensor, d!: SymbolicTensor;
  tf.device('/cpu:0', () => {
    tf.device('/device:GPU:0', () => {
      a = tf.constant([2.0], { name: 'a' });
      tf.colocateWith(a.op, () => { b = tf.constant(3.0); });
      c = tf.constant(4.0);
    });
    d = tf.constant(5.0);
  });
  assert.equal(b.op.colocate, ['a']);
  assert.is(a.op.device, '/device:GPU:0');
  assert.is(b.op.device, a.op.device);
  assert.is(c.op.device, '/device:GPU:0');
  assert.is(d.op.device, '/device:CPU:0');
});

test('ColocationGroupTest.testColocationCanonicalization', () => {
  tf.device('/device:GPU:0', () => tf.constant(2.0));
  const b = tf.device(() => '/device:GPU:0', () => tf.constant(3.0));
  const c = tf.colocateWith(b, () => tf.device('/device:GPU:0', () => tf.constant(4.0)));
  assert.is(c.op.device, b.op.device);
});

test('ColocationGroupTest.testInconsistentDeviceWithinColocate: a device scope inside the block wins', () => {
  let b!: SymbolicTensor;
  tf.device('/device:GPU:0', () => {
    const a = tf.constant([2.0], { name: 'a' });
    tf.colocateWith(a.op, () => tf.device('/cpu:0', () => { b = tf.constant([3.0], { name: 'b' }); }));
  });
  assert.is(b.device, '/device:CPU:0');
});

test('ColocationGroupTest: nested, multiple, ignoreExisting and reset colocation groups', () => {
  const g = tf.getDefaultGraph();
  const a = tf.constant([2.0], { name: 'a' });
  const bb = tf.constant(3.0, { name: 'b' });
  // testNestedColocateWith
  let b!: SymbolicTensor, c!: SymbolicTensor;
  tf.colocateWith(a.op, () => { b = tf.constant(3.0); tf.colocateWith(b.op, () => { c = tf.constant(4.0); }); });
  assert.equal(b.op.colocate, ['a']);
  assert.equal(c.op.colocate, ['a']);
  // testMultiColocationGroups
  const multi = tf.colocateWith(a.op, () => tf.colocateWith(bb.op, () => tf.constant(4.0)));
  assert.equal(sorted(multi.op.colocate), ['a', 'b']);
  // testColocationIgnoreStack
  const ignored = g.colocateWith(a.op, () => g.colocateWith(bb.op, () => tf.constant(4.0), { ignoreExisting: true }));
  assert.equal(ignored.op.colocate, ['b']);
  // testColocateWithReset
  const reset = g.colocateWith(a.op, () => g.colocateWith(null, () => tf.constant(4.0, { name: 'c' }), { ignoreExisting: true }));
  assert.equal(reset.op.colocate, []);
  throwsError(() => g.colocateWith(null, () => 1), InvalidArgumentError, /ignore_existing is not True/);
  // testColocateVariables
  const va = new tf.Variable([2.0], { name: 'va' });
  const vb = tf.colocateWith(va.op, () => new tf.Variable([3.0], { name: 'vb' }));
  assert.equal(vb.op.colocate, ['va']);
});

// ---- CollectionTest ------------------------------------------------------------------------

test('CollectionTest.test_get_collections: graph.collections lists the keys', () => {
  const g = new tf.Graph();
  assert.equal(g.collections, []);
  g.addToCollection('key', 12);
  g.addToCollection('key', 15);
  assert.equal(g.collections, ['key']);
  g.addToCollection('other', 'foo');
  assert.equal(sorted(g.collections as string[]), ['key', 'other']);
  assert.equal(g.getAllCollectionKeys(), ['key', 'other']);
});

test('CollectionTest.test_add_to_collection: scope filters by name; getCollection copies, getCollectionRef is live', () => {
  const g = new tf.Graph();
  g.addToCollection('key', 12);
  g.addToCollection('other', 'foo');
  g.addToCollection('key', 34);
  // Only blank1 is returned by the scoped queries.
  g.addToCollection('blah', 27);
  const blank1 = { name: 'prefix/foo' };
  g.addToCollection('blah', blank1);
  const blank2 = { name: 'junk/foo' };
  g.addToCollection('blah', blank2);
  assert.equal(g.getCollection('key'), [12, 34]);
  assert.equal(g.getCollection('nothing'), []);
  assert.equal(g.getCollection('blah'), [27, blank1, blank2]);
  assert.equal(g.getCollection('blah', 'prefix'), [blank1]);
  assert.equal(g.getCollection('blah', '.*x'), [blank1]);

  const snapshot = g.getCollection('other');
  const ref = g.getCollectionRef('other');
  assert.equal(snapshot, ['foo']);
  assert.equal(ref, ['foo']);
  g.addToCollection('other', 'bar');
  assert.equal(snapshot, ['foo']);
  assert.equal(ref, ['foo', 'bar']);
  assert.equal(g.getCollection('other'), ['foo', 'bar']);
  assert.ok(ref === g.getCollectionRef('other'));

  // An empty collection's ref is a modifiable list.
  const emptyRef = g.getCollectionRef<string>('empty');
  assert.equal(emptyRef, []);
  const empty = g.getCollection('empty');
  assert.equal(empty, []);
  assert.ok(empty !== emptyRef);
  const emptyRef2 = g.getCollectionRef('empty');
  assert.ok(emptyRef2 === emptyRef);
  emptyRef.push('something');
  assert.equal(emptyRef2, ['something']);
  assert.equal(empty, []);
  assert.equal(g.getCollection('empty'), ['something']);
  assert.ok(g.getCollectionRef('empty') === emptyRef);
});

test('CollectionTest.test_add_to_collections_*: lists, sets and generators of keys (deduplicated), a string is one key', () => {
  const g = new tf.Graph();
  g.addToCollections([1, 2, 1], 'key');
  assert.equal(g.getCollection(1), ['key']);
  g.addToCollections(['abc', '123'], 'key');
  assert.equal(g.getCollection('abc'), ['key']);
  assert.equal(g.getCollection('123'), ['key']);
  g.addToCollections(new Set(['s1', 's2']), 'key');
  assert.equal([g.getCollection('s1'), g.getCollection('s2')], [['key'], ['key']]);
  function* gen(): Generator<string> { yield 'g1'; yield 'g2'; }
  g.addToCollections(gen(), 'key');
  assert.equal([g.getCollection('g1'), g.getCollection('g2')], [['key'], ['key']]);
  g.addToCollections('xyz', 'key');
  assert.equal(g.getCollection('xyz'), ['key']);
  assert.equal(g.getCollection('x'), []);
  // Only string keys count as collection keys.
  assert.ok(!g.getAllCollectionKeys().includes(1 as unknown as string));
});

test('CollectionTest.test_default_graph: module-level functions use the default graph', () => {
  new tf.Graph().asDefault(() => {
    tf.addToCollection('key', 90);
    tf.addToCollection('key', 100);
    assert.equal(tf.getCollection('key'), [90, 100]);
    tf.addToCollections(['k1', 'k2'], 'v');
    assert.equal(tf.getCollection('k2'), ['v']);
    tf.getCollectionRef('key').push(110);
    assert.equal(tf.getCollection('key'), [90, 100, 110]);
    assert.equal(tf.getAllCollectionKeys(), ['key', 'k1', 'k2']);
  });
  assert.equal(tf.getCollection('key'), []);
  // Variables are found by scope through their names.
  tf.nameScope('layer', () => new tf.Variable(1, { name: 'w' }));
  new tf.Variable(1, { name: 'other' });
  assert.equal(tf.getCollection<tf.Variable>(tf.GraphKeys.GLOBAL_VARIABLES, 'layer').map((v) => v.name), ['layer/w:0']);
});

test.run();
