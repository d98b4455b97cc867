/**
 * WholeFileReader (whole_file_read_ops.cc): each work unit (a file name) is one record, key the
 * file name, value its whole contents as bytes. The file is opened when the record is read, so a
 * missing file fails that read and stays the current work unit, as in TensorFlow.
 */
import { readFile } from 'node:fs/promises';
import type { ReaderFormat, RecordSource } from './record_source.js';

export const wholeFileFormat: ReaderFormat = {
  kind: 'WholeFileReader',
  serializable: true,
  async open(work): Promise<RecordSource> {
    return {
      async next() {
        const buf = await readFile(work);
        return { key: work, value: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), last: true };
      },
      close: async () => { /* readFile closes the file itself */ },
    };
  },
};
