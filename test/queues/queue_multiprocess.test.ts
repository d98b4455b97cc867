/**
 * The book's shared queue across client processes: a ps and a worker started with
 * `node actors/node.js`; a loader process enqueues into "shared_q", a trainer process dequeues.
 * Also: a dequeuing client killed mid-step loses nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterSpecOnFreePorts, runClient, startNode, stopNode, type NodeProc } from '../helpers/processes.js';
import { spawn } from 'node:child_process';
import { ROOT } from '../helpers/processes.js';

let cluster: Record<string, string[]>;
let nodes: NodeProc[] = [];
const target = (job: string): string => `ws://${cluster[job]![0]}`;

test.before(async () => {
  cluster = await clusterSpecOnFreePorts({ ps: 1, worker: 1 });
  nodes = await Promise.all([startNode(cluster, 'ps', 0), startNode(cluster, 'worker', 0)]);
});

test.after(async () => {
  await Promise.all(nodes.map((n) => stopNode(n)));
});

const QUEUE = `
import * as tf from 'actorflow';
const q = new tf.FIFOQueue({ capacity: 10, dtypes: [tf.float32], shapes: [[2]], name: 'q', sharedName: process.argv[2] });
const sess = new tf.Session(process.argv[1]);
`;

test('training_data_loader.py / trainer.py: the trainer process dequeues what the loader process enqueued', async () => {
  const loader = await runClient(`${QUEUE}
const x = tf.placeholder(tf.float32, [2]);
const enqueue = q.enqueue([x]);
await sess.run(enqueue, [[x, [1, 2]]]);
await sess.run(enqueue, [[x, [3, 4]]]);
await sess.run(enqueue, [[x, [5, 6]]]);
const xs = tf.placeholder(tf.float32, [null, 2]);
await sess.run(q.enqueueMany([xs]), [[xs, [[7, 8], [9, 10], [11, 12]]]]);
await sess.close();
console.log('ok');`, [target('worker'), 'shared_q'], 20000);
  assert.is(loader.code, 0, loader.stderr);
  const trainer = await runClient(`${QUEUE}
const dequeue = q.dequeue();
for (let i = 0; i < 3; i++) console.log(JSON.stringify((await sess.run(dequeue)).toArray()));
console.log(JSON.stringify((await sess.run(q.dequeueMany(2))).toArray()));
try { await sess.run(q.dequeueMany(2), undefined, { timeoutMs: 300 }); } catch (e) { console.log(e.name); }
console.log(JSON.stringify((await sess.run(dequeue)).toArray()));
await sess.close();`, [target('ps'), 'shared_q'], 20000);
  assert.is(trainer.code, 0, trainer.stderr);
  assert.equal(trainer.stdout.trim().split('\n'), ['[1,2]', '[3,4]', '[5,6]', '[[7,8],[9,10]]', 'DeadlineExceededError', '[11,12]']);
});

test('a dequeuing client killed mid-step loses nothing: the next consumer gets the element', async () => {
  // A consumer blocks on an empty shared queue, then its process is killed.
  const child = spawn(process.execPath, ['--input-type=module', '-e', `${QUEUE}
console.log('waiting');
await sess.run(q.dequeue());
console.log('got it (should not happen)');`, '--', target('worker'), 'kill_q'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('consumer did not start')), 15000);
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('waiting')) { clearTimeout(t); resolve(); } });
  });
  await new Promise((r) => setTimeout(r, 500)); // let its dequeue park on ps
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const r = await runClient(`${QUEUE}
const x = tf.placeholder(tf.float32, [2]);
await sess.run(q.enqueue([x]), [[x, [42, 43]]]);
// Whether the dead client's attempt was cancelled at once or took the element and its step was
// undone, the element is back within a bounded time.
let got = null;
for (let i = 0; i < 40 && got === null; i++) {
  try { got = (await sess.run(q.dequeue(), undefined, { timeoutMs: 250 })).toArray(); } catch (e) { if (e.name !== 'DeadlineExceededError') throw e; }
}

console.log(JSON.stringify(got));
console.log((await sess.run(q.size())).toArray());
await sess.close();`, [target('ps'), 'kill_q'], 30000);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n'), ['[42,43]', '0']);
});

test.run();
