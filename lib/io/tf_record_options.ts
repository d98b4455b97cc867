/** tf.io.TFRecordOptions: the compression of a TFRecord file. */
import { compressionTypeString, type CompressionType } from './compression.js';

export class TFRecordOptions {
  readonly compressionType: CompressionType;

  /** `new TFRecordOptions('GZIP')`, `new TFRecordOptions(TFRecordCompressionType.ZLIB)` or `({compressionType})`. */
  constructor(compressionType: unknown = '') {
    this.compressionType = compressionTypeString(
      typeof compressionType === 'object' && compressionType !== null ? (compressionType as { compressionType?: unknown }).compressionType : compressionType);
  }

  /** TensorFlow's TFRecordOptions.get_compression_type_string: '' for none. */
  static getCompressionTypeString(options: TFRecordOptions | unknown): CompressionType {
    if (options instanceof TFRecordOptions) return options.compressionType;
    return compressionTypeString(options);
  }
}
