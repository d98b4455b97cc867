/** The book's queue examples, end to end through sessions, with the outputs the book prints. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { rejects } from './queue_helpers.js';

test.before.each(() => { tf.resetDefaultGraph(); });

const isErr = (cls: new (...a: never[]) => Error, re: RegExp = /./) => (e: Error) => e instanceof cls && re.test(e.message);
const bookQueue = () => new tf.FIFOQueue({ capacity: 10, dtypes: [tf.float32], shapes: [[2]], name: 'q', sharedName: 'shared_q' });

test('two sessions share "shared_q" on one server: enqueue one by one / enqueueMany, dequeue, dequeueMany blocks', async () => {
  const server = await tf.train.Server.createLocalServer();
  try {
    // training_data_loader.py
    const loader = new tf.Graph();
    const { enqueue, enqueueMany, x, xs } = loader.asDefault(() => {
      const q = bookQueue();
      const x = tf.placeholder(tf.float32, [2]);
      const xs = tf.placeholder(tf.float32, [null, 2]);
      return { enqueue: q.enqueue([x]), enqueueMany: q.enqueueMany([xs]), x, xs };
    });
    // trainer.py
    const trainer = new tf.Graph();
    const { dequeue, batch } = trainer.asDefault(() => {
      const q = bookQueue();
      return { dequeue: q.dequeue() as tf.SymbolicTensor, batch: q.dequeueMany(2) as tf.SymbolicTensor };
    });
    const s1 = new tf.Session(server.target, { graph: loader });
    const s2 = new tf.Session(server.target, { graph: trainer });
    await s1.run(enqueue, [[x, [1, 2]]]);
    await s1.run(enqueue, [[x, [3, 4]]]);
    await s1.run(enqueue, [[x, [5, 6]]]);
    assert.equal((await s2.run(dequeue)).toArray(), [1, 2]);
    assert.equal((await s2.run(dequeue)).toArray(), [3, 4]);
    assert.equal((await s2.run(dequeue)).toArray(), [5, 6]);
    await s1.run(enqueueMany, [[xs, [[1, 2], [3, 4], [5, 6]]]]);
    assert.equal((await s2.run(batch)).toArray(), [[1, 2], [3, 4]]);
    // "blocked waiting for another instance"
    await rejects(() => s2.run(batch, undefined, { timeoutMs: 150 }), isErr(tf.errors.DeadlineExceededError));
    await s1.run(enqueue, [[x, [7, 8]]]);
    assert.equal((await s2.run(batch)).toArray(), [[5, 6], [7, 8]], 'the queue is still usable and lost nothing');
    await s1.close();
    await s2.close();
  } finally {
    await server.stop();
  }
});

test('a shared queue re-opened with another capacity fails with InvalidArgumentError', async () => {
  const q = bookQueue();
  const other = new tf.FIFOQueue({ capacity: 15, dtypes: [tf.float32], shapes: [[2]], name: 'q2', sharedName: 'shared_q' });
  await using sess = new tf.Session();
  await sess.run(q.size());
  await rejects(() => sess.run(other.size()),
    isErr(tf.errors.InvalidArgumentError, /Shared queue 'shared_q' has capacity 10 but requested capacity was 15/));
});

test('queues of tuples: enqueue pairs, dequeue a pair, dequeueMany a pair of batches', async () => {
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: [tf.int32, tf.float32], shapes: [[], [3, 2]], name: 'q', sharedName: 'shared_q' });
  const a = tf.placeholder(tf.int32, []);
  const b = tf.placeholder(tf.float32, [3, 2]);
  const enqueue = q.enqueue([a, b]);
  await using sess = new tf.Session();
  await sess.run(enqueue, [[a, 10], [b, [[1, 2], [3, 4], [5, 6]]]]);
  await sess.run(enqueue, [[a, 11], [b, [[2, 4], [6, 8], [0, 2]]]]);
  await sess.run(enqueue, [[a, 12], [b, [[3, 6], [9, 2], [5, 8]]]]);
  const [dequeueA, dequeueB] = q.dequeue() as tf.SymbolicTensor[];
  const [aVal, bVal] = await sess.run([dequeueA!, dequeueB!]);
  assert.is(aVal.toArray(), 10);
  assert.equal(bVal.toArray(), [[1, 2], [3, 4], [5, 6]]);
  const [as, bs] = q.dequeueMany(2) as tf.SymbolicTensor[];
  const [av, bv] = await sess.run([as!, bs!]);
  assert.equal(av.toArray(), [11, 12]);
  assert.equal(bv.toArray(), [[[2, 4], [6, 8], [0, 2]], [[3, 6], [9, 2], [5, 8]]]);
  await rejects(() => sess.run([as!, bs!], undefined, { timeoutMs: 100 }), isErr(tf.errors.DeadlineExceededError));
});

test('a full queue blocks enqueue and enqueueMany until timeoutMs; the queue stays usable', async () => {
  const q = new tf.FIFOQueue({ capacity: 2, dtypes: tf.int32, shapes: [] });
  await using sess = new tf.Session();
  await sess.run(q.enqueueMany([[1, 2]]));
  await rejects(() => sess.run(q.enqueue(3), undefined, { timeoutMs: 100 }), isErr(tf.errors.DeadlineExceededError, /Timed out waiting for notification/));
  assert.equal((await sess.run(q.dequeue() as tf.SymbolicTensor)).toArray(), 1);
  await rejects(() => sess.run(q.enqueueMany([[4, 5, 6]]), undefined, { timeoutMs: 100 }), isErr(tf.errors.DeadlineExceededError));
  // As TensorFlow: what the enqueueMany had inserted (4) stays.
  assert.equal((await sess.run(q.dequeueMany(2) as tf.SymbolicTensor)).toArray(), [2, 4]);
  assert.is((await sess.run(q.size())).toArray(), 0);
});

test('closing a queue: enqueue fails, dequeues drain, dequeueMany fails short, dequeueUpTo returns the rest', async () => {
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: tf.float32, shapes: [] });
  await using sess = new tf.Session();
  await sess.run(q.enqueueMany([[1, 2, 3, 4, 5]]));
  await sess.run(q.close());
  assert.is((await sess.run(q.isClosed())).toArray(), true);
  await rejects(() => sess.run(q.enqueue(6)), isErr(tf.errors.CancelledError, /^FIFOQueue '_\d+_fifo_queue' is closed\.$/));
  assert.equal((await sess.run(q.dequeueMany(2) as tf.SymbolicTensor)).toArray(), [1, 2]);
  await rejects(() => sess.run(q.dequeueMany(4) as tf.SymbolicTensor),
    isErr(tf.errors.OutOfRangeError, /^FIFOQueue '_\d+_fifo_queue' is closed and has insufficient elements \(requested 4, current size 3\)$/));
  assert.equal((await sess.run(q.dequeueUpTo(4) as tf.SymbolicTensor)).toArray(), [3, 4, 5]);
  await rejects(() => sess.run(q.dequeue() as tf.SymbolicTensor), isErr(tf.errors.OutOfRangeError, /requested 1, current size 0/));
  await rejects(() => sess.run(q.close()), isErr(tf.errors.CancelledError, /is already closed\./));
});

test('private queue names: _<k>_<node name>, one queue per node across steps', async () => {
  const q = new tf.FIFOQueue({ capacity: 3, dtypes: tf.int32, shapes: [], name: 'input_producer' });
  await using sess = new tf.Session();
  await sess.run(q.enqueue(1));
  await sess.run(q.enqueue(2));
  assert.is((await sess.run(q.size())).toArray(), 2);
  await sess.run(q.close());
  await sess.run(q.dequeueMany(2) as tf.SymbolicTensor);
  await rejects(() => sess.run(q.dequeue() as tf.SymbolicTensor),
    isErr(tf.errors.OutOfRangeError, /^FIFOQueue '_0_input_producer' is closed and has insufficient elements \(requested 1, current size 0\)$/));
});

test('RandomShuffleQueue: 22 floats, dequeueMany(5) twice, the third blocks (12 - 5 < 10); nothing lost on timeout', async () => {
  const q = new tf.RandomShuffleQueue({ capacity: 50, minAfterDequeue: 10, dtypes: [tf.float32], shapes: [[]], name: 'q', sharedName: 'shared_q' });
  const dequeue = q.dequeueMany(5) as tf.SymbolicTensor;
  await using sess = new tf.Session();
  await sess.run(q.enqueueMany([Array.from({ length: 22 }, (_, i) => i + 1)]));
  const b1 = (await sess.run(dequeue)).toArray() as number[];
  assert.is((await sess.run(q.size())).toArray(), 17);
  const b2 = (await sess.run(dequeue)).toArray() as number[];
  assert.is((await sess.run(q.size())).toArray(), 12);
  await rejects(() => sess.run(dequeue, undefined, { timeoutMs: 150 }), isErr(tf.errors.DeadlineExceededError));
  assert.is((await sess.run(q.size())).toArray(), 12, 'the 2 elements the blocked batch held went back');
  await sess.run(q.close());
  const rest = (await sess.run(q.dequeueUpTo(50) as tf.SymbolicTensor)).toArray() as number[];
  assert.equal([...b1, ...b2, ...rest].sort((a, b) => a - b), Array.from({ length: 22 }, (_, i) => i + 1));
});

test('RandomShuffleQueue: the same graph seed gives the same order in two sessions', async () => {
  const order = async (): Promise<number[]> => {
    tf.resetDefaultGraph();
    tf.setRandomSeed(1234);
    const q = new tf.RandomShuffleQueue({ capacity: 30, minAfterDequeue: 0, dtypes: tf.int32, shapes: [] });
    await using sess = new tf.Session();
    await sess.run(q.enqueueMany([Array.from({ length: 20 }, (_, i) => i)]));
    return (await sess.run(q.dequeueMany(20) as tf.SymbolicTensor)).toArray() as number[];
  };
  const a = await order();
  assert.equal(await order(), a);
  assert.not.equal(a, Array.from({ length: 20 }, (_, i) => i));
});

test('PaddingFIFOQueue: 3x2, 1x1, 2x4 come out of dequeueMany(3) as a 3x3x4 batch padded with zeros', async () => {
  const q = new tf.PaddingFIFOQueue({ capacity: 50, dtypes: [tf.float32], shapes: [[null, null]], name: 'q', sharedName: 'shared_q' });
  const v = tf.placeholder(tf.float32, [null, null]);
  const enqueue = q.enqueue([v]);
  await using sess = new tf.Session();
  await sess.run(enqueue, [[v, [[1, 2], [3, 4], [5, 6]]]]);
  await sess.run(enqueue, [[v, [[1]]]]);
  await sess.run(enqueue, [[v, [[7, 8, 9, 5], [6, 7, 8, 9]]]]);
  const r = await sess.run(q.dequeueMany(3) as tf.SymbolicTensor);
  assert.equal(r.shape, [3, 3, 4]);
  assert.equal(r.toArray(), [
    [[1, 2, 0, 0], [3, 4, 0, 0], [5, 6, 0, 0]],
    [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
    [[7, 8, 9, 5], [6, 7, 8, 9], [0, 0, 0, 0]],
  ]);
});

test('PriorityQueue: smallest priority first, through a session', async () => {
  const q = new tf.PriorityQueue({ capacity: 10, types: [tf.string], shapes: [[]] });
  await using sess = new tf.Session();
  await sess.run(q.enqueueMany([[3, -1, 2], ['c', 'a', 'b']]));
  await sess.run(q.enqueue([0, 'z']));
  const [p, s] = await sess.run(q.dequeueMany(4) as tf.SymbolicTensor[]);
  assert.equal(Array.from(p.data as BigInt64Array), [-1n, 0n, 2n, 3n]);
  assert.equal(s.toArray(), ['a', 'z', 'b', 'c']);
});

test('names: enqueue takes an object, dequeue returns one', async () => {
  const q = new tf.FIFOQueue({ capacity: 4, dtypes: [tf.int32, tf.string], shapes: [[], []], names: ['id', 'label'] });
  await using sess = new tf.Session();
  await sess.run(q.enqueue({ label: 'cat', id: 7 }));
  const r = await sess.run(q.dequeue() as Record<string, tf.SymbolicTensor>);
  assert.equal([r['id'].toArray(), r['label'].toArray()], [7, 'cat']);
});

test('QueueBase.fromList picks a queue at run time; a bad index names the range', async () => {
  const q1 = new tf.FIFOQueue({ capacity: 4, dtypes: tf.int32, shapes: [] });
  const q2 = new tf.FIFOQueue({ capacity: 4, dtypes: tf.int32, shapes: [] });
  const idx = tf.placeholder(tf.int32, []);
  const q = tf.QueueBase.fromList(idx, [q1, q2]);
  await using sess = new tf.Session();
  await sess.run(q.enqueue(5), [[idx, 1]]);
  assert.is((await sess.run(q2.size())).toArray(), 1);
  assert.is((await sess.run(q1.size())).toArray(), 0);
  assert.is((await sess.run(q2.dequeue() as tf.SymbolicTensor)).toArray(), 5);
  await rejects(() => sess.run(q.size(), [[idx, 2]]), (e: Error) => /is not in/.test(e.message));
});

test('sess.close() cancels a blocked dequeue with CancelledError; the element that arrives later is not lost', async () => {
  const server = await tf.train.Server.createLocalServer();
  try {
    const q = new tf.FIFOQueue({ capacity: 4, dtypes: tf.int32, shapes: [], sharedName: 'cq' });
    const s1 = new tf.Session(server.target);
    const pending = s1.run(q.dequeue() as tf.SymbolicTensor);
    await new Promise((r) => setTimeout(r, 50));
    await s1.close();
    await rejects(() => pending, isErr(tf.errors.CancelledError));
    const s2 = new tf.Session(server.target);
    await s2.run(q.enqueue(9));
    assert.is((await s2.run(q.size())).toArray(), 1);
    assert.is((await s2.run(q.dequeue() as tf.SymbolicTensor)).toArray(), 9);
    await s2.close();
  } finally {
    await server.stop();
  }
});

test('three dequeues fetched in one run take three elements, once each (fifo_queue_test.testMultipleDequeues)', async () => {
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: [tf.int32], shapes: [[]] });
  await using sess = new tf.Session();
  await sess.run(q.enqueueMany([[1, 2, 3]]));
  const r = await sess.run([q.dequeue(), q.dequeue(), q.dequeue()]) as tf.Tensor[];
  assert.equal(r.map((t) => t.toArray()).sort(), [1, 2, 3]);
  // No fourth dequeue is left parked to steal the next element.
  await sess.run(q.enqueue(42));
  assert.is((await sess.run(q.size())).toArray(), 1);
  assert.is((await sess.run(q.dequeue(), undefined, { timeoutMs: 2000 })).toArray(), 42);
});

test.run();
