import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { randomShuffleSeeds } from '../../lib/queues/random_shuffle_queue.js';

test.before.each(() => { tf.resetDefaultGraph(); });

const throwsIA = (f: () => unknown, re: RegExp): void => {
  try { f(); } catch (e) {
    assert.ok(e instanceof tf.errors.InvalidArgumentError, `${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected InvalidArgumentError ${re}`);
};

test('FIFOQueue(10, float32, name Q) builds FIFOQueueV2 with TensorFlow attrs', () => {
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: tf.float32, name: 'Q' });
  const op = q.queueRef.op;
  assert.is(op.type, 'FIFOQueueV2');
  assert.equal(op.attrs, { component_types: ['float32'], shapes: [], capacity: 10, shared_name: '', container: '' });
  assert.is(q.name, 'Q');
  assert.equal(q.dtypes, ['float32']);
  assert.equal(q.shapes, [null]);
  assert.is(q.names, null);
  assert.is(q.queueRef.dtype, 'string');
});

test('shapes normalisation: one shape, list of shapes, bare int, scalar', () => {
  assert.equal(new tf.FIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [3, 2] }).shapes, [[3, 2]]);
  assert.equal(new tf.FIFOQueue({ capacity: 1, dtypes: ['int32', 'float32'], shapes: [[], [3, 2]] }).shapes, [[], [3, 2]]);
  assert.equal(new tf.FIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [] }).shapes, [[]]);
  assert.equal(new tf.FIFOQueue({ capacity: 1, dtypes: ['float32', 'int32'], shapes: [2, [3]] }).shapes, [[2], [3]]);
  assert.equal(new tf.FIFOQueue({ capacity: 1, dtypes: 'float32', shapes: [[2]] }).queueRef.op.attrs['shapes'], [[2]]);
});

test('constructor ValueErrors become InvalidArgumentError with TensorFlow texts', () => {
  throwsIA(() => new tf.FIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [null, 2] }), /^All shapes must be fully defined/);
  throwsIA(() => new tf.FIFOQueue({ capacity: 1, dtypes: ['float32', 'int32'], shapes: [[2], null] }), /^All shapes must have a defined rank/);
  throwsIA(() => new tf.FIFOQueue({ capacity: 1, dtypes: ['float32', 'int32'], shapes: [[2]] }), /^Queue shapes must have the same length as dtypes$/);
  throwsIA(() => new tf.FIFOQueue({ capacity: 1, dtypes: ['float32', 'int32'], names: 'a' }), /^List of names must have the same length as the list of dtypes$/);
  throwsIA(() => new tf.PaddingFIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: null }), /^When providing partial shapes, a list of shapes must be provided\.$/);
  throwsIA(() => new tf.PaddingFIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [3] }), /^When providing partial shapes, a list of shapes must be provided\.$/);
  throwsIA(() => new tf.PaddingFIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [] }), /^When providing partial shapes, a list of shapes must be provided\.$/);
  // padding_fifo_queue_test.testUnknownRank: a null shape is a component of unknown rank.
  throwsIA(() => new tf.PaddingFIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [null] }), /must have a defined rank/);
  throwsIA(() => new tf.PaddingFIFOQueue({ capacity: 1, dtypes: ['float32', 'int32'], shapes: [[2], null] }), /must have a defined rank/);
  throwsIA(() => new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 10, dtypes: ['float32'] }), /^min_after_dequeue 10 must be < capacity 10$/);
  throwsIA(() => new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: -1, dtypes: ['float32'] }), /^min_after_dequeue -1 must be >= 0$/);
  assert.equal(new tf.PaddingFIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [[null, null]] }).queueRef.op.attrs['shapes'], [[-1, -1]]);
});

test('enqueue: names need objects, values convert to component dtypes, static shapes must be compatible', () => {
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['int32', 'float32'], shapes: [[], [2]], names: ['a', 'b'] });
  throwsIA(() => q.enqueue([1, [1, 2]]), /^You must enqueue a dictionary in a Queue with names$/);
  throwsIA(() => q.enqueue({ a: 1, c: [1, 2] }), /^Keys in dictionary to enqueue do not match names of Queue/);
  const op = q.enqueue({ b: [1, 2], a: 3 });
  assert.is(op.type, 'QueueEnqueueV2');
  assert.equal(op.inputs.map((t) => t.dtype), ['string', 'int32', 'float32']);
  assert.is(op.name, 'fifo_queue_enqueue');
  const u = new tf.FIFOQueue({ capacity: 10, dtypes: ['float32'], shapes: [[2]] });
  throwsIA(() => u.enqueue({ x: 1 }), /^Queue must have names to enqueue a dictionary$/);
  throwsIA(() => u.enqueue([[1, 2, 3]]), /^Shapes \(3,\) and \(2,\) are incompatible$/);
  throwsIA(() => u.enqueue(tf.placeholder('int32', [2])), /requested dtype float for Tensor with dtype int32/);
  throwsIA(() => u.enqueueMany([5]), /^Shape \(\) must have rank at least 1$/);
  throwsIA(() => u.enqueueMany([[[1, 2, 3]]]), /^Shapes \(3,\) and \(2,\) are incompatible$/);
  const two = new tf.FIFOQueue({ capacity: 10, dtypes: ['float32', 'float32'] });
  throwsIA(() => two.enqueueMany([[1, 2, 3], [1, 2]]), /^Dimensions 3 and 2 are not compatible$/);
  assert.is(u.enqueue(tf.placeholder('float32', [null])).type, 'QueueEnqueueV2', 'unknown dims are compatible');
  assert.is(u.enqueueMany([[[1, 2], [3, 4]]]).type, 'QueueEnqueueManyV2');
});

test('dequeue results: one tensor, a list, or an object; static shapes', () => {
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['int32', 'float32'], shapes: [[], [3, 2]], name: 'q' });
  const [a, b] = q.dequeue() as tf.SymbolicTensor[];
  assert.equal([a!.dtype, a!.shape, b!.dtype, b!.shape], ['int32', [], 'float32', [3, 2]]);
  const [ma, mb] = q.dequeueMany(4) as tf.SymbolicTensor[];
  assert.equal([ma!.shape, mb!.shape], [[4], [4, 3, 2]]);
  const [ua, ub] = q.dequeueUpTo(4) as tf.SymbolicTensor[];
  assert.equal([ua!.shape, ub!.shape], [[null], [null, 3, 2]]);
  assert.is(ua!.op.type, 'QueueDequeueUpToV2');
  assert.is(ma!.op.name, 'q_DequeueMany');
  const one = new tf.FIFOQueue({ capacity: 1, dtypes: 'string' });
  assert.ok(one.dequeue() instanceof tf.SymbolicTensor);
  assert.is((one.dequeueMany(2) as tf.SymbolicTensor).shape, null, 'unknown shape stays unknown');
  const named = new tf.FIFOQueue({ capacity: 1, dtypes: ['int32', 'string'], shapes: [[], []], names: ['n', 's'] });
  const d = named.dequeue() as Record<string, tf.SymbolicTensor>;
  assert.equal(Object.keys(d), ['n', 's']);
  assert.is(d['s']!.dtype, 'string');
  throwsIA(() => q.dequeueMany(-1), /^DequeueManyOp requested -1 < 0 elements$/);
  throwsIA(() => q.dequeueUpTo(-2), /^DequeueUpToOp requested -2 < 0 elements$/);
  const pad = new tf.PaddingFIFOQueue({ capacity: 5, dtypes: ['float32'], shapes: [[null, 3]] });
  assert.equal((pad.dequeueMany(2) as tf.SymbolicTensor).shape, [2, null, 3]);
  const pq = new tf.PriorityQueue({ capacity: 5, types: ['string'], shapes: [[]] });
  assert.equal(pq.dtypes, ['int64', 'string']);
  assert.equal(pq.shapes, [[], []]);
  assert.equal(pq.queueRef.op.attrs['component_types'], ['string']);
  assert.equal((pq.dequeueMany(3) as tf.SymbolicTensor[]).map((t) => t.shape), [[3], [3]]);
  throwsIA(() => pq.enqueue([tf.placeholder('int32', []), 'x']), /requested dtype int64 for Tensor with dtype int32/);
});

test('close, size, isClosed build the V2 ops; device scopes and containers apply to the queue op', () => {
  const q = tf.device('/job:ps/task:0', () => tf.container('c1', () =>
    new tf.FIFOQueue({ capacity: 2, dtypes: ['float32'], sharedName: 'sq', name: 'q' })));
  assert.is(q.queueRef.op.device, '/job:ps/task:0');
  assert.is(q.queueRef.op.attrs['container'], 'c1');
  assert.is(q.queueRef.op.attrs['shared_name'], 'sq');
  const c = q.close({ cancelPendingEnqueues: true });
  assert.equal([c.type, c.attrs['cancel_pending_enqueues']], ['QueueCloseV2', true]);
  assert.is(q.close().attrs['cancel_pending_enqueues'], false);
  const s = q.size();
  assert.equal([s.op.type, s.dtype, s.shape], ['QueueSizeV2', 'int32', []]);
  const ic = q.isClosed();
  assert.equal([ic.op.type, ic.dtype, ic.shape], ['QueueIsClosedV2', 'bool', []]);
  assert.ok(s.op.colocate.includes('q'), 'queue ops are colocated with the queue');
});

test('RandomShuffleQueue seeds: getSeed, and the md5(seed + sharedName) rule for seed2', () => {
  assert.equal(randomShuffleSeeds([0, 0], null, 'x'), [0, 0]);
  assert.equal(randomShuffleSeeds([5, 3], 3, 'x'), [5, 3]);
  // int(md5("5shared_q").hexdigest()[:8], 16) & 0x7FFFFFFF
  const [s1, s2] = randomShuffleSeeds([5, 1], null, 'shared_q');
  assert.is(s1, 5);
  assert.is(s2, 1200116845, 'Python: int(hashlib.md5(b"5shared_q").hexdigest()[:8], 16) & 0x7FFFFFFF');
  tf.setRandomSeed(5);
  const a = new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: ['float32'], sharedName: 'shared_q' });
  const b = new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: ['float32'], sharedName: 'shared_q' });
  assert.equal([a.queueRef.op.attrs['seed'], a.queueRef.op.attrs['seed2']], [5, s2]);
  assert.equal(b.queueRef.op.attrs['seed2'], s2, 'every user of the shared queue agrees');
  const c = new tf.RandomShuffleQueue({ capacity: 10, dtypes: ['float32'], seed: 9 });
  assert.equal([c.queueRef.op.attrs['seed'], c.queueRef.op.attrs['seed2']], [5, 9]);
});

test('QueueBase.fromList checks and shapes', () => {
  const q1 = new tf.FIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [[2, 3]] });
  const q2 = new tf.FIFOQueue({ capacity: 1, dtypes: ['float32'], shapes: [[2, 4]] });
  const q3 = new tf.FIFOQueue({ capacity: 1, dtypes: ['int32'], shapes: [[2]] });
  const q4 = new tf.FIFOQueue({ capacity: 1, dtypes: ['float32'], names: ['x'] });
  throwsIA(() => tf.QueueBase.fromList(0, []), /^A list of queues expected$/);
  throwsIA(() => tf.QueueBase.fromList(0, [q1, q3]), /^Queues do not have matching component dtypes\.$/);
  throwsIA(() => tf.QueueBase.fromList(0, [q1, q4]), /^Queues do not have matching component names\.$/);
  const q = tf.QueueBase.fromList(1, [q1, q2]);
  assert.equal(q.shapes, [[2, null]]);
  assert.equal(q.dtypes, ['float32']);
});

test.run();
