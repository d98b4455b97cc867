/** batch, batchJoin, shuffleBatch, shuffleBatchJoin and maybe* (TF-SEMANTICS 1.8) on an embedded session. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { Coordinator } from '../../lib/train/coordinator.js';
import { QueueRunner, startQueueRunners } from '../../lib/train/queue_runner.js';
import {
  batch, batchJoin, maybeBatch, maybeShuffleBatch, rangeInputProducer, shuffleBatch, shuffleBatchJoin,
} from '../../lib/train/input.js';
import { within } from './fake_session.js';

type Sess = InstanceType<typeof tf.Session>;
type Sym = tf.SymbolicTensor;

const toJs = (r: unknown): unknown => {
  if (r instanceof tf.Tensor) return r.toArray();
  if (Array.isArray(r)) return r.map(toJs);
  if (r && typeof r === 'object') return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toJs(v)]));
  return r;
};

async function untilOutOfRange(sess: Sess, fetch: unknown, max = 1000): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < max; i++) {
    try {
      out.push(toJs(await sess.run(fetch)));
    } catch (e) {
      if (e instanceof tf.errors.OutOfRangeError) return out;
      throw e;
    }
  }
  throw new Error(`no OutOfRangeError after ${max} runs`);
}

async function pipeline<T>(build: () => T, body: (sess: Sess, built: T) => Promise<void>): Promise<void> {
  tf.resetDefaultGraph();
  const built = build();
  const sess = new tf.Session();
  const coord = new Coordinator();
  try {
    await sess.run(tf.localVariablesInitializer());
    const threads = startQueueRunners(sess, coord);
    await within(10_000, body(sess, built));
    coord.requestStop();
    await within(5000, coord.join(threads));
  } finally {
    await sess.close();
  }
}

/** 0..n-1, one epoch, in order. */
const counter = (n: number): Sym => rangeInputProducer(n, { numEpochs: 1, shuffle: false }).dequeue() as Sym;
const isArg = (re: RegExp) => (e: unknown): boolean => e instanceof tf.errors.InvalidArgumentError && re.test((e as Error).message);

test('batch of a list of one tensor returns one tensor; batches in order; the rest stays behind', async () => {
  await pipeline(() => batch([counter(10)], { batchSize: 4 }) as Sym, async (sess, b) => {
    assert.ok(b instanceof tf.SymbolicTensor);
    assert.equal(b.shape, [4]);
    assert.is(b.op.name, 'batch');
    assert.is(b.op.type, 'QueueDequeueManyV2');
    assert.equal(await untilOutOfRange(sess, b), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  });
});

test('allowSmallerFinalBatch: dequeueUpTo, unknown batch dimension, a short last batch', async () => {
  await pipeline(() => batch([counter(10)], 4, { allowSmallerFinalBatch: true }) as Sym, async (sess, b) => {
    assert.equal(b.shape, [null]);
    assert.equal(await untilOutOfRange(sess, b), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });
});

test('batch of several tensors and of an object (sorted keys, object result)', async () => {
  await pipeline(() => {
    const i = counter(6);
    const sq = tf.mul(i, i);
    return { list: batch([i, sq], { batchSize: 3 }) as Sym[], dict: null as unknown };
  }, async (sess, { list }) => {
    assert.is(list.length, 2);
    assert.equal(await untilOutOfRange(sess, list), [[[0, 1, 2], [0, 1, 4]], [[3, 4, 5], [9, 16, 25]]]);
  });
  await pipeline(() => {
    const i = counter(4);
    return batch({ z: i, a: tf.cast(i, 'float32') }, { batchSize: 2 }) as Record<string, Sym>;
  }, async (sess, d) => {
    assert.equal(Object.keys(d), ['a', 'z']);
    assert.is(d['a']!.dtype, 'float32');
    assert.is(d['z']!.dtype, 'int32');
    assert.equal(await untilOutOfRange(sess, d), [{ a: [0, 1], z: [0, 1] }, { a: [2, 3], z: [2, 3] }]);
  });
});

test('batch with enqueueMany: inputs are batches of examples', async () => {
  await pipeline(() => {
    const q = rangeInputProducer(3, { numEpochs: 1, shuffle: false });
    const i = q.dequeue() as Sym;
    const rows = tf.stack([i, tf.add(i, 10)]);
    return batch([rows], { batchSize: 3, enqueueMany: true, allowSmallerFinalBatch: true }) as Sym;
  }, async (sess, b) => {
    assert.equal(await untilOutOfRange(sess, b), [[0, 10, 1], [11, 2, 12]]);
  });
});

test('batch with several threads: every example once; the QueueRunner has numThreads ops', async () => {
  await pipeline(() => batch([counter(40)], { batchSize: 5, numThreads: 4 }) as Sym, async (sess, b) => {
    const runners = tf.getDefaultGraph().getCollection<QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS);
    assert.equal(runners.map((r) => r.enqueueOps.length), [1, 4]);
    const got = (await untilOutOfRange(sess, b)).flat() as number[];
    assert.equal(got.sort((a, c) => a - c), Array.from({ length: 40 }, (_, k) => k));
  });
});

test('dynamicPad: a PaddingFIFOQueue pads each batch to its longest example', async () => {
  await pipeline(() => {
    const n = counter(4);
    const v = tf.fill(tf.expandDims(tf.add(n, 1), 0), n);
    return batch([v], { batchSize: 2, dynamicPad: true, shapes: [[null]] }) as Sym;
  }, async (sess, b) => {
    assert.equal(b.shape, [2, null]);
    assert.equal(await untilOutOfRange(sess, b), [[[0, 0], [1, 1]], [[2, 2, 2, 0], [3, 3, 3, 3]]]);
  });
});

test('batch build errors: unknown rank, not fully defined, no tensors', () => {
  tf.resetDefaultGraph();
  assert.throws(() => batch([tf.placeholder('float32')], { batchSize: 2 }), isArg(/^Cannot infer Tensor's rank: /));
  assert.throws(() => batch([tf.placeholder('float32', [null])], { batchSize: 2 }), isArg(/All shapes must be fully defined/));
  assert.throws(() => batch([], { batchSize: 2 }), isArg(/Expected at least one tensor in batch\(\)\./));
});

test('shuffleBatch: a RandomShuffleQueue; every example once; capacity must exceed minAfterDequeue', async () => {
  await pipeline(() => shuffleBatch([counter(64)], { batchSize: 8, capacity: 32, minAfterDequeue: 16, seed: 5 }) as Sym, async (sess, b) => {
    assert.equal(b.shape, [8]);
    assert.is(b.op.name, 'shuffle_batch');
    const batches = (await untilOutOfRange(sess, b)) as number[][];
    const got = batches.flat();
    assert.equal([...got].sort((a, c) => a - c), Array.from({ length: 64 }, (_, k) => k));
    assert.ok(got.join() !== Array.from({ length: 64 }, (_, k) => k).join(), 'order is shuffled');
  });
  tf.resetDefaultGraph();
  const x = tf.constant(1);
  assert.throws(() => shuffleBatch([x], 2, 10, 10), isArg(/^capacity 10 must be bigger than min_after_dequeue 10\.$/));
  const positional = shuffleBatch([x], 2, 10, 3) as Sym;
  assert.equal(positional.shape, [2]);
  const q = tf.getDefaultGraph().getOperationByName('shuffle_batch_1/random_shuffle_queue');
  assert.is(q.type, 'RandomShuffleQueueV2');
  assert.is(q.attrs['min_after_dequeue'], 3);
});

test('batchJoin and shuffleBatchJoin: one enqueue op per input list; all examples arrive', async () => {
  await pipeline(() => {
    const a = counter(6);
    const b = tf.add(rangeInputProducer(6, { numEpochs: 1, shuffle: false }).dequeue() as Sym, 100);
    return batchJoin([[a], [b]], { batchSize: 4, allowSmallerFinalBatch: true }) as Sym;
  }, async (sess, out) => {
    const runners = tf.getDefaultGraph().getCollection<QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS);
    assert.equal(runners.map((r) => r.enqueueOps.length), [1, 1, 2]);
    const got = (await untilOutOfRange(sess, out)).flat() as number[];
    assert.equal(got.sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 104, 105]);
  });
  await pipeline(() => {
    const a = counter(10);
    const b = tf.add(rangeInputProducer(10, { numEpochs: 1, shuffle: false }).dequeue() as Sym, 10);
    return shuffleBatchJoin([{ v: a }, { v: b }], { batchSize: 5, capacity: 20, minAfterDequeue: 4 }) as Record<string, Sym>;
  }, async (sess, out) => {
    const got = (await untilOutOfRange(sess, out)).flatMap((r) => (r as { v: number[] }).v);
    assert.equal(got.sort((x, y) => x - y), Array.from({ length: 20 }, (_, k) => k));
  });
  tf.resetDefaultGraph();
  assert.throws(() => batchJoin([[tf.constant(1)], [tf.constant(1, { dtype: 'int32' })]], { batchSize: 2 }),
    isArg(/^Expected types to be consistent: float, int32 vs\. int32, float|^Expected types to be consistent/));
  assert.throws(() => batchJoin([{ a: tf.constant(1) }, { b: tf.constant(1) }], { batchSize: 2 }),
    isArg(/must have the same keys/));
});

test('maybeBatch keeps only the examples whose keepInput is true; vector keepInput with enqueueMany', async () => {
  await pipeline(() => {
    const i = counter(10);
    return maybeBatch([i], tf.equal(tf.mod(i, 2), 0), { batchSize: 5 }) as Sym;
  }, async (sess, b) => {
    assert.equal(await untilOutOfRange(sess, b), [[0, 2, 4, 6, 8]]);
  });
  await pipeline(() => {
    const rows = tf.constant([1, 2, 3, 4], { dtype: 'int32' });
    const i = counter(2);
    const batchRows = tf.add(rows, tf.mul(i, 10));
    return maybeShuffleBatch([batchRows], tf.constant([true, false, true, false]), {
      batchSize: 4, capacity: 10, minAfterDequeue: 0, enqueueMany: true,
    }) as Sym;
  }, async (sess, b) => {
    const got = (await untilOutOfRange(sess, b)).flat() as number[];
    assert.equal(got.sort((x, y) => x - y), [1, 3, 11, 13]);
  });
  tf.resetDefaultGraph();
  assert.throws(() => maybeBatch([tf.constant(1)], tf.constant([true]), { batchSize: 1 }),
    isArg(/^`keep_input` cannot be a vector when `enqueue_many=False`\.$/));
  assert.throws(() => maybeBatch([tf.constant([[1]])], tf.constant([[true]]), { batchSize: 1, enqueueMany: true }),
    isArg(/^`keep_input` must be 0 or 1 dimensions\.$/));
  assert.throws(() => maybeBatch([tf.constant(1)], tf.placeholder('bool'), { batchSize: 1 }),
    isArg(/^`keep_input` dimensions must be known at graph construction\.$/));
});

test.run();
