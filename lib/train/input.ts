/**
 * Input producers (tensorflow/python/training/input.py, TF-SEMANTICS 1.8): each builds a queue,
 * a QueueRunner (added to GraphKeys.QUEUE_RUNNERS) whose thread keeps the queue fed, and returns
 * the queue (or, for sliceInputProducer, the dequeued slices). `numEpochs` counts epochs in a
 * LOCAL variable, so it needs `tf.localVariablesInitializer()`; after the last epoch the runner
 * closes the queue and consumers drain it, then see OutOfRangeError.
 * The batching functions live in batching.ts and are re-exported here.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, type Operation, SymbolicTensor } from '../framework/graph.js';
import type { StaticShape } from '../framework/op_registry.js';
import { toSymbolic } from '../framework/convert.js';
import { FIFOQueue } from '../queues/index.js';
import { countUpTo, localVariable } from '../variables/index.js';
import { QueueRunner, addQueueRunner } from './queue_runner.js';
import { assert, gather, greater, identity, randomShuffle, range, rowCount, size } from './input_ops.js';

export {
  batch, batchJoin, shuffleBatch, shuffleBatchJoin, maybeBatch, maybeBatchJoin, maybeShuffleBatch, maybeShuffleBatchJoin,
  type BatchOptions, type ShuffleBatchOptions, type TensorsInput,
} from './batching.js';

/** Options shared by the producers (TensorFlow's keyword arguments, camelCased). */
export interface ProducerOptions {
  /** Epochs before the queue is closed (default: forever). Needs localVariablesInitializer. */
  numEpochs?: number | null;
  /** Shuffle the input once per epoch (default true). */
  shuffle?: boolean;
  /** Op-level seed of the shuffle (with the graph seed, as tf.setRandomSeed). */
  seed?: number | null;
  /** Queue capacity (default 32). */
  capacity?: number;
  /** Share the queue across sessions under this name. */
  sharedName?: string | null;
  /** Name scope (default 'input_producer'). */
  name?: string | null;
  /** Op the QueueRunner runs on a stop request (default: the queue's cancelling close). */
  cancelOp?: Operation | null;
}

export interface InputProducerOptions extends ProducerOptions {
  /** Shape of one element; needed when the input's shape is not fully known. */
  elementShape?: readonly (number | null)[] | null;
  /** Accepted for TensorFlow compatibility (summaries are not recorded). */
  summaryName?: string | null;
}

const DEFAULT_CAPACITY = 32;

/**
 * `tf.train.limitEpochs(tensor, numEpochs)`: `tensor`, but the (numEpochs+1)-th evaluation fails
 * with OutOfRangeError. Counts in a local int64 variable 'epochs'.
 */
export function limitEpochs(tensor: unknown, numEpochs?: number | null, name?: string | null): SymbolicTensor {
  const t = toSymbolic(tensor);
  if (numEpochs === undefined || numEpochs === null) return t;
  if (typeof numEpochs !== 'number' || !Number.isInteger(numEpochs)) {
    throw new InvalidArgumentError(`num_epochs must be an integer, got ${String(numEpochs)}`);
  }
  if (numEpochs <= 0) throw new InvalidArgumentError(`num_epochs must be > 0 not ${numEpochs}.`);
  const graph = t.graph;
  return graph.nameScope(name ?? 'limit_epochs', (scope) => {
    const epochs = localVariable(BigInt(0), { name: 'epochs', dtype: 'int64' });
    const counter = countUpTo(epochs, numEpochs);
    return graph.controlDependencies([counter], () => identity(t, { name: scope }));
  });
}

/**
 * `tf.train.inputProducer(inputTensor, opts)`: a FIFOQueue fed with the rows of `inputTensor`
 * (shuffled per epoch unless shuffle is false) by one QueueRunner thread; returns the queue.
 */
export function inputProducer(inputTensor: unknown, opts: InputProducerOptions = {}): FIFOQueue {
  const graph = getDefaultGraph();
  return graph.nameScope(opts.name ?? 'input_producer', () => {
    let input = toSymbolic(inputTensor, { name: 'input_tensor' });
    const elementShape = mergeShapes(input.shape === null ? null : input.shape.slice(1), opts.elementShape ?? null);
    if (elementShape === null || elementShape.some((d) => d === null)) {
      throw new InvalidArgumentError('Either `input_tensor` must have a fully defined shape or `element_shape` must be specified');
    }
    if (opts.shuffle ?? true) input = randomShuffle(input, { seed: opts.seed ?? undefined });
    input = limitEpochs(input, opts.numEpochs);
    const q = new FIFOQueue({
      capacity: opts.capacity ?? DEFAULT_CAPACITY,
      dtypes: [input.dtype],
      shapes: [elementShape],
      sharedName: opts.sharedName ?? null,
      name: opts.name ?? undefined,
    });
    const enq = q.enqueueMany([input]);
    addQueueRunner(new QueueRunner(q, [enq], { cancelOp: opts.cancelOp ?? null }));
    return q;
  });
}

/**
 * `tf.train.stringInputProducer(strings, opts)`: a queue of file names (or any strings), one
 * epoch after another. An empty list fails at once; an empty tensor fails the runner when run.
 */
export function stringInputProducer(stringTensor: unknown, opts: ProducerOptions = {}): FIFOQueue {
  const notNull = 'string_input_producer requires a non-null input tensor';
  if (!(stringTensor instanceof SymbolicTensor) && (stringTensor === undefined || stringTensor === null
    || (Array.isArray(stringTensor) && stringTensor.length === 0))) {
    throw new InvalidArgumentError(notNull);
  }
  const graph = getDefaultGraph();
  return graph.nameScope(opts.name ?? 'input_producer', (scope) => {
    let strings = toSymbolic(stringTensor, { dtype: 'string', what: 'stringInputProducer' });
    const check = assert(greater(size(strings), 0), [notNull]);
    strings = graph.controlDependencies([check], () => identity(strings));
    return inputProducer(strings, {
      ...opts, elementShape: [], name: scope, summaryName: `fraction_of_${opts.capacity ?? DEFAULT_CAPACITY}_full`,
    });
  });
}

/** `tf.train.rangeInputProducer(limit, opts)`: a queue of the int32s 0 .. limit-1, per epoch. */
export function rangeInputProducer(limit: unknown, opts: ProducerOptions = {}): FIFOQueue {
  const graph = getDefaultGraph();
  return graph.nameScope(opts.name ?? 'input_producer', (scope) => {
    const lim = limit instanceof SymbolicTensor ? limit : toSymbolic(limit, { dtype: 'int32', name: 'limit' });
    const r = range(lim);
    return inputProducer(r, { ...opts, elementShape: [], name: scope, summaryName: `fraction_of_${opts.capacity ?? DEFAULT_CAPACITY}_full` });
  });
}

/**
 * `tf.train.sliceInputProducer(tensorList, opts)`: one row of each tensor per dequeue, the same
 * row index for all of them (shuffled per epoch unless shuffle is false).
 */
export function sliceInputProducer(tensorList: readonly unknown[], opts: ProducerOptions = {}): SymbolicTensor[] {
  if (!Array.isArray(tensorList)) throw new InvalidArgumentError('sliceInputProducer expects a list of tensors');
  const graph = getDefaultGraph();
  return graph.nameScope(opts.name ?? 'input_producer', () => {
    const tensors = tensorList.map((t) => toSymbolic(t));
    if (tensors.length === 0) throw new InvalidArgumentError('Expected at least one tensor in slice_input_producer().');
    const first = tensors[0]!;
    const rows = rowCount(first);
    const queue = rangeInputProducer(rows, {
      numEpochs: opts.numEpochs, shuffle: opts.shuffle, seed: opts.seed, capacity: opts.capacity, sharedName: opts.sharedName,
    });
    const index = queue.dequeue() as SymbolicTensor;
    return tensors.map((t) => gather(t, index));
  });
}

/** TensorFlow's TensorShape.merge_with (InvalidArgumentError when incompatible). */
function mergeShapes(a: StaticShape, b: readonly (number | null)[] | null): StaticShape {
  if (b === null) return a === null ? null : [...a];
  if (a === null) return [...b];
  if (a.length !== b.length) throw new InvalidArgumentError(`Shapes (${a.join(', ')}) and (${b.join(', ')}) are not compatible`);
  return a.map((d, i) => {
    const e = b[i] ?? null;
    if (d !== null && e !== null && d !== e) throw new InvalidArgumentError(`Shapes (${a.join(', ')}) and (${b.join(', ')}) are not compatible`);
    return d ?? e;
  });
}
