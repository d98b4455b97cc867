/**
 * QueueRunner logic (TF-SEMANTICS 1.7) against a fake session and queue: the stream loops,
 * close-on-last-OutOfRange, error routing, cancel on stop, createThreads bookkeeping, the
 * QUEUE_RUNNERS collection and the "runners never started" warning.
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

test.run();
