/**
 * TFRecordReader (tf_record_reader_op.cc): key "<file>:<byte offset of the record>" (offsets in the
 * uncompressed stream), value the payload, both CRCs checked.
 */
import { ByteStream, DEFAULT_CHUNK_BYTES } from '../../lib/io/byte_stream.js';
import type { CompressionType } from '../../lib/io/compression.js';
import { TFRecordParser } from '../../lib/io/tf_record.js';
import type { ReaderFormat, ReaderRecord, RecordSource } from './record_source.js';

export interface TFRecordFormatOptions {
  compressionType: CompressionType;
  chunkBytes?: number;
}

class TFRecordSource implements RecordSource {
  private readonly parser: TFRecordParser;
  constructor(private readonly stream: ByteStream, private readonly file: string, where: string) {
    this.parser = new TFRecordParser(stream, where);
  }

  async next(): Promise<ReaderRecord | null> {
    const key = `${this.file}:${this.parser.offset}`;
    const value = await this.parser.next();
    return value === null ? null : { key, value };
  }

  tryNextSync(): ReaderRecord | undefined {
    const key = `${this.file}:${this.parser.offset}`;
    const value = this.parser.tryNextSync();
    return value === undefined ? undefined : { key, value };
  }

  close(): Promise<void> { return this.stream.close(); }
}

export function tfRecordFormat(o: TFRecordFormatOptions): ReaderFormat {
  return {
    kind: 'TFRecordReader',
    serializable: false,
    async open(work, where) {
      const stream = await ByteStream.open(work, { compression: o.compressionType, chunkBytes: o.chunkBytes ?? DEFAULT_CHUNK_BYTES });
      return new TFRecordSource(stream, work, where);
    },
  };
}
