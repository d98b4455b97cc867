/**
 * `npm run demo`: the book chapter's examples on an embedded cluster (no servers at all), printing
 * what the book prints. Each section is one example of ../shared/seed/distributing-tensorflow.txt.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from 'actorflow';

const show = (t: tf.Tensor): string => JSON.stringify(t.toArray());

async function openingASession(): Promise<void> {
  tf.resetDefaultGraph();
  const a = tf.constant(3.0);
  const b = tf.add(a, 2);
  const c = tf.mul(a, 3);
  const sess = new tf.Session();
  console.log('c =', show(await c.eval(sess)), ' b =', show(await b.eval(sess)));
  await sess.close();
}

function shardingVariables(): void {
  tf.resetDefaultGraph();
  tf.device(tf.train.replicaDeviceSetter({ psTasks: 2 }), () => {
    const vs = [1, 2, 3, 4, 5].map((i) => new tf.Variable(i, { name: `v${i}` }));
    for (const v of vs) console.log(`${v.op.name} pinned to ${v.device}`);
    const s = tf.add(vs[0]!, vs[1]!);
    console.log(`s pinned to ${s.device}`);
    tf.device('/gpu:1', () => {
      const p1 = tf.mul(2, s);
      console.log(`p1 pinned to ${p1.device}`);
      tf.device('/task:1', () => {
        const p2 = tf.mul(3, s);
        console.log(`p2 pinned to ${p2.device}`);
      });
    });
  });
}

async function queues(): Promise<void> {
  tf.resetDefaultGraph();
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['float32'], shapes: [[2]], name: 'q', sharedName: 'shared_q' });
  const instance = tf.placeholder('float32', [2]);
  const enqueue = q.enqueue([instance]);
  const dequeue = q.dequeue();
  const miniBatch = q.dequeueMany(2);
  const sess = new tf.Session();
  for (const x of [[1, 2], [3, 4], [5, 6]]) await sess.run(enqueue, [[instance, x]]);
  console.log('dequeue:', show(await sess.run(dequeue)));
  console.log('dequeueMany(2):', show(await sess.run(miniBatch)));
  try {
    await sess.run(miniBatch, undefined, { timeoutMs: 200 });
  } catch (e) {
    console.log('dequeueMany(2) on an empty queue: blocked waiting for another instance ->', (e as Error).name);
  }

  const pq = new tf.PaddingFIFOQueue({ capacity: 50, dtypes: ['float32'], shapes: [[null, null]], name: 'pq', sharedName: 'shared_pq' });
  const v = tf.placeholder('float32', [null, null]);
  const penq = pq.enqueue([v]);
  for (const m of [[[1, 2], [3, 4], [5, 6]], [[1]], [[7, 8, 9, 5], [6, 7, 8, 9]]]) await sess.run(penq, [[v, m]]);
  const padded = await sess.run(pq.dequeueMany(3));
  console.log('PaddingFIFOQueue dequeueMany(3): shape', JSON.stringify(padded.shape), show(padded));
  await sess.close();
}

async function readingCsv(): Promise<void> {
  tf.resetDefaultGraph();
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-demo-'));
  const file = join(dir, 'my_test.csv');
  writeFileSync(file, 'x1,  x2,  target\n1. , 2. , 0\n4. , 5  , 1\n7. ,    , 0\n');
  const reader = new tf.TextLineReader({ skipHeaderLines: 1 });
  const filenameQueue = new tf.FIFOQueue({ capacity: 10, dtypes: ['string'], shapes: [[]] });
  const filename = tf.placeholder('string');
  const enqueueFilename = filenameQueue.enqueue([filename]);
  const closeFilenameQueue = filenameQueue.close();
  const [, value] = reader.read(filenameQueue);
  const [x1, x2, target] = tf.decodeCsv(value, {
    recordDefaults: [tf.constant([-1.0]), tf.constant([-1.0]), tf.constant([-1], { dtype: 'int32' })],
  });
  const features = tf.stack([x1!, x2!]);
  const sess = new tf.Session();
  await sess.run(enqueueFilename, [[filename, file]]);
  await sess.run(closeFilenameQueue);
  try {
    for (;;) {
      const [f, t] = await sess.run([features, target!]);
      console.log('instance:', show(f), show(t));
    }
  } catch (e) {
    if (!(e instanceof tf.errors.OutOfRangeError)) throw e;
    console.log('no more records: OutOfRangeError');
  }
  await sess.close();
}

await openingASession();
shardingVariables();
await queues();
await readingCsv();
