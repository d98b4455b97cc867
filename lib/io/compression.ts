/**
 * Compression types of TFRecord files and FixedLengthRecordReader encodings, with TensorFlow's
 * spellings: TFRecordCompressionType NONE=0, ZLIB=1, GZIP=2, or the strings '', 'ZLIB', 'GZIP'.
 */
import { InvalidArgumentError } from '../framework/errors.js';

export type CompressionType = '' | 'ZLIB' | 'GZIP';

/** tf.io.TFRecordCompressionType. */
export const TFRecordCompressionType = { NONE: 0, ZLIB: 1, GZIP: 2 } as const;
export type TFRecordCompressionTypeValue = (typeof TFRecordCompressionType)[keyof typeof TFRecordCompressionType];

/** What users may pass where a compression type is expected. */
export type CompressionSpec = CompressionType | 'NONE' | TFRecordCompressionTypeValue | null | undefined;

/** Normalises a compression spec to '', 'ZLIB' or 'GZIP'; anything else is InvalidArgumentError. */
export function compressionTypeString(spec: unknown, what = 'compression_type'): CompressionType {
  if (spec === undefined || spec === null || spec === '' || spec === 'NONE' || spec === 0) return '';
  if (spec === 'ZLIB' || spec === 1) return 'ZLIB';
  if (spec === 'GZIP' || spec === 2) return 'GZIP';
  if (typeof spec === 'object' && spec !== null && 'compressionType' in spec) {
    return compressionTypeString((spec as { compressionType: unknown }).compressionType, what);
  }
  throw new InvalidArgumentError(`Unsupported ${what} ${JSON.stringify(spec)}: expected '', 'ZLIB' or 'GZIP'`);
}
