/**
 * TFRecord read throughput (MB/s of file bytes) through actorflow's readers, against a plain `fs`
 * read of the same bytes in the same run:
 *   fs           positioned reads of the file in 256 KiB chunks, nothing else (the limit);
 *   iterator     tf.io.tfRecordIterator: chunked read, framing, both CRC-32Cs;
 *   reader actor the TFRecordReader actor answering readUpTo(1024) messages, as a kernel asks it;
 *   session      tf.TFRecordReader.readUpTo(1024) fetched through an embedded Session;
 * plus the same for a GZIP file against node's gunzip stream alone. Peak RSS during the reads
 * shows the memory bound (the file is far larger than what is held).
 *
 * `node bench/input_tfrecord.js [--quick] [--mb N] [--record-bytes N]`; results in
 * bench/results/input_tfrecord.json. bench/input.ts may import runTfRecordBench().
 */
import { mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as tf from '../lib/index.js';
import { ActorSystem } from '../actors/actor_system.js';
import { Tensor } from '../lib/framework/tensor.js';
import { createQueueActor } from '../actors/queue/create_queue_actor.js';
import { ReaderActor, type ReadReply } from '../actors/reader/reader_actor.js';
import { tfRecordFormat } from '../actors/reader/tf_record_format.js';
import type { CompressionType } from '../lib/io/compression.js';
import { printTable, writeResults } from './stats.js';

export interface TfRecordBenchOptions {
  /** Size of the uncompressed test file in MiB (default 128; 16 with quick). */
  mb?: number;
  /** Payload bytes per record (default 1024). */
  recordBytes?: number;
  /** Timed passes per contender; the best is reported (default 3). */
  rounds?: number;
  /** Print a table (default true). */
  print?: boolean;
}

export interface TfRecordBenchRow {
  case: string;
  'MB/s': number;
  'vs fs': number;
  /** MB per CPU-second: steadier than MB/s on a shared machine. */
  'MB/CPU-s': number;
  /** null for the byte-only baselines. */
  'records/s': number | null;
  'peak RSS MiB': number;
}

export interface TfRecordBenchResult {
  fileMiB: number;
  gzipFileMiB: number;
  recordBytes: number;
  records: number;
  rows: TfRecordBenchRow[];
}

const MiB = 1024 * 1024;

/** Runs fn `rounds` times; the best time and the peak RSS seen while it ran. */
interface Timing { seconds: number; cpuSeconds: number; count: number; peakRss: number }

/**
 * Runs fn `rounds` times: the best wall time, the CPU time (user + system, all threads) of that
 * round, which a busy machine disturbs less than wall time, and the peak RSS seen meanwhile.
 */
async function timeBest(rounds: number, fn: () => Promise<number>): Promise<Timing> {
  let best = Infinity;
  let bestCpu = Infinity;
  let count = 0;
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  try {
    for (let r = 0; r < rounds; r++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      count = await fn();
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      if (wall < best) {
        best = wall;
        bestCpu = (c.user + c.system) / 1e6;
      }
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  } finally {
    clearInterval(sampler);
  }
  return { seconds: best, cpuSeconds: bestCpu, count, peakRss: peak };
}

async function fsRead(path: string): Promise<number> {
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(256 * 1024);
  let pos = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return pos;
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

async function gunzipRead(path: string): Promise<number> {
  let n = 0;
  // The same chunk sizes as the reader's own inflater (256 KiB reads, 64 KiB inflated chunks).
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(createGunzip({ chunkSize: 64 * 1024 }))) n += (chunk as Buffer).length;
  return n;
}

async function iterate(path: string, compressionType: CompressionType): Promise<number> {
  let n = 0;
  for await (const _ of tf.io.tfRecordIterator(path, { compressionType })) n++;
  return n;
}

/** The reader actor alone: a FIFO filename queue and readUpTo(1024) messages, as the kernel sends. */
async function actorRead(path: string, compressionType: CompressionType): Promise<number> {
  const task = '/job:bench/replica:0/task:0';
  const system = new ActorSystem({ taskPath: task });
  const qpath = `${task}/device:CPU:0/container:/queue:files`;
  const queue = createQueueActor(qpath, { kind: 'FIFOQueue', name: 'files', componentTypes: ['string'], shapes: [[]], capacity: 10 });
  system.register(queue);
  const reader = new ReaderActor(`${task}/device:CPU:0/container:/reader:r`, { format: tfRecordFormat({ compressionType }), nodeName: 'bench', system, taskPath: task });
  system.register(reader);
  await queue.deliver({ type: 'enqueue', components: [new Tensor('string', [], [path])] });
  await queue.deliver({ type: 'close', cancelPendingEnqueues: false });
  let n = 0;
  for (;;) {
    try {
      n += (await reader.deliver<ReadReply>({ type: 'readUpTo', queue: qpath, n: 1024 })).keys.length;
    } catch (e) {
      if (e instanceof tf.errors.OutOfRangeError) return n;
      throw e;
    }
  }
}

/** Through an embedded Session: graph ops, executor, kernel, actor; values fetched to the client. */
async function sessionRead(path: string, compressionType: CompressionType, round: number): Promise<number> {
  const g = new tf.Graph();
  const { values, enqueue, close } = g.asDefault(() => {
    const q = new tf.FIFOQueue({ capacity: 10, dtypes: ['string'], shapes: [[]], sharedName: `bench_files_${round}` });
    const reader = new tf.TFRecordReader({ compressionType, sharedName: `bench_reader_${round}` });
    const [, vals] = reader.readUpTo(q, 1024);
    return { values: vals, enqueue: q.enqueue([path]), close: q.close() };
  });
  const sess = new tf.Session(undefined, { graph: g } as never);
  try {
    await sess.run(enqueue);
    await sess.run(close);
    let n = 0;
    for (;;) {
      try {
        n += ((await sess.run(values)) as tf.Tensor).size;
      } catch (e) {
        if (e instanceof tf.errors.OutOfRangeError) return n;
        throw e;
      }
    }
  } finally {
    await sess.close();
  }
}

export async function runTfRecordBench(opts: TfRecordBenchOptions = {}): Promise<TfRecordBenchResult> {
  const mb = opts.mb ?? 128;
  const recordBytes = opts.recordBytes ?? 1024;
  const rounds = opts.rounds ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'af-bench-tfrecord-'));
  try {
    const plain = join(dir, 'data.tfrecord');
    const gz = join(dir, 'data.tfrecord.gz');
    const records = Math.max(1, Math.floor((mb * MiB) / (recordBytes + 16)));
    const payload = new Uint8Array(recordBytes);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) & 0xff;
    for (const [path, compressionType] of [[plain, ''], [gz, 'GZIP']] as const) {
      const w = new tf.io.TFRecordWriter(path, { compressionType, compressionLevel: 1 });
      for (let i = 0; i < records; i++) {
        payload[0] = i & 0xff; // records differ, so compression does not collapse them entirely
        payload[1] = (i >>> 8) & 0xff;
        w.write(payload);
      }
      await w.close();
    }
    const plainBytes = statSync(plain).size;
    const gzBytes = statSync(gz).size;
    const rows: TfRecordBenchRow[] = [];
    const add = (name: string, r: Timing, bytes: number, fsSeconds: number, counted = true): void => {
      rows.push({
        case: name,
        'MB/s': bytes / MiB / r.seconds,
        'vs fs': fsSeconds / r.seconds,
        'MB/CPU-s': bytes / MiB / r.cpuSeconds,
        'records/s': counted ? r.count / r.seconds : null,
        'peak RSS MiB': r.peakRss / MiB,
      });
    };
    const check = (name: string, n: number): void => {
      if (n !== records) throw new Error(`${name} read ${n} records, expected ${records}`);
    };
    const fsPlain = await timeBest(rounds, () => fsRead(plain));
    add('fs read (plain)', fsPlain, plainBytes, fsPlain.seconds, false);
    const it = await timeBest(rounds, () => iterate(plain, ''));
    check('iterator', it.count);
    add('tfRecordIterator (plain)', it, plainBytes, fsPlain.seconds);
    const actor = await timeBest(rounds, () => actorRead(plain, ''));
    check('reader actor', actor.count);
    add('reader actor readUpTo(1024) (plain)', actor, plainBytes, fsPlain.seconds);
    let round = 0;
    const sess = await timeBest(rounds, () => sessionRead(plain, '', round++));
    check('session', sess.count);
    add('session TFRecordReader.readUpTo(1024) (plain)', sess, plainBytes, fsPlain.seconds);
    // GZIP: MB/s of uncompressed record bytes, against gunzip alone.
    const gunzip = await timeBest(rounds, () => gunzipRead(gz));
    add('fs read + gunzip (GZIP)', gunzip, plainBytes, gunzip.seconds, false);
    const itGz = await timeBest(rounds, () => iterate(gz, 'GZIP'));
    check('iterator gzip', itGz.count);
    add('tfRecordIterator (GZIP)', itGz, plainBytes, gunzip.seconds);
    const actorGz = await timeBest(rounds, () => actorRead(gz, 'GZIP'));
    check('reader actor gzip', actorGz.count);
    add('reader actor readUpTo(1024) (GZIP)', actorGz, plainBytes, gunzip.seconds);
    if (opts.print ?? true) printTable(rows as unknown as Record<string, unknown>[]);
    return { fileMiB: plainBytes / MiB, gzipFileMiB: gzBytes / MiB, recordBytes, records, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (flag: string): number | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const quick = argv.includes('--quick');
  const result = await runTfRecordBench({ mb: arg('--mb') ?? (quick ? 16 : 128), recordBytes: arg('--record-bytes'), rounds: quick ? 2 : 3 });
  const file = writeResults('input_tfrecord', {
    note: "'vs fs' is the contender's MB/s over plain fs reads of the same file (GZIP rows: over gunzip of it), same run",
    ...result,
  });
  process.stdout.write(`results: ${file}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
