import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import * as tf from '../../lib/index.js';
import { ActorSystem } from '../../actors/actor_system.js';
import { Tensor } from '../../lib/framework/tensor.js';
import { createQueueActor } from '../../actors/queue/create_queue_actor.js';
import type { QueueActor } from '../../actors/queue/queue_actor.js';
import { ReaderActor, type ReadReply, type ReaderMessage } from '../../actors/reader/reader_actor.js';
import type { ReaderFormat } from '../../actors/reader/record_source.js';
import { textLineFormat } from '../../actors/reader/text_line_format.js';
import { fixedLengthFormat, type FixedLengthOptions } from '../../actors/reader/fixed_length_format.js';
import { tfRecordFormat } from '../../actors/reader/tf_record_format.js';
import { identityFormat } from '../../actors/reader/identity_format.js';
import { wholeFileFormat } from '../../actors/reader/whole_file_format.js';
import { rejectsWith } from '../helpers/rejects.js';

const TASK = '/job:worker/replica:0/task:3';
const DEVICE = `${TASK}/device:CPU:0`;
const dir = mkdtempSync(join(tmpdir(), 'af-readers-'));
const system = new ActorSystem({ taskPath: TASK });
let k = 0;

interface Rig {
  queue: QueueActor;
  reader: ReaderActor;
  enqueue(...names: string[]): Promise<void>;
  close(): Promise<void>;
  ask<R>(msg: ReaderMessage, signal?: AbortSignal): Promise<R>;
  read(signal?: AbortSignal): Promise<[string, unknown]>;
  readUpTo(n: number): Promise<ReadReply>;
}

function rig(format: ReaderFormat, componentTypes: ('string' | 'int32')[] = ['string']): Rig {
  const id = k++;
  const qpath = `${DEVICE}/container:/queue:files_${id}`;
  const queue = createQueueActor(qpath, { kind: 'FIFOQueue', name: `files_${id}`, componentTypes, shapes: [[]], capacity: 100 });
  system.register(queue);
  const reader = new ReaderActor(`${DEVICE}/container:/reader:r${id}`, { format, nodeName: 'reader', system, taskPath: TASK });
  system.register(reader);
  const ask = <R>(msg: ReaderMessage, signal?: AbortSignal): Promise<R> => reader.deliver<R>(msg, signal);
  return {
    queue, reader, ask,
    async enqueue(...names) {
      for (const n of names) await queue.deliver({ type: 'enqueue', components: [new Tensor('string', [], [n])] });
    },
    async close() { await queue.deliver({ type: 'close', cancelPendingEnqueues: false }); },
    async read(signal) {
      const r = await ask<ReadReply>({ type: 'read', queue: qpath }, signal);
      assert.is(r.keys.length, 1);
      return [r.keys[0]!, r.values[0]];
    },
    readUpTo: (n) => ask<ReadReply>({ type: 'readUpTo', queue: qpath, n }),
  };
}

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}


test('TextLineReader: keys count header lines, CRLF and a last line without newline', async () => {
  const a = file('a.csv', 'x1,x2,target\r\n1.,2.,0\r\n4.,5,1\n\n7.,,0');
  const b = file('b.csv', 'h\nonly\n');
  const r = rig(textLineFormat({ skipHeaderLines: 1 }));
  await r.enqueue(a, b);
  await r.close();
  const got: [string, unknown][] = [];
  for (let i = 0; i < 5; i++) got.push(await r.read());
  assert.equal(got, [
    [`${a}:2`, '1.,2.,0'], [`${a}:3`, '4.,5,1'], [`${a}:4`, ''], [`${a}:5`, '7.,,0'], [`${b}:2`, 'only'],
  ]);
  assert.is(await r.ask({ type: 'numRecordsProduced' }), 5);
  // b is finished only when the reader looks past its end.
  assert.is(await r.ask({ type: 'numWorkUnitsCompleted' }), 1);
  await rejectsWith(r.read(), tf.errors.OutOfRangeError, /^FIFOQueue 'files_\d+' is closed and has insufficient elements \(requested 1, current size 0\)$/);
  assert.is(await r.ask({ type: 'numWorkUnitsCompleted' }), 2);
});

test('TextLineReader: files shorter than the header and empty files are skipped', async () => {
  const r = rig(textLineFormat({ skipHeaderLines: 2 }));
  await r.enqueue(file('empty.txt', ''), file('short.txt', 'only header\n'), file('ok.txt', 'h1\nh2\nline3'));
  await r.close();
  assert.equal(await r.read(), [`${join(dir, 'ok.txt')}:3`, 'line3']);
  await rejectsWith(r.read(), tf.errors.OutOfRangeError, /is closed/);
  assert.is(await r.ask({ type: 'numWorkUnitsCompleted' }), 3);
});

test('TextLineReader: lines across chunk boundaries, any text, any chunk size (fast-check)', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.constantFrom('a', 'b', 'é', '€', '\n', '\r\n', ',', ' '), { maxLength: 60 }).map((a) => a.join('')),
    fc.integer({ min: 1, max: 9 }),
    async (text, chunkBytes) => {
      const p = file(`prop_${k}.txt`, text);
      const r = rig(textLineFormat({ skipHeaderLines: 0, chunkBytes }));
      await r.enqueue(p);
      await r.close();
      // TensorFlow's ReadLine: split at \n, drop one trailing \r, a non-empty tail is a last line.
      const pieces = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      if (pieces[pieces.length - 1] === '') pieces.pop();
      const up = await r.readUpTo(1000).catch((e: unknown) => {
        if (e instanceof tf.errors.OutOfRangeError) return { keys: [], values: [] };
        throw e;
      });
      assert.equal(up.values, pieces);
      assert.equal(up.keys, pieces.map((_, i) => `${p}:${i + 1}`));
    }), { numRuns: 60 });
});

test('readUpTo returns at most n and never spans two files', async () => {
  const f1 = file('u1.txt', 'a\nb\nc\n');
  const f2 = file('u2.txt', 'd\ne\n');
  const r = rig(textLineFormat({ skipHeaderLines: 0 }));
  await r.enqueue(f1, f2);
  await r.close();
  assert.equal((await r.readUpTo(2)).values, ['a', 'b']);
  assert.equal((await r.readUpTo(5)).values, ['c']);
  assert.equal((await r.readUpTo(5)).values, ['d', 'e']);
  assert.equal((await r.readUpTo(0)).values, []);
  await rejectsWith(r.readUpTo(5), tf.errors.OutOfRangeError, /insufficient elements/);
  await rejectsWith(r.readUpTo(-1), tf.errors.InvalidArgumentError, /num_records/);
});

test('a read waits for a file name, keeps its place, and a cancelled wait loses nothing', async () => {
  const f = file('wait.txt', 'one\ntwo\nthree\n');
  const r = rig(textLineFormat({ skipHeaderLines: 0 }));
  const ac = new AbortController();
  const waiting = r.read(ac.signal);
  await new Promise((res) => setTimeout(res, 20));
  ac.abort(new tf.errors.CancelledError('Step was cancelled'));
  await rejectsWith(waiting, tf.errors.CancelledError, /cancelled/);
  const pending = r.read();
  await new Promise((res) => setTimeout(res, 20));
  await r.enqueue(f);
  assert.equal(await pending, [`${f}:1`, 'one']);
  // Position is kept between requests, and reset drops the file.
  assert.equal(await r.read(), [`${f}:2`, 'two']);
  await r.ask({ type: 'reset' });
  assert.is(await r.ask({ type: 'numRecordsProduced' }), 0);
  assert.is(await r.ask({ type: 'numWorkUnitsCompleted' }), 0);
  await r.enqueue(f);
  assert.equal(await r.read(), [`${f}:1`, 'one']);
});

test('a record read for a requester that gave up is handed to the next read', async () => {
  const f = file('gone.txt', 'first\nsecond\n');
  const r = rig(textLineFormat({ skipHeaderLines: 0 }));
  await r.enqueue(f);
  const ac = new AbortController();
  const p = r.read(ac.signal);
  ac.abort(new tf.errors.CancelledError('gone'));
  await p.catch(() => undefined);
  assert.equal(await r.read(), [`${f}:1`, 'first']);
  assert.equal(await r.read(), [`${f}:2`, 'second']);
  assert.is(await r.ask({ type: 'numRecordsProduced' }), 2);
});

test('removing the reader (container reset) ends a read parked on the filename queue; the queue keeps its items', async () => {
  const r = rig(textLineFormat({ skipHeaderLines: 0 }));
  const parked = r.read();
  await new Promise((res) => setTimeout(res, 20));
  r.reader.stop(new tf.errors.AbortedError('Resource container was reset'));
  await rejectsWith(parked, tf.errors.AbortedError, /container was reset/);
  await r.enqueue('later.txt');
  assert.is(r.queue.size(), 1);
});

test('a missing file fails with NotFoundError naming the file and the node; the next read moves on', async () => {
  const missing = join(dir, 'missing.csv');
  const ok = file('after_missing.txt', 'fine\n');
  const r = rig(textLineFormat({ skipHeaderLines: 0 }));
  await r.enqueue(missing, ok);
  const e = await rejectsWith(r.read(), tf.errors.NotFoundError, /No such file or directory/);
  assert.ok(e.message.includes(missing) && e.message.includes(TASK), e.message);
  assert.equal(await r.read(), [`${ok}:1`, 'fine']);
});

test('the filename queue must hold one string component', async () => {
  const r = rig(textLineFormat({ skipHeaderLines: 0 }), ['int32']);
  await r.queue.deliver({ type: 'enqueue', components: [new Tensor('int32', [], Int32Array.of(7))] });
  await rejectsWith(r.read(), tf.errors.InvalidArgumentError, /^Expected queue with single string component$/);
});

function fixedFile(name: string, header: number[], records: number[][], footer: number[], compress?: 'GZIP' | 'ZLIB'): string {
  const raw = Uint8Array.from([...header, ...records.flat(), ...footer]);
  return file(name, compress === 'GZIP' ? gzipSync(raw) : compress === 'ZLIB' ? deflateSync(raw) : raw);
}

test('FixedLengthRecordReader: header, footer, hop and GZIP/ZLIB encodings', async () => {
  const recs = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]];
  for (const encoding of ['', 'GZIP', 'ZLIB'] as const) {
    const p = fixedFileForEncoding(encoding);
    const opts: FixedLengthOptions = { headerBytes: 2, recordBytes: 3, footerBytes: 1, hopBytes: 0, encoding };
    const r = rig(fixedLengthFormat(opts));
    await r.enqueue(p);
    await r.close();
    const up = await r.readUpTo(10);
    assert.equal(up.keys, [0, 1, 2, 3].map((i) => `${p}:${i}`), encoding);
    assert.equal(up.values, recs.map((x) => Uint8Array.from(x)));
    assert.instance(up.values[0], Uint8Array);
  }
  function fixedFileForEncoding(enc: '' | 'GZIP' | 'ZLIB'): string {
    return fixedFile(`fixed_${enc || 'plain'}.bin`, [0xaa, 0xbb], recs, [0xff], enc || undefined);
  }
  // Overlapping hops (hop 1 < record 3) and a partial trailing record that is dropped.
  const p = fixedFile('hop.bin', [9], [[1, 2, 3, 4, 5]], [0]);
  const r = rig(fixedLengthFormat({ headerBytes: 1, recordBytes: 3, footerBytes: 1, hopBytes: 1, encoding: '' }));
  await r.enqueue(p);
  await r.close();
  assert.equal((await r.readUpTo(10)).values, [[1, 2, 3], [2, 3, 4], [3, 4, 5]].map((x) => Uint8Array.from(x)));
  // Hop larger than the record: gaps are skipped.
  const g = fixedFile('gap.bin', [], [[1, 1, 0, 2, 2, 0, 3, 3]], []);
  const rg = rig(fixedLengthFormat({ headerBytes: 0, recordBytes: 2, footerBytes: 0, hopBytes: 3, encoding: '' }));
  await rg.enqueue(g);
  await rg.close();
  assert.equal((await rg.readUpTo(10)).values, [[1, 1], [2, 2], [3, 3]].map((x) => Uint8Array.from(x)));
});

test('TFRecordReader: keys are byte offsets; damage is DataLossError naming file, offset and node', async () => {
  for (const compressionType of ['', 'GZIP'] as const) {
    const p = join(dir, `reader_${compressionType || 'plain'}.tfrecord`);
    const w = new tf.io.TFRecordWriter(p, { compressionType });
    for (const s of ['ab', 'cde', '']) w.write(s);
    await w.close();
    const r = rig(tfRecordFormat({ compressionType }));
    await r.enqueue(p);
    await r.close();
    const up = await r.readUpTo(10);
    assert.equal(up.keys, [`${p}:0`, `${p}:18`, `${p}:37`]);
    assert.equal(up.values.map((v) => new TextDecoder().decode(v as Uint8Array)), ['ab', 'cde', '']);
  }
  const p = join(dir, 'reader_bad.tfrecord');
  const w = new tf.io.TFRecordWriter(p);
  w.write('ok');
  w.write('damaged');
  await w.close();
  const bytes = Buffer.from(await import('node:fs').then((fs) => fs.readFileSync(p)));
  bytes[18 + 12] ^= 1;
  writeFileSync(p, bytes);
  const r = rig(tfRecordFormat({ compressionType: '' }));
  await r.enqueue(p);
  assert.equal((await r.read())[0], `${p}:0`);
  const e = await rejectsWith(r.read(), tf.errors.DataLossError, /^corrupted record at 18 in /);
  assert.ok(e.message.includes(p) && e.message.includes(TASK), e.message);
  // The damage stays where it is: asking again reports it again.
  await rejectsWith(r.read(), tf.errors.DataLossError, /corrupted record at 18/);
});

test('IdentityReader: one record and one work unit per item; state round-trips', async () => {
  const r = rig(identityFormat);
  await r.enqueue('A', 'B', 'C');
  assert.equal(await r.read(), ['A', 'A']);
  assert.is(await r.ask({ type: 'numWorkUnitsCompleted' }), 1);
  assert.equal((await r.readUpTo(5)).keys, ['B']);
  const state = await r.ask<Uint8Array>({ type: 'serializeState' });
  // ReaderBaseState{work_started: 2, work_finished: 2, num_records_produced: 2, current_work: "B"}
  assert.equal(state, Uint8Array.of(0x08, 2, 0x10, 2, 0x18, 2, 0x22, 1, 0x42));
  assert.equal(await r.read(), ['C', 'C']);
  await r.ask({ type: 'restoreState', state });
  assert.is(await r.ask({ type: 'numRecordsProduced' }), 2);
  const e = await rejectsWith(r.ask({ type: 'restoreState', state: 'BOGUS' }), tf.errors.InvalidArgumentError,
    /^Could not parse state for IdentityReader 'reader': BOGUS$/);
  assert.ok(e);
  // A failed restore resets the reader.
  assert.is(await r.ask({ type: 'numRecordsProduced' }), 0);
  await rejectsWith(r.ask({ type: 'restoreState', state: Uint8Array.of(0x08, 3, 0x10, 1) }), tf.errors.InvalidArgumentError,
    /^Inconsistent work started vs\. finished when restoring in IdentityReader 'reader'/);
});

test('WholeFileReader gives the bytes; TextLine and friends cannot serialize', async () => {
  const p = file('whole.bin', Uint8Array.of(0, 1, 2, 250));
  const r = rig(wholeFileFormat);
  await r.enqueue(p);
  const [key, value] = await r.read();
  assert.is(key, p);
  assert.equal(value, Uint8Array.of(0, 1, 2, 250));
  const t = rig(textLineFormat({ skipHeaderLines: 0 }));
  await rejectsWith(t.ask({ type: 'serializeState' }), tf.errors.UnimplementedError, /^Reader SerializeState$/);
  await rejectsWith(t.ask({ type: 'restoreState', state: '' }), tf.errors.UnimplementedError, /^Reader RestoreState$/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
