// Queues: the user classes (TensorFlow's data_flow_ops), their ops and CPU kernels.
export { QueueBase, type DequeueResult, type CloseOptions } from './queue_base.js';
export { FIFOQueue, type FIFOQueueOptions } from './fifo_queue.js';
export { RandomShuffleQueue, type RandomShuffleQueueOptions } from './random_shuffle_queue.js';
export { PaddingFIFOQueue, type PaddingFIFOQueueOptions } from './padding_fifo_queue.js';
export { PriorityQueue, type PriorityQueueOptions } from './priority_queue.js';
