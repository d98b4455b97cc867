/** limitEpochs and the input producers (TF-SEMANTICS 1.8) on an embedded session. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { Coordinator } from '../../lib/train/coordinator.js';
import { QueueRunner, startQueueRunners } from '../../lib/train/queue_runner.js';
import {
  inputProducer, limitEpochs, rangeInputProducer, sliceInputProducer, stringInputProducer,
} from '../../lib/train/input.js';
import { setUnstartedRunnerWarningDelay } from '../../lib/train/runner_registry.js';
import { within } from './fake_session.js';

type Sess = InstanceType<typeof tf.Session>;

/** Runs `fetch` until OutOfRangeError; returns each result's toArray(). */
async function untilOutOfRange(sess: Sess, fetch: unknown, max = 1000): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < max; i++) {
    try {
      const r = await sess.run(fetch);
      out.push(Array.isArray(r) ? r.map((t: tf.Tensor) => t.toArray()) : (r as tf.Tensor).toArray());
    } catch (e) {
      if (e instanceof tf.errors.OutOfRangeError) return out;
      throw e;
    }
  }
  throw new Error(`no OutOfRangeError after ${max} runs`);
}

/** Builds with a fresh default graph, opens a session, initialises locals, starts the runners. */
async function pipeline<T>(build: () => T, body: (sess: Sess, built: T, coord: Coordinator) => Promise<void>): Promise<void> {
  tf.resetDefaultGraph();
  const built = build();
  const sess = new tf.Session();
  const coord = new Coordinator();
  try {
    await sess.run(tf.localVariablesInitializer());
    const threads = startQueueRunners(sess, coord);
    await within(10_000, body(sess, built, coord));
    coord.requestStop();
    await within(5000, coord.join(threads));
  } finally {
    await sess.close();
  }
}

const isArg = (re: RegExp) => (e: unknown): boolean => e instanceof tf.errors.InvalidArgumentError && re.test((e as Error).message);

test('limitEpochs: numEpochs evaluations, then OutOfRangeError; a local variable named epochs', async () => {
  tf.resetDefaultGraph();
  const t = tf.constant([1, 2], { dtype: 'int32' });
  assert.is(limitEpochs(t), t);
  const limited = limitEpochs(t, 2);
  assert.is(limited.op.name, 'limit_epochs');
  assert.equal(tf.localVariables().map((v) => v.name), ['limit_epochs/epochs:0']);
  assert.equal(tf.globalVariables(), []);
  const sess = new tf.Session();
  try {
    await sess.run(tf.localVariablesInitializer());
    assert.equal((await sess.run(limited)).toArray(), [1, 2]);
    assert.equal((await sess.run(limited)).toArray(), [1, 2]);
    try {
      await sess.run(limited);
      assert.unreachable('third evaluation must fail');
    } catch (e) {
      assert.ok(e instanceof tf.errors.OutOfRangeError, String(e));
    }
  } finally {
    await sess.close();
  }
  assert.throws(() => limitEpochs(t, 0), isArg(/^num_epochs must be > 0 not 0\.$/));
  assert.throws(() => limitEpochs(t, -3), isArg(/num_epochs must be > 0 not -3/));
});

test('stringInputProducer without shuffle: each epoch in order, then OutOfRange', async () => {
  await pipeline(() => stringInputProducer(['a', 'b', 'c'], { numEpochs: 2, shuffle: false }), async (sess, q) => {
    assert.is(q.name, 'input_producer');
    assert.equal(await untilOutOfRange(sess, q.dequeue()), ['a', 'b', 'c', 'a', 'b', 'c']);
  });
});

test('stringInputProducer shuffles each epoch: every name once per epoch', async () => {
  const names = Array.from({ length: 12 }, (_, i) => `file_${i}.csv`);
  await pipeline(() => stringInputProducer(names, { numEpochs: 3, seed: 7, capacity: 5 }), async (sess, q) => {
    const got = (await untilOutOfRange(sess, q.dequeue())) as string[];
    assert.is(got.length, 36);
    const epochs = [got.slice(0, 12), got.slice(12, 24), got.slice(24)];
    for (const e of epochs) assert.equal([...e].sort(), [...names].sort());
    assert.ok(epochs.some((e) => e.join() !== names.join()), 'some epoch is shuffled');
  });
});

test('stringInputProducer: the runner is in QUEUE_RUNNERS; an empty list fails at once', () => {
  tf.resetDefaultGraph();
  const q = stringInputProducer(['x'], { name: 'files' });
  const runners = tf.getDefaultGraph().getCollection<QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS);
  assert.is(runners.length, 1);
  assert.ok(runners[0] instanceof QueueRunner);
  assert.is(runners[0]!.name, 'files');
  assert.is(q.name, 'files');
  assert.throws(() => stringInputProducer([]), isArg(/^string_input_producer requires a non-null input tensor$/));
});

test('stringInputProducer of an empty tensor: the runner reports the assertion, the consumer gets OutOfRange', async () => {
  tf.resetDefaultGraph();
  // An empty tensor known only when run: the producer's Assert fails in the runner.
  const names = tf.slice(tf.constant(['a', 'b']), [0], [0]);
  const q = stringInputProducer(names, { shuffle: false });
  const x = q.dequeue();
  const sess = new tf.Session();
  const coord = new Coordinator();
  try {
    const threads = startQueueRunners(sess, coord);
    assert.is(await within(5000, coord.waitForStop()), true);
    try {
      await within(5000, sess.run(x));
      assert.unreachable('dequeue must fail');
    } catch (e) {
      assert.ok(e instanceof tf.errors.OutOfRangeError, String(e));
      assert.match((e as Error).message, /input_producer/);
    }
    try {
      await coord.join(threads);
      assert.unreachable('join re-raises the runner error');
    } catch (e) {
      assert.ok(e instanceof tf.errors.InvalidArgumentError, String(e));
      assert.match((e as Error).message, /assertion failed: \[string_input_producer requires a non-null input tensor\]/);
    }
  } finally {
    await sess.close();
  }
});

test('inputProducer: rows of a matrix; element shape required when unknown', async () => {
  await pipeline(() => inputProducer(tf.constant([[1, 2], [3, 4], [5, 6]], { dtype: 'int32' }), { numEpochs: 1, shuffle: false }), async (sess, q) => {
    assert.equal(await untilOutOfRange(sess, q.dequeue()), [[1, 2], [3, 4], [5, 6]]);
  });
  tf.resetDefaultGraph();
  assert.throws(() => inputProducer(tf.placeholder('float32', [null, null])),
    isArg(/^Either `input_tensor` must have a fully defined shape or `element_shape` must be specified$/));
  const q = inputProducer(tf.placeholder('float32', [null, null]), { elementShape: [3] });
  assert.equal(q.shapes, [[3]]);
});

test('rangeInputProducer: 0 .. limit-1 per epoch', async () => {
  await pipeline(() => rangeInputProducer(5, { numEpochs: 2, shuffle: false }), async (sess, q) => {
    assert.equal(await untilOutOfRange(sess, q.dequeue()), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  });
  await pipeline(() => rangeInputProducer(20, { numEpochs: 1, seed: 3 }), async (sess, q) => {
    const got = (await untilOutOfRange(sess, q.dequeue())) as number[];
    assert.equal([...got].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  });
});

test('sliceInputProducer: the same row of every tensor, each row once per epoch', async () => {
  const xs = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]];
  const ys = ['one', 'two', 'three', 'four', 'five'];
  await pipeline(() => sliceInputProducer([tf.constant(xs, { dtype: 'int32' }), tf.constant(ys)], { numEpochs: 2, seed: 1 }), async (sess, slices) => {
    assert.is(slices.length, 2);
    assert.equal(slices[0]!.shape, [2]);
    assert.equal(slices[1]!.shape, []);
    const got = (await untilOutOfRange(sess, slices)) as [number[], string][];
    assert.is(got.length, 10);
    for (const [x, y] of got) assert.is(ys[x[0]! - 1], y);
    for (const half of [got.slice(0, 5), got.slice(5)]) assert.equal(half.map(([x]) => x[0]).sort(), [1, 2, 3, 4, 5]);
  });
  assert.throws(() => sliceInputProducer([]), isArg(/^Expected at least one tensor in slice_input_producer\(\)\.$/));
});

test('forgetting localVariablesInitializer: the runner fails, the consumer sees OutOfRange, join re-raises', async () => {
  tf.resetDefaultGraph();
  const q = stringInputProducer(['a'], { numEpochs: 1 });
  const sess = new tf.Session();
  const coord = new Coordinator();
  try {
    const threads = startQueueRunners(sess, coord);
    try {
      await within(5000, sess.run(q.dequeue()));
      assert.unreachable('must fail');
    } catch (e) {
      assert.ok(e instanceof tf.errors.OutOfRangeError, String(e));
    }
    try {
      await within(5000, coord.join(threads));
      assert.unreachable('join must re-raise');
    } catch (e) {
      assert.ok(e instanceof tf.errors.FailedPreconditionError, String(e));
    }
  } finally {
    await sess.close();
  }
});

test('runners never started: a blocked dequeue warns once, naming the queue', async () => {
  tf.resetDefaultGraph();
  const q = stringInputProducer(['a', 'b'], { name: 'my_files' });
  const x = q.dequeue();
  const sess = new tf.Session();
  const old = setUnstartedRunnerWarningDelay(100);
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => { warnings.push(w); };
  process.on('warning', onWarning);
  try {
    for (let i = 0; i < 2; i++) {
      try {
        await sess.run(x, undefined, { timeoutMs: 300 });
        assert.unreachable('the dequeue must block');
      } catch (e) {
        assert.ok(e instanceof tf.errors.DeadlineExceededError, String(e));
      }
    }
    await new Promise((r) => setTimeout(r, 20));
    const ours = warnings.filter((w) => w.name === 'QueueRunnerWarning');
    assert.is(ours.length, 1);
    assert.match(ours[0]!.message, /'my_files'/);
    // Once started, the same dequeue just works.
    const coord = new Coordinator();
    const threads = startQueueRunners(sess, coord);
    assert.ok(['a', 'b'].includes((await within(5000, sess.run(x))).toArray() as string));
    coord.requestStop();
    await within(5000, coord.join(threads));
  } finally {
    process.off('warning', onWarning);
    setUnstartedRunnerWarningDelay(old);
    await sess.close();
  }
});

test.run();
