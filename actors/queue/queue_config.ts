/**
 * What defines a queue resource (TensorFlow's queue op attrs, normalised), and the messages a
 * queue actor understands.
 */
import type { DType } from '../../lib/framework/dtypes.js';
import type { Tensor } from '../../lib/framework/tensor.js';
import type { ComponentShape, Element } from './element.js';

/** TensorFlow's kUnbounded capacity (a negative capacity attr means unbounded). */
export const UNBOUNDED_CAPACITY = 2147483647;

export type QueueKind = 'FIFOQueue' | 'RandomShuffleQueue' | 'PaddingFIFOQueue' | 'PriorityQueue';

export interface QueueConfig {
  kind: QueueKind;
  /** The resource name TensorFlow shows in messages: the shared_name, or `_<k>_<node name>`. */
  name: string;
  /** Every component's dtype (PriorityQueue: int64 priority first). */
  componentTypes: DType[];
  /** One shape per component, or [] when unspecified (PriorityQueue: [] prepended when given). */
  shapes: ComponentShape[];
  /** Maximum number of elements; UNBOUNDED_CAPACITY when the attr was negative. */
  capacity: number;
  /** RandomShuffleQueue only. */
  minAfterDequeue?: number;
  /** RandomShuffleQueue only: the seeds as requested (0, 0 = random). */
  seed?: number;
  seed2?: number;
}

export type QueueMessage =
  | { type: 'enqueue'; components: Tensor[] }
  | { type: 'enqueueMany'; components: Tensor[] }
  | { type: 'dequeue' }
  | { type: 'dequeueMany'; n: number; allowSmallBatch: boolean }
  | { type: 'close'; cancelPendingEnqueues: boolean }
  | { type: 'size' }
  | { type: 'isClosed' }
  /** Elements handed out whose step failed afterwards: they go back (see docs/QUEUES.md). */
  | { type: 'restore'; elements: Element[] };

/** A dequeue's reply: the op's outputs, and the elements taken (to put back if the step fails). */
export interface DequeueReply {
  components: Tensor[];
  taken: Element[];
}
