// tf.train: cluster and servers, device setters, coordinator, queue runners, input producers.
export { ClusterSpec, type ClusterDict } from './cluster_spec.js';
export { Server, type ServerOptions } from './server.js';
export { replicaDeviceSetter, GreedyLoadBalancingStrategy, RandomStrategy, byteSizeLoadFn, STANDARD_PS_OPS } from './device_setter.js';
export { Coordinator } from './coordinator.js';
export { QueueRunner, addQueueRunner, startQueueRunners } from './queue_runner.js';
export { LooperThread } from './looper_thread.js';
export { RuntimeError } from './thread.js';
export { limitEpochs, inputProducer, stringInputProducer, rangeInputProducer, sliceInputProducer } from './input.js';
export {
  batch, batchJoin, shuffleBatch, shuffleBatchJoin, maybeBatch, maybeBatchJoin, maybeShuffleBatch, maybeShuffleBatchJoin,
} from './batching.js';
export { setUnstartedRunnerWarningDelay } from './runner_registry.js';
