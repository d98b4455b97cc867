/**
 * The book's CSV pipelines ("Loading Data Directly from the Graph"): a five-thread QueueRunner
 * over my_test.csv, the multi-reader version over several files, and an end-to-end
 * stringInputProducer -> TextLineReader -> decodeCsv -> shuffleBatch over 50 files.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../lib/index.js';
import { Coordinator } from '../../lib/train/coordinator.js';
import { QueueRunner, startQueueRunners } from '../../lib/train/queue_runner.js';
import { shuffleBatch, stringInputProducer } from '../../lib/train/input.js';
import { within } from './fake_session.js';
import { clusterSpecOnFreePorts, startNode, stopNode } from '../helpers/processes.js';

type Sym = tf.SymbolicTensor;
const dir = mkdtempSync(join(tmpdir(), 'actorflow-csv-'));
const BOOK_CSV = 'x1, x2, target\n1. , 2. , 0\n4. , 5  , 1\n7. ,    , 0\n';
const INT = { dtype: 'int32', value: -1 } as const;

/** Writes nFiles CSV files (header x1,x2,target, then nRows rows each); returns their paths and every row's values. */
function writeCsvFiles(prefix: string, nFiles: number, nRows: number,
  row: (file: number, r: number) => { line: string; values: number[] }): { files: string[]; expected: number[][] } {
  const files: string[] = [];
  const expected: number[][] = [];
  for (let f = 0; f < nFiles; f++) {
    const lines = ['x1,x2,target'];
    for (let r = 0; r < nRows; r++) {
      const { line, values } = row(f, r);
      lines.push(line);
      expected.push(values);
    }
    const p = join(dir, `${prefix}_${f}.csv`);
    writeFileSync(p, lines.join('\n') + '\n');
    files.push(p);
  }
  return { files, expected };
}

/** Dequeues batches until OutOfRange; returns the rows as [features..., target] lists. */
async function drainRows(sess: InstanceType<typeof tf.Session>, fetch: [Sym, Sym]): Promise<number[][]> {
  const rows: number[][] = [];
  for (;;) {
    try {
      const [f, t] = (await sess.run(fetch)) as [tf.Tensor, tf.Tensor];
      const fs = f.toArray() as number[][];
      const ts = t.toArray() as number[];
      fs.forEach((r, i) => rows.push([...r, ts[i]!]));
    } catch (e) {
      if (e instanceof tf.errors.OutOfRangeError) return rows;
      throw e;
    }
  }
}

const byValue = (a: number[], b: number[]): number => a.join() < b.join() ? -1 : a.join() > b.join() ? 1 : 0;

test("the book's five-thread QueueRunner over my_test.csv: each instance once, then OutOfRange", async () => {
  tf.resetDefaultGraph();
  const file = join(dir, 'my_test.csv');
  writeFileSync(file, BOOK_CSV);
  const reader = new tf.TextLineReader({ skipHeaderLines: 1 });
  const filenameQueue = new tf.FIFOQueue({ capacity: 10, dtypes: [tf.string], shapes: [[]] });
  const filename = tf.placeholder(tf.string);
  const enqueueFilename = filenameQueue.enqueue([filename]);
  const closeFilenameQueue = filenameQueue.close();
  const [, value] = reader.read(filenameQueue);
  const [x1, x2, target] = tf.decodeCsv(value, { recordDefaults: [[-1], [-1], INT] });
  const features = tf.stack([x1!, x2!]);
  const instanceQueue = new tf.RandomShuffleQueue({
    capacity: 10, minAfterDequeue: 2, dtypes: [tf.float32, tf.int32], shapes: [[2], []],
    name: 'instance_q', sharedName: 'shared_instance_q',
  });
  const enqueueInstance = instanceQueue.enqueue([features, target]);
  const queueRunner = new QueueRunner(instanceQueue, Array(5).fill(enqueueInstance));
  const batchOps = instanceQueue.dequeueUpTo(2) as [Sym, Sym];
  const sess = new tf.Session();
  try {
    await sess.run(enqueueFilename, [[filename, file]]);
    await sess.run(closeFilenameQueue);
    const coord = new Coordinator();
    const enqueueThreads = queueRunner.createThreads(sess, { coord, start: true });
    assert.is(enqueueThreads.length, 6);
    const rows = await within(10_000, drainRows(sess, batchOps));
    assert.equal(rows.sort(byValue), [[1, 2, 0], [4, 5, 1], [7, -1, 0]]);
    coord.requestStop();
    await within(5000, coord.join(enqueueThreads));
    assert.equal(queueRunner.exceptionsRaised, []);
  } finally {
    await sess.close();
  }
});

test("the book's multi-reader version: five readers over several files, every instance once", async () => {
  tf.resetDefaultGraph();
  const { files, expected } = writeCsvFiles('multi', 7, 15, (f, r) => {
    const x1 = f * 100 + r;
    return { line: `${x1}.,${x1 / 2},${r % 2}`, values: [x1, x1 / 2, r % 2] };
  });
  const filenameQueue = new tf.FIFOQueue({ capacity: 10, dtypes: [tf.string], shapes: [[]] });
  const filename = tf.placeholder(tf.string);
  const enqueueFilename = filenameQueue.enqueue([filename]);
  const closeFilenameQueue = filenameQueue.close();
  const instanceQueue = new tf.RandomShuffleQueue({
    capacity: 20, minAfterDequeue: 2, dtypes: [tf.float32, tf.int32], shapes: [[2], []],
  });
  const readAndPushInstance = (): tf.Operation => {
    const reader = new tf.TextLineReader({ skipHeaderLines: 1 });
    const [, value] = reader.read(filenameQueue);
    const [x1, x2, target] = tf.decodeCsv(value, { recordDefaults: [[-1], [-1], INT] });
    return instanceQueue.enqueue([tf.stack([x1!, x2!]), target]);
  };
  const ops = Array.from({ length: 5 }, readAndPushInstance);
  const queueRunner = new QueueRunner(instanceQueue, ops);
  const batchOps = instanceQueue.dequeueUpTo(4) as [Sym, Sym];
  const sess = new tf.Session();
  try {
    for (const f of files) await sess.run(enqueueFilename, [[filename, f]]);
    await sess.run(closeFilenameQueue);
    const coord = new Coordinator();
    const threads = queueRunner.createThreads(sess, { coord, start: true });
    const rows = await within(15_000, drainRows(sess, batchOps));
    assert.equal(rows.sort(byValue), expected.sort(byValue));
    coord.requestStop();
    await within(5000, coord.join(threads));
  } finally {
    await sess.close();
  }
});

test('the multi-reader version on a worker started with node actors/node.js: every instance once', async () => {
  tf.resetDefaultGraph();
  const { files, expected } = writeCsvFiles('worker', 4, 10, (f, r) => {
    const x1 = f * 100 + r;
    return { line: `${x1},${-x1},${(f + r) % 2}`, values: [x1, -x1, (f + r) % 2] };
  });
  const cluster = await clusterSpecOnFreePorts({ worker: 1 });
  const node = await startNode(cluster, 'worker', 0);
  try {
    const { filename, enqueueFilename, closeFilenameQueue, queueRunner, batchOps } = tf.device('/job:worker/task:0', () => {
      const filenameQueue = new tf.FIFOQueue({ capacity: 10, dtypes: [tf.string], shapes: [[]] });
      const fname = tf.placeholder(tf.string);
      const instanceQueue = new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: [tf.float32, tf.int32], shapes: [[2], []] });
      const ops = Array.from({ length: 5 }, () => {
        const reader = new tf.TextLineReader({ skipHeaderLines: 1 });
        const [, value] = reader.read(filenameQueue);
        const [x1, x2, target] = tf.decodeCsv(value, { recordDefaults: [[-1], [-1], INT] });
        return instanceQueue.enqueue([tf.stack([x1!, x2!]), target]);
      });
      return {
        filename: fname,
        enqueueFilename: filenameQueue.enqueue([fname]),
        closeFilenameQueue: filenameQueue.close(),
        queueRunner: new QueueRunner(instanceQueue, ops),
        batchOps: instanceQueue.dequeueUpTo(2) as [Sym, Sym],
      };
    });
    const sess = new tf.Session(`ws://${cluster['worker']![0]}`);
    try {
      for (const f of files) await sess.run(enqueueFilename, [[filename, f]]);
      await sess.run(closeFilenameQueue);
      const coord = new Coordinator();
      const threads = queueRunner.createThreads(sess, { coord, start: true });
      const placement: { placement?: Record<string, string> } = {};
      await sess.run(batchOps[0].op.inputs[0]!.op.outputs[0]!, undefined, { runMetadata: placement });
      assert.match(placement.placement?.[batchOps[0].op.inputs[0]!.op.name] ?? '', /^\/job:worker\/replica:0\/task:0\//);
      const rows = await within(15_000, drainRows(sess, batchOps));
      assert.equal(rows.sort(byValue), expected.sort(byValue));
      coord.requestStop();
      await within(5000, coord.join(threads));
    } finally {
      await sess.close();
    }
  } finally {
    await stopNode(node);
  }
});

test('end to end: stringInputProducer -> TextLineReader -> decodeCsv -> shuffleBatch over 50 files, 2 epochs', async () => {
  tf.resetDefaultGraph();
  const NUM_FILES = 50;
  const ROWS = 8;
  const files: string[] = [];
  for (let f = 0; f < NUM_FILES; f++) {
    const lines: string[] = [];
    for (let r = 0; r < ROWS; r++) {
      const id = f * ROWS + r;
      lines.push(`${id},${(id * 0.5).toFixed(1)},${f}`);
    }
    const p = join(dir, `part-${String(f).padStart(3, '0')}.csv`);
    writeFileSync(p, lines.join('\n') + '\n');
    files.push(p);
  }
  const filenames = stringInputProducer(files, { numEpochs: 2, seed: 11 });
  const reader = new tf.TextLineReader();
  const [, line] = reader.read(filenames);
  const [id, half, fileIdx] = tf.decodeCsv(line, { recordDefaults: [INT, [0], INT] });
  const features = tf.stack([tf.cast(id!, 'float32'), half!]);
  const [fb, tb] = shuffleBatch([features, fileIdx!], {
    batchSize: 16, capacity: 64, minAfterDequeue: 16, numThreads: 3, seed: 3, allowSmallerFinalBatch: true,
  }) as [Sym, Sym];
  const sess = new tf.Session();
  const coord = new Coordinator();
  try {
    await sess.run([tf.globalVariablesInitializer(), tf.localVariablesInitializer()]);
    const threads = startQueueRunners(sess, coord);
    const rows = await within(30_000, drainRows(sess, [fb, tb]));
    const counts = new Map<number, number>();
    for (const [i, h, f] of rows) {
      assert.is(h, i! * 0.5);
      assert.is(f, Math.floor(i! / ROWS));
      counts.set(i!, (counts.get(i!) ?? 0) + 1);
    }
    assert.is(rows.length, NUM_FILES * ROWS * 2);
    assert.is(counts.size, NUM_FILES * ROWS);
    assert.ok([...counts.values()].every((c) => c === 2), 'every row exactly once per epoch');
    coord.requestStop();
    await within(5000, coord.join(threads));
  } finally {
    await sess.close();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
