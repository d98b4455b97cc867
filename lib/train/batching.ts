/**
 * Batching (tensorflow/python/training/input.py, TF-SEMANTICS 1.8): batch, batchJoin,
 * shuffleBatch, shuffleBatchJoin and their maybe* variants. Each builds a queue (FIFOQueue,
 * PaddingFIFOQueue with dynamicPad, RandomShuffleQueue for the shuffling ones), a QueueRunner
 * of enqueue ops added to GraphKeys.QUEUE_RUNNERS, and returns the dequeue of one batch: a list
 * for a list (a single tensor for a list of one), an object keyed like the input for an object.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, type Operation, SymbolicTensor } from '../framework/graph.js';
import type { StaticShape } from '../framework/op_registry.js';
import { toSymbolic } from '../framework/convert.js';
import { tfTypeName, type DType } from '../framework/dtypes.js';
import { FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue, type QueueBase } from '../queues/index.js';
import { QueueRunner, addQueueRunner } from './queue_runner.js';
import { cast, dynamicPartition, expandDims, gather, mul, range, rowCount } from './input_ops.js';

/** A list of tensors (or plain values), or an object of them keyed by name. */
export type TensorsInput = readonly unknown[] | Readonly<Record<string, unknown>>;
/** What a batching function returns for such an input. */
export type BatchResult = SymbolicTensor | SymbolicTensor[] | Record<string, SymbolicTensor>;

export interface BatchOptions {
  batchSize?: number | SymbolicTensor;
  /** Threads running the enqueue op (default 1; order is kept only with one). */
  numThreads?: number;
  /** Queue capacity (default 32). */
  capacity?: number;
  /** Each input tensor is a batch of examples (dim 0) rather than one example. */
  enqueueMany?: boolean;
  /** Shapes of one example per component (default: the inputs' static shapes). */
  shapes?: readonly (readonly (number | null)[] | null)[] | null;
  /** Pad unknown dimensions to the longest in the batch (PaddingFIFOQueue). */
  dynamicPad?: boolean;
  /** Let the last batch be smaller when the input runs out (dequeueUpTo). */
  allowSmallerFinalBatch?: boolean;
  sharedName?: string | null;
  /** Name scope (default 'batch' / 'batch_join' / 'shuffle_batch' / 'shuffle_batch_join'). */
  name?: string | null;
}

export interface ShuffleBatchOptions extends Omit<BatchOptions, 'dynamicPad'> {
  /** Elements left in the queue after a dequeue while it is open (the shuffle's pool). */
  minAfterDequeue?: number;
  seed?: number | null;
}

type Kind = 'batch' | 'batch_join' | 'shuffle_batch' | 'shuffle_batch_join';

interface Plan {
  kind: Kind;
  lists: unknown[][];
  /** The input (or the first input of a join) whose structure the result takes. */
  original: TensorsInput;
  keepInput: unknown;
  opts: ShuffleBatchOptions & BatchOptions;
}

// ---- public functions -------------------------------------------------------------------------

/** `tf.train.batch(tensors, {batchSize, ...})` (or `batch(tensors, batchSize, opts)`). */
export function batch(tensors: TensorsInput, batchSize: number | SymbolicTensor | BatchOptions, opts: BatchOptions = {}): BatchResult {
  return build({ kind: 'batch', lists: [asList(tensors)], original: tensors, keepInput: true, opts: withBatchSize(batchSize, opts) });
}

/** `tf.train.maybeBatch(tensors, keepInput, {batchSize, ...})`: only examples whose keepInput is true. */
export function maybeBatch(tensors: TensorsInput, keepInput: unknown, batchSize: number | SymbolicTensor | BatchOptions, opts: BatchOptions = {}): BatchResult {
  return build({ kind: 'batch', lists: [asList(tensors)], original: tensors, keepInput, opts: withBatchSize(batchSize, opts) });
}

/** `tf.train.batchJoin(tensorsList, {batchSize, ...})`: one enqueue thread per list entry. */
export function batchJoin(tensorsList: readonly TensorsInput[], batchSize: number | SymbolicTensor | BatchOptions, opts: BatchOptions = {}): BatchResult {
  return build({ kind: 'batch_join', lists: asListList(tensorsList), original: tensorsList[0]!, keepInput: true, opts: withBatchSize(batchSize, opts) });
}

export function maybeBatchJoin(tensorsList: readonly TensorsInput[], keepInput: unknown, batchSize: number | SymbolicTensor | BatchOptions, opts: BatchOptions = {}): BatchResult {
  return build({ kind: 'batch_join', lists: asListList(tensorsList), original: tensorsList[0]!, keepInput, opts: withBatchSize(batchSize, opts) });
}

/**
 * `tf.train.shuffleBatch(tensors, {batchSize, capacity, minAfterDequeue, ...})`, or positionally
 * `shuffleBatch(tensors, batchSize, capacity, minAfterDequeue, opts)` as in TensorFlow.
 */
export function shuffleBatch(tensors: TensorsInput, batchSize: number | SymbolicTensor | ShuffleBatchOptions,
  capacity?: number | ShuffleBatchOptions, minAfterDequeue?: number, opts: ShuffleBatchOptions = {}): BatchResult {
  return build({ kind: 'shuffle_batch', lists: [asList(tensors)], original: tensors, keepInput: true, opts: shuffleArgs(batchSize, capacity, minAfterDequeue, opts) });
}

export function maybeShuffleBatch(tensors: TensorsInput, keepInput: unknown, batchSize: number | SymbolicTensor | ShuffleBatchOptions,
  capacity?: number | ShuffleBatchOptions, minAfterDequeue?: number, opts: ShuffleBatchOptions = {}): BatchResult {
  return build({ kind: 'shuffle_batch', lists: [asList(tensors)], original: tensors, keepInput, opts: shuffleArgs(batchSize, capacity, minAfterDequeue, opts) });
}

/** `tf.train.shuffleBatchJoin(tensorsList, {batchSize, capacity, minAfterDequeue, ...})`. */
export function shuffleBatchJoin(tensorsList: readonly TensorsInput[], batchSize: number | SymbolicTensor | ShuffleBatchOptions,
  capacity?: number | ShuffleBatchOptions, minAfterDequeue?: number, opts: ShuffleBatchOptions = {}): BatchResult {
  return build({ kind: 'shuffle_batch_join', lists: asListList(tensorsList), original: tensorsList[0]!, keepInput: true, opts: shuffleArgs(batchSize, capacity, minAfterDequeue, opts) });
}

export function maybeShuffleBatchJoin(tensorsList: readonly TensorsInput[], keepInput: unknown, batchSize: number | SymbolicTensor | ShuffleBatchOptions,
  capacity?: number | ShuffleBatchOptions, minAfterDequeue?: number, opts: ShuffleBatchOptions = {}): BatchResult {
  return build({ kind: 'shuffle_batch_join', lists: asListList(tensorsList), original: tensorsList[0]!, keepInput, opts: shuffleArgs(batchSize, capacity, minAfterDequeue, opts) });
}

// ---- argument shapes --------------------------------------------------------------------------

function withBatchSize<O extends BatchOptions>(batchSize: number | SymbolicTensor | O, opts: O): O {
  if (typeof batchSize === 'number' || batchSize instanceof SymbolicTensor) return { ...opts, batchSize };
  if (batchSize === null || typeof batchSize !== 'object') throw new InvalidArgumentError('batchSize must be given');
  return { ...batchSize, ...opts };
}

function shuffleArgs(batchSize: number | SymbolicTensor | ShuffleBatchOptions, capacity: number | ShuffleBatchOptions | undefined,
  minAfterDequeue: number | undefined, opts: ShuffleBatchOptions): ShuffleBatchOptions {
  if (typeof capacity === 'object' && capacity !== null) return withBatchSize(batchSize, { ...capacity, ...opts });
  const o = withBatchSize(batchSize, { ...opts });
  if (capacity !== undefined) o.capacity = capacity;
  if (minAfterDequeue !== undefined) o.minAfterDequeue = minAfterDequeue;
  return o;
}

/** TensorFlow's _as_tensor_list: an object's values in sorted key order. */
function asList(tensors: TensorsInput): unknown[] {
  if (Array.isArray(tensors)) return [...tensors];
  if (tensors instanceof SymbolicTensor) return [tensors];
  if (tensors === null || typeof tensors !== 'object') throw new InvalidArgumentError('Expected a list or an object of tensors');
  const obj = tensors as Record<string, unknown>;
  return Object.keys(obj).sort().map((k) => obj[k]);
}

function asListList(tensorsList: readonly TensorsInput[]): unknown[][] {
  if (!Array.isArray(tensorsList) || tensorsList.length === 0) throw new InvalidArgumentError('Expected at least one set of tensors');
  const first = tensorsList[0]!;
  if (!Array.isArray(first)) {
    const keys = Object.keys(first).sort().join('\u0000');
    for (const t of tensorsList.slice(1)) {
      if (Array.isArray(t) || Object.keys(t).sort().join('\u0000') !== keys) {
        throw new InvalidArgumentError('All dictionaries in tensors_list must have the same keys');
      }
    }
  }
  return tensorsList.map(asList);
}

/** TensorFlow's _as_original_type: the dequeued tensors shaped like the input. */
function asOriginalType(original: TensorsInput, dequeued: SymbolicTensor | SymbolicTensor[] | Record<string, SymbolicTensor>): BatchResult {
  const list = dequeued instanceof SymbolicTensor ? [dequeued] : Array.isArray(dequeued) ? dequeued : Object.values(dequeued);
  if (!Array.isArray(original) && !(original instanceof SymbolicTensor)) {
    const keys = Object.keys(original).sort();
    return Object.fromEntries(keys.map((k, i) => [k, list[i]!]));
  }
  return list.length === 1 ? list[0]! : list;
}

// ---- the builder ------------------------------------------------------------------------------

function build(plan: Plan): BatchResult {
  const o = plan.opts;
  const shuffle = plan.kind.startsWith('shuffle');
  const join = plan.kind.endsWith('join');
  const graph = getDefaultGraph();
  return graph.nameScope(o.name ?? plan.kind, (scope) => {
    const capacity = o.capacity ?? 32;
    if (shuffle) {
      if (o.capacity === undefined) throw new InvalidArgumentError(`${plan.kind} requires capacity`);
      if (o.minAfterDequeue === undefined) throw new InvalidArgumentError(`${plan.kind} requires minAfterDequeue`);
      if (capacity <= o.minAfterDequeue) {
        throw new InvalidArgumentError(`capacity ${capacity} must be bigger than min_after_dequeue ${o.minAfterDequeue}.`);
      }
    }
    if (o.batchSize === undefined) throw new InvalidArgumentError(`${plan.kind} requires batchSize`);
    const lists = plan.lists.map((l) => l.map((t, i) => toSymbolic(t, { name: `input_${i}` })));
    if (lists.length === 0) throw new InvalidArgumentError(`Expected at least one input in ${plan.kind}().`);
    if (lists.some((l) => l.length === 0)) throw new InvalidArgumentError(`Expected at least one tensor in ${plan.kind}().`);
    const enqueueMany = o.enqueueMany ?? false;
    const keep = validateKeepInput(plan.keepInput, enqueueMany);
    const types = dtypesOf(lists);
    const shapes = shapesOf(lists, o.shapes ?? null, enqueueMany);
    const queue: QueueBase = shuffle
      ? new RandomShuffleQueue({ capacity, minAfterDequeue: o.minAfterDequeue, seed: o.seed ?? null, dtypes: types, shapes, sharedName: o.sharedName ?? null })
      : o.dynamicPad
        ? new PaddingFIFOQueue({ capacity, dtypes: types, shapes, sharedName: o.sharedName ?? null })
        : new FIFOQueue({ capacity, dtypes: types, shapes, sharedName: o.sharedName ?? null });
    const enqueue = (list: SymbolicTensor[]): Operation => enqueueKept(queue, list, keep, enqueueMany);
    let ops: Operation[];
    if (join) {
      ops = lists.map(enqueue);
    } else {
      const threads = o.numThreads ?? 1;
      if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError(`numThreads must be a positive integer, got ${threads}`);
      ops = Array<Operation>(threads).fill(enqueue(lists[0]!));
    }
    addQueueRunner(new QueueRunner(queue, ops));
    const dequeued = o.allowSmallerFinalBatch ? queue.dequeueUpTo(o.batchSize, scope) : queue.dequeueMany(o.batchSize, scope);
    return asOriginalType(plan.original, dequeued as SymbolicTensor | SymbolicTensor[] | Record<string, SymbolicTensor>);
  });
}

/** TensorFlow's _dtypes: every list must have the same component dtypes. */
function dtypesOf(lists: SymbolicTensor[][]): DType[] {
  const types = lists[0]!.map((t) => t.dtype);
  for (const l of lists.slice(1)) {
    const other = l.map((t) => t.dtype);
    if (other.join() !== types.join()) {
      throw new InvalidArgumentError(`Expected types to be consistent: ${types.map(tfTypeName).join(', ')} vs. ${other.map(tfTypeName).join(', ')}.`);
    }
  }
  return types;
}

/** TensorFlow's _shapes/_merge_shapes: the example shape per component, merged over the lists. */
function shapesOf(lists: SymbolicTensor[][], given: readonly (readonly (number | null)[] | null)[] | null, enqueueMany: boolean): StaticShape[] {
  if (given !== null) return given.map((s) => (s === null ? null : [...s]));
  const n = lists[0]!.length;
  for (const l of lists) {
    for (let i = 0; i < n; i++) {
      if (l[i]!.shape === null) throw new InvalidArgumentError(`Cannot infer Tensor's rank: ${l[i]!.toString()}`);
    }
  }
  return Array.from({ length: n }, (_, i) => {
    let merged: StaticShape = null;
    lists.forEach((l, k) => {
      let s = l[i]!.shape!;
      if (enqueueMany) {
        if (s.length < 1) throw new InvalidArgumentError(`Shape () must have rank at least 1 (enqueueMany input ${l[i]!.name})`);
        s = s.slice(1);
      }
      if (k === 0) merged = [...s];
      else merged = mergeShape(merged!, s);
    });
    return merged;
  });
}

function mergeShape(a: (number | null)[], b: (number | null)[]): (number | null)[] {
  const fmt = (s: (number | null)[]): string => `(${s.map((d) => d ?? '?').join(', ')})`;
  if (a.length !== b.length) throw new InvalidArgumentError(`Shapes ${fmt(a)} and ${fmt(b)} are not compatible`);
  return a.map((d, i) => {
    const e = b[i]!;
    if (d !== null && e !== null && d !== e) throw new InvalidArgumentError(`Shapes ${fmt(a)} and ${fmt(b)} are not compatible`);
    return d ?? e;
  });
}

// ---- keepInput (maybe*) -----------------------------------------------------------------------

/** true (keep all), or a bool scalar/vector tensor, checked as TensorFlow's _validate_keep_input. */
function validateKeepInput(keepInput: unknown, enqueueMany: boolean): SymbolicTensor | true {
  if (keepInput === true) return true;
  const keep = toSymbolic(keepInput, { dtype: 'bool', name: 'keep_input', what: 'keep_input' });
  if (keep.shape === null) throw new InvalidArgumentError('`keep_input` dimensions must be known at graph construction.');
  if (keep.shape.length === 1 && !enqueueMany) throw new InvalidArgumentError('`keep_input` cannot be a vector when `enqueue_many=False`.');
  if (keep.shape.length > 1) throw new InvalidArgumentError('`keep_input` must be 0 or 1 dimensions.');
  return keep;
}

/**
 * The enqueue op of one list: enqueue/enqueueMany of the tensors, or, with a keepInput tensor,
 * an enqueueMany of only the kept rows (a scalar keepInput keeps the whole example or batch;
 * a vector one keeps the rows where it is true).
 */
function enqueueKept(queue: QueueBase, list: SymbolicTensor[], keep: SymbolicTensor | true, enqueueMany: boolean): Operation {
  if (keep === true) return enqueueMany ? queue.enqueueMany(list) : queue.enqueue(list);
  if (keep.shape!.length === 1) {
    const parts = cast(keep, 'int32');
    return queue.enqueueMany(list.map((t) => dynamicPartition(t, parts, 2)[1]!));
  }
  const rows = enqueueMany ? list.map((t) => t) : list.map((t) => expandDims(t, 0));
  const n = enqueueMany ? rowCount(rows[0]!) : 1;
  const idx = range(mul(cast(keep, 'int32'), n));
  return queue.enqueueMany(rows.map((t) => gather(t, idx)));
}
