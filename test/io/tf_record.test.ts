import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync, gunzipSync, inflateSync } from 'node:zlib';
import * as tf from '../../lib/index.js';
import { crc32c, maskCrc } from '../../lib/io/crc32c.js';
import { rejectsWith } from '../helpers/rejects.js';

const dir = mkdtempSync(join(tmpdir(), 'af-tfrecord-'));
const enc = new TextEncoder();

async function collect(path: string, opts?: unknown): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const r of tf.io.tfRecordIterator(path, opts as never)) out.push(r);
  return out;
}


function u32(n: number): number[] { return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]; }

test('record layout matches the spec byte for byte (hand-assembled)', async () => {
  const path = join(dir, 'layout.tfrecord');
  const w = new tf.io.TFRecordWriter(path);
  w.write(enc.encode('hello'));
  w.write(new Uint8Array(0));
  await w.close();
  // Masked CRCs worked out independently (a bit-at-a-time CRC-32C in Python, then the mask).
  const expected = Uint8Array.of(
    5, 0, 0, 0, 0, 0, 0, 0, ...u32(0x3e04b2ea), ...enc.encode('hello'), ...u32(0x191c1fbb),
    0, 0, 0, 0, 0, 0, 0, 0, ...u32(0x07980329), ...u32(0xa282ead8),
  );
  assert.equal(new Uint8Array(readFileSync(path)), expected);
  assert.equal(tf.io.encodeRecord(enc.encode('hello')), expected.subarray(0, 21));
  assert.is(maskCrc(crc32c(Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0))), 0x3e04b2ea);
  assert.equal((await collect(path)).map((r) => new TextDecoder().decode(r)), ['hello', '']);
});

test('write/read round trip without compression, with ZLIB and with GZIP', async () => {
  const records = Array.from({ length: 500 }, (_, i) => enc.encode(`record ${i} `.repeat(i % 7)));
  for (const compressionType of ['', 'ZLIB', 'GZIP', tf.io.TFRecordCompressionType.GZIP]) {
    const path = join(dir, `round_${String(compressionType)}.tfrecord`);
    // A small buffer forces many flushes (and, compressed, many sync-flushed deflate pieces).
    const w = new tf.io.TFRecordWriter(path, { compressionType, bufferBytes: 1000 });
    for (const r of records) w.write(r);
    await w.close();
    assert.equal(await collect(path, { compressionType }), records, `compression ${String(compressionType)}`);
  }
});

test('compressed files are one standard stream holding the uncompressed bytes', async () => {
  const records = Array.from({ length: 200 }, (_, i) => enc.encode(`row ${i}`));
  const plain = join(dir, 'std_plain.tfrecord');
  const w0 = new tf.io.TFRecordWriter(plain);
  for (const r of records) w0.write(r);
  await w0.close();
  const plainBytes = readFileSync(plain);
  for (const [type, unpack] of [['ZLIB', inflateSync], ['GZIP', gunzipSync]] as const) {
    const path = join(dir, `std.${type}`);
    const w = new tf.io.TFRecordWriter(path, new tf.io.TFRecordOptions(type));
    w.write(records[0]!);
    w.flush();
    for (const r of records.slice(1)) w.write(r);
    await w.close();
    assert.equal(unpack(readFileSync(path)), plainBytes, `${type} decompresses to the plain file`);
  }
  // And files compressed wholesale (as zlib.compress / gzip would) read back.
  writeFileSync(join(dir, 'whole.zlib'), deflateSync(plainBytes));
  writeFileSync(join(dir, 'whole.gz'), gzipSync(plainBytes));
  assert.equal(await collect(join(dir, 'whole.zlib'), { compressionType: 'ZLIB' }), records);
  assert.equal(await collect(join(dir, 'whole.gz'), 'GZIP'), records);
});

test('records larger than the buffer and the read chunk', async () => {
  const path = join(dir, 'big.tfrecord');
  const big = Uint8Array.from({ length: 700_000 }, (_, i) => (i * 31) & 0xff);
  const w = new tf.io.TFRecordWriter(path, { bufferBytes: 4096 });
  w.write(enc.encode('a'));
  w.write(big);
  w.write(enc.encode('b'));
  await w.close();
  const got = await collect(path, { chunkBytes: 1000 });
  assert.is(got.length, 3);
  assert.equal(got[1], big);
  assert.equal(new TextDecoder().decode(got[2]), 'b');
});

test('fast-check: any records round-trip through any compression', async () => {
  let k = 0;
  await fc.assert(fc.asyncProperty(
    fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }),
    fc.constantFrom('', 'ZLIB', 'GZIP'),
    fc.integer({ min: 16, max: 2048 }),
    async (records, compressionType, bufferBytes) => {
      const path = join(dir, `prop_${k++}.tfrecord`);
      const w = new tf.io.TFRecordWriter(path, { compressionType, bufferBytes });
      for (const r of records) w.write(r);
      await w.close();
      assert.equal(await collect(path, { compressionType, chunkBytes: 64 }), records);
    }), { numRuns: 40 });
});

test('a corrupted payload or length gives DataLossError naming the offset and the file', async () => {
  const path = join(dir, 'corrupt.tfrecord');
  const w = new tf.io.TFRecordWriter(path);
  for (const s of ['first', 'second', 'third']) w.write(enc.encode(s));
  await w.close();
  const bytes = readFileSync(path);
  // Record 2 starts after 12+5+4 = 21 bytes; flip a byte of its payload.
  const payloadHit = Buffer.from(bytes);
  payloadHit[21 + 12 + 2] ^= 0x40;
  writeFileSync(path, payloadHit);
  const got: string[] = [];
  const e = await rejectsWith((async () => {
    for await (const r of tf.io.tfRecordIterator(path)) got.push(new TextDecoder().decode(r));
  })(), tf.errors.DataLossError, /corrupted record at 21/);
  assert.ok(e.message.includes(path), e.message);
  assert.equal(got, ['first']);
  // A damaged length is caught by the header CRC.
  const lengthHit = Buffer.from(bytes);
  lengthHit[21] ^= 0x01;
  writeFileSync(path, lengthHit);
  await rejectsWith(collect(path), tf.errors.DataLossError, /corrupted record at 21/);
});

test('a truncated file gives DataLossError "truncated record at <offset>"', async () => {
  const path = join(dir, 'trunc.tfrecord');
  const w = new tf.io.TFRecordWriter(path);
  w.write(enc.encode('first'));
  w.write(enc.encode('second'));
  await w.close();
  const bytes = readFileSync(path);
  for (const cut of [21 + 5, 21 + 12 + 3, bytes.length - 1]) {
    writeFileSync(path, bytes.subarray(0, cut));
    const e = await rejectsWith(collect(path), tf.errors.DataLossError, /^truncated record at 21 in /);
    assert.ok(e.message.includes(path));
  }
  // Cut exactly at a record boundary: a clean end.
  writeFileSync(path, bytes.subarray(0, 21));
  assert.is((await collect(path)).length, 1);
});

test('missing and unreadable files', async () => {
  const missing = join(dir, 'nope.tfrecord');
  const e = await rejectsWith(collect(missing), tf.errors.NotFoundError, /No such file or directory/);
  assert.ok(e.message.includes(missing));
  assert.throws(() => new tf.io.TFRecordWriter(join(dir, 'no', 'such', 'dir.tfrecord')), (err: unknown) => err instanceof tf.errors.NotFoundError);
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked.tfrecord');
    writeFileSync(locked, '');
    chmodSync(locked, 0o000);
    await rejectsWith(collect(locked), tf.errors.PermissionDeniedError, /Permission denied/);
  }
  await rejectsWith(collect(dir), tf.errors.FailedPreconditionError, /Is a directory/);
});

test('writer options are checked and close is idempotent', async () => {
  assert.throws(() => new tf.io.TFRecordWriter(join(dir, 'x'), { compressionType: 'LZ4' }), (e: unknown) => e instanceof tf.errors.InvalidArgumentError);
  assert.is(tf.io.TFRecordOptions.getCompressionTypeString(new tf.io.TFRecordOptions(tf.io.TFRecordCompressionType.ZLIB)), 'ZLIB');
  assert.is(tf.io.TFRecordOptions.getCompressionTypeString(null), '');
  const w = new tf.io.TFRecordWriter(join(dir, 'twice.tfrecord'));
  w.write('text records are written as UTF-8');
  await w.close();
  await w.close();
  assert.throws(() => w.write('late'), (e: unknown) => e instanceof tf.errors.FailedPreconditionError);
  // tf_record_test.testFlushAfterCloseIsError
  assert.throws(() => w.flush(), (e: unknown) => e instanceof tf.errors.FailedPreconditionError);
  assert.equal(new TextDecoder().decode((await collect(join(dir, 'twice.tfrecord')))[0]), 'text records are written as UTF-8');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
