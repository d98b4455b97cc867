/**
 * tf.io.TFRecordWriter and tf.io.tfRecordIterator: files byte-compatible with TensorFlow's
 * TFRecordWriter / tf_record_iterator.
 *
 * write() is synchronous (as TensorFlow's): records gather in a buffer that is written to the file
 * with a synchronous write once it holds `bufferBytes`. A compressed file stays one valid ZLIB or
 * GZIP stream: each flushed buffer is deflated on its own and ended with a sync flush (a byte-aligned
 * empty stored block), the pieces are concatenated, and close() appends the final block and the
 * trailer (Adler-32 for ZLIB, CRC-32 and length for GZIP). TensorFlow's reader, zlib and gzip all
 * read such a stream as one.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants as zc, deflateRawSync } from 'node:zlib';
import { InvalidArgumentError, FailedPreconditionError } from '../framework/errors.js';
import { compressionTypeString, type CompressionType } from './compression.js';
import { fileError } from './file_errors.js';
import { crc32c, maskCrc } from './crc32c.js';
import { adler32, crc32 } from './checksums.js';
import { RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES, TFRecordParser, encodeRecord, writeRecordHeader } from './tf_record.js';
import { ByteStream, DEFAULT_CHUNK_BYTES } from './byte_stream.js';
import { TFRecordOptions } from './tf_record_options.js';

export interface TFRecordWriterOptions {
  /** '' | 'ZLIB' | 'GZIP' (or TFRecordCompressionType 0/1/2); default ''. */
  compressionType?: unknown;
  /** Bytes gathered before a synchronous write to the file (default 1 MiB). */
  bufferBytes?: number;
  /** zlib compression level for ZLIB/GZIP (default: zlib's default, as TensorFlow's). */
  compressionLevel?: number;
}

const DEFAULT_BUFFER_BYTES = 1 << 20;

export class TFRecordWriter {
  readonly path: string;
  readonly compressionType: CompressionType;
  private fd: number | null;
  private readonly bufferBytes: number;
  private readonly level: number;
  private buffer: Uint8Array;
  private used = 0;
  private startedStream = false;
  private check = 0;
  private totalIn = 0;

  constructor(path: string, opts: TFRecordWriterOptions | TFRecordOptions | string | number = {}) {
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('TFRecordWriter needs a file path');
    const o: TFRecordWriterOptions = typeof opts === 'string' || typeof opts === 'number' ? { compressionType: opts } : opts;
    this.path = path;
    this.compressionType = compressionTypeString(o.compressionType);
    this.bufferBytes = o.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    if (!(this.bufferBytes > 0)) throw new InvalidArgumentError(`bufferBytes must be > 0, got ${this.bufferBytes}`);
    this.level = o.compressionLevel ?? zc.Z_DEFAULT_COMPRESSION;
    this.buffer = new Uint8Array(this.bufferBytes);
    this.check = this.compressionType === 'ZLIB' ? 1 : 0;
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw fileError(e, path);
    }
  }

  /** Appends one record (bytes, or a string written as UTF-8). */
  write(record: Uint8Array | string): void {
    if (this.fd === null) throw new FailedPreconditionError(`TFRecordWriter for ${this.path} is closed`);
    const data = typeof record === 'string' ? new TextEncoder().encode(record) : record;
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('TFRecordWriter.write takes a Uint8Array or a string');
    const need = RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES;
    if (need > this.buffer.length - this.used) this.flushBuffer(false);
    if (need > this.buffer.length) {
      // A record larger than the buffer goes out on its own.
      this.emit(encodeRecord(data), false);
      return;
    }
    const b = this.buffer;
    writeRecordHeader(b, this.used, data.length);
    b.set(data, this.used + RECORD_HEADER_BYTES);
    const end = this.used + RECORD_HEADER_BYTES + data.length;
    const crc = maskCrc(crc32c(data));
    b[end] = crc & 0xff; b[end + 1] = (crc >>> 8) & 0xff; b[end + 2] = (crc >>> 16) & 0xff; b[end + 3] = crc >>> 24;
    this.used += need;
  }

  /** Writes what is buffered to the file (a compressed stream stays open). */
  flush(): void {
    // As TensorFlow's writer (tf_record_test.testFlushAfterCloseIsError): close() is idempotent, flush() is not.
    if (this.fd === null) throw new FailedPreconditionError(`TFRecordWriter for ${this.path} is closed`);
    this.flushBuffer(false);
  }

  /** Flushes, ends a compressed stream, and closes the file. */
  async close(): Promise<void> {
    if (this.fd === null) return;
    this.flushBuffer(true);
    const fd = this.fd;
    this.fd = null;
    this.buffer = new Uint8Array(0);
    try {
      closeSync(fd);
    } catch (e) {
      throw fileError(e, this.path);
    }
  }

  private flushBuffer(final: boolean): void {
    const data = this.buffer.subarray(0, this.used);
    this.used = 0;
    this.emit(data, final);
  }

  /** Sends framed records to the file, through the deflater when compressed. */
  private emit(data: Uint8Array, final: boolean): void {
    if (this.compressionType === '') {
      this.writeAll(data);
      return;
    }
    if (!this.startedStream) {
      this.writeAll(this.compressionType === 'ZLIB' ? zlibHeader(this.level) : GZIP_HEADER);
      this.startedStream = true;
    }
    if (data.length > 0 || final) {
      this.check = this.compressionType === 'ZLIB' ? adler32(data, this.check) : crc32(data, this.check);
      this.totalIn += data.length;
      this.writeAll(deflateRawSync(data, { level: this.level, finishFlush: final ? zc.Z_FINISH : zc.Z_SYNC_FLUSH }));
    }
    if (final) this.writeAll(this.trailer());
  }

  private trailer(): Uint8Array {
    if (this.compressionType === 'ZLIB') {
      const t = new Uint8Array(4);
      new DataView(t.buffer).setUint32(0, this.check, false);
      return t;
    }
    const t = new Uint8Array(8);
    const dv = new DataView(t.buffer);
    dv.setUint32(0, this.check, true);
    dv.setUint32(4, this.totalIn >>> 0, true); // ISIZE is the length mod 2^32
    return t;
  }

  private writeAll(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(this.fd!, bytes, off, bytes.length - off);
      } catch (e) {
        throw fileError(e, this.path);
      }
    }
  }
}

/** The two-byte zlib header (deflate, 32 KiB window) with the level hint zlib itself would write. */
function zlibHeader(level: number): Uint8Array {
  const flevel = level === zc.Z_DEFAULT_COMPRESSION || level === 6 ? 2 : level < 2 ? 0 : level < 6 ? 1 : 3;
  const cmf = 0x78;
  let flg = flevel << 6;
  flg += 31 - ((cmf * 256 + flg) % 31);
  return Uint8Array.of(cmf, flg);
}

/** A minimal gzip member header: deflate, no name, mtime 0, OS unknown. */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);

export interface TFRecordIteratorOptions {
  compressionType?: unknown;
  /** Bytes read per chunk (default 256 KiB). */
  chunkBytes?: number;
}

/**
 * `tf.io.tfRecordIterator(path, {compressionType})`: the records of a file as an async iterator of
 * Uint8Array, read in chunks. Damage raises DataLossError "truncated/corrupted record at <offset>
 * in <path>"; a missing file NotFoundError.
 */
export async function* tfRecordIterator(path: string, opts: TFRecordIteratorOptions | TFRecordOptions | string | number = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const o: TFRecordIteratorOptions = typeof opts === 'string' || typeof opts === 'number' ? { compressionType: opts } : opts;
  const compression = compressionTypeString(o.compressionType);
  let stream: ByteStream;
  try {
    stream = await ByteStream.open(path, { compression, chunkBytes: o.chunkBytes ?? DEFAULT_CHUNK_BYTES });
  } catch (e) {
    throw fileError(e, path);
  }
  try {
    const parser = new TFRecordParser(stream, path);
    for (;;) {
      let rec: Uint8Array | null | undefined;
      try {
        rec = parser.tryNextSync();
        if (rec === undefined) rec = await parser.next();
      } catch (e) {
        throw fileError(e, path);
      }
      if (rec === null) return;
      yield rec;
    }
  } finally {
    await stream.close();
  }
}
