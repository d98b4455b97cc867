/**
 * `tf.io`: TFRecord files (byte-compatible with TensorFlow's), CRC-32C, and the readers again for
 * those who look for them here. Importing it registers the reader ops and DecodeCSV.
 */
export { TFRecordWriter, tfRecordIterator, type TFRecordWriterOptions, type TFRecordIteratorOptions } from './tf_record_writer.js';
export { TFRecordOptions } from './tf_record_options.js';
export { TFRecordCompressionType, compressionTypeString, type CompressionType, type CompressionSpec } from './compression.js';
export { crc32c, crc32cExtend, maskCrc, unmaskCrc, maskedCrc32c } from './crc32c.js';
export { encodeRecord, TFRecordParser, RECORD_HEADER_BYTES, RECORD_FOOTER_BYTES } from './tf_record.js';
export { ByteStream, DEFAULT_CHUNK_BYTES, type ByteStreamOptions } from './byte_stream.js';
export * from './readers_index.js';
