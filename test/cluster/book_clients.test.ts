/**
 * The book's multi-client examples as real client processes against real node processes:
 * simple_client.py (a variable shared through the cluster), the shared queue between a loader
 * and a trainer, and containers with Session.reset.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { rejects } from '../helpers/rejects.js';
import { clusterSpecOnFreePorts, runClient, runScript, startNode, stopNode, type NodeProc } from '../helpers/processes.js';

let cluster: Record<string, string[]>;
let nodes: NodeProc[] = [];
const target = (job: string, i: number): string => `ws://${cluster[job]![i]}`;

test.before(async () => {
  cluster = await clusterSpecOnFreePorts({ ps: 1, worker: 2 });
  nodes = await Promise.all([startNode(cluster, 'ps', 0), startNode(cluster, 'worker', 0), startNode(cluster, 'worker', 1)]);
});

test.after(async () => {
  await Promise.all(nodes.map((n) => stopNode(n)));
  await tf.closeClientTransport();
});

test.before.each(() => { tf.resetDefaultGraph(); });

test('simple_client: init through worker 0 prints 1, then through worker 1 prints 2', async () => {
  const first = await runScript('examples/simple_client.js', [target('worker', 0), 'init']);
  assert.is(first.stderr.trim(), '', first.stderr);
  assert.is(first.stdout.trim(), '1');
  const second = await runScript('examples/simple_client.js', [target('worker', 1)]);
  assert.is(second.stdout.trim(), '2');
});

const queueDef = `
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['float32'], shapes: [[2]], name: 'q', sharedName: 'shared_q' });
`;

test('a queue shared by two client processes: the loader enqueues, the trainer dequeues in order', async () => {
  const loader = await runClient(`
    import * as tf from 'actorflow';
    ${queueDef}
    const x = tf.placeholder('float32', [2]);
    const enqueue = q.enqueue([x]);
    const xs = tf.placeholder('float32', [null, 2]);
    const enqueueMany = q.enqueueMany([xs]);
    const sess = new tf.Session(process.argv[1]);
    await sess.run(enqueue, [[x, [1, 2]]]);
    await sess.run(enqueueMany, [[xs, [[3, 4], [5, 6]]]]);
    console.log('loaded');
    await sess.close();
  `, [target('worker', 0)]);
  assert.is(loader.stdout.trim(), 'loaded', loader.stderr);
  const trainer = await runClient(`
    import * as tf from 'actorflow';
    ${queueDef}
    const dequeue = q.dequeue();
    const batch = q.dequeueMany(2);
    const sess = new tf.Session(process.argv[1]);
    console.log(JSON.stringify((await sess.run(dequeue)).toArray()));
    console.log(JSON.stringify((await sess.run(batch)).toArray()));
    try {
      await sess.run(dequeue, undefined, { timeoutMs: 300 });
    } catch (e) {
      console.log(e.name);
    }
    await sess.close();
  `, [target('worker', 1)]);
  assert.equal(trainer.stdout.trim().split('\n'), ['[1,2]', '[[3,4],[5,6]]', 'DeadlineExceededError'], trainer.stderr);
});

test('containers: reset frees one container, keeps the other, and aborts the sessions on that master', async () => {
  const x0 = new tf.Variable(1.0, { name: 'x' });
  const x1 = tf.container('my_problem_1', () => new tf.Variable(10.0, { name: 'x' }));
  const sessA = new tf.Session(target('worker', 0));
  await sessA.run([x0.initializer, x1.initializer]);
  await sessA.run([tf.assignAdd(x0, 1), tf.assignAdd(x1, 1)]);
  const sessB = new tf.Session(target('worker', 1));
  assert.equal((await sessB.run([x0, x1])).map((t: tf.Tensor) => t.toArray()), [2, 11]);
  await tf.Session.reset(target('worker', 0), ['my_problem_1']);
  await rejects(() => sessA.run(x0), (e) => e instanceof tf.errors.AbortedError);
  assert.is((await sessB.run(x0)).toArray(), 2);
  await rejects(() => sessB.run(x1), (e) => e instanceof tf.errors.FailedPreconditionError && /x/.test(e.message));
  await sessA.close();
  await sessB.close();
});

test('Session.reset on an unreachable target fails within its timeout', async () => {
  const started = Date.now();
  await rejects(() => tf.Session.reset('ws://127.0.0.1:1', null, { timeoutMs: 2000 }),
    (e) => e instanceof tf.errors.UnavailableError || e instanceof tf.errors.DeadlineExceededError);
  assert.ok(Date.now() - started < 8000);
  await rejects(() => tf.Session.reset('nonexistent'), (e) => e instanceof tf.errors.NotFoundError);
});

test("config.operationTimeoutMs bounds reaching the master: reset and run on an unreachable target fail with DeadlineExceededError (server_lib_test.testResetFails)", async () => {
  let started = Date.now();
  await rejects(() => tf.Session.reset('grpc://localhost:0', ['test0'], { config: { operationTimeoutMs: 5 } }),
    (e) => e instanceof tf.errors.DeadlineExceededError);
  assert.ok(Date.now() - started < 2000, 'within the deadline, not the transport\'s 5 s');
  const sess = new tf.Session('ws://127.0.0.1:1', { config: { operationTimeoutMs: 200 } });
  started = Date.now();
  await rejects(() => sess.run(tf.constant(1)), (e) => e instanceof tf.errors.DeadlineExceededError);
  assert.ok(Date.now() - started < 2000);
  started = Date.now();
  await rejects(() => sess.run(tf.constant(1), undefined, { timeoutMs: 100 }), (e) => e instanceof tf.errors.DeadlineExceededError);
  assert.ok(Date.now() - started < 2000);
  await sess.close();
});

test.run();
