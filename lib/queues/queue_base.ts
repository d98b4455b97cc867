/**
 * QueueBase (data_flow_ops.py): the methods every queue shares. Each method builds an op on the
 * queue's graph; running it in a session talks to the queue actor. Values follow API.md's
 * Conventions: a JS array is the list of components, anything else the single component's value,
 * and a queue with `names` takes and returns objects keyed by those names.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import type { DType } from '../framework/dtypes.js';
import type { StaticShape } from '../framework/op_registry.js';
import { Operation, SymbolicTensor, type Graph } from '../framework/graph.js';
import { isConvertible, toSymbolic } from '../framework/convert.js';
import { Tensor } from '../framework/tensor.js';
import { assertCompatible, batchShape, pyShape, shapeCommon } from './queue_args.js';
import './queue_ops.js';
import './queue_kernels.js';

/** What a dequeue returns: one tensor, a list of them, or an object keyed by the queue's names. */
export type DequeueResult = SymbolicTensor | SymbolicTensor[] | Record<string, SymbolicTensor>;

export interface CloseOptions {
  cancelPendingEnqueues?: boolean;
  name?: string;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  if (x instanceof SymbolicTensor || x instanceof Tensor || ArrayBuffer.isView(x) || isConvertible(x)) return false;
  return true;
}

export class QueueBase {
  readonly queueRef: SymbolicTensor;
  readonly dtypes: DType[];
  /** One static shape per component (null = unknown shape). */
  readonly shapes: StaticShape[];
  readonly names: string[] | null;
  /** The queue op's base name, used for the names of the ops built from it. */
  private readonly baseName: string;

  constructor(dtypes: readonly DType[], shapes: readonly StaticShape[] | null, names: readonly string[] | null, queueRef: SymbolicTensor) {
    this.dtypes = [...dtypes];
    if (shapes !== null) {
      if (shapes.length !== dtypes.length) throw new InvalidArgumentError('Queue shapes must have the same length as dtypes');
      this.shapes = shapes.map((s) => (s === null ? null : [...s]));
    } else {
      this.shapes = dtypes.map(() => null);
    }
    if (names !== null && names.length !== dtypes.length) {
      throw new InvalidArgumentError('List of names must have the same length as the list of dtypes');
    }
    this.names = names === null ? null : [...names];
    this.queueRef = queueRef;
    this.baseName = queueRef.op.name.split('/').pop()!;
  }

  /** The queue op's full name (with name scopes). */
  get name(): string { return this.queueRef.op.name; }

  private get graph(): Graph { return this.queueRef.graph; }

  /**
   * A queue chosen at run time among `queues` by `index` (a number or a scalar int32 tensor);
   * all must have the same dtypes and names; shapes are reduced to what they have in common.
   */
  static fromList(index: number | SymbolicTensor, queues: readonly QueueBase[]): QueueBase {
    if (!Array.isArray(queues) || queues.length === 0 || !queues.every((q) => q instanceof QueueBase)) {
      throw new InvalidArgumentError('A list of queues expected');
    }
    const first = queues[0]!;
    if (!queues.every((q) => q.dtypes.join() === first.dtypes.join())) {
      throw new InvalidArgumentError('Queues do not have matching component dtypes.');
    }
    const namesKey = (q: QueueBase): string => JSON.stringify(q.names);
    if (!queues.every((q) => namesKey(q) === namesKey(first))) {
      throw new InvalidArgumentError('Queues do not have matching component names.');
    }
    const shapes = first.shapes.map((_, c) => queues.map((q) => q.shapes[c] as StaticShape).reduce<StaticShape>((a, b) => shapeCommon(a, b), first.shapes[c] as StaticShape));
    const graph = first.graph;
    const idx = toSymbolic(index, { dtype: 'int32', graph, name: 'index', what: 'QueueBase.fromList index' });
    const op = graph.createOp('_QueueHandleSelect', [idx, ...queues.map((q) => q.queueRef)], { name: 'queue_from_list' });
    return new QueueBase(first.dtypes, shapes, first.names, op.outputs[0]!);
  }

  /** The components of `vals` in queue order, as symbolic tensors of the component dtypes. */
  private components(vals: unknown, what: string): SymbolicTensor[] {
    let list: unknown[];
    if (isPlainObject(vals)) {
      if (this.names === null) throw new InvalidArgumentError('Queue must have names to enqueue a dictionary');
      const keys = Object.keys(vals).sort();
      const names = [...this.names].sort();
      if (keys.join('\u0000') !== names.join('\u0000')) {
        throw new InvalidArgumentError(
          `Keys in dictionary to enqueue do not match names of Queue.  Dictionary: (${keys.join(', ')}), Queue: (${names.join(', ')})`);
      }
      list = this.names.map((k) => vals[k]);
    } else {
      if (this.names !== null) throw new InvalidArgumentError('You must enqueue a dictionary in a Queue with names');
      list = Array.isArray(vals) ? vals : [vals];
    }
    return list.map((v, i) => toSymbolic(v, {
      dtype: this.dtypes[i], graph: this.graph, name: `component_${i}`, what: `${what} component ${i}`,
    }));
  }

  /** Builds an op that enqueues one element (blocks while the queue is full). */
  enqueue(vals: unknown, name?: string): Operation {
    const comps = this.components(vals, 'enqueue');
    comps.forEach((t, i) => { if (i < this.shapes.length) assertCompatible(t.shape, this.shapes[i]!); });
    return this.graph.createOp('QueueEnqueueV2', [this.queueRef, ...comps], {
      name: name ?? `${this.baseName}_enqueue`,
      attrs: { Tcomponents: comps.map((t) => t.dtype), timeout_ms: -1 },
    });
  }

  /** Builds an op that enqueues a batch: each component's dim 0 is the batch. */
  enqueueMany(vals: unknown, name?: string): Operation {
    const comps = this.components(vals, 'enqueueMany');
    let batch: number | null = null;
    comps.forEach((t, i) => {
      if (t.shape !== null && t.shape.length < 1) throw new InvalidArgumentError(`Shape ${pyShape(t.shape)} must have rank at least 1`);
      const b = t.shape === null ? null : t.shape[0]!;
      if (b !== null) {
        if (batch !== null && batch !== b) throw new InvalidArgumentError(`Dimensions ${batch} and ${b} are not compatible`);
        batch = b;
      }
      if (i < this.shapes.length) assertCompatible(t.shape === null ? null : t.shape.slice(1), this.shapes[i]!);
    });
    return this.graph.createOp('QueueEnqueueManyV2', [this.queueRef, ...comps], {
      name: name ?? `${this.baseName}_EnqueueMany`,
      attrs: { Tcomponents: comps.map((t) => t.dtype), timeout_ms: -1 },
    });
  }

  private result(op: Operation, shapes: StaticShape[]): DequeueResult {
    op.outputs.forEach((t, i) => { t.shape = shapes[i] === null ? null : [...shapes[i]!]; });
    if (this.names !== null) return Object.fromEntries(this.names.map((n, i) => [n, op.outputs[i]!]));
    return op.outputs.length === 1 ? op.outputs[0]! : [...op.outputs];
  }

  /** Builds an op that dequeues one element. */
  dequeue(name?: string): DequeueResult {
    const op = this.graph.createOp('QueueDequeueV2', [this.queueRef], {
      name: name ?? `${this.baseName}_Dequeue`,
      attrs: { component_types: this.dtypes, timeout_ms: -1 },
    });
    return this.result(op, this.shapes);
  }

  private count(n: unknown, opName: string): { t: SymbolicTensor; value: number | null } {
    if (typeof n === 'number' && n < 0) throw new InvalidArgumentError(`${opName} requested ${n} < 0 elements`);
    const t = toSymbolic(n, { dtype: 'int32', graph: this.graph, name: 'n', what: `${opName} count` });
    const value = t.op.type === 'Const' ? Number((t.op.attrs['value'] as Tensor).data[0]) : null;
    if (value !== null && value < 0) throw new InvalidArgumentError(`${opName} requested ${value} < 0 elements`);
    return { t, value };
  }

  /** Builds an op that dequeues `n` elements as one batch (blocks until it has them all). */
  dequeueMany(n: number | SymbolicTensor, name?: string): DequeueResult {
    const { t, value } = this.count(n, 'DequeueManyOp');
    const op = this.graph.createOp('QueueDequeueManyV2', [this.queueRef, t], {
      name: name ?? `${this.baseName}_DequeueMany`,
      attrs: { component_types: this.dtypes, timeout_ms: -1 },
    });
    return this.result(op, this.shapes.map((s) => batchShape(value, s)));
  }

  /** As dequeueMany, but a closed queue with fewer than `n` elements returns what it has. */
  dequeueUpTo(n: number | SymbolicTensor, name?: string): DequeueResult {
    const { t } = this.count(n, 'DequeueUpToOp');
    const op = this.graph.createOp('QueueDequeueUpToV2', [this.queueRef, t], {
      name: name ?? `${this.baseName}_DequeueUpTo`,
      attrs: { component_types: this.dtypes, timeout_ms: -1 },
    });
    return this.result(op, this.shapes.map((s) => batchShape(null, s)));
  }

  /** Builds an op that closes the queue (pending enqueues finish unless cancelPendingEnqueues). */
  close(opts: CloseOptions = {}): Operation {
    return this.graph.createOp('QueueCloseV2', [this.queueRef], {
      name: opts.name ?? `${this.baseName}_Close`,
      attrs: { cancel_pending_enqueues: Boolean(opts.cancelPendingEnqueues) },
    });
  }

  /** An int32 scalar: the number of elements in the queue. */
  size(name?: string): SymbolicTensor {
    return this.graph.createOp('QueueSizeV2', [this.queueRef], { name: name ?? `${this.baseName}_Size` }).outputs[0]!;
  }

  /** A bool scalar: whether the queue is closed. */
  isClosed(name?: string): SymbolicTensor {
    return this.graph.createOp('QueueIsClosedV2', [this.queueRef], { name: name ?? `${this.baseName}_is_closed` }).outputs[0]!;
  }
}
