/** Builds the actor for a queue config (the queue resource kernels call this). */
import type { QueueConfig } from './queue_config.js';
import type { QueueActor } from './queue_actor.js';
import { FIFOQueueActor } from './fifo_queue_actor.js';
import { PaddingFIFOQueueActor } from './padding_fifo_queue_actor.js';
import { PriorityQueueActor } from './priority_queue_actor.js';
import { RandomShuffleQueueActor } from './random_shuffle_queue_actor.js';

export function createQueueActor(path: string, config: QueueConfig): QueueActor {
  switch (config.kind) {
    case 'FIFOQueue': return new FIFOQueueActor(path, config);
    case 'PaddingFIFOQueue': return new PaddingFIFOQueueActor(path, config);
    case 'RandomShuffleQueue': return new RandomShuffleQueueActor(path, config);
    case 'PriorityQueue': return new PriorityQueueActor(path, config);
  }
}
