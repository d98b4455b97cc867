import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { Graph, type Operation } from '../../lib/framework/graph.js';
import { replicaDeviceSetter } from '../../lib/train/device_setter.js';

const fresh = <T>(fn: () => T): T => new Graph().asDefault(fn);

test('a variable builds VariableV2, x/initial_value, x/Assign and x/read, named like TensorFlow', () => {
  fresh(() => {
    const x = new tf.Variable(0.0, { name: 'x' });
    assert.is(x.name, 'x:0');
    assert.is(x.op.name, 'x');
    assert.is(x.op.type, 'VariableV2');
    assert.is(x.dtype, 'float32');
    assert.equal(x.shape, []);
    assert.is(x.initialValue.name, 'x/initial_value:0');
    assert.is(x.initializer.name, 'x/Assign');
    assert.is(x.initializer.type, 'Assign');
    assert.is(x.value().name, 'x/read:0');
    assert.is(x.value().op.type, 'VariableRead');
    assert.is(x.toSymbolic(), x.value());
    assert.equal(x.op.outputs[0]!.dtype, 'string');
    assert.is(x.op.attrs['shared_name'], '');
    assert.is(x.op.attrs['container'], '');
    const x1 = new tf.Variable([1, 2], { name: 'x' });
    assert.is(x1.name, 'x_1:0');
    assert.is(x1.initializer.name, 'x_1/Assign');
    const anon = new tf.Variable(1);
    assert.is(anon.name, 'Variable:0');
    assert.is(new tf.Variable(1).name, 'Variable_1:0');
    tf.nameScope('layer', () => {
      const w = new tf.Variable([[1, 2]], { name: 'w' });
      assert.is(w.name, 'layer/w:0');
      assert.is(w.value().name, 'layer/w/read:0');
      assert.equal(w.shape, [1, 2]);
    });
  });
});

test('reads and updates are colocated with the variable, and take its device', () => {
  fresh(() => {
    const setter = (op: Operation): string => (op.type === 'VariableV2' ? '/job:ps/task:0' : '/job:worker/task:0');
    const { x, inc, cnt } = tf.device(setter, () => {
      const x = new tf.Variable(0, { name: 'x', dtype: 'int32' });
      return { x, inc: x.assignAdd(1), cnt: x.countUpTo(5) };
    });
    const ps = '/job:ps/task:0';
    assert.is(x.device, ps);
    assert.is(x.initialValue.op.device, '/job:worker/task:0', 'the initial value follows the device scopes');
    for (const op of [x.initializer, x.value().op, inc.op, cnt.op, x.isInitialized().op]) {
      assert.is(op.device, ps, `${op.name} is on the variable's device`);
      assert.ok(op.colocate.includes('x'), `${op.name} is colocated with x`);
    }
    assert.is(inc.op.inputs[0], x.handle);
    assert.is(inc.op.inputs[1]!.op.device, ps, 'a constant update value is built beside the variable');
    assert.ok(inc.op.inputs[1]!.op.colocate.includes('x'), 'and colocated with it');
  });
});

test('replicaDeviceSetter places VariableV2 ops round robin on ps; their initializers and reads follow', () => {
  fresh(() => {
    const setter = replicaDeviceSetter({ psTasks: 2 });
    const { vars, y } = tf.device(setter, () => {
      const vars = [1, 2, 3].map((i) => new tf.Variable(i, { name: `v${i}` }));
      return { vars, y: tf.constant(5, { name: 'y' }) };
    });
    assert.equal(vars.map((v) => v.device), ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:0']);
    for (const v of vars) {
      assert.is(v.initializer.device, v.device);
      assert.is(v.value().op.device, v.device);
      assert.is(v.initialValue.op.device, '/job:worker');
    }
    assert.is(y.op.device, '/job:worker');
  });
});

test('collections: global, trainable, local, and collections: [] for preloaded data', () => {
  fresh(() => {
    const a = new tf.Variable(1, { name: 'a' });
    const b = new tf.Variable(1, { name: 'b', trainable: false });
    const data = tf.placeholder('float32', [null, 3], 'training_set_init');
    const ts = new tf.Variable(data, { name: 'training_set', trainable: false, collections: [] });
    const e = tf.localVariable(0, { name: 'epochs', dtype: 'int64' });
    assert.equal(tf.globalVariables(), [a, b]);
    assert.equal(tf.trainableVariables(), [a]);
    assert.equal(tf.localVariables(), [e]);
    assert.is(e.trainable, false);
    assert.is(e.dtype, 'int64');
    assert.equal(ts.shape, [null, 3]);
    assert.ok(!tf.globalVariables().includes(ts));
    assert.equal(tf.globalVariables('b'), [b]);
    const init = tf.globalVariablesInitializer();
    assert.is(init.type, 'NoOp');
    assert.is(init.name, 'init');
    assert.equal(init.controlInputs, [a.initializer, b.initializer]);
    const linit = tf.localVariablesInitializer();
    assert.equal(linit.controlInputs, [e.initializer]);
    assert.is(linit.name, 'init_1');
    const some = tf.variablesInitializer([ts], 'load');
    assert.equal(some.controlInputs, [ts.initializer]);
    assert.equal(tf.variablesInitializer([]).controlInputs, []);
  });
});

test('variables ignore surrounding control dependencies; containers set the container attr', () => {
  fresh(() => {
    const c = tf.constant(1);
    const v = tf.controlDependencies([c], () => new tf.Variable(2, { name: 'v' }));
    assert.equal(v.initializer.controlInputs, []);
    assert.equal(v.op.controlInputs, []);
    const w = tf.container('my_problem_1', () => new tf.Variable(3, { name: 'x' }));
    assert.is(w.op.attrs['container'], 'my_problem_1');
  });
});

test('build-time mistakes throw InvalidArgumentError at once', () => {
  fresh(() => {
    const v = new tf.Variable([1, 2], { name: 'v' });
    assert.throws(() => v.assign([1, 2, 3]), (e: Error) => e instanceof tf.errors.InvalidArgumentError && /Dimension 0 in both shapes must be equal, but are 2 and 3/.test(e.message));
    assert.throws(() => v.assignAdd(1), (e: Error) => e instanceof tf.errors.InvalidArgumentError && /equal rank/.test(e.message));
    assert.throws(() => v.assign(tf.constant([1, 2], { dtype: 'int32' })), (e: Error) => e instanceof tf.errors.InvalidArgumentError);
    assert.throws(() => v.countUpTo(3), /int32 or int64/);
    assert.throws(() => tf.assign(tf.constant(1) as never, 2), /requires a variable/);
    assert.throws(() => new tf.Variable(undefined), /initial_value must be specified/);
    const s = new tf.Variable('a', { name: 's' });
    assert.throws(() => s.assignAdd('b'), /does not support dtype string/);
    // validateShape false leaves the shape unknown and allows any value.
    const u = new tf.Variable([1, 2], { name: 'u', validateShape: false });
    assert.is(u.shape, null);
    assert.equal(u.assign([1, 2, 3], { validateShape: false }).shape, [3]);
    assert.is(u.assign([1, 2, 3], { readValue: false }).type, 'Assign');
  });
});

test('tf.assign & co accept a variable or its VariableV2 output; plain values take its dtype', () => {
  fresh(() => {
    const v = new tf.Variable(0, { name: 'v', dtype: 'int64' });
    const a = tf.assign(v, 5);
    assert.is(a.dtype, 'int64');
    assert.is(a.op.inputs[1]!.dtype, 'int64');
    const b = tf.assignAdd(v.handle, 1);
    assert.is(b.op.type, 'AssignAdd');
    assert.is(tf.assignSub(v, 1).op.type, 'AssignSub');
    const c = tf.countUpTo(v, 10);
    assert.is(c.op.attrs['limit'], 10);
    assert.is(tf.isVariableInitialized(v).dtype, 'bool');
    assert.is(String(v), "<tf.Variable 'v:0' shape=() dtype=int64>");
  });
});

test.run();
