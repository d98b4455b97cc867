/**
 * The reader classes users build graphs with (TensorFlow's io_ops.ReaderBase and subclasses). A
 * reader is a stateful resource placed like a variable or a queue; its ops run where it lives, so
 * the files are read on that node and only records travel.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, Operation, SymbolicTensor, type Graph } from '../framework/graph.js';
import { toSymbolic } from '../framework/convert.js';
import { nameOf, type NameOpt } from '../ops/op_builder.js';
import { compressionTypeString } from './compression.js';
import type { TFRecordOptions } from './tf_record_options.js';
import './reader_ops.js';

/** A filename queue: a queue object (with `queueRef`) or its handle tensor. */
export type QueueLike = SymbolicTensor | { queueRef: SymbolicTensor } | { queue_ref: SymbolicTensor };

function queueRefOf(queue: QueueLike): SymbolicTensor {
  if (queue instanceof SymbolicTensor) return queue;
  const q = queue as { queueRef?: unknown; queue_ref?: unknown };
  const ref = q?.queueRef ?? q?.queue_ref;
  if (ref instanceof SymbolicTensor) return ref;
  throw new InvalidArgumentError('A reader reads from a queue (a queue object or its handle tensor)');
}

export interface ReaderCommonOptions {
  name?: string;
  /** Share this reader between sessions under this name (TensorFlow's shared_name attr). */
  sharedName?: string;
}

export class ReaderBase {
  /** The reader's handle (TensorFlow's reader_ref). */
  readonly readerRef: SymbolicTensor;
  /** Whether serializeState/restoreState work (IdentityReader and WholeFileReader). */
  readonly supportsSerialize: boolean;

  /** Wraps the handle output of a reader op. */
  constructor(readerRef: SymbolicTensor, supportsSerialize = false) {
    if (!(readerRef instanceof SymbolicTensor)) throw new InvalidArgumentError('ReaderBase needs a reader handle tensor');
    this.readerRef = readerRef;
    this.supportsSerialize = supportsSerialize;
  }

  /** The reader op's name. */
  get name(): string { return this.readerRef.op.name; }
  get device(): string { return this.readerRef.op.device; }
  private get graph(): Graph { return this.readerRef.graph; }

  private op(type: string, inputs: SymbolicTensor[], name: NameOpt): Operation {
    return this.graph.createOp(type, inputs, { name: nameOf(name) ?? type });
  }

  /** The next record: `[key, value]` scalars, taking a work unit from `queue` when needed. */
  read(queue: QueueLike, name?: NameOpt): [SymbolicTensor, SymbolicTensor] {
    const op = this.op('ReaderReadV2', [this.readerRef, queueRefOf(queue)], name);
    return [op.outputs[0]!, op.outputs[1]!];
  }

  /** Up to `numRecords` records of one work unit: `[keys, values]`, 1-D. */
  readUpTo(queue: QueueLike, numRecords: unknown, name?: NameOpt): [SymbolicTensor, SymbolicTensor] {
    const n = toSymbolic(numRecords, { graph: this.graph, dtype: numRecords instanceof SymbolicTensor ? undefined : 'int64', name: 'num_records' });
    const op = this.op('ReaderReadUpToV2', [this.readerRef, queueRefOf(queue), n], name);
    return [op.outputs[0]!, op.outputs[1]!];
  }

  /** Records produced so far (int64 scalar). */
  numRecordsProduced(name?: NameOpt): SymbolicTensor {
    return this.op('ReaderNumRecordsProducedV2', [this.readerRef], name).outputs[0]!;
  }

  /** Work units finished so far (int64 scalar). */
  numWorkUnitsCompleted(name?: NameOpt): SymbolicTensor {
    return this.op('ReaderNumWorkUnitsCompletedV2', [this.readerRef], name).outputs[0]!;
  }

  /** The reader's state as a string scalar; UnimplementedError when run for readers without one. */
  serializeState(name?: NameOpt): SymbolicTensor {
    return this.op('ReaderSerializeStateV2', [this.readerRef], name).outputs[0]!;
  }

  /** Restores a state from serializeState (a scalar string); the reader is reset on failure. */
  restoreState(state: unknown, name?: NameOpt): Operation {
    const s = toSymbolic(state, { graph: this.graph, dtype: state instanceof SymbolicTensor ? undefined : 'string', name: 'state' });
    return this.op('ReaderRestoreStateV2', [this.readerRef, s], name);
  }

  /** Back to the initial state: counters zeroed, the current work unit dropped. */
  reset(name?: NameOpt): Operation {
    return this.op('ReaderResetV2', [this.readerRef], name);
  }
}

function readerOp(type: string, opts: ReaderCommonOptions, attrs: Record<string, unknown>): SymbolicTensor {
  const g = getDefaultGraph();
  const op = g.createOp(type, [], {
    name: opts.name ?? type,
    attrs: { ...attrs, shared_name: opts.sharedName ?? '' },
  });
  return op.outputs[0]!;
}

function intOption(v: unknown, what: string, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidArgumentError(`${what} must be an integer, got ${String(v)}`);
  return v;
}

export interface TextLineReaderOptions extends ReaderCommonOptions {
  /** Lines skipped at the start of each file (default 0); they still count in the line keys. */
  skipHeaderLines?: number;
}

/** One record per line: key "<file>:<line>", value the line without its newline. */
export class TextLineReader extends ReaderBase {
  constructor(opts: TextLineReaderOptions = {}) {
    super(readerOp('TextLineReaderV2', opts, { skip_header_lines: intOption(opts.skipHeaderLines, 'skipHeaderLines', 0) }));
  }
}

export interface FixedLengthRecordReaderOptions extends ReaderCommonOptions {
  recordBytes: number;
  headerBytes?: number;
  footerBytes?: number;
  /** Distance between record starts (default 0 = recordBytes). */
  hopBytes?: number;
  /** '' (default), 'ZLIB' or 'GZIP': the whole file is compressed. */
  encoding?: string;
}

/** Fixed-size records between a header and a footer: key "<file>:<record index>". */
export class FixedLengthRecordReader extends ReaderBase {
  constructor(opts: FixedLengthRecordReaderOptions) {
    if (!opts || opts.recordBytes === undefined) throw new InvalidArgumentError('FixedLengthRecordReader needs recordBytes');
    super(readerOp('FixedLengthRecordReaderV2', opts, {
      record_bytes: intOption(opts.recordBytes, 'recordBytes', 0),
      header_bytes: intOption(opts.headerBytes, 'headerBytes', 0),
      footer_bytes: intOption(opts.footerBytes, 'footerBytes', 0),
      hop_bytes: intOption(opts.hopBytes, 'hopBytes', 0),
      encoding: compressionTypeString(opts.encoding ?? '', 'encoding'),
    }));
  }
}

export interface TFRecordReaderOptions extends ReaderCommonOptions {
  /** '' | 'ZLIB' | 'GZIP' or TFRecordCompressionType; default ''. */
  compressionType?: unknown;
  /** TensorFlow's `options`: a TFRecordOptions (its compression type is used). */
  options?: TFRecordOptions | { compressionType?: unknown } | null;
}

/** The records of TFRecord files: key "<file>:<byte offset>", value the payload bytes. */
export class TFRecordReader extends ReaderBase {
  constructor(opts: TFRecordReaderOptions = {}) {
    const spec = opts.compressionType ?? opts.options?.compressionType ?? '';
    super(readerOp('TFRecordReaderV2', opts, { compression_type: compressionTypeString(spec) }));
  }
}

/** Each work unit is one record whose key and value are the work unit itself. */
export class IdentityReader extends ReaderBase {
  constructor(opts: ReaderCommonOptions = {}) {
    super(readerOp('IdentityReaderV2', opts, {}), true);
  }
}

/** Each work unit (a file name) is one record: key the name, value the file's bytes. */
export class WholeFileReader extends ReaderBase {
  constructor(opts: ReaderCommonOptions = {}) {
    super(readerOp('WholeFileReaderV2', opts, {}), true);
  }
}
