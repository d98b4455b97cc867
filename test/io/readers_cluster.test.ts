/**
 * Readers on a worker started with `node actors/node.js`: the worker reads the files itself, pulls
 * file names from a filename queue on the ps task, and several readers sharing that queue hand
 * out every line exactly once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../lib/index.js';
import { clusterSpecOnFreePorts, startNode, stopNode, withTimeout, type NodeProc } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'af-readers-cluster-'));
const BOUND = { timeoutMs: 15_000 };
let cluster: Record<string, string[]>;
let nodes: NodeProc[] = [];

test.before(async () => {
  cluster = await clusterSpecOnFreePorts({ ps: 1, worker: 1 });
  nodes = await Promise.all([startNode(cluster, 'ps', 0), startNode(cluster, 'worker', 0)]);
});

test.after(async () => {
  await Promise.all(nodes.map((n) => stopNode(n)));
  await tf.closeClientTransport?.();
  rmSync(dir, { recursive: true, force: true });
});

test.before.each(() => { tf.resetDefaultGraph(); });

async function drain(sess: tf.Session, fetch: tf.SymbolicTensor): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    try {
      out.push(...((await sess.run(fetch, undefined, BOUND)) as tf.Tensor).toArray() as string[]);
    } catch (e) {
      if (e instanceof tf.errors.OutOfRangeError) return out;
      throw e;
    }
  }
}

test('three readers on the worker, filename queue on ps: every row of every file arrives exactly once', async () => {
  const files: string[] = [];
  const expected: string[] = [];
  for (let f = 0; f < 6; f++) {
    const rows = Array.from({ length: 40 }, (_, i) => `${f},${i},${f * 1000 + i}`);
    expected.push(...rows);
    const p = join(dir, `part_${f}.csv`);
    writeFileSync(p, `file,row,id\n${rows.join('\n')}\n`);
    files.push(p);
  }
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['string'], shapes: [[]], name: 'filename_queue' });
  const enqueueAll = q.enqueueMany([files]);
  const close = q.close();
  const readers = tf.device('/job:worker/task:0', () => [0, 1, 2].map(() => new tf.TextLineReader({ skipHeaderLines: 1 })));
  const fetches = readers.map((r) => r.readUpTo(q, 7)[1]);
  const counts = readers.map((r) => r.numRecordsProduced());
  assert.is(q.queueRef.op.device, '');
  await using sess = new tf.Session(`ws://${cluster['worker']![0]}`);
  const md: tf.RunMetadata = {};
  await sess.run(enqueueAll, undefined, { ...BOUND, runMetadata: md });
  await sess.run(close, undefined, BOUND);
  const got = (await withTimeout(Promise.all(fetches.map((v) => drain(sess, v))), 30_000, 'readers')).flat();
  assert.is(got.length, expected.length);
  assert.equal([...got].sort(), [...expected].sort());
  assert.is(md.placement?.[q.queueRef.op.name], '/job:ps/replica:0/task:0/device:CPU:0');
  const md2: tf.RunMetadata = {};
  const n = (await sess.run(counts, undefined, { ...BOUND, runMetadata: md2 })) as tf.Tensor[];
  assert.is(n.reduce((a, t) => a + Number(t.toArray()), 0), expected.length);
  assert.is(md2.placement?.[readers[0]!.readerRef.op.name], '/job:worker/replica:0/task:0/device:CPU:0');
  assert.is(md2.placement?.[counts[0]!.op.name], '/job:worker/replica:0/task:0/device:CPU:0');
});

test('a missing file on the worker is NotFoundError naming the file and the worker', async () => {
  const missing = join(dir, 'absent.csv');
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['string'], shapes: [[]] });
  const enqueue = q.enqueue([missing]);
  const value = tf.device('/job:worker/task:0', () => new tf.TextLineReader().read(q)[1]);
  await using sess = new tf.Session(`ws://${cluster['ps']![0]}`);
  await sess.run(enqueue, undefined, BOUND);
  try {
    await sess.run(value, undefined, BOUND);
    assert.unreachable('the read should fail');
  } catch (e) {
    assert.instance(e, tf.errors.NotFoundError, String(e));
    const m = (e as Error).message;
    assert.ok(m.includes(missing) && m.includes('/job:worker/replica:0/task:0'), m);
  }
});

test('TFRecord (GZIP) and decodeCsv run on the worker; only parsed values come back', async () => {
  const path = join(dir, 'rows.tfrecord.gz');
  const w = new tf.io.TFRecordWriter(path, { compressionType: 'GZIP' });
  for (let i = 0; i < 50; i++) w.write(`${i},${i * 0.5}`);
  await w.close();
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['string'], shapes: [[]] });
  const enqueue = q.enqueue([path]);
  const closeQ = q.close();
  const [ids, halves] = tf.device('/job:worker/task:0', () => {
    const reader = new tf.TFRecordReader({ compressionType: 'GZIP' });
    const [, values] = reader.readUpTo(q, 100);
    return tf.decodeCsv(values, { recordDefaults: [{ dtype: 'int32', value: 0 }, [0]] });
  });
  await using sess = new tf.Session(`ws://${cluster['worker']![0]}`);
  await sess.run(enqueue, undefined, BOUND);
  await sess.run(closeQ, undefined, BOUND);
  const [a, b] = (await sess.run([ids, halves], undefined, BOUND)) as tf.Tensor[];
  assert.equal(a!.toArray(), Array.from({ length: 50 }, (_, i) => i));
  assert.equal(b!.toArray(), Array.from({ length: 50 }, (_, i) => i * 0.5));
});

test.run();
