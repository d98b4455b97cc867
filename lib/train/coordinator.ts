/**
 * tf.train.Coordinator (TF-SEMANTICS 1.6): coordinates the stop of a set of "threads" (loops).
 * The stop request is an RxJS stream, `stop$`: it emits once (the reported exception, or null for
 * a clean stop) and completes, and a late subscriber gets that emission at once, so loops built
 * as streams end with `takeUntil(coord.stop$)`.
 */
import { AsyncSubject, type Observable } from 'rxjs';
import { InvalidArgumentError, OutOfRangeError } from '../framework/errors.js';
import { RuntimeError, type ThreadLike } from './thread.js';
import { LooperThread } from './looper_thread.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

export interface CoordinatorOptions {
  /** Exceptions that count as a clean stop when passed to requestStop (default [OutOfRangeError]). */
  cleanStopExceptionTypes?: readonly ErrorClass[];
}

export interface CoordinatorJoinOptions {
  /** After a stop request, how long threads get to finish before join gives up (default 120000). */
  stopGracePeriodMs?: number;
  /** Only log (instead of throwing) when threads are still running after the grace period. */
  ignoreLiveThreads?: boolean;
}

/** How often join re-checks `isAlive()` of threads whose `join()` does not say when they end. */
const JOIN_POLL_MS = 100;

export class Coordinator {
  readonly cleanStopExceptionTypes: readonly ErrorClass[];
  private stopSubject = new AsyncSubject<unknown>();
  private stopped = false;
  /** The first non-clean exception reported while the stop flag was unset. */
  private exception: { error: unknown } | null = null;
  private joinedFlag = false;
  private readonly registered = new Set<ThreadLike>();

  constructor(opts: CoordinatorOptions = {}) {
    const types = opts.cleanStopExceptionTypes ?? [OutOfRangeError];
    if (!Array.isArray(types) || !types.every((t) => typeof t === 'function')) {
      throw new InvalidArgumentError(`cleanStopExceptionTypes must be an array of error classes, but saw: ${String(types)}`);
    }
    this.cleanStopExceptionTypes = [...types];
  }

  /** Emits once when a stop is requested (the stored exception, or null), then completes. */
  get stop$(): Observable<unknown> {
    return this.stopSubject.asObservable();
  }

  /** True once join() has completed (until clearStop). */
  get joined(): boolean { return this.joinedFlag; }

  shouldStop(): boolean { return this.stopped; }

  /**
   * Requests that the threads stop. Only the first non-clean exception reported before the stop
   * flag is set is kept (join re-raises it); clean-stop types count as a plain request. After
   * join() has completed, an exception is thrown back at once, since nobody would see it.
   */
  requestStop(err?: unknown): void {
    const ex = this.filterException(err);
    if (this.joinedFlag && ex !== null) throw ex;
    if (this.stopped) return;
    if (ex !== null && this.exception === null) this.exception = { error: ex };
    this.stopped = true;
    this.stopSubject.next(ex);
    this.stopSubject.complete();
  }

  /** Clears the stop flag, the stored exception and the joined state. */
  clearStop(): void {
    this.joinedFlag = false;
    this.exception = null;
    if (this.stopped) {
      this.stopped = false;
      this.stopSubject = new AsyncSubject<unknown>();
    }
  }

  /** Throws the exception passed to requestStop, if any. */
  raiseRequestedException(): void {
    if (this.exception !== null) throw this.exception.error;
  }

  /**
   * Resolves true as soon as a stop is requested, or false when `timeoutMs` passes first
   * (no timeout: waits for the stop). A timeout <= 0 just reports shouldStop().
   */
  waitForStop(timeoutMs?: number | null): Promise<boolean> {
    if (this.stopped) return Promise.resolve(true);
    if (timeoutMs !== undefined && timeoutMs !== null && timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const sub = this.stop$.subscribe(() => {
        if (timer) clearTimeout(timer);
        resolve(true);
      });
      if (timeoutMs !== undefined && timeoutMs !== null && !this.stopped) {
        timer = setTimeout(() => {
          sub.unsubscribe();
          resolve(this.stopped);
        }, timeoutMs);
      }
    });
  }

  /**
   * TensorFlow's `with coord.stop_on_exception():`. Runs fn; an exception it throws (or, for an
   * async fn, the rejection of its promise) is reported with requestStop and swallowed. Returns
   * what fn returns (undefined after an exception); a Promise when fn is async.
   */
  stopOnException<T>(fn: () => T): T extends PromiseLike<infer U> ? Promise<U | undefined> : T | undefined;
  stopOnException(fn: () => unknown): unknown {
    let r: unknown;
    try {
      r = fn();
    } catch (err) {
      this.requestStop(err);
      return undefined;
    }
    if (isPromiseLike(r)) {
      return Promise.resolve(r).then((v) => v, (err: unknown) => {
        this.requestStop(err);
        return undefined;
      });
    }
    return r;
  }

  /** Adds a thread for join() to wait on. */
  registerThread(thread: ThreadLike): void {
    this.registered.add(thread);
  }

  /**
   * Waits for the given and registered threads: until all have ended or a stop is requested,
   * then up to the grace period for the rest. Re-raises the stored exception if there is one,
   * else throws RuntimeError "Coordinator stopped with threads still running: <names>" when
   * threads are still alive (only logged with ignoreLiveThreads). Never requests a stop itself.
   */
  async join(threads?: Iterable<ThreadLike> | null, opts: CoordinatorJoinOptions = {}): Promise<void> {
    const grace = opts.stopGracePeriodMs ?? 120_000;
    const list = [...new Set<ThreadLike>([...this.registered, ...(threads ?? [])])];
    await this.waitForThreads(list, null, true);
    await this.waitForThreads(list, Date.now() + Math.max(0, grace), false);
    const stragglers = list.filter((t) => t.isAlive()).map((t) => t.name);
    this.joinedFlag = true;
    this.registered.clear();
    if (this.exception !== null) throw this.exception.error;
    if (stragglers.length > 0) {
      const msg = `Coordinator stopped with threads still running: ${stragglers.join(' ')}`;
      if (opts.ignoreLiveThreads) console.info(msg);
      else throw new RuntimeError(msg);
    }
  }

  /** Creates and starts a LooperThread calling fn every intervalMs (null: back to back). */
  loop(intervalMs: number | null, fn: (...args: unknown[]) => unknown, args?: unknown[]): LooperThread {
    return LooperThread.loop(this, intervalMs, fn, args);
  }

  /** Waits until no thread is alive, or the deadline passes, or (stopEnds) a stop is requested. */
  private async waitForThreads(threads: ThreadLike[], deadline: number | null, stopEnds: boolean): Promise<void> {
    const stop = stopEnds ? this.waitForStop() : null;
    for (;;) {
      const alive = threads.filter((t) => t.isAlive());
      if (alive.length === 0 || (stopEnds && this.stopped)) return;
      const left = deadline === null ? JOIN_POLL_MS : Math.min(JOIN_POLL_MS, deadline - Date.now());
      if (left <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      const waits: Promise<unknown>[] = [
        Promise.all(alive.map((t) => Promise.resolve().then(() => t.join()).catch(() => undefined))),
        new Promise((resolve) => { timer = setTimeout(resolve, left); }),
      ];
      if (stop) waits.push(stop);
      await Promise.race(waits);
      clearTimeout(timer);
    }
  }

  private filterException(err: unknown): unknown {
    if (err === undefined || err === null) return null;
    if (this.cleanStopExceptionTypes.some((T) => err instanceof T)) return null;
    return err;
  }
}

function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as PromiseLike<unknown>).then === 'function';
}
