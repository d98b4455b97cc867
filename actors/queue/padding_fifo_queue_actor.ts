/**
 * PaddingFIFOQueue: a FIFOQueue whose component shapes may have unknown (null) dims; dequeueMany
 * and dequeueUpTo pad each such dim to the batch maximum with the dtype's zero.
 */
import { UnimplementedError } from '../../lib/framework/errors.js';
import type { Tensor } from '../../lib/framework/tensor.js';
import { padStackComponent, stackComponent, type Element } from './element.js';
import { FIFOQueueActor } from './fifo_queue_actor.js';

/** The highest element rank a dynamic (padded) component may have, as in TensorFlow. */
const MAX_PADDED_RANK = 4;

export class PaddingFIFOQueueActor extends FIFOQueueActor {
  /** Enqueue and single dequeue are FIFOQueue's code in TensorFlow, and say so in messages. */
  protected override get typeName(): string { return 'FIFOQueue'; }
  protected override get manyTypeName(): string { return 'PaddingFIFOQueue'; }

  protected override assembleBatch(elements: Element[]): Tensor[] {
    return this.config.componentTypes.map((t, c) => {
      const shape = this.config.shapes[c]!;
      if (shape.every((d) => d !== null && d >= 0)) return stackComponent(elements, c, t, shape as number[]);
      // TensorFlow's padded copy handles element ranks 0-4 only (PaddingFIFOQueue kernel).
      if (shape.length > MAX_PADDED_RANK) throw new UnimplementedError(`CopyElementToLargerSlice Unhandled rank: ${shape.length}`);
      return padStackComponent(elements, c, t, shape.length);
    });
  }
}
