/**
 * A stand-in for a session and a queue, for testing Coordinator/QueueRunner logic without the
 * runtime: graph ops of test-only types, and a `run` that interprets them against a JS queue
 * with TensorFlow's blocking, close and cancel behaviour.
 */
import { CancelledError, OutOfRangeError } from '../../lib/framework/errors.js';
import { Graph, type Operation } from '../../lib/framework/graph.js';
import { hasOpDef, registerOp } from '../../lib/framework/op_registry.js';

for (const type of ['TestFakeQueue', 'TestFakeEnqueue', 'TestFakeClose', 'QueueDequeueTestFake']) {
  if (!hasOpDef(type)) {
    registerOp({
      type,
      resource: type === 'TestFakeQueue' ? 'queue' : undefined,
      inferOutputs: () => (type === 'TestFakeQueue' || type === 'QueueDequeueTestFake' ? [{ dtype: 'string', shape: [] }] : []),
    });
  }
}

/** A bounded queue with TF's close semantics (enqueue on closed -> Cancelled, empty+closed -> OutOfRange). */
export class JsQueue<T> {
  items: T[] = [];
  closed = false;
  closeCalls = 0;
  cancelCalls = 0;
  private putters: { item: T; resolve: () => void; reject: (e: Error) => void }[] = [];
  private takers: { resolve: (v: T) => void; reject: (e: Error) => void }[] = [];

  constructor(readonly name: string, readonly capacity: number) {}

  put(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new CancelledError(`FIFOQueue '${this.name}' is closed.`));
    return new Promise((resolve, reject) => {
      this.putters.push({ item, resolve, reject });
      this.pump();
    });
  }

  take(): Promise<T> {
    return new Promise((resolve, reject) => {
      this.takers.push({ resolve, reject });
      this.pump();
    });
  }

  close(cancel: boolean): void {
    if (cancel) this.cancelCalls++;
    else this.closeCalls++;
    this.closed = true;
    if (cancel) {
      for (const p of this.putters.splice(0)) p.reject(new CancelledError('Enqueue operation was cancelled'));
    }
    this.pump();
  }

  private pump(): void {
    for (;;) {
      if (this.putters.length && this.items.length < this.capacity) {
        const p = this.putters.shift()!;
        this.items.push(p.item);
        p.resolve();
        continue;
      }
      if (this.takers.length && this.items.length) {
        this.takers.shift()!.resolve(this.items.shift()!);
        continue;
      }
      if (this.takers.length && this.closed && this.putters.length === 0) {
        for (const t of this.takers.splice(0)) {
          t.reject(new OutOfRangeError(`FIFOQueue '${this.name}' is closed and has insufficient elements (requested 1, current size 0)`));
        }
      }
      return;
    }
  }
}

export interface FakePipeline {
  graph: Graph;
  queue: { name: string; close(opts?: { cancelPendingEnqueues?: boolean }): Operation };
  js: JsQueue<number>;
  queueOp: Operation;
  enqueue: Operation;
  dequeue: Operation;
  session: { graph: Graph; runs: number; closed: boolean; run(op: unknown): Promise<unknown>; close(): void };
  /** What the enqueue op does each run (default: take the next source item or fail OutOfRange). */
  produce: () => number | Promise<number>;
}

/** A graph with a queue fed by an enqueue op that reads `source` one item per run. */
export function fakePipeline(source: number[], capacity = 10, name = 'q'): FakePipeline {
  const graph = new Graph();
  const js = new JsQueue<number>(name, capacity);
  const queueOp = graph.createOp('TestFakeQueue', [], { name });
  const handle = queueOp.outputs[0]!;
  const enqueue = graph.createOp('TestFakeEnqueue', [handle], { name: `${name}_enqueue` });
  const dequeue = graph.createOp('QueueDequeueTestFake', [handle], { name: `${name}_dequeue` });
  const closeOps = new Map<Operation, boolean>();
  const queue = {
    name,
    close(opts: { cancelPendingEnqueues?: boolean } = {}): Operation {
      const op = graph.createOp('TestFakeClose', [handle], { name: `${name}_close` });
      closeOps.set(op, opts.cancelPendingEnqueues ?? false);
      return op;
    },
  };
  let next = 0;
  const p: FakePipeline = {
    graph, queue, js, queueOp, enqueue, dequeue,
    produce: () => {
      if (next >= source.length) throw new OutOfRangeError('source exhausted');
      return source[next++]!;
    },
    session: {
      graph,
      runs: 0,
      closed: false,
      async run(op: unknown): Promise<unknown> {
        this.runs++;
        if (this.closed) throw new CancelledError('Session has been closed.');
        await Promise.resolve();
        if (op === enqueue) {
          const v = await p.produce();
          await js.put(v);
          return null;
        }
        if (op === dequeue) return js.take();
        const cancel = closeOps.get(op as Operation);
        if (cancel !== undefined) {
          if (js.closed && !cancel) throw new CancelledError(`FIFOQueue '${name}' is already closed.`);
          js.close(cancel);
          return null;
        }
        throw new Error(`fake session cannot run ${String(op)}`);
      },
      close(): void { this.closed = true; },
    },
  };
  return p;
}

/** Rejects after ms, so that a test never hangs. */
export function within<T>(ms: number, p: Promise<T>, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_r, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms); }),
  ]);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
