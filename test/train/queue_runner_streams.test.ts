/**
 * QueueRunner logic (TF-SEMANTICS 1.7) against a fake session and queue: the stream loops,
 * close-on-last-OutOfRange, error routing, cancel on stop, createThreads bookkeeping, the
 * QUEUE_RUNNERS collection and the "runners never started" warning. The tests named "TF ..."
 * are TensorFlow's queue_runner_test.py cases on a real embedded session.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import {
  CancelledError, DataLossError, InvalidArgumentError, OutOfRangeError, UnknownError,
} from '../../lib/framework/errors.js';
import { GraphKeys } from '../../lib/framework/graph.js';
import { Coordinator } from '../../lib/train/coordinator.js';
import { addQueueRunner, QueueRunner, startQueueRunners } from '../../lib/train/queue_runner.js';
import {
  blockedQueuesWithUnstartedRunners, runnersNotStarted, watchForUnstartedRunners,
} from '../../lib/train/runner_registry.js';
import { fakePipeline, sleep, within } from './fake_session.js';
import { rejection } from '../helpers/rejects.js';
import * as tf from '../../lib/index.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Dequeues until OutOfRange; returns what arrived. */
async function drain(p: ReturnType<typeof fakePipeline>): Promise<number[]> {
  const got: number[] = [];
  for (;;) {
    try {
      got.push((await p.session.run(p.dequeue)) as number);
    } catch (e) {
      if (e instanceof OutOfRangeError) return got;
      throw e;
    }
  }
}

test('five threads over one source: every item arrives once, the last OutOfRange closes the queue once', async () => {
  const p = fakePipeline(range(200), 7);
  const qr = new QueueRunner(p.queue, [p.enqueue, p.enqueue, p.enqueue, p.enqueue, p.enqueue]);
  assert.is(qr.name, 'q');
  const coord = new Coordinator();
  const threads = qr.createThreads(p.session, { coord, start: true });
  assert.is(threads.length, 6);
  assert.equal(threads.map((t) => t.name), [
    'QueueRunnerThread-q-q_enqueue', 'QueueRunnerThread-q-q_enqueue', 'QueueRunnerThread-q-q_enqueue',
    'QueueRunnerThread-q-q_enqueue', 'QueueRunnerThread-q-q_enqueue', 'QueueRunnerThread-q-close_on_stop']);
  const got = await within(5000, drain(p));
  assert.equal([...got].sort((a, b) => a - b), range(200));
  assert.is(p.js.closeCalls, 1);
  assert.is(p.js.cancelCalls, 0);
  assert.ok(threads.slice(0, 5).every((t) => !t.isAlive()));
  assert.ok(threads[5]!.isAlive(), 'close_on_stop waits for the stop request');
  coord.requestStop();
  await within(2000, coord.join(threads));
  assert.is(p.js.cancelCalls, 1);
  assert.equal(qr.exceptionsRaised, []);
});

test('property: any source size and thread count delivers each item exactly once', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 8 }),
    async (n, threads, capacity) => {
      const p = fakePipeline(range(n), capacity);
      const qr = new QueueRunner(p.queue, Array(threads).fill(p.enqueue));
      const coord = new Coordinator();
      const ts = qr.createThreads(p.session, { coord, start: true });
      const got = await within(5000, drain(p));
      coord.requestStop();
      await within(2000, coord.join(ts));
      return got.length === n && new Set(got).size === n && p.js.closeCalls === 1;
    }), { numRuns: 30 });
});

test('an error other than OutOfRange goes to the coordinator; join re-raises it', async () => {
  const p = fakePipeline(range(1000), 5);
  let n = 0;
  const bad = new DataLossError('corrupted record at 40');
  p.produce = () => {
    if (++n === 20) throw bad;
    return n;
  };
  const qr = new QueueRunner(p.queue, [p.enqueue, p.enqueue]);
  const coord = new Coordinator();
  const threads = qr.createThreads(p.session, { coord, start: true });
  // A consumer keeps the queue moving until the stop.
  const consumer = (async () => { while (!coord.shouldStop()) await Promise.race([p.session.run(p.dequeue), sleep(20)]); })();
  assert.is(await within(3000, coord.waitForStop()), true);
  await consumer;
  const err = await rejection(within(3000, coord.join(threads)));
  assert.is(err, bad);
  assert.is(p.js.closeCalls, 0, 'the close op runs only on queue-closed errors');
  assert.is(p.js.cancelCalls, 1, 'the stop request cancels pending enqueues');
  assert.equal(qr.exceptionsRaised, []);
});

test('without a coordinator: the error is logged, kept in exceptionsRaised, and the queue stays open', async () => {
  const p = fakePipeline([], 5);
  const bad = new UnknownError('reader exploded');
  p.produce = () => { throw bad; };
  const qr = new QueueRunner(p.queue, [p.enqueue]);
  const errLog = console.error;
  const logged: string[] = [];
  console.error = (m: string) => { logged.push(String(m)); };
  let threads;
  try {
    threads = qr.createThreads(p.session, { start: true });
    assert.is(threads.length, 1, 'no close_on_stop thread without a coordinator');
    await within(2000, threads[0]!.join());
  } finally {
    console.error = errLog;
  }
  assert.equal(qr.exceptionsRaised, [bad]);
  assert.ok(logged.some((m) => m.includes('reader exploded')));
  assert.is(p.js.closeCalls, 0);
  assert.is(p.js.closed, false);
});

test('without a coordinator: OutOfRange ends the threads and closes the queue', async () => {
  const p = fakePipeline(range(30), 4);
  const qr = new QueueRunner(p.queue, [p.enqueue, p.enqueue, p.enqueue]);
  const threads = qr.createThreads(p.session, { start: true });
  const got = await within(3000, drain(p));
  await within(1000, Promise.all(threads.map((t) => t.join())));
  assert.equal(got.sort((a, b) => a - b), range(30));
  assert.is(p.js.closeCalls, 1);
});

test('a stop request cancels blocked enqueues via close_on_stop; threads end quietly', async () => {
  const p = fakePipeline(range(1000), 3);
  const qr = new QueueRunner(p.queue, [p.enqueue, p.enqueue, p.enqueue, p.enqueue]);
  const coord = new Coordinator();
  const threads = qr.createThreads(p.session, { coord, start: true });
  await sleep(20);
  assert.is(p.js.items.length, 3, 'queue full, enqueues blocked');
  assert.ok(threads.every((t) => t.isAlive()));
  coord.requestStop();
  await within(2000, coord.join(threads, { stopGracePeriodMs: 1000 }));
  assert.ok(threads.every((t) => !t.isAlive()));
  assert.is(p.js.cancelCalls, 1);
  assert.is(p.js.closeCalls, 0);
  assert.equal(p.js.items, [0, 1, 2], 'accepted items stay in the queue');
});

test('threads check the stop before each run', async () => {
  const p = fakePipeline(range(100), 1000);
  const qr = new QueueRunner(p.queue, [p.enqueue]);
  const coord = new Coordinator();
  coord.requestStop();
  const threads = qr.createThreads(p.session, { coord, start: true });
  await within(1000, coord.join(threads));
  assert.is(p.js.items.length, 0);
  assert.is(p.session.runs, 1, 'only the cancel op ran');
});

test('createThreads returns [] while threads of the session are live, new threads after they end', async () => {
  const p = fakePipeline(range(5), 10);
  const qr = new QueueRunner(p.queue, [p.enqueue]);
  const other = fakePipeline([], 1).session;
  const coord = new Coordinator();
  const first = qr.createThreads(p.session, { coord });
  assert.is(first.length, 2);
  assert.ok(first.every((t) => !t.isAlive()), 'start defaults to false');
  assert.equal(qr.createThreads(p.session, { coord }), []);
  assert.is(qr.createThreads(other).length, 1, 'another session gets its own threads');
  for (const t of first) t.start();
  await within(2000, first[0]!.join());
  assert.is(p.js.items.length, 5);
  const again = qr.createThreads(p.session, { coord, start: true });
  assert.is(again.length, 2);
  coord.requestStop();
  await within(2000, coord.join());
});

test('custom queueClosedExceptionTypes: CancelledError ends threads and closes the queue', async () => {
  const p = fakePipeline(range(10), 100);
  let n = 0;
  p.produce = () => {
    if (n >= 10) throw new CancelledError('upstream queue is closed.');
    return n++;
  };
  const qr = new QueueRunner(p.queue, [p.enqueue, p.enqueue], { queueClosedExceptionTypes: [OutOfRangeError, CancelledError] });
  const coord = new Coordinator();
  const threads = qr.createThreads(p.session, { coord, start: true });
  const got = await within(3000, drain(p));
  assert.is(got.length, 10);
  assert.is(p.js.closeCalls, 1);
  coord.requestStop();
  await within(2000, coord.join(threads));
});

test('explicit closeOp and cancelOp are the ones run', async () => {
  const p = fakePipeline(range(3), 10);
  const closeOp = p.queue.close();
  const cancelOp = p.queue.close({ cancelPendingEnqueues: true });
  const ran: unknown[] = [];
  const run = p.session.run.bind(p.session);
  p.session.run = (op: unknown) => { ran.push(op); return run(op); };
  const qr = new QueueRunner(p.queue, [p.enqueue], { closeOp, cancelOp });
  assert.is(qr.closeOp, closeOp);
  assert.is(qr.cancelOp, cancelOp);
  const coord = new Coordinator();
  qr.createThreads(p.session, { coord, start: true });
  await within(2000, drain(p));
  coord.requestStop();
  await within(2000, coord.join());
  assert.ok(ran.includes(closeOp) && ran.includes(cancelOp));
});

test('validation: queue and ops required; exception types must be OpError classes', () => {
  const p = fakePipeline([], 1);
  const isArg = (re: RegExp) => (e: unknown): boolean => e instanceof InvalidArgumentError && re.test((e as Error).message);
  assert.throws(() => new QueueRunner(p.queue, []), isArg(/^Must provide queue and enqueue_ops\.$/));
  assert.throws(() => new QueueRunner(null as never, [p.enqueue]), isArg(/Must provide queue and enqueue_ops/));
  assert.throws(() => new QueueRunner(p.queue, [p.enqueue], { queueClosedExceptionTypes: [] }),
    isArg(/queueClosedExceptionTypes, when provided, must be a non-empty array of tf.errors types, but saw: \[\]/));
  assert.throws(() => new QueueRunner(p.queue, [p.enqueue], { queueClosedExceptionTypes: [Error] }),
    isArg(/must be a non-empty array of tf.errors types, but saw: \[Error\]/));
  assert.throws(() => p && new QueueRunner(p.queue, [p.enqueue]).createThreads({} as never), isArg(/sess must be a `tf.Session` object/));
  const qr = new QueueRunner(p.queue, [p.enqueue], { queueClosedExceptionTypes: [OutOfRangeError, CancelledError] });
  assert.equal(qr.toProto().queueClosedExceptionTypes, [11, 1]);
  assert.is(qr.toProto().queueName, 'q');
  assert.equal(qr.toProto().enqueueOpName, ['q_enqueue']);
});

test('toProto/fromProto round-trip op names and exception types', async () => {
  const p = fakePipeline(range(4), 10);
  const qr = new QueueRunner(p.queue, [p.enqueue, p.enqueue], { queueClosedExceptionTypes: [OutOfRangeError, CancelledError] });
  const def = qr.toProto();
  const back = QueueRunner.fromProto(def, p.graph);
  assert.is(back.name, 'q');
  assert.equal(back.enqueueOps, [p.enqueue, p.enqueue]);
  assert.is(back.closeOp, qr.closeOp);
  assert.is(back.cancelOp, qr.cancelOp);
  assert.equal(back.queueClosedExceptionTypes, [OutOfRangeError, CancelledError]);
  assert.equal(back.toProto(), def);
  const plain = QueueRunner.fromProto({ ...def, queueClosedExceptionTypes: [] }, p.graph);
  assert.equal(plain.queueClosedExceptionTypes, [OutOfRangeError]);
  const coord = new Coordinator();
  back.createThreads(p.session, { coord, start: true });
  assert.equal((await within(2000, drain(p))).sort(), [0, 1, 2, 3]);
  coord.requestStop();
  await within(2000, coord.join());
});

test('addQueueRunner + startQueueRunners: the collection of the session graph, threads returned synchronously', async () => {
  const p = fakePipeline(range(12), 4);
  const coord = new Coordinator();
  const qr = p.graph.asDefault(() => {
    const r = new QueueRunner(p.queue, [p.enqueue, p.enqueue]);
    addQueueRunner(r);
    return r;
  });
  assert.equal(p.graph.getCollection(GraphKeys.QUEUE_RUNNERS), [qr]);
  const threads = startQueueRunners(p.session, coord);
  assert.is(threads.length, 3);
  assert.ok(threads.every((t) => t.isAlive()));
  assert.equal((await within(2000, drain(p))).sort((a, b) => a - b), range(12));
  coord.requestStop();
  await within(2000, coord.join(threads));
  assert.equal(startQueueRunners(p.session, { coord, start: false }).length, 3);
  assert.throws(() => startQueueRunners(undefined as never), (e: unknown) => e instanceof InvalidArgumentError);
  assert.throws(() => startQueueRunners({} as never), /sess must be a `tf.Session` object/);
});

test('runners never started: a blocked dequeue warns once naming the queue', async () => {
  const p = fakePipeline(range(3), 4, 'input_queue');
  const qr = new QueueRunner(p.queue, [p.enqueue]);
  assert.equal(runnersNotStarted(p.session, p.graph, 'input_queue'), ['input_queue']);
  assert.equal(blockedQueuesWithUnstartedRunners(p.session, [p.dequeue]), ['input_queue']);
  assert.equal(blockedQueuesWithUnstartedRunners(p.session, [p.enqueue]), [], 'an enqueue is not a consumer');
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => { warnings.push(w); };
  process.on('warning', onWarning);
  try {
    for (let i = 0; i < 2; i++) {
      const done = watchForUnstartedRunners(p.session, [p.dequeue], 20);
      await sleep(60);
      done();
    }
    assert.is(warnings.length, 1);
    assert.is(warnings[0]!.name, 'QueueRunnerWarning');
    assert.match(warnings[0]!.message, /queue 'input_queue'/);
    assert.match(warnings[0]!.message, /never started/);
    // A run that settles in time arms nothing.
    const other = fakePipeline([], 1).session;
    watchForUnstartedRunners(other, [p.dequeue], 50)();
    await sleep(70);
    assert.is(warnings.length, 1);
    // Once started, nothing to warn about.
    const coord = new Coordinator();
    qr.createThreads(other, { coord, start: true });
    assert.equal(runnersNotStarted(other, p.graph, 'input_queue'), []);
    assert.equal(blockedQueuesWithUnstartedRunners(other, [p.dequeue]), []);
    coord.requestStop();
    await within(2000, coord.join());
  } finally {
    process.off('warning', onWarning);
  }
});

// ---- TensorFlow's queue_runner_test.py on an embedded session ---------------------------------

type Sess = InstanceType<typeof tf.Session>;

/** Runs `body` with a fresh graph as default and a session on it, closed afterwards. */
async function inSession(body: (sess: Sess, graph: tf.Graph) => Promise<void>): Promise<void> {
  const graph = new tf.Graph();
  await graph.asDefault(async () => {
    const sess = new tf.Session();
    try {
      await body(sess, graph);
    } finally {
      await sess.close();
    }
  });
}

/** Silences the runner's console.error logging (expected in these tests) while `fn` runs. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const errLog = console.error;
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.error = errLog;
  }
}

const int64Zero = (): tf.SymbolicTensor => tf.constant(0n, { dtype: 'int64' });
const valueOf = async (sess: Sess, v: tf.Variable): Promise<number> => Number((await sess.run(v.value()) as tf.Tensor).toArray());
const sortedNames = (threads: { name: string }[]): string[] => threads.map((t) => t.name).sort();
const notInGraph = (e: unknown): boolean => /Operation not in the graph/.test(String((e as Error)?.message));

/** TF's fixture: an int64 variable counting up to `limit` and a float32 queue, initialised in `sess`. */
async function countingFixture(sess: Sess, limit: number): Promise<{ v: tf.Variable; countUpTo: tf.SymbolicTensor; queue: tf.FIFOQueue }> {
  const v = new tf.Variable(int64Zero());
  const countUpTo = v.countUpTo(limit);
  const queue = new tf.FIFOQueue({ capacity: 10, dtypes: tf.float32 });
  await sess.run(tf.globalVariablesInitializer());
  return { v, countUpTo, queue };
}

test('TF testBasic: a tensor enqueue op keeps ":0" in its thread name; the thread runs until OutOfRange', () =>
  inSession(async (sess) => {
    const { v, countUpTo, queue } = await countingFixture(sess, 3);
    const qr = new QueueRunner(queue, [countUpTo]);
    const threads = qr.createThreads(sess);
    assert.equal(sortedNames(threads), ['QueueRunnerThread-fifo_queue-CountUpTo:0']);
    for (const t of threads) t.start();
    await within(5000, Promise.all(threads.map((t) => t.join())));
    assert.is(qr.exceptionsRaised.length, 0);
    assert.is(await valueOf(sess, v), 3);
  }));

test('TF testTwoOps: one thread per tensor enqueue op, each named with its tensor name', () =>
  inSession(async (sess) => {
    const v0 = new tf.Variable(int64Zero());
    const countUpTo3 = v0.countUpTo(3);
    const v1 = new tf.Variable(int64Zero());
    const countUpTo30 = v1.countUpTo(30);
    const queue = new tf.FIFOQueue({ capacity: 10, dtypes: tf.float32 });
    const qr = new QueueRunner(queue, [countUpTo3, countUpTo30]);
    const threads = qr.createThreads(sess);
    assert.equal(sortedNames(threads), ['QueueRunnerThread-fifo_queue-CountUpTo:0', 'QueueRunnerThread-fifo_queue-CountUpTo_1:0']);
    await sess.run(tf.globalVariablesInitializer());
    for (const t of threads) t.start();
    await within(5000, Promise.all(threads.map((t) => t.join())));
    assert.is(qr.exceptionsRaised.length, 0);
    assert.is(await valueOf(sess, v0), 3);
    assert.is(await valueOf(sess, v1), 30);
  }));

test('TF testExceptionsCaptured: name-only enqueue ops are accepted and fail in their threads with "Operation not in the graph"', () =>
  inSession(async (sess) => {
    const queue = new tf.FIFOQueue({ capacity: 10, dtypes: tf.float32 });
    const qr = new QueueRunner(queue, [{ name: 'i fail' }, { name: 'so fail' }]);
    const threads = qr.createThreads(sess);
    assert.equal(sortedNames(threads), ['QueueRunnerThread-fifo_queue-i fail', 'QueueRunnerThread-fifo_queue-so fail']);
    await sess.run(tf.globalVariablesInitializer());
    await quietly(async () => {
      for (const t of threads) t.start();
      await within(5000, Promise.all(threads.map((t) => t.join())));
    });
    const exceptions = qr.exceptionsRaised;
    assert.is(exceptions.length, 2);
    assert.ok(notInGraph(exceptions[0]), String(exceptions[0]));
    assert.ok(notInGraph(exceptions[1]), String(exceptions[1]));
    assert.ok(exceptions.every((e) => e instanceof InvalidArgumentError));
  }));

test('TF testRespectCoordShouldStop: a stopped coordinator ends the threads before any run', () =>
  inSession(async (sess) => {
    const { v, countUpTo, queue } = await countingFixture(sess, 3);
    const qr = new QueueRunner(queue, [countUpTo]);
    const coord = new Coordinator();
    coord.requestStop();
    const threads = qr.createThreads(sess, { coord });
    assert.equal(sortedNames(threads), ['QueueRunnerThread-fifo_queue-CountUpTo:0', 'QueueRunnerThread-fifo_queue-close_on_stop']);
    for (const t of threads) t.start();
    await within(5000, coord.join());
    assert.is(qr.exceptionsRaised.length, 0);
    assert.is(await valueOf(sess, v), 0);
  }));

test('TF testRequestStopOnException: a name-only op\'s failure reaches the coordinator; join re-raises it', () =>
  inSession(async (sess) => {
    const queue = new tf.FIFOQueue({ capacity: 10, dtypes: tf.float32 });
    const qr = new QueueRunner(queue, [{ name: 'not an op' }]);
    const coord = new Coordinator();
    const threads = qr.createThreads(sess, { coord });
    for (const t of threads) t.start();
    const err = await rejection(within(5000, coord.join()));
    assert.ok(err instanceof InvalidArgumentError, String(err));
    assert.match((err as Error).message, /Operation not in the graph/);
  }));

test('TF testThreads: one good and one name-only op; exceptionsRaised is reset by the next createThreads', () =>
  inSession(async (sess) => {
    const { v, countUpTo, queue } = await countingFixture(sess, 3);
    const qr = new QueueRunner(queue, [countUpTo, { name: 'bad_op' }]);
    await quietly(async () => {
      let threads = qr.createThreads(sess, { start: true });
      assert.equal(sortedNames(threads), ['QueueRunnerThread-fifo_queue-CountUpTo:0', 'QueueRunnerThread-fifo_queue-bad_op']);
      await within(5000, Promise.all(threads.map((t) => t.join())));
      assert.is(qr.exceptionsRaised.length, 1);
      assert.ok(notInGraph(qr.exceptionsRaised[0]), String(qr.exceptionsRaised[0]));

      threads = qr.createThreads(sess, { start: true });
      assert.is(threads.length, 2, 'all threads had ended, so new ones are made');
      await within(5000, Promise.all(threads.map((t) => t.join())));
      assert.is(qr.exceptionsRaised.length, 1);
      assert.ok(notInGraph(qr.exceptionsRaised[0]), String(qr.exceptionsRaised[0]));
    });
  }));

test('plain string enqueue ops: run by name (a real op) or fail in the thread (an unknown name)', () =>
  inSession(async (sess, graph) => {
    const { v, countUpTo, queue } = await countingFixture(sess, 2);
    const qr = new QueueRunner(queue, [countUpTo.name, 'nope']);
    assert.equal(qr.toProto().enqueueOpName, ['CountUpTo:0', 'nope']);
    // A runner of name-only ops belongs to its queue's graph (the "never started" registry).
    assert.equal(runnersNotStarted(sess, graph, 'fifo_queue'), ['fifo_queue']);
    await quietly(async () => {
      const threads = qr.createThreads(sess, { start: true });
      assert.equal(sortedNames(threads), ['QueueRunnerThread-fifo_queue-CountUpTo:0', 'QueueRunnerThread-fifo_queue-nope']);
      await within(5000, Promise.all(threads.map((t) => t.join())));
    });
    assert.is(await valueOf(sess, v), 2);
    assert.is(qr.exceptionsRaised.length, 1);
    assert.ok(notInGraph(qr.exceptionsRaised[0]), String(qr.exceptionsRaised[0]));
    assert.equal(runnersNotStarted(sess, graph, 'fifo_queue'), []);
  }));

test('toProto/fromProto keep tensor enqueue op names ("CountUpTo:0") and restore the tensors', () =>
  inSession(async (sess, graph) => {
    const v = new tf.Variable(int64Zero());
    const countUpTo = v.countUpTo(3);
    const noop = tf.noOp({ name: 'enqueue' });
    const queue = new tf.FIFOQueue({ capacity: 10, dtypes: tf.float32, name: 'queue' });
    const qr = new QueueRunner(queue, [countUpTo, noop]);
    const def = qr.toProto();
    assert.equal(def.enqueueOpName, ['CountUpTo:0', 'enqueue']);
    assert.is(def.queueName, 'queue');
    const back = QueueRunner.fromProto(def, graph);
    assert.is(back.enqueueOps[0], countUpTo);
    assert.is(back.enqueueOps[1], noop);
    assert.is(back.closeOp, qr.closeOp);
    assert.is(back.cancelOp, qr.cancelOp);
    assert.equal(back.toProto(), def);
    assert.throws(() => QueueRunner.fromProto({ ...def, enqueueOpName: ['i fail'] }, graph), /Operation not in the graph/);
    // The restored runner runs the tensor's op (the no-op's thread loops until the stop).
    await sess.run(tf.globalVariablesInitializer());
    const coord = new Coordinator();
    const threads = back.createThreads(sess, { coord, start: true });
    assert.equal(sortedNames(threads),
      ['QueueRunnerThread-queue-CountUpTo:0', 'QueueRunnerThread-queue-close_on_stop', 'QueueRunnerThread-queue-enqueue']);
    await within(5000, threads[0]!.join());
    assert.is(await valueOf(sess, v), 3);
    coord.requestStop();
    await within(5000, coord.join());
    assert.is(back.exceptionsRaised.length, 0);
  }));

test.run();
