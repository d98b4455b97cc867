/**
 * actorflow: TensorFlow 1.x's distributed runtime for Node.js.
 * `import * as tf from 'actorflow'`. The names follow ../API.md (TensorFlow's, camelCased).
 */
export * from './framework/dtypes.js';
export { Tensor, tensor, toArray, type Shape } from './framework/tensor.js';
export * as errors from './framework/errors.js';
export { DeviceSpec } from './framework/device_spec.js';
export {
  Graph, Operation, SymbolicTensor, GraphKeys, getDefaultGraph, resetDefaultGraph,
  addToCollection, addToCollections, getCollection, getCollectionRef, getAllCollectionKeys, type CollectionKey,
} from './framework/graph.js';
export { device, container, nameScope, variableScope, controlDependencies, colocateWith, setRandomSeed } from './framework/scopes.js';
export * from './ops/index.js';
export * from './variables/index.js';
export * from './queues/index.js';
export * from './io/readers_index.js';
export * as io from './io/index.js';
export * as train from './train/index.js';
export * from './client/index.js';
export * as gpu from './gpu/index.js';
