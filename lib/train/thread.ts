/**
 * "Threads" of the input pipeline. JavaScript has one thread, so a TensorFlow thread becomes a
 * handle on a concurrent loop written as an RxJS stream: it is alive from `start()` until the
 * stream completes (or errors), and `join()` resolves then. The stream's own error handling
 * decides where failures go (a coordinator or `exceptionsRaised`); a stream that still errors
 * is logged and ends the thread, as an uncaught exception ends a Python thread.
 */
import { Observable } from 'rxjs';
import { InternalError } from '../framework/errors.js';

/** Anything with `name`, `isAlive()` and `join()` counts as a thread (Coordinator.join). */
export interface ThreadLike {
  readonly name: string;
  isAlive(): boolean;
  join(): unknown;
}

/**
 * Python's RuntimeError (threading misuse, Coordinator stragglers). tf.errors has no such class,
 * so it is an InternalError (code INTERNAL) named 'RuntimeError': `instanceof Error` and
 * `instanceof tf.errors.InternalError` both hold.
 */
export class RuntimeError extends InternalError {}

let threadCounter = 0;

export class StreamThread implements ThreadLike {
  readonly name: string;
  /** Accepted for TensorFlow compatibility; a JS loop never keeps the process alive by itself. */
  daemon = false;
  private readonly body: (() => Observable<unknown>) | null;
  private started = false;
  private alive = false;
  private readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  /** `body` builds the loop's stream when the thread starts (subclasses override `stream()`). */
  constructor(name: string | null, body: (() => Observable<unknown>) | null = null) {
    this.name = name ?? `Thread-${++threadCounter}`;
    this.body = body;
    this.ended = new Promise((resolve) => { this.resolveEnded = resolve; });
  }

  /** Starts the loop; a thread can only be started once (RuntimeError, as in Python). */
  start(): this {
    if (this.started) throw new RuntimeError('threads can only be started once');
    this.started = true;
    this.alive = true;
    const finish = (): void => {
      this.alive = false;
      this.resolveEnded();
    };
    let source: Observable<unknown>;
    try {
      source = this.stream();
    } catch (err) {
      finish();
      throw err;
    }
    source.subscribe({
      complete: finish,
      error: (err: unknown) => {
        console.error(`Exception in thread ${this.name}:`, err);
        finish();
      },
    });
    return this;
  }

  /** The loop as a stream; subscribed once by start(). */
  protected stream(): Observable<unknown> {
    if (this.body === null) throw new RuntimeError(`Thread ${this.name} has no body`);
    return this.body();
  }

  isStarted(): boolean { return this.started; }

  isAlive(): boolean { return this.alive; }

  /**
   * Resolves when the loop has ended. Joining a thread that was never started is Python's
   * RuntimeError "cannot join thread before it is started".
   */
  join(): Promise<void> {
    if (!this.started) return Promise.reject(new RuntimeError('cannot join thread before it is started'));
    return this.ended;
  }

  toString(): string {
    return `<Thread(${this.name}, ${this.alive ? 'started' : this.started ? 'stopped' : 'initial'})>`;
  }
}

/**
 * Lets timers and I/O run between iterations of a loop whose steps can all resolve on the
 * microtask queue (an in-process session feeding a queue with room to spare): without it such
 * a loop would starve every timer until the queue fills. `everyMs` bounds how long a loop may
 * keep the event loop to itself.
 */
export function yieldEvery(everyMs = 5): () => Observable<0> {
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last < everyMs) {
      return new Observable<0>((sub) => { sub.next(0); sub.complete(); });
    }
    return new Observable<0>((sub) => {
      const h = setImmediate(() => {
        last = Date.now();
        sub.next(0);
        sub.complete();
      });
      return () => clearImmediate(h);
    });
  };
}
