/**
 * FixedLengthRecordReader (fixed_length_record_reader_op.cc): after header_bytes, records start at
 * header + k*hop (hop 0 means record_bytes) and are emitted while record_bytes + footer_bytes
 * bytes remain from their start; key "<file>:<k>". The whole file may be one ZLIB or GZIP stream.
 * A look-ahead cache of at most record + footer bytes lets overlapping hops read the stream once.
 */
import { OutOfRangeError } from '../../lib/framework/errors.js';
import { ByteStream, DEFAULT_CHUNK_BYTES } from '../../lib/io/byte_stream.js';
import type { CompressionType } from '../../lib/io/compression.js';
import type { ReaderFormat, ReaderRecord, RecordSource } from './record_source.js';

export interface FixedLengthOptions {
  headerBytes: number;
  recordBytes: number;
  footerBytes: number;
  /** 0 = recordBytes. */
  hopBytes: number;
  encoding: CompressionType;
  chunkBytes?: number;
}

class FixedLengthSource implements RecordSource {
  private recordNumber = 0;
  private cache: Uint8Array = new Uint8Array(0);
  private readonly hop: number;

  constructor(private readonly stream: ByteStream, private readonly file: string, private readonly o: FixedLengthOptions) {
    this.hop = o.hopBytes === 0 ? o.recordBytes : o.hopBytes;
  }

  async next(): Promise<ReaderRecord | null> {
    const { recordBytes, footerBytes } = this.o;
    if (this.recordNumber !== 0) {
      if (this.hop <= this.cache.length) {
        this.cache = this.cache.subarray(this.hop);
      } else {
        const skip = this.hop - this.cache.length;
        this.cache = new Uint8Array(0);
        if ((await this.stream.skip(skip)) < skip) return null;
      }
    }
    const want = recordBytes + footerBytes - this.cache.length;
    const got = await this.stream.read(want);
    if (got.length < want) return null;
    let window: Uint8Array;
    if (this.cache.length === 0) window = got;
    else {
      window = new Uint8Array(this.cache.length + got.length);
      window.set(this.cache);
      window.set(got, this.cache.length);
    }
    this.cache = window;
    const value = window.slice(0, recordBytes);
    return { key: `${this.file}:${this.recordNumber++}`, value };
  }

  close(): Promise<void> { return this.stream.close(); }
}

export function fixedLengthFormat(o: FixedLengthOptions): ReaderFormat {
  return {
    kind: 'FixedLengthRecordReader',
    serializable: false,
    async open(work) {
      const stream = await ByteStream.open(work, { compression: o.encoding, chunkBytes: o.chunkBytes ?? DEFAULT_CHUNK_BYTES });
      if ((await stream.skip(o.headerBytes)) < o.headerBytes) {
        await stream.close();
        // TensorFlow's SkipNBytes past the end fails the work unit with OutOfRange.
        throw new OutOfRangeError(`${work}: reached end of file while skipping ${o.headerBytes} header bytes`);
      }
      return new FixedLengthSource(stream, work, o);
    },
  };
}
