import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../lib/index.js';
import { rejectsWith } from '../helpers/rejects.js';

const dir = mkdtempSync(join(tmpdir(), 'af-readers-e2e-'));
const BOUND = { timeoutMs: 10_000 };

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}


/** The filename queue of the book: FIFOQueue(capacity=10, dtypes=[tf.string], shapes=[()]). */
function filenameQueue(sharedName?: string): { q: tf.FIFOQueue; filename: tf.SymbolicTensor; enqueue: tf.Operation; close: tf.Operation } {
  const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['string'], shapes: [[]], sharedName });
  const filename = tf.placeholder('string');
  return { q, filename, enqueue: q.enqueue([filename]), close: q.close() };
}

test("the book's my_test.csv: TextLineReader + decodeCsv, then OutOfRange once the filename queue is closed", async () => {
  tf.resetDefaultGraph();
  const csv = file('my_test.csv', 'x1,x2,target\n1. , 2. , 0\n4. , 5  , 1\n7. ,    , 0\n');
  const reader = new tf.TextLineReader({ skipHeaderLines: 1 });
  const fq = filenameQueue();
  const [key, value] = reader.read(fq.q);
  const [x1, x2, target] = tf.decodeCsv(value, { recordDefaults: [[-1.0], [-1.0], { dtype: 'int32', value: -1 }] });
  const features = tf.stack([x1, x2]);
  assert.equal([x1!.dtype, x2!.dtype, target!.dtype], ['float32', 'float32', 'int32']);
  const sess = new tf.Session();
  try {
    await sess.run(fq.enqueue, [[fq.filename, csv]], BOUND);
    await sess.run(fq.close, undefined, BOUND);
    const rows: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      // Alternate the fetch list: each new signature registers new partitions, and the private
      // reader (like the private queue) must keep its place across them, per session.
      let k: tf.Tensor, f: tf.Tensor, t: tf.Tensor;
      if (i % 2 === 0) [k, f, t] = (await sess.run([key, features, target], undefined, BOUND)) as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor];
      else [t, k, f] = (await sess.run([target, key, features], undefined, BOUND)) as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor];
      rows.push([k.toArray(), ...(f.toArray() as number[]), t.toArray()]);
    }
    assert.equal(rows, [[`${csv}:2`, 1, 2, 0], [`${csv}:3`, 4, 5, 1], [`${csv}:4`, 7, -1, 0]]);
    await rejectsWith(sess.run([features, target], undefined, BOUND), tf.errors.OutOfRangeError,
      /^FIFOQueue '.*' is closed and has insufficient elements \(requested 1, current size 0\)$/);
  } finally {
    await sess.close();
  }
});

test('readUpTo, counters and reset through the graph (shared reader and queue)', async () => {
  tf.resetDefaultGraph();
  const a = file('up_a.txt', 'a1\na2\na3\n');
  const b = file('up_b.txt', 'b1\n');
  const reader = new tf.TextLineReader({ sharedName: 'up_reader' });
  const fq = filenameQueue('up_files');
  const n = tf.placeholder('int64', []);
  const [keys, values] = reader.readUpTo(fq.q, n);
  assert.equal([keys.shape, values.shape], [[null], [null]]);
  const produced = reader.numRecordsProduced();
  const completed = reader.numWorkUnitsCompleted();
  const reset = reader.reset();
  const sess = new tf.Session();
  try {
    for (const f of [a, b, a]) await sess.run(fq.enqueue, [[fq.filename, f]], BOUND);
    const up = async (k: number): Promise<unknown> => ((await sess.run(values, [[n, k]], BOUND)) as tf.Tensor).toArray();
    assert.equal(await up(2), ['a1', 'a2']);
    assert.equal(await up(2), ['a3']);
    assert.equal(await up(5), ['b1']);
    const [p, c] = (await sess.run([produced, completed], undefined, BOUND)) as tf.Tensor[];
    assert.equal([p!.dtype, String(p!.toArray()), String(c!.toArray())], ['int64', '4', '2']);
    assert.equal(await up(1), ['a1']);
    await sess.run(reset, undefined, BOUND);
    const [p2, c2] = (await sess.run([produced, completed], undefined, BOUND)) as tf.Tensor[];
    assert.equal([String(p2!.toArray()), String(c2!.toArray())], ['0', '0']);
    await sess.run(fq.close, undefined, BOUND);
    await rejectsWith(sess.run(values, [[n, 3]], BOUND), tf.errors.OutOfRangeError, /is closed and has insufficient elements/);
  } finally {
    await sess.close();
  }
});

test('FixedLengthRecordReader and TFRecordReader files read back through a session', async () => {
  tf.resetDefaultGraph();
  const fixed = file('fixed.bin', Uint8Array.of(0xee, 1, 2, 3, 4, 5, 6, 0xff));
  const tfr = join(dir, 'records.tfrecord.gz');
  const w = new tf.io.TFRecordWriter(tfr, { compressionType: 'GZIP' });
  for (const s of ['alpha', 'beta']) w.write(s);
  await w.close();
  const fl = new tf.FixedLengthRecordReader({ recordBytes: 3, headerBytes: 1, footerBytes: 1, sharedName: 'fl' });
  const tr = new tf.TFRecordReader({ options: new tf.io.TFRecordOptions('GZIP'), sharedName: 'tr' });
  const fq1 = filenameQueue('fixed_files');
  const fq2 = filenameQueue('tfr_files');
  const [fk, fv] = fl.read(fq1.q);
  const [tk, tv] = tr.readUpTo(fq2.q, 10);
  const sess = new tf.Session();
  try {
    await sess.run(fq1.enqueue, [[fq1.filename, fixed]], BOUND);
    await sess.run(fq2.enqueue, [[fq2.filename, tfr]], BOUND);
    const got = [];
    for (let i = 0; i < 2; i++) got.push(((await sess.run([fk, fv], undefined, BOUND)) as tf.Tensor[]).map((t) => t.toArray()));
    assert.equal(got, [[`${fixed}:0`, Uint8Array.of(1, 2, 3)], [`${fixed}:1`, Uint8Array.of(4, 5, 6)]]);
    const [keys, vals] = (await sess.run([tk, tv], undefined, BOUND)) as tf.Tensor[];
    assert.equal(keys!.toArray(), [`${tfr}:0`, `${tfr}:21`]);
    assert.equal((vals!.toArray() as Uint8Array[]).map((v) => new TextDecoder().decode(v)), ['alpha', 'beta']);
  } finally {
    await sess.close();
  }
});

test('a missing file fails the read with NotFoundError naming the file and the node', async () => {
  tf.resetDefaultGraph();
  const missing = join(dir, 'not_there.csv');
  const reader = new tf.TextLineReader({ sharedName: 'missing_reader' });
  const fq = filenameQueue('missing_files');
  const [, value] = reader.read(fq.q);
  const sess = new tf.Session();
  try {
    await sess.run(fq.enqueue, [[fq.filename, missing]], BOUND);
    const e = await rejectsWith(sess.run(value, undefined, BOUND), tf.errors.NotFoundError, /No such file or directory/);
    assert.ok(e.message.includes(missing), e.message);
    assert.ok(/\/job:[^/]+\/replica:0\/task:0/.test(e.message), e.message);
  } finally {
    await sess.close();
  }
});

test('build-time checks; serializeState where TensorFlow has none; IdentityReader state', async () => {
  tf.resetDefaultGraph();
  assert.throws(() => new tf.TextLineReader({ skipHeaderLines: -1 }),
    (e: unknown) => e instanceof tf.errors.InvalidArgumentError && /skip_header_lines must be >= 0 not -1/.test((e as Error).message));
  assert.throws(() => new tf.TFRecordReader({ compressionType: 'BZIP2' }), (e: unknown) => e instanceof tf.errors.InvalidArgumentError);
  assert.throws(() => new tf.FixedLengthRecordReader({ recordBytes: 4, hopBytes: -2 }), (e: unknown) => e instanceof tf.errors.InvalidArgumentError);
  const text = new tf.TextLineReader({ name: 'text' });
  assert.equal([text.name, text.readerRef.op.type, text.supportsSerialize], ['text', 'TextLineReaderV2', false]);
  const id = new tf.IdentityReader({ sharedName: 'ids' });
  const fq = filenameQueue('id_items');
  const [k] = id.read(fq.q);
  const state = id.serializeState();
  const restore = id.restoreState(state);
  const bad = id.restoreState('not a state');
  const sess = new tf.Session();
  try {
    await rejectsWith(sess.run(text.serializeState(), undefined, BOUND), tf.errors.UnimplementedError, /^Reader SerializeState$/);
    await sess.run(fq.enqueue, [[fq.filename, 'item-1']], BOUND);
    assert.is(((await sess.run(k, undefined, BOUND)) as tf.Tensor).toArray(), 'item-1');
    const s = (await sess.run(state, undefined, BOUND)) as tf.Tensor;
    assert.equal(s.toArray(), Uint8Array.of(0x08, 1, 0x10, 1, 0x18, 1, 0x22, 6, ...new TextEncoder().encode('item-1')));
    await sess.run(restore, undefined, BOUND);
    await rejectsWith(sess.run(bad, undefined, BOUND), tf.errors.InvalidArgumentError, /^Could not parse state for IdentityReader 'IdentityReaderV2'/);
  } finally {
    await sess.close();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
