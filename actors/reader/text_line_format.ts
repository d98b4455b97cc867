/**
 * TextLineReader: one record per line, key "<file>:<line>" with 1-based line numbers that count
 * the skipped header lines, value without "\n" or "\r\n" (text_line_reader_op.cc).
 */
import { ByteStream, DEFAULT_CHUNK_BYTES } from '../../lib/io/byte_stream.js';
import type { ReaderFormat, ReaderRecord, RecordSource } from './record_source.js';

export interface TextLineOptions {
  skipHeaderLines: number;
  chunkBytes?: number;
}

class TextLineSource implements RecordSource {
  lineNumber = 0;
  constructor(private readonly stream: ByteStream, private readonly file: string) {}

  async next(): Promise<ReaderRecord | null> {
    const line = await this.stream.readLine();
    this.lineNumber++;
    if (line === null) return null;
    return { key: `${this.file}:${this.lineNumber}`, value: line };
  }

  tryNextSync(): ReaderRecord | undefined {
    const line = this.stream.tryReadLineSync();
    if (line === undefined) return undefined;
    this.lineNumber++;
    return { key: `${this.file}:${this.lineNumber}`, value: line };
  }

  close(): Promise<void> { return this.stream.close(); }
}

export function textLineFormat(opts: TextLineOptions): ReaderFormat {
  return {
    kind: 'TextLineReader',
    serializable: false,
    async open(work) {
      const stream = await ByteStream.open(work, { chunkBytes: opts.chunkBytes ?? DEFAULT_CHUNK_BYTES });
      const src = new TextLineSource(stream, work);
      // A file shorter than its header is simply skipped: its end is not an error here.
      for (; src.lineNumber < opts.skipHeaderLines; src.lineNumber++) {
        if ((await stream.readLine()) === null) break;
      }
      return src;
    },
  };
}
