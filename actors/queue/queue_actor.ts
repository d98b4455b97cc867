/**
 * The base of every queue actor, with TensorFlow's scheduling model (queue_base.cc): pending
 * enqueue and dequeue attempts wait in two FIFO lists served strictly in arrival order, and after
 * any change the head enqueue attempt, then the head dequeue attempt, are retried until neither
 * makes progress. A parked attempt is an Envelope; the subclasses only say how elements are
 * stored (deque, shuffled pool, heap), validated and batched.
 *
 * Nothing is lost: a cancelled partial dequeueMany puts what it took back; a reply that cannot be
 * delivered puts the elements back; kernels put back elements of steps that fail afterwards
 * (`restore`). See docs/QUEUES.md.
 */
import { Actor, type Envelope } from '../actor.js';
import {
  CancelledError, InvalidArgumentError, OutOfRangeError, type OpError,
} from '../../lib/framework/errors.js';
import { tfTypeName } from '../../lib/framework/dtypes.js';
import type { Tensor } from '../../lib/framework/tensor.js';
import { emptyBatch, shapeListString, shapeString, splitBatch, type ComponentShape, type Element } from './element.js';
import type { DequeueReply, QueueConfig, QueueMessage } from './queue_config.js';

type RunResult = 'noProgress' | 'progress' | 'complete';

interface Attempt {
  env: Envelope;
  /** Elements still wanted (dequeueMany) or still to insert (enqueueMany). */
  remaining: number;
  /** Elements a dequeueMany has collected so far (its private partial batch). */
  taken: Element[];
  run(a: Attempt): RunResult;
}

export abstract class QueueActor extends Actor {
  readonly config: QueueConfig;
  protected closed = false;
  private readonly enqueueAttempts: Attempt[] = [];
  private readonly dequeueAttempts: Attempt[] = [];
  private flushing = false;
  private flushAgain = false;

  constructor(path: string, config: QueueConfig) {
    super(path);
    this.config = config;
  }

  get name(): string { return this.config.name; }
  get isClosed(): boolean { return this.closed; }
  /** Attempts parked right now (for tests and monitoring). */
  get pendingEnqueues(): number { return this.enqueueAttempts.length; }
  get pendingDequeues(): number { return this.dequeueAttempts.length; }

  // ---- what a kind of queue defines ----------------------------------------------------------

  /** Elements stored now (not counting those held in a pending dequeueMany's partial batch). */
  abstract size(): number;
  /** Stores one accepted element. */
  protected abstract insert(e: Element): void;
  /** Removes and returns the next element to hand out. */
  protected abstract takeOne(): Element;
  /** Puts elements back that were handed out (at the front in original order for FIFO). */
  protected abstract putBack(elements: Element[]): void;
  /** Builds the dequeueMany outputs from the collected elements. */
  protected abstract assembleBatch(elements: Element[]): Tensor[];
  /** Type name in enqueue/dequeue messages ('FIFOQueue', ...). */
  protected get typeName(): string { return this.config.kind; }
  /** Type name in dequeueMany messages (PaddingFIFOQueue overrides FIFOQueue's only there). */
  protected get manyTypeName(): string { return this.typeName; }
  /** How many elements a dequeue may take now (RandomShuffle keeps minAfterDequeue while open). */
  protected available(): number { return this.size(); }
  /** PriorityQueue's dequeueMany waits for a whole batch instead of collecting progressively. */
  protected get wholeBatchOnly(): boolean { return false; }
  protected dequeueManyShapesMessage(): string {
    return `${this.typeName}'s DequeueMany and DequeueUpTo require the components to have specified shapes.`;
  }

  protected get specifiedShapes(): boolean { return this.config.shapes.length > 0; }

  // ---- validation (queue_base.cc ValidateTuple / ValidateManyTuple) --------------------------

  protected validateCommon(components: readonly Tensor[]): void {
    const types = this.config.componentTypes;
    if (components.length !== types.length) {
      throw new InvalidArgumentError(`Wrong number of components in tuple. Expected ${types.length}, got ${components.length}`);
    }
    components.forEach((t, i) => {
      if (t.dtype !== types[i]) {
        throw new InvalidArgumentError(
          `Type mismatch in tuple component ${i}. Expected ${tfTypeName(types[i]!)}, got ${tfTypeName(t.dtype)}`);
      }
    });
  }

  /** True when a value of `shape` fits the component shape (null dims match anything). */
  protected shapeFits(expected: ComponentShape, shape: readonly number[]): boolean {
    return expected.length === shape.length && expected.every((d, i) => d === null || d < 0 || d === shape[i]);
  }

  protected validateTuple(components: readonly Tensor[]): void {
    this.validateCommon(components);
    if (!this.specifiedShapes) return;
    components.forEach((t, i) => {
      const expected = this.config.shapes[i]!;
      if (!this.shapeFits(expected, t.shape)) {
        throw new InvalidArgumentError(
          `Shape mismatch in tuple component ${i}. Expected ${shapeString(expected)}, got ${shapeString(t.shape)}`);
      }
    });
  }

  protected validateManyTuple(components: readonly Tensor[]): void {
    this.validateCommon(components);
    components.forEach((t, i) => {
      if (t.shape.length === 0) {
        throw new InvalidArgumentError(
          `Shape mismatch in tuple component ${i}. Expected a batch of at least one dimension, got ${shapeString(t.shape)}`);
      }
    });
    const batch = components[0]!.shape[0]!;
    if (this.specifiedShapes) {
      components.forEach((t, i) => {
        const expected = [batch, ...this.config.shapes[i]!];
        if (!this.shapeFits(expected, t.shape)) {
          throw new InvalidArgumentError(
            `Shape mismatch in tuple component ${i}. Expected ${shapeString(expected)}, got ${shapeString(t.shape)}`);
        }
      });
    } else {
      for (let i = 1; i < components.length; i++) {
        const b = components[i]!.shape[0]!;
        if (b !== batch) {
          throw new InvalidArgumentError(
            `All input tensors must have the same size in the 0th dimension. Component ${i} has ${b}, and should have ${batch}`);
        }
      }
    }
  }

  // ---- shared-queue identity (MatchesNodeDef) -------------------------------------------------

  /** Throws InvalidArgumentError if `requested` (another op opening this shared queue) differs. */
  checkMatches(requested: QueueConfig, nodeName: string, opType: string): void {
    const c = this.config;
    if (requested.kind !== c.kind) {
      // As TensorFlow's <Kind>::MatchesNodeDef (nodeName kept for the error's op field).
      throw new InvalidArgumentError(`Expected ${c.kind}, found ${opType}`, { op: nodeName });
    }
    if (requested.capacity !== c.capacity) {
      throw new InvalidArgumentError(
        `Shared queue '${c.name}' has capacity ${c.capacity} but requested capacity was ${requested.capacity}`);
    }
    this.checkKindSpecific(requested);
    if (requested.componentTypes.join() !== c.componentTypes.join()) {
      throw new InvalidArgumentError(
        `Shared queue '${c.name}' has component types ${c.componentTypes.map(tfTypeName).join(', ')} but requested component types were ${requested.componentTypes.map(tfTypeName).join(', ')}`);
    }
    if (shapeListString(requested.shapes) !== shapeListString(c.shapes)) {
      throw new InvalidArgumentError(
        `Shared queue '${c.name}' has component shapes ${shapeListString(c.shapes)} but requested component shapes were ${shapeListString(requested.shapes)}`);
    }
  }

  /** RandomShuffleQueue also compares min_after_dequeue and seeds. */
  protected checkKindSpecific(_requested: QueueConfig): void { /* nothing for most kinds */ }

  // ---- the mailbox ------------------------------------------------------------------------------

  protected receive(env: Envelope): void {
    const msg = env.msg as QueueMessage;
    switch (msg.type) {
      case 'enqueue': return this.tryEnqueue(env, msg.components);
      case 'enqueueMany': return this.tryEnqueueMany(env, msg.components);
      case 'dequeue': return this.tryDequeue(env);
      case 'dequeueMany': return this.tryDequeueMany(env, msg.n, msg.allowSmallBatch);
      case 'close': return this.tryClose(env, msg.cancelPendingEnqueues);
      case 'size': env.reply(this.size()); return;
      case 'isClosed': env.reply(this.closed); return;
      case 'restore': this.restore(msg.elements); env.reply(null); return;
      default:
        env.fail(new InvalidArgumentError(`Queue '${this.name}' got an unknown message ${JSON.stringify((msg as { type?: unknown }).type)}`));
    }
  }

  /**
   * Puts elements back that were handed out but whose step failed afterwards (the kernels call
   * this from step.onAbortAfterSuccess). Allowed even when closed or full: they were accepted.
   */
  restore(elements: Element[]): void {
    if (elements.length === 0) return;
    this.putBack(elements);
    this.flush();
  }

  private closedError(): CancelledError {
    return new CancelledError(`${this.typeName} '${this.name}' is closed.`);
  }

  private tryEnqueue(env: Envelope, components: Tensor[]): void {
    this.validateTuple(components);
    const element: Element = [...components];
    this.park(this.enqueueAttempts, env, 1, () => {
      if (this.closed) { env.fail(this.closedError()); return 'complete'; }
      if (this.size() < this.config.capacity) {
        this.insert(element);
        env.reply(null);
        return 'complete';
      }
      return 'noProgress';
    });
  }

  private tryEnqueueMany(env: Envelope, components: Tensor[]): void {
    this.validateManyTuple(components);
    const elements = splitBatch(components);
    // As TensorFlow: an empty batch succeeds at once, without looking at closed.
    if (elements.length === 0) { env.reply(null); return; }
    let next = 0;
    this.park(this.enqueueAttempts, env, elements.length, (a) => {
      if (this.closed) { env.fail(this.closedError()); return 'complete'; }
      let result: RunResult = 'noProgress';
      // Progressive: as many as fit now; the rest wait (and later enqueues wait behind them).
      while (this.size() < this.config.capacity) {
        result = 'progress';
        this.insert(elements[next++]!);
        a.remaining--;
        if (a.remaining === 0) { env.reply(null); return 'complete'; }
      }
      return result;
    });
  }

  private tryDequeue(env: Envelope): void {
    this.park(this.dequeueAttempts, env, 1, () => {
      const size = this.size();
      if (this.closed && size === 0) {
        env.fail(new OutOfRangeError(
          `${this.typeName} '${this.name}' is closed and has insufficient elements (requested 1, current size 0)`));
        return 'complete';
      }
      if (this.available() > 0) {
        const e = this.takeOne();
        this.replyDequeue(env, [...e], [e]);
        return 'complete';
      }
      return 'noProgress';
    });
  }

  private tryDequeueMany(env: Envelope, n: number, allowSmallBatch: boolean): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new InvalidArgumentError(`${allowSmallBatch ? 'DequeueUpToOp' : 'DequeueManyOp'} requested ${n} < 0 elements`);
    }
    if (!this.specifiedShapes) throw new InvalidArgumentError(this.dequeueManyShapesMessage());
    if (n === 0) {
      env.reply({ components: this.config.componentTypes.map((t, i) => emptyBatch(t, this.config.shapes[i]!)), taken: [] });
      return;
    }
    this.park(this.dequeueAttempts, env, n, (a) => this.runDequeueMany(a, allowSmallBatch));
  }

  /** One try of a dequeueMany/dequeueUpTo attempt (FIFOQueue::TryDequeueMany's callback). */
  private runDequeueMany(a: Attempt, allowSmallBatch: boolean): RunResult {
    let size = this.size();
    if (this.closed && size < a.remaining) {
      // Not enough will ever come: the partial batch goes back first.
      if (a.taken.length > 0) {
        this.putBack(a.taken);
        a.taken = [];
      }
      if (allowSmallBatch && this.size() > 0) {
        a.remaining = this.size();
        size = a.remaining;
      } else {
        // dequeueUpTo on an empty closed queue waits while enqueues ahead could still add.
        if (allowSmallBatch && this.enqueueAttempts.length > 0) return 'progress';
        a.env.fail(new OutOfRangeError(
          `${this.manyTypeName} '${this.name}' is closed and has insufficient elements (requested ${a.remaining}, current size ${size})`));
        return 'complete';
      }
    }
    if (this.wholeBatchOnly && this.size() < a.remaining) return 'noProgress';
    let result: RunResult = 'noProgress';
    for (let avail = this.available(); avail > 0; avail--) {
      result = 'progress';
      a.taken.push(this.takeOne());
      a.remaining--;
      if (a.remaining === 0) {
        const taken = a.taken;
        a.taken = [];
        let components: Tensor[];
        try {
          components = this.assembleBatch(taken);
        } catch (e) {
          // A batch that cannot be built fails this request only: the elements go back.
          this.putBack(taken);
          a.env.fail(e);
          return 'complete';
        }
        this.replyDequeue(a.env, components, taken);
        return 'complete';
      }
    }
    return result;
  }

  /** Replies with a dequeue result; if nobody is there to receive it, the elements go back. */
  private replyDequeue(env: Envelope, components: Tensor[], taken: Element[]): void {
    const reply: DequeueReply = { components, taken };
    if (!env.reply(reply)) this.putBack(taken);
  }

  private tryClose(env: Envelope, cancelPendingEnqueues: boolean): void {
    if (cancelPendingEnqueues) {
      this.closed = true;
      for (const a of this.enqueueAttempts.splice(0)) a.env.fail(new CancelledError('Enqueue operation was cancelled'));
      env.reply(null);
      this.flush();
      return;
    }
    // Queued as an enqueue attempt: earlier pending enqueues complete first.
    this.park(this.enqueueAttempts, env, 0, () => {
      if (this.closed) env.fail(new CancelledError(`Queue '${this.name}' is already closed.`));
      else {
        this.closed = true;
        env.reply(null);
      }
      return 'complete';
    });
  }

  // ---- scheduling ------------------------------------------------------------------------------

  private park(list: Attempt[], env: Envelope, remaining: number, run: (a: Attempt) => RunResult): void {
    const attempt: Attempt = { env, remaining, taken: [], run };
    list.push(attempt);
    env.onCancel(() => this.cancel(list, attempt));
    this.flush();
  }

  /** A parked attempt whose requester gave up (deadline, cancelled step, closed session). */
  private cancel(list: Attempt[], attempt: Attempt): void {
    const i = list.indexOf(attempt);
    if (i >= 0) list.splice(i, 1);
    if (attempt.taken.length > 0) {
      // Unlike TensorFlow, a cancelled partial dequeueMany loses nothing.
      this.putBack(attempt.taken);
      attempt.taken = [];
    }
    this.flush();
  }

  /** Serves the head attempts of both lists until neither progresses (QueueBase::FlushUnlocked). */
  protected flush(): void {
    if (this.flushing) { this.flushAgain = true; return; }
    this.flushing = true;
    try {
      let changed: boolean;
      do {
        this.flushAgain = false;
        changed = this.tryAttempts(this.enqueueAttempts);
        changed = this.tryAttempts(this.dequeueAttempts) || changed;
      } while (changed || this.flushAgain);
    } finally {
      this.flushing = false;
    }
  }

  private tryAttempts(list: Attempt[]): boolean {
    let progress = false;
    while (list.length > 0) {
      const a = list[0]!;
      if (a.env.settled) {
        // Normally removed by its cancel hook already; never keep elements for nobody.
        list.shift();
        if (a.taken.length > 0) this.putBack(a.taken.splice(0));
        progress = true;
        continue;
      }
      const r = a.run(a);
      if (r === 'noProgress') break;
      progress = true;
      if (r === 'progress') break;
      list.shift();
    }
    return progress;
  }

  protected override onStop(reason: OpError): void {
    for (const list of [this.enqueueAttempts, this.dequeueAttempts]) {
      for (const a of list.splice(0)) a.env.fail(reason);
    }
  }
}
