/**
 * tf.train.QueueRunner (TF-SEMANTICS 1.7) as RxJS streams. Each "thread" is a repeating
 * `sess.run(enqueueOp)` loop (defer + repeat) that stops when the coordinator's `stop$` emits
 * (checked between runs, so a run in flight is never abandoned), ends on a queue-closed error (the
 * last such thread for the session runs the close op), and hands any other error to the
 * coordinator. With a coordinator, one more "close_on_stop" thread waits for `stop$` and runs the
 * cancel op (`queue.close({cancelPendingEnqueues: true})`) so that blocked enqueues give up.
 */
import { concatMap, catchError, defer, EMPTY, finalize, from, ignoreElements, repeat, take, takeUntil, type Observable } from 'rxjs';
import { CancelledError, errorClassForCode, InvalidArgumentError, OpError, OutOfRangeError } from '../framework/errors.js';
import {
  getDefaultGraph, GraphKeys, Operation, SymbolicTensor, type Graph,
} from '../framework/graph.js';
import { getOpDef, hasOpDef } from '../framework/op_registry.js';
import { Coordinator, type ErrorClass } from './coordinator.js';
import { StreamThread, yieldEvery } from './thread.js';
import { markRunnerStarted, registerRunner, type RegisteredRunner } from './runner_registry.js';

/** What a QueueRunner needs of a session. */
export interface SessionLike {
  run(fetches: unknown, feeds?: unknown, options?: unknown): Promise<unknown>;
  /** The session's graph (startQueueRunners reads its QUEUE_RUNNERS collection). */
  readonly graph?: Graph;
}

/** What a QueueRunner needs of a queue (tf.FIFOQueue and friends). */
export interface QueueLike {
  readonly name: string;
  close(opts?: { cancelPendingEnqueues?: boolean; name?: string }): Operation;
}

/** Anything that names a graph element, as TensorFlow's tests' `_MockOp` namedtuples do. */
export interface NamedEnqueueOp { readonly name: string }

/**
 * An enqueue "op": an operation, a tensor (fetched; its op is what runs), or a graph element's
 * name (a string or an object with a string `name`). Names are resolved by the session at run
 * time, as TensorFlow does: an unknown name fails the thread with "... not in the graph", not
 * the constructor.
 */
export type EnqueueOp = Operation | SymbolicTensor | NamedEnqueueOp | string;

export interface QueueRunnerOptions {
  /** Op that closes the queue once every thread met a queue-closed error (default queue.close()). */
  closeOp?: Operation | null;
  /** Op run on a stop request (default queue.close({cancelPendingEnqueues: true})). */
  cancelOp?: Operation | null;
  /** Errors that mean "the input is exhausted / the queue is closed" (default [OutOfRangeError]). */
  queueClosedExceptionTypes?: readonly ErrorClass[] | null;
}

export interface CreateThreadsOptions {
  coord?: Coordinator | null;
  /** Accepted for TensorFlow compatibility: a JS loop never keeps the process alive by itself. */
  daemon?: boolean;
  /** Start the threads at once (default false, as in TensorFlow). */
  start?: boolean;
}

/** A QueueRunner's thread; starting it records that the runner runs for that session. */
export class QueueRunnerThread extends StreamThread {
  constructor(name: string, private readonly session: object, private readonly runner: QueueRunner,
    body: () => Observable<unknown>) {
    super(name, body);
  }

  override start(): this {
    markRunnerStarted(this.session, this.runner);
    return super.start();
  }
}

interface ThreadState { decremented: boolean }

/** TensorFlow's QueueRunnerDef: op names and error codes. */
export interface QueueRunnerDef {
  queueName: string;
  enqueueOpName: string[];
  closeOpName: string;
  cancelOpName: string;
  /** Canonical error codes (11 = OutOfRangeError); empty or absent restores [OutOfRangeError]. */
  queueClosedExceptionTypes?: number[];
}

export class QueueRunner implements RegisteredRunner {
  readonly queue: QueueLike;
  readonly enqueueOps: readonly EnqueueOp[];
  readonly closeOp: Operation;
  readonly cancelOp: Operation;
  readonly queueClosedExceptionTypes: readonly ErrorClass[];
  readonly queueOp: Operation | null;
  private exceptions: unknown[] = [];
  /** Threads of each session that have not ended yet (TensorFlow's _runs_per_session). */
  private readonly runsPerSession = new WeakMap<object, number>();

  constructor(queue: QueueLike, enqueueOps: readonly EnqueueOp[], opts: QueueRunnerOptions = {}) {
    if (!queue || !enqueueOps || !Array.isArray(enqueueOps) || enqueueOps.length === 0) {
      throw new InvalidArgumentError('Must provide queue and enqueue_ops.');
    }
    // No check of the enqueue ops themselves: TF-SEMANTICS 1.7 allows only the two errors
    // below at construction; an op that cannot run fails its thread (see fetchOf).
    const types = opts.queueClosedExceptionTypes;
    if (types !== undefined && types !== null) {
      if (!Array.isArray(types) || types.length === 0 || !types.every(isOpErrorClass)) {
        throw new InvalidArgumentError(
          `queueClosedExceptionTypes, when provided, must be a non-empty array of tf.errors types, but saw: ${describe(types)}`);
      }
    }
    this.queue = queue;
    this.enqueueOps = [...enqueueOps];
    this.closeOp = opts.closeOp ?? queue.close();
    this.cancelOp = opts.cancelOp ?? queue.close({ cancelPendingEnqueues: true });
    this.queueClosedExceptionTypes = types ? [...types] : [OutOfRangeError];
    this.queueOp = queueOpOf(queue, this.closeOp);
    // Name-only enqueue ops carry no graph, so fall back to the queue's (or close op's) graph.
    const graph = this.enqueueOps.map(graphOf).find((g) => g !== null) ?? this.queueOp?.graph ?? graphOf(this.closeOp);
    if (graph) registerRunner(graph, this);
  }

  /** The queue's name. */
  get name(): string { return this.queue.name; }

  /** Exceptions raised by threads that ran without a coordinator (reset by createThreads). */
  get exceptionsRaised(): unknown[] { return this.exceptions; }

  /**
   * One thread per enqueue op (named "QueueRunnerThread-<queue>-<op>"), plus, with a
   * coordinator, "QueueRunnerThread-<queue>-close_on_stop"; all registered with the coordinator.
   * Returns [] while threads of this runner for `sess` have not all ended.
   */
  createThreads(sess: SessionLike, opts: CreateThreadsOptions = {}): QueueRunnerThread[] {
    if (!sess || typeof sess.run !== 'function') {
      throw new InvalidArgumentError(`sess must be a \`tf.Session\` object. Given class: ${className(sess)}`);
    }
    const coord = opts.coord ?? null;
    if (coord !== null && !(coord instanceof Coordinator)) {
      throw new InvalidArgumentError(`coord must be a tf.train.Coordinator, got ${className(coord)}`);
    }
    if ((this.runsPerSession.get(sess) ?? 0) > 0) return [];
    this.runsPerSession.set(sess, this.enqueueOps.length);
    this.exceptions = [];
    const threads = this.enqueueOps.map((op) => new QueueRunnerThread(
      `QueueRunnerThread-${this.name}-${opName(op)}`, sess, this, () => this.enqueueLoop(sess, op, coord)));
    if (coord) {
      threads.push(new QueueRunnerThread(`QueueRunnerThread-${this.name}-close_on_stop`, sess, this,
        () => this.closeOnStop(sess, coord)));
    }
    for (const t of threads) {
      if (coord) coord.registerThread(t);
      if (opts.daemon) t.daemon = true;
      if (opts.start) t.start();
    }
    return threads;
  }

  /** The serialisable form (op names and error codes), as TensorFlow's QueueRunnerDef. */
  toProto(): QueueRunnerDef {
    return {
      queueName: this.queueOp?.name ?? this.name,
      enqueueOpName: this.enqueueOps.map(opName),
      closeOpName: this.closeOp.name,
      cancelOpName: this.cancelOp.name,
      queueClosedExceptionTypes: this.queueClosedExceptionTypes.map(errorCodeOf),
    };
  }

  /**
   * Rebuilds a QueueRunner from `toProto()`'s form against `graph` (default: the default graph);
   * a form without exception types restores [OutOfRangeError], as TensorFlow's from_proto.
   */
  static fromProto(def: QueueRunnerDef, graph: Graph = getDefaultGraph()): QueueRunner {
    const closeOp = graph.getOperationByName(def.closeOpName);
    const cancelOp = graph.getOperationByName(def.cancelOpName);
    const queueOp = graph.getOperationByName(def.queueName);
    const queue: QueueLike & { queueRef: SymbolicTensor | undefined } = {
      name: queueOp.name,
      queueRef: queueOp.outputs[0],
      close: () => closeOp,
    };
    const types = (def.queueClosedExceptionTypes ?? []).map((code) => errorClassForCode(code));
    // toProto writes tensor names ("CountUpTo:0") for tensor enqueue ops, so look names up as
    // TensorFlow's graph.as_graph_element does: "op:index" is a tensor, anything else an op.
    const enqueueOps = def.enqueueOpName.map((n): EnqueueOp => (n.includes(':') ? graph.getTensorByName(n) : graph.getOperationByName(n)));
    return new QueueRunner(queue, enqueueOps, {
      closeOp, cancelOp, queueClosedExceptionTypes: types.length ? types : null,
    });
  }

  /** Repeats `sess.run(op)` until a stop request or an error; see handleError. */
  private enqueueLoop(sess: SessionLike, op: EnqueueOp, coord: Coordinator | null): Observable<never> {
    const state: ThreadState = { decremented: false };
    const pause = yieldEvery();
    const fetch = fetchOf(op);
    const step$ = defer(() => (coord?.shouldStop() ? EMPTY : from(sess.run(fetch))));
    return step$.pipe(
      // Between runs: let other work through, and end the loop once a stop is requested.
      repeat({ delay: () => (coord ? pause().pipe(takeUntil(coord.stop$)) : pause()) }),
      ignoreElements(),
      catchError((err: unknown) => this.handleError(sess, coord, err, state)),
      finalize(() => {
        if (!state.decremented) this.decrement(sess);
      }),
    );
  }

  /**
   * A queue-closed error ends the thread; the last thread of the session to end that way runs
   * the close op (its errors ignored). Any other error goes to the coordinator (a
   * CancelledError after a stop request is just the cancel op at work), or without one is
   * logged and kept in exceptionsRaised (the close op is not run).
   */
  private handleError(sess: SessionLike, coord: Coordinator | null, err: unknown, state: ThreadState): Observable<never> {
    if (this.queueClosedExceptionTypes.some((T) => err instanceof T)) {
      state.decremented = true;
      if (this.decrement(sess) === 0) {
        return defer(() => from(sess.run(this.closeOp))).pipe(ignoreElements(), catchError(() => EMPTY));
      }
      return EMPTY;
    }
    if (coord) {
      if (coord.shouldStop() && err instanceof CancelledError) return EMPTY;
      try {
        coord.requestStop(err);
      } catch (late) {
        console.error(`Exception in QueueRunner ${this.name} after the coordinator was joined:`, late);
      }
      return EMPTY;
    }
    console.error(`Exception in QueueRunner ${this.name}: ${err instanceof Error ? err.message : String(err)}`);
    this.exceptions.push(err);
    return EMPTY;
  }

  /** Waits for the stop request, then runs the cancel op (errors ignored). */
  private closeOnStop(sess: SessionLike, coord: Coordinator): Observable<never> {
    return coord.stop$.pipe(
      take(1),
      concatMap(() => from(sess.run(this.cancelOp)).pipe(catchError(() => EMPTY))),
      ignoreElements(),
    );
  }

  private decrement(sess: object): number {
    const n = Math.max(0, (this.runsPerSession.get(sess) ?? 0) - 1);
    this.runsPerSession.set(sess, n);
    return n;
  }
}

/** `tf.train.addQueueRunner(qr, collection?)`: adds qr to the default graph's collection. */
export function addQueueRunner(qr: QueueRunner, collection: string = GraphKeys.QUEUE_RUNNERS): void {
  if (!(qr instanceof QueueRunner)) {
    throw new InvalidArgumentError(`addQueueRunner expects a tf.train.QueueRunner, got ${className(qr)}`);
  }
  getDefaultGraph().addToCollection(collection, qr);
}

export interface StartQueueRunnersOptions {
  coord?: Coordinator | null;
  /** Accepted for TensorFlow compatibility (default true). */
  daemon?: boolean;
  /** Start the threads (default true). */
  start?: boolean;
  /** Collection to read (default GraphKeys.QUEUE_RUNNERS). */
  collection?: string;
}

/**
 * `tf.train.startQueueRunners(sess, coord?)` (or `(sess, {coord, daemon, start, collection})`):
 * creates and starts the threads of every QueueRunner in the session's graph collection and
 * returns them all, synchronously.
 */
export function startQueueRunners(sess: SessionLike, coordOrOpts?: Coordinator | StartQueueRunnersOptions | null,
  opts: StartQueueRunnersOptions = {}): QueueRunnerThread[] {
  if (sess === undefined || sess === null) {
    throw new InvalidArgumentError(
      'Cannot start queue runners: no session given. Pass one: tf.train.startQueueRunners(sess, coord)');
  }
  if (typeof (sess as SessionLike).run !== 'function') {
    throw new InvalidArgumentError(`sess must be a \`tf.Session\` object. Given class: ${className(sess)}`);
  }
  const o: StartQueueRunnersOptions = coordOrOpts instanceof Coordinator || coordOrOpts === null || coordOrOpts === undefined
    ? { ...opts, coord: coordOrOpts ?? opts.coord ?? null }
    : { ...coordOrOpts, ...opts };
  const graph = sess.graph ?? getDefaultGraph();
  const threads: QueueRunnerThread[] = [];
  for (const qr of graph.getCollection<QueueRunner>(o.collection ?? GraphKeys.QUEUE_RUNNERS)) {
    threads.push(...qr.createThreads(sess, { coord: o.coord ?? null, daemon: o.daemon ?? true, start: o.start ?? true }));
  }
  return threads;
}

/**
 * The name TensorFlow gives an enqueue op in thread names and QueueRunnerDef: `op.name` of the
 * object passed, so a tensor keeps its ":0" ("QueueRunnerThread-fifo_queue-CountUpTo:0").
 */
function opName(op: EnqueueOp): string {
  if (op instanceof Operation || op instanceof SymbolicTensor) return op.name;
  if (typeof op === 'string') return op;
  const name = (op as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : String(op);
}

/**
 * What a thread passes to `sess.run`: graph elements as they are, anything named by its name,
 * so the session's fetch lookup raises "The name '...' refers to an Operation not in the graph."
 * in the thread. Other values go to the session unchanged and fail there, also in the thread.
 */
function fetchOf(op: EnqueueOp): unknown {
  if (op instanceof Operation || op instanceof SymbolicTensor || typeof op === 'string') return op;
  const name = (op as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : op;
}

/** The graph of an operation or tensor; null for a name, which belongs to no graph yet. */
function graphOf(op: unknown): Graph | null {
  return op instanceof Operation || op instanceof SymbolicTensor ? op.graph : null;
}

/** The op that creates the queue resource: from the queue object, else the close op's handle input. */
function queueOpOf(queue: QueueLike, closeOp: Operation): Operation | null {
  const q = queue as unknown as Record<string, unknown>;
  for (const key of ['queueRef', 'handle', 'resource']) {
    const v = q[key];
    if (v instanceof SymbolicTensor) return v.op;
    if (v instanceof Operation) return v;
  }
  const src = closeOp.inputs[0]?.op;
  if (src && hasOpDef(src.type) && getOpDef(src.type).resource === 'queue') return src;
  return src ?? null;
}

function isOpErrorClass(t: unknown): boolean {
  return typeof t === 'function' && (t === OpError || (t as { prototype: unknown }).prototype instanceof OpError);
}

function errorCodeOf(T: ErrorClass): number {
  try {
    const e = new (T as unknown as new (m: string) => OpError)('');
    return e.errorCode;
  } catch {
    return 2;
  }
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map((t) => (typeof t === 'function' ? t.name : String(t))).join(', ')}]`;
  return typeof x === 'function' ? x.name : String(x);
}

function className(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'Object';
}
