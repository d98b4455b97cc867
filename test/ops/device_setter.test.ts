import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import {
  replicaDeviceSetter, GreedyLoadBalancingStrategy, RandomStrategy, byteSizeLoadFn, STANDARD_PS_OPS,
} from '../../lib/train/device_setter.js';
import { ClusterSpec } from '../../lib/train/cluster_spec.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import type { Operation } from '../../lib/framework/graph.js';
import { throwsError } from './op_test_util.js';

test.before.each(() => { tf.resetDefaultGraph(); });

/** The op of type VariableV2 behind a tf.Variable. */
function varOp(v: tf.Variable): Operation {
  return tf.getDefaultGraph().getOperations().find((o) => o.type === 'VariableV2' && o.name === v.name.split(':')[0])!;
}

test("the book: replicaDeviceSetter({psTasks: 2}) pins v1..v5 to /job:ps/task:0,1,0,1,0", () => {
  const vs = tf.device(replicaDeviceSetter({ psTasks: 2 }), () =>
    [1, 2, 3, 4, 5].map((x) => new tf.Variable(x)));
  assert.equal(vs.map((v) => v.device), ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:0']);
  assert.equal(vs.map((v) => varOp(v).device), vs.map((v) => v.device));
});

test("the book's nested example: s on /job:worker, /gpu:1 -> /job:worker/device:GPU:1, /task:1 -> .../task:1/device:GPU:1", () => {
  const r = tf.device(replicaDeviceSetter({ psTasks: 2 }), () => {
    const v1 = new tf.Variable(1.0);
    const v2 = new tf.Variable(2.0);
    const v3 = new tf.Variable(3.0);
    const s = tf.add(v1, v2);
    return tf.device('/gpu:1', () => {
      const p1 = tf.mul(2, s);
      return tf.device('/task:1', () => {
        const p2 = tf.mul(3, s);
        return { v1, v2, v3, s, p1, p2 };
      });
    });
  });
  assert.equal([r.v1.device, r.v2.device, r.v3.device], ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:0']);
  assert.is(r.s.device, '/job:worker');
  assert.is(r.p1.device, '/job:worker/device:GPU:1');
  assert.is(r.p2.device, '/job:worker/task:1/device:GPU:1');
  // The Consts made for 2 and 3 are ordinary worker ops too.
  assert.is(r.p2.op.inputs[0]!.device, '/job:worker/task:1/device:GPU:1');
});

test('with a cluster, psTasks is the size of the ps job; no ps job or zero tasks gives null, which clears scopes', () => {
  const cluster = new ClusterSpec({ ps: ['h:1', 'h:2', 'h:3'], worker: ['h:4'] });
  const vs = tf.device(replicaDeviceSetter({ cluster }), () => [0, 1, 2, 3].map((x) => new tf.Variable(x)));
  assert.equal(vs.map((v) => v.device), ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:2', '/job:ps/task:0']);
  // Plain dicts (lists or sparse {index: address}) work as well.
  assert.not.equal(replicaDeviceSetter({ cluster: { ps: { 0: 'a', 5: 'b' } } }), null);
  assert.is(replicaDeviceSetter({ cluster: { worker: ['h:4'] } }), null);
  assert.is(replicaDeviceSetter({ cluster: { ps: [] } }), null);
  assert.is(replicaDeviceSetter({ cluster: { ps: ['a'] }, psDevice: '/job:params' }), null);
  assert.is(replicaDeviceSetter(), null);
  assert.is(replicaDeviceSetter({ psTasks: 0 }), null);
  // tf.device(null) stops the walk: the outer scope does not apply.
  const d = tf.device('/job:worker/task:1', () => tf.device(replicaDeviceSetter({ psTasks: 0 }), () => tf.constant(1).device));
  assert.is(d, '');
  throwsError(() => replicaDeviceSetter({ cluster: { ps: 'h:1' as never } }), InvalidArgumentError,
    /The tasks for job 'ps' must be a list or a dictionary from integers to strings\./);
});

test('merge rules: the op own device wins field by field; its job other than ps skips the strategy', () => {
  const fn = replicaDeviceSetter({ psTasks: 3 })!;
  const r = tf.device(fn, () => ({
    a: new tf.Variable(1),
    pinned: tf.device('/task:2', () => new tf.Variable(1)),
    cpu: tf.device('/cpu:0', () => new tf.Variable(1)),
    elsewhere: tf.device('/job:other', () => new tf.Variable(1)),
    next: new tf.Variable(1),
    op: tf.device('/job:ps/task:1', () => tf.constant(1)),
  }));
  assert.is(r.a.device, '/job:ps/task:0');
  // The strategy still runs (task 1 is drawn) but the op's own task wins.
  assert.is(r.pinned.device, '/job:ps/task:2');
  assert.is(r.cpu.device, '/job:ps/task:2/device:CPU:0');
  // A different job: no strategy call, the counter does not advance.
  assert.is(r.elsewhere.device, '/job:other');
  assert.is(r.next.device, '/job:ps/task:0');
  assert.is(r.op.device, '/job:ps/task:1');
});

test('mergeDevices false leaves ops that already have a device alone; workerDevice and psDevice options', () => {
  const fn = replicaDeviceSetter({ psTasks: 2, mergeDevices: false, workerDevice: '/job:worker/task:3/cpu:0', psDevice: '/job:params/cpu:0' })!;
  const r = tf.device(fn, () => ({
    v: new tf.Variable(1),
    pinned: tf.device('/gpu:0', () => tf.constant(1)),
    free: tf.constant(1),
  }));
  assert.is(r.v.device, '/job:params/task:0/device:CPU:0');
  assert.is(r.pinned.device, '/device:GPU:0');
  assert.is(r.free.device, '/job:worker/task:3/device:CPU:0');
  // psDevice without a job: no task is chosen.
  const nojob = tf.device(replicaDeviceSetter({ psTasks: 2, psDevice: '/cpu:0' }), () => new tf.Variable(1));
  assert.is(nojob.device, '/device:CPU:0');
  // psOps decides what goes to ps.
  const custom = tf.device(replicaDeviceSetter({ psTasks: 2, psOps: ['Const'] }), () => ({ c: tf.constant(1), v: new tf.Variable(2) }));
  assert.is(custom.c.device, '/job:ps/task:0');
  assert.ok(varOp(custom.v).device.startsWith('/job:worker'));
});

test('STANDARD_PS_OPS lists the variable and hash table ops', () => {
  for (const t of ['Variable', 'VariableV2', 'AutoReloadVariable', 'VarHandleOp', 'MutableHashTable', 'MutableHashTableV2',
    'MutableHashTableOfTensors', 'MutableHashTableOfTensorsV2', 'MutableDenseHashTable', 'MutableDenseHashTableV2']) {
    assert.ok(STANDARD_PS_OPS.includes(t), t);
  }
  assert.is(STANDARD_PS_OPS.length, 10);
  // The public names under tf.train.
  assert.is(tf.train.replicaDeviceSetter, replicaDeviceSetter);
  assert.is(tf.train.GreedyLoadBalancingStrategy, GreedyLoadBalancingStrategy);
  assert.is(tf.train.RandomStrategy, RandomStrategy);
  assert.is(tf.train.byteSizeLoadFn, byteSizeLoadFn);
  assert.is(tf.train.STANDARD_PS_OPS, STANDARD_PS_OPS);
});

test('psStrategy: a function, an object with call(op), or TypeError "ps_strategy must be callable"', () => {
  const seen: string[] = [];
  const fnStrategy = (op: Operation) => { seen.push(op.name); return 1; };
  const v = tf.device(replicaDeviceSetter({ psTasks: 2, psStrategy: fnStrategy }), () => new tf.Variable(1, { name: 'w' }));
  assert.is(v.device, '/job:ps/task:1');
  assert.equal(seen, ['w']);
  const obj = { call: () => 0 };
  assert.is(tf.device(replicaDeviceSetter({ psTasks: 2, psStrategy: obj }), () => new tf.Variable(1)).device, '/job:ps/task:0');
  throwsError(() => replicaDeviceSetter({ psTasks: 2, psStrategy: 3 as never }), InvalidArgumentError, /^ps_strategy must be callable$/);
});

test('GreedyLoadBalancingStrategy with byteSizeLoadFn puts each variable on the least loaded ps task', () => {
  const strategy = new GreedyLoadBalancingStrategy(2, byteSizeLoadFn);
  const vs = tf.device(replicaDeviceSetter({ psTasks: 2, psStrategy: strategy }), () => [
    new tf.Variable(tf.zeros([100])), // 400 bytes -> task 0
    new tf.Variable(tf.zeros([10])), //   40 -> task 1
    new tf.Variable(tf.zeros([10])), //   40 -> task 1 (40 < 400)
    new tf.Variable(tf.zeros([1000])), // 4000 -> task 1 (80 < 400)
    new tf.Variable(tf.zeros([5], 'float64')), // 40 -> task 0 (400 < 4080)
  ]);
  assert.equal(vs.map((v) => v.device), ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:1', '/job:ps/task:1', '/job:ps/task:0']);
  assert.equal(strategy.taskLoads, [440, 4080]);
  // Ties go to the lowest index.
  const tie = new GreedyLoadBalancingStrategy(3, () => 1);
  const fake = {} as Operation;
  assert.equal([tie.call(fake), tie.call(fake), tie.call(fake), tie.call(fake)], [0, 1, 2, 0]);
});

test('byteSizeLoadFn: elements times dtype size; scalars count once; undefined shapes and multi-output ops fail', () => {
  const v = new tf.Variable(tf.zeros([3, 4], 'int64'));
  assert.is(byteSizeLoadFn(varOp(v)), 96);
  assert.is(byteSizeLoadFn(varOp(new tf.Variable(1.0))), 4);
  assert.is(byteSizeLoadFn(tf.constant([[1, 2]], { dtype: 'int32' }).op), 8);
  throwsError(() => byteSizeLoadFn(tf.placeholder('float32', [null, 2]).op), InvalidArgumentError, /Shape \(\?, 2\) is not fully defined/);
  throwsError(() => byteSizeLoadFn(tf.unstack(tf.constant([1, 2]))[0]!.op), InvalidArgumentError, /must have a single output/);
});

test('RandomStrategy: int(md5("name_seed")) % n, stable for a name', () => {
  const s = new RandomStrategy(4, 0);
  const op = (name: string) => ({ name }) as Operation;
  // Reference values from Python: int(hashlib.md5(b"v_0").hexdigest(), 16) % 4 == 3, etc.
  assert.is(s.call(op('v')), 3);
  assert.is(s.call(op('v')), 3);
  assert.is(new RandomStrategy(3, 7).call(op('w')), 2);
  assert.is(new RandomStrategy(4).call(op('layer/weights')), 3);
  const spread = new Set(Array.from({ length: 40 }, (_, i) => s.call(op(`var${i}`))));
  assert.is(spread.size, 4);
});

// ---- TF device_setter_test.py: a ClusterDef as `cluster` ----------------------------------

/** TF's assertDeviceEqual: both sides compared in canonical form. */
function assertDeviceEqual(want: string, got: string): void {
  assert.is(tf.DeviceSpec.fromString(got).toString(), tf.DeviceSpec.fromString(want).toString());
}

const sunMoon = (): ClusterSpec => new ClusterSpec({
  sun: ['sun0:2222', 'sun1:2222', 'sun2:2222'], moon: ['moon0:2222', 'moon1:2222'],
});

/** TF's two-variables-and-an-add check: v and w on the ps tasks (with their initializers), a on the worker. */
function assertTwoPsPlacement(fn: ReturnType<typeof replicaDeviceSetter>, suffix: string): void {
  tf.device(fn, () => {
    const v = new tf.Variable([1, 2]);
    const w = new tf.Variable([2, 1]);
    const a = tf.add(v, w);
    assertDeviceEqual(`/job:moon/task:0${suffix}`, v.device);
    assertDeviceEqual(`/job:moon/task:0${suffix}`, v.initializer.device);
    assertDeviceEqual(`/job:moon/task:1${suffix}`, w.device);
    assertDeviceEqual(`/job:moon/task:1${suffix}`, w.initializer.device);
    assertDeviceEqual('/job:sun', a.device);
  });
}

test('testPS2TasksWithDevice: cluster given as asClusterDef(), ps job named by psDevice', () => {
  const fn = replicaDeviceSetter({ psDevice: '/job:moon', workerDevice: '/job:sun', cluster: sunMoon().asClusterDef() });
  assert.not.equal(fn, null);
  assertTwoPsPlacement(fn, '');
});

test('testPS2TasksWithCPUConstraint: asClusterDef() cluster and psDevice /job:moon/cpu:0', () => {
  const fn = replicaDeviceSetter({ psDevice: '/job:moon/cpu:0', workerDevice: '/job:sun', cluster: sunMoon().asClusterDef() });
  assertTwoPsPlacement(fn, '/cpu:0');
});

test('a ClusterDef is read by its job names, not as a dict with one job called "job"', () => {
  const def = new ClusterSpec({ ps: ['a:1', 'b:1'], worker: ['c:1'] }).asClusterDef();
  const vs = tf.device(replicaDeviceSetter({ cluster: def }), () => [0, 1, 2].map((x) => new tf.Variable(x)));
  assert.equal(vs.map((v) => v.device), ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:0']);
  // A ClusterDef without the ps job still gives null, as for a dict or a ClusterSpec.
  assert.is(replicaDeviceSetter({ cluster: new ClusterSpec({ worker: ['c:1'] }).asClusterDef() }), null);
  assert.is(replicaDeviceSetter({ cluster: def, psDevice: '/job:job' }), null);
  // A sparse ClusterDef job counts its tasks, not its highest index.
  const sparse = new ClusterSpec({ ps: { 0: 'a:1', 4: 'b:1' } }).asClusterDef();
  const ws = tf.device(replicaDeviceSetter({ cluster: sparse }), () => [0, 1, 2].map((x) => new tf.Variable(x)));
  assert.equal(ws.map((v) => v.device), ['/job:ps/task:0', '/job:ps/task:1', '/job:ps/task:0']);
  // A real job named "job" in a dict is still a job.
  assert.not.equal(replicaDeviceSetter({ cluster: { job: ['a:1'] }, psDevice: '/job:job' }), null);
});

test.run();
