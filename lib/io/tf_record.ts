/**
 * TensorFlow's TFRecord format (tensorflow/core/lib/io/record_writer.cc, record_reader.cc): each
 * record is
 *   uint64 length (little-endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
 * with no file header. A compressed file is one ZLIB or GZIP stream of those bytes.
 */
import { DataLossError } from '../framework/errors.js';
import { maskCrc, crc32c, unmaskCrc } from './crc32c.js';
import type { ByteStream } from './byte_stream.js';

/** Length (8) plus its masked CRC (4). */
export const RECORD_HEADER_BYTES = 12;
/** The masked CRC of the payload. */
export const RECORD_FOOTER_BYTES = 4;
/** A length beyond this is treated as damage even when its CRC matches (2 GiB, as a V8 buffer). */
export const MAX_RECORD_BYTES = 2 ** 31 - 1;

/** Writes the 12-byte header of a record of `length` bytes into `out` at `offset`. */
export function writeRecordHeader(out: Uint8Array, offset: number, length: number): void {
  const dv = new DataView(out.buffer, out.byteOffset + offset, RECORD_HEADER_BYTES);
  dv.setUint32(0, length >>> 0, true);
  dv.setUint32(4, Math.floor(length / 2 ** 32), true);
  dv.setUint32(8, maskCrc(crc32c(out, offset, offset + 8)), true);
}

/** The complete framing of one record: header, data, footer. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES);
  writeRecordHeader(out, 0, data.length);
  out.set(data, RECORD_HEADER_BYTES);
  new DataView(out.buffer).setUint32(RECORD_HEADER_BYTES + data.length, maskCrc(crc32c(data)), true);
  return out;
}

/** What a parse error should name besides the offset ("in <file> (on <node>)"). */
export type RecordErrorContext = string;

/**
 * Reads records one at a time from a byte stream, checking both CRCs. `offset` is the byte offset
 * of the next record in the uncompressed stream (TFRecordReader's key). A failure is sticky: the
 * stream is left mid-record, so asking again reports the same error (as TensorFlow re-reading the
 * same offset would).
 */
export class TFRecordParser {
  offset = 0;
  private failure: DataLossError | null = null;
  private readonly header = new Uint8Array(RECORD_HEADER_BYTES);
  private readonly footer = new Uint8Array(RECORD_FOOTER_BYTES);

  constructor(private readonly stream: ByteStream, private readonly where: RecordErrorContext) {}

  /**
   * The next record if it lies whole in the stream's current chunk (checked and copied without
   * awaiting), else undefined: then call next().
   */
  tryNextSync(): Uint8Array | undefined {
    if (this.failure) throw this.failure;
    const h = this.stream.peek(RECORD_HEADER_BYTES);
    if (h === null) return undefined;
    const at = this.offset;
    const b = h.buf;
    const o = h.at;
    if (unmaskCrc(readU32(b, o + 8)) !== crc32c(b, o, o + 8)) return this.fail('corrupted', at);
    const length = readU32(b, o) + readU32(b, o + 4) * 2 ** 32;
    if (length > MAX_RECORD_BYTES) return this.fail('corrupted', at);
    const total = RECORD_HEADER_BYTES + length + RECORD_FOOTER_BYTES;
    if (this.stream.peek(total) === null) return undefined;
    const start = o + RECORD_HEADER_BYTES;
    if (unmaskCrc(readU32(b, start + length)) !== crc32c(b, start, start + length)) return this.fail('corrupted', at);
    // A copy (a plain Uint8Array): the chunk is a Buffer that the stream reuses.
    const data = new Uint8Array(length);
    data.set(b.subarray(start, start + length));
    this.stream.advance(total);
    this.offset = at + total;
    return data;
  }

  /** The next record's payload, or null at a clean end of stream; DataLossError on damage. */
  async next(): Promise<Uint8Array | null> {
    if (this.failure) throw this.failure;
    const at = this.offset;
    const got = await this.stream.readInto(this.header, 0, RECORD_HEADER_BYTES);
    if (got === 0) return null;
    if (got < RECORD_HEADER_BYTES) return this.fail('truncated', at);
    if (unmaskCrc(readU32(this.header, 8)) !== crc32c(this.header, 0, 8)) return this.fail('corrupted', at);
    const length = readU32(this.header, 0) + readU32(this.header, 4) * 2 ** 32;
    if (length > MAX_RECORD_BYTES) return this.fail('corrupted', at);
    const data = await this.stream.read(length);
    if (data.length < length) return this.fail('truncated', at);
    const f = await this.stream.readInto(this.footer, 0, RECORD_FOOTER_BYTES);
    if (f < RECORD_FOOTER_BYTES) return this.fail('truncated', at);
    if (unmaskCrc(readU32(this.footer, 0)) !== crc32c(data)) return this.fail('corrupted', at);
    this.offset = at + RECORD_HEADER_BYTES + length + RECORD_FOOTER_BYTES;
    return data;
  }

  private fail(kind: 'truncated' | 'corrupted', at: number): never {
    this.failure = new DataLossError(`${kind} record at ${at} in ${this.where}`);
    throw this.failure;
  }
}

function readU32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}
