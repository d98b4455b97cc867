/**
 * The book's simple_client.py as real client processes against real node processes (a ps and two
 * workers), and concurrent assignAdd from 4 client processes ending exact.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { clusterSpecOnFreePorts, runClient, startNode, stopNode, withTimeout, type NodeProc } from '../helpers/processes.js';

let cluster: Record<string, string[]>;
let nodes: NodeProc[] = [];
const target = (job: string, i: number): string => `grpc://${cluster[job]![i]}`;

test.before(async () => {
  cluster = await clusterSpecOnFreePorts({ ps: 1, worker: 2 });
  nodes = await Promise.all([startNode(cluster, 'ps', 0), startNode(cluster, 'worker', 0), startNode(cluster, 'worker', 1)]);
});

test.after(async () => {
  await tf.closeClientTransport();
  await Promise.all(nodes.map((n) => stopNode(n)));
});

/** simple_client.py, line for line. */
const SIMPLE_CLIENT = `
import * as tf from 'actorflow';
const [target, mode] = process.argv.slice(1);
const x = new tf.Variable(0.0, { name: 'x' });
const incrementX = tf.assign(x, tf.add(x, 1));
const sess = new tf.Session(target);
try {
  if (mode === 'init') await sess.run(x.initializer);
  await sess.run(incrementX);
  console.log((await x.eval(sess)).toArray().toFixed(1));
} finally {
  await sess.close();
}
await tf.closeClientTransport?.();
`;

test("simple_client: 'init' through worker 0 prints 1.0, again through worker 1 prints 2.0", async () => {
  const first = await runClient(SIMPLE_CLIENT, [target('worker', 0), 'init']);
  assert.is(first.stdout.trim(), '1.0', `stderr: ${first.stderr}`);
  assert.is(first.code, 0);
  const second = await runClient(SIMPLE_CLIENT, [target('worker', 1)]);
  assert.is(second.stdout.trim(), '2.0', `stderr: ${second.stderr}`);
});

const COUNTER_CLIENT = `
import * as tf from 'actorflow';
const [target, steps] = process.argv.slice(1);
const c = new tf.Variable(0, { name: 'shared_counter', dtype: 'int32' });
const inc = c.assignAdd(1, { readValue: false });
const sess = new tf.Session(target);
try {
  // Four steps in flight at a time, as four threads of one client would run them.
  let next = 0;
  const worker = async () => { while (next < Number(steps)) { next++; await sess.run(inc); } };
  await Promise.all([worker(), worker(), worker(), worker()]);
  console.log(String((await c.eval(sess)).toArray()));
} finally {
  await sess.close();
}
await tf.closeClientTransport?.();
`;

// Steps per client: the figure is 1000; the suite runs 250 to stay fast on 2 cores.
const STEPS = Number(process.env['ACTORFLOW_VARIABLE_STEPS'] ?? 1000);

test(`4 client processes x ${STEPS} assignAdd steps end at exactly ${4 * STEPS}`, async () => {
  // This process initialises and checks the counter as a fifth client, through the other worker.
  tf.resetDefaultGraph();
  const c = new tf.Variable(0, { name: 'shared_counter', dtype: 'int32' });
  const sess = new tf.Session(target('worker', 1));
  try {
    await withTimeout(sess.run(c.initializer), 10000, 'init');
    const runs = await Promise.all([0, 1, 2, 3].map((i) => runClient(COUNTER_CLIENT, [target('worker', i % 2), String(STEPS)], 120000)));
    for (const r of runs) {
      assert.is(r.code, 0, `stderr: ${r.stderr}`);
      assert.ok(Number(r.stdout.trim()) >= STEPS, `a client saw at least its own ${STEPS} updates: ${r.stdout}`);
    }
    assert.is((await withTimeout(sess.run(c), 10000, 'read')).toArray(), 4 * STEPS);
  } finally {
    await sess.close();
  }
});

test.run();
