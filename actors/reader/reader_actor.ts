/**
 * A reader resource (TensorFlow's ReaderBase): turns work units (file names) dequeued from a queue
 * into records. The actor's mailbox handles one message at a time, which is ReaderBase's mutex:
 * a read that waits for a file name holds up the reader's other requests, as in TensorFlow. It
 * keeps its place (file and position) between steps; `reset` drops it.
 *
 * A record whose reply cannot be delivered (the step was cancelled while the file was being read)
 * is kept and handed out by the next read, so cancelling a step never skips a record.
 */
import { Actor, type Envelope } from '../actor.js';
import type { ActorSystem } from '../actor_system.js';
import { InvalidArgumentError, UnimplementedError, InternalError, type OpError } from '../../lib/framework/errors.js';
import type { StringElement } from '../../lib/framework/dtypes.js';
import { fileError } from '../../lib/io/file_errors.js';
import { workQueueAt } from './work_queue.js';
import type { ReaderFormat, ReaderRecord, RecordSource } from './record_source.js';
import { debugString, decodeReaderState, encodeReaderState } from './reader_state.js';
import { toAbortSignal } from '../../lib/framework/cancellation.js';

export type ReaderMessage =
  | { type: 'read'; queue: string }
  | { type: 'readUpTo'; queue: string; n: number }
  | { type: 'reset' }
  | { type: 'numRecordsProduced' }
  | { type: 'numWorkUnitsCompleted' }
  | { type: 'serializeState' }
  | { type: 'restoreState'; state: StringElement };

/** The reply to read (one entry) and readUpTo (up to n entries). */
export interface ReadReply {
  keys: string[];
  values: StringElement[];
}

export interface ReaderActorOptions {
  format: ReaderFormat;
  /** The op's node name: messages say "TextLineReader '<node name>'". */
  nodeName: string;
  system: ActorSystem;
  /** The task this reader runs on, named in file errors. */
  taskPath: string | null;
}

export class ReaderActor extends Actor {
  readonly format: ReaderFormat;
  /** TensorFlow's ReaderBase name: "TextLineReader 'node'". */
  readonly readerName: string;
  private readonly system: ActorSystem;
  private readonly taskPath: string | null;
  private workStarted = 0;
  private workFinished = 0;
  private recordsProduced = 0;
  private work = '';
  private source: RecordSource | null = null;
  /** Records read for a requester that had gone: served first by the next read. */
  private kept: ReaderRecord[] = [];
  /** Aborted when the reader is removed, so a read parked on the filename queue lets go. */
  private readonly removed = new AbortController();

  constructor(path: string, opts: ReaderActorOptions) {
    super(path);
    this.format = opts.format;
    this.readerName = `${opts.format.kind} '${opts.nodeName}'`;
    this.system = opts.system;
    this.taskPath = opts.taskPath;
  }

  get numRecordsProduced(): number { return this.recordsProduced; }
  get numWorkUnitsCompleted(): number { return this.workFinished; }
  get currentWork(): string { return this.work; }

  private get workInProgress(): boolean { return this.workFinished < this.workStarted; }

  protected async receive(env: Envelope): Promise<void> {
    const msg = env.msg as ReaderMessage;
    const signal = (): AbortSignal => AbortSignal.any([toAbortSignal(env.signal), this.removed.signal]);
    switch (msg.type) {
      case 'read': return this.deliverRecords(env, await this.readUpTo(msg.queue, 1, signal()));
      case 'readUpTo': {
        if (!Number.isInteger(msg.n) || msg.n < 0) {
          throw new InvalidArgumentError(`ReaderReadUpTo requested ${msg.n} records; num_records must be >= 0`);
        }
        return this.deliverRecords(env, await this.readUpTo(msg.queue, msg.n, signal()));
      }
      case 'reset': await this.resetLocked(); env.reply(null); return;
      case 'numRecordsProduced': env.reply(this.recordsProduced); return;
      case 'numWorkUnitsCompleted': env.reply(this.workFinished); return;
      case 'serializeState': env.reply(this.serializeState()); return;
      case 'restoreState': await this.restoreState(msg.state); env.reply(null); return;
      default:
        throw new InvalidArgumentError(`${this.readerName} got an unknown message ${JSON.stringify((msg as { type?: unknown }).type)}`);
    }
  }

  protected override onStop(reason: OpError): void {
    this.removed.abort(reason);
    const s = this.source;
    this.source = null;
    void s?.close().catch(() => { /* the reader is gone; nobody to tell */ });
  }

  private deliverRecords(env: Envelope, records: ReaderRecord[]): void {
    const reply: ReadReply = { keys: records.map((r) => r.key), values: records.map((r) => r.value) };
    if (!env.reply(reply)) {
      // The requester gave up while the records were being read: keep them for the next read.
      this.kept.push(...records);
      this.recordsProduced -= records.length;
    }
  }

  /**
   * ReaderBase::Read (single) and ReaderBase::ReadUpTo: reads within the current work unit, taking
   * the next one only when no record has been produced by this call yet, so that one call never
   * returns records of two work units.
   */
  private async readUpTo(queuePath: string, n: number, signal: AbortSignal): Promise<ReaderRecord[]> {
    const out: ReaderRecord[] = [];
    if (this.kept.length > 0) {
      out.push(...this.kept.splice(0, n));
      this.recordsProduced += out.length;
      return out;
    }
    for (;;) {
      if (out.length === n) return out;
      if (!this.workInProgress) {
        this.work = await workQueueAt(this.system, queuePath).dequeueOne(signal);
        try {
          this.source = await this.format.open(this.work, this.where(this.work));
        } catch (e) {
          throw fileError(e, this.work, this.taskPath);
        }
        this.workStarted++;
      }
      let rec: ReaderRecord | null | undefined;
      try {
        rec = this.source!.tryNextSync?.();
        if (rec === undefined) rec = await this.source!.next();
      } catch (e) {
        throw fileError(e, this.work, this.taskPath);
      }
      if (rec !== null) {
        out.push(rec);
        this.recordsProduced++;
        if (!rec.last) continue;
      }
      // at_end: the work unit is finished.
      await this.finishWork();
      if (out.length > 0) return out;
    }
  }

  private where(work: string): string {
    return this.taskPath ? `${work} (on ${this.taskPath})` : work;
  }

  private async finishWork(): Promise<void> {
    const s = this.source;
    this.source = null;
    this.workFinished = this.workStarted;
    await s?.close();
  }

  private async resetLocked(): Promise<void> {
    const s = this.source;
    this.source = null;
    this.workStarted = 0;
    this.workFinished = 0;
    this.recordsProduced = 0;
    this.work = '';
    this.kept = [];
    await s?.close();
  }

  private serializeState(): Uint8Array {
    if (!this.format.serializable) throw new UnimplementedError('Reader SerializeState');
    return encodeReaderState({
      workStarted: this.workStarted,
      workFinished: this.workFinished,
      numRecordsProduced: this.recordsProduced,
      currentWork: new TextEncoder().encode(this.work),
    });
  }

  /** ReaderBase::RestoreState: on any failure the reader is reset. */
  private async restoreState(state: StringElement): Promise<void> {
    try {
      if (!this.format.serializable) throw new UnimplementedError('Reader RestoreState');
      const bytes = typeof state === 'string' ? Buffer.from(state, 'latin1') : state;
      const s = decodeReaderState(bytes);
      if (s === null) {
        throw new InvalidArgumentError(`Could not parse state for ${this.readerName}: ${cEscape(bytes)}`);
      }
      const debug = debugString(s);
      if (s.workStarted < 0 || s.workFinished < 0 || s.numRecordsProduced < 0) {
        throw new InvalidArgumentError(`Unexpected negative value when restoring in ${this.readerName}: ${debug}`);
      }
      // TensorFlow's check, as written there: a state saved mid-unit cannot be restored.
      if (s.workStarted > s.workFinished) {
        throw new InvalidArgumentError(`Inconsistent work started vs. finished when restoring in ${this.readerName}: ${debug}`);
      }
      const s0 = this.source;
      this.source = null;
      await s0?.close();
      this.workStarted = s.workStarted;
      this.workFinished = s.workFinished;
      this.recordsProduced = s.numRecordsProduced;
      this.work = Buffer.from(s.currentWork).toString('utf8');
      this.kept = [];
    } catch (e) {
      await this.resetLocked();
      throw e instanceof Error ? e : new InternalError(String(e));
    }
  }
}

/** absl::CEscape: printable ASCII as is, the rest as octal escapes. */
function cEscape(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x09) s += '\\t';
    else if (b === 0x22) s += '\\"';
    else if (b === 0x27) s += "\\'";
    else if (b === 0x5c) s += '\\\\';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\' + b.toString(8).padStart(3, '0');
  }
  return s;
}
