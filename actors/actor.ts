/**
 * The actor core: an actor has a path and a mailbox that handles one message at a time. A message
 * that has to wait (a dequeue on an empty queue) is parked by the actor: its envelope is kept and
 * answered later, while the mailbox goes on with other messages.
 */
import { CancelledError, OpError, toOpError } from '../lib/framework/errors.js';
import { NEVER, type CancelSignal } from '../lib/framework/cancellation.js';

export interface Envelope<R = unknown> {
  readonly msg: unknown;
  /** Aborted when the sender gives up (deadline, cancelled step, closed session). */
  readonly signal: CancelSignal;
  /** True once replied, failed or cancelled. */
  readonly settled: boolean;
  /** Answers the request. Returns false if the sender had already given up (nothing delivered). */
  reply(value: R): boolean;
  /** Fails the request with a typed error. Returns false if already settled. */
  fail(err: unknown): boolean;
  /** Runs fn if the request is cancelled while still unanswered (a parked request). */
  onCancel(fn: (reason: OpError) => void): void;
}

class MailEnvelope<R> implements Envelope<R> {
  settled = false;
  private cancelFns: ((reason: OpError) => void)[] = [];
  private onAbort = (): void => {
    if (this.settled) return;
    const reason = abortReason(this.signal);
    this.settled = true;
    for (const fn of this.cancelFns) {
      try { fn(reason); } catch { /* a cancel hook must not break the others */ }
    }
    this.cancelFns = [];
    this.rejectFn(reason);
  };

  constructor(
    readonly msg: unknown,
    readonly signal: CancelSignal,
    private readonly resolveFn: (v: R) => void,
    private readonly rejectFn: (e: OpError) => void,
  ) {
    if (signal.aborted) queueMicrotask(this.onAbort);
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  reply(value: R): boolean {
    if (this.settled) return false;
    this.finish();
    this.resolveFn(value);
    return true;
  }

  fail(err: unknown): boolean {
    if (this.settled) return false;
    this.finish();
    this.rejectFn(toOpError(err));
    return true;
  }

  onCancel(fn: (reason: OpError) => void): void {
    if (!this.settled) this.cancelFns.push(fn);
  }

  private finish(): void {
    this.settled = true;
    this.cancelFns = [];
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

/** The typed error an AbortSignal carries (CancelledError when it carries none). */
export function abortReason(signal: CancelSignal): OpError {
  const r: unknown = signal.reason;
  if (r instanceof OpError) return r;
  return new CancelledError(r instanceof Error ? r.message : 'Operation was cancelled');
}

export abstract class Actor {
  readonly path: string;
  private readonly mailbox: MailEnvelope<unknown>[] = [];
  private running = false;
  private stopped = false;

  constructor(path: string) {
    this.path = path;
  }

  /** Handles one message. Reply now, or keep the envelope (park it) and reply later. */
  protected abstract receive(env: Envelope): void | Promise<void>;

  /** Called once when the actor is removed (container reset, node shutdown). */
  protected onStop(_reason: OpError): void { /* default: nothing to release */ }

  /** Puts a message in the mailbox; resolves with the actor's reply. */
  deliver<R = unknown>(msg: unknown, signal: CancelSignal = NEVER): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.stopped) {
        reject(new CancelledError(`Resource ${this.path} has been removed`));
        return;
      }
      this.mailbox.push(new MailEnvelope<unknown>(msg, signal, resolve as (v: unknown) => void, reject));
      if (!this.running) void this.drain();
    });
  }

  get isStopped(): boolean { return this.stopped; }

  stop(reason: OpError): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const env of this.mailbox.splice(0)) env.fail(reason);
    this.onStop(reason);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.mailbox.length > 0) {
        const env = this.mailbox.shift()!;
        if (env.settled) continue;
        try {
          const r = this.receive(env);
          if (r instanceof Promise) await r;
        } catch (e) {
          env.fail(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
