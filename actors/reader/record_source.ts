/**
 * What a kind of reader defines (TensorFlow's ReaderBase subclasses): how a work unit is opened
 * (OnWorkStartedLocked) and how its records come out (ReadLocked). The reader actor supplies the
 * rest: work-unit bookkeeping, counters, reset, state, and the mailbox that serialises it all.
 */
import type { StringElement } from '../../lib/framework/dtypes.js';

export interface ReaderRecord {
  key: string;
  value: StringElement;
  /** This record also ends its work unit (IdentityReader, WholeFileReader: one record per unit). */
  last?: boolean;
}

/** The records of one work unit. */
export interface RecordSource {
  /** The next record, or null once the work unit is exhausted (at_end). */
  next(): Promise<ReaderRecord | null>;
  /**
   * The next record if it can be had without I/O (it lies in the buffered chunk), else undefined
   * (then call next()). Optional: a fast path that spares readUpTo an await per record.
   */
  tryNextSync?(): ReaderRecord | undefined;
  /** Releases the file (OnWorkFinishedLocked, or a reset). */
  close(): Promise<void>;
}

export interface ReaderFormat {
  /** TensorFlow's class name, used in messages: "TextLineReader". */
  readonly kind: string;
  /** True where TensorFlow implements SerializeState/RestoreState (Identity, WholeFile). */
  readonly serializable: boolean;
  /** Starts a work unit; a failure leaves the unit unstarted (the next read takes a new one). */
  open(work: string, where: string): Promise<RecordSource>;
}
