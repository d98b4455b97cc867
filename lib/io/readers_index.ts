/**
 * Readers and CSV parsing, re-exported at the top level of actorflow (`tf.TextLineReader`,
 * `tf.decodeCsv`, ...). Importing this module registers the reader ops and DecodeCSV with their
 * CPU kernels.
 *
 * decodeCsv's column dtypes (JavaScript cannot tell `-1.` from `-1`): a plain JS number default is
 * float32, a bigint int64, a string string, `[]` a required float32 column; give any other dtype
 * with a tensor (`tf.constant([-1], {dtype: 'int32'})`, `tf.tensor(...)`, `Int32Array.of(-1)`) or
 * with `{dtype: 'int32', value: -1}` (`{dtype}` alone = required). The book's
 * `record_defaults=[[-1.], [-1.], [-1]]` is `[[-1], [-1], {dtype: 'int32', value: -1}]`.
 */
export {
  ReaderBase, TextLineReader, FixedLengthRecordReader, TFRecordReader, IdentityReader, WholeFileReader,
  type QueueLike, type ReaderCommonOptions, type TextLineReaderOptions, type FixedLengthRecordReaderOptions,
  type TFRecordReaderOptions,
} from './readers.js';
export { decodeCsv, type DecodeCsvOptions, type RecordDefault, type TypedDefault } from './decode_csv.js';
