/**
 * PaddingFIFOQueue: a FIFOQueue whose component shapes may have unknown (null) dims; dequeueMany
 * and dequeueUpTo pad each such dim to the batch maximum with the dtype's zero.
 */
import type { Tensor } from '../../lib/framework/tensor.js';
import { padStackComponent, stackComponent, type Element } from './element.js';
import { FIFOQueueActor } from './fifo_queue_actor.js';

export class PaddingFIFOQueueActor extends FIFOQueueActor {
  /** Enqueue and single dequeue are FIFOQueue's code in TensorFlow, and say so in messages. */
  protected override get typeName(): string { return 'FIFOQueue'; }
  protected override get manyTypeName(): string { return 'PaddingFIFOQueue'; }

  protected override assembleBatch(elements: Element[]): Tensor[] {
    return this.config.componentTypes.map((t, c) => {
      const shape = this.config.shapes[c]!;
      return shape.every((d) => d !== null && d >= 0)
        ? stackComponent(elements, c, t, shape as number[])
        : padStackComponent(elements, c, t, shape.length);
    });
  }
}
