/**
 * Queue op definitions, with TensorFlow's names and attrs: the four queue resource ops output a
 * scalar string handle (the queue actor's path); the other ops take it as input 0 and run on the
 * queue's device. Static output shapes of dequeues are set by the user classes (queue_base.ts), as
 * TensorFlow's Python does with set_shape.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import type { DType } from '../framework/dtypes.js';
import { registerOp, type InferenceInput, type OutputSpec } from '../framework/op_registry.js';

const handle: OutputSpec = { dtype: 'string', shape: [] };

function componentOutputs({ attrs }: InferenceInput): OutputSpec[] {
  return ((attrs['component_types'] as DType[] | undefined) ?? []).map((dtype) => ({ dtype, shape: null }));
}

function requireHandle(info: InferenceInput): void {
  const h = info.inputs[0];
  if (!h || h.dtype !== 'string') {
    throw new InvalidArgumentError(`${info.type} '${info.name}' needs a queue handle (a string tensor) as input 0`);
  }
}

for (const type of ['FIFOQueueV2', 'RandomShuffleQueueV2', 'PaddingFIFOQueueV2', 'PriorityQueueV2']) {
  registerOp({ type, resource: 'queue', stateful: true, inferOutputs: () => [handle] });
}

registerOp({
  type: 'QueueEnqueueV2', stateful: true, blocking: true, resourceInputs: [0],
  inferOutputs: (info) => { requireHandle(info); return []; },
});
registerOp({
  type: 'QueueEnqueueManyV2', stateful: true, blocking: true, resourceInputs: [0],
  inferOutputs: (info) => { requireHandle(info); return []; },
});
registerOp({
  type: 'QueueDequeueV2', stateful: true, blocking: true, resourceInputs: [0],
  inferOutputs: (info) => { requireHandle(info); return componentOutputs(info); },
});
for (const type of ['QueueDequeueManyV2', 'QueueDequeueUpToV2']) {
  registerOp({
    type, stateful: true, blocking: true, resourceInputs: [0],
    inferOutputs: (info) => {
      requireHandle(info);
      const n = info.inputs[1];
      if (!n || n.dtype !== 'int32') throw new InvalidArgumentError(`${type} '${info.name}' needs an int32 count as input 1`);
      return componentOutputs(info);
    },
  });
}
registerOp({
  type: 'QueueCloseV2', stateful: true, blocking: true, resourceInputs: [0],
  inferOutputs: (info) => { requireHandle(info); return []; },
});
registerOp({
  type: 'QueueSizeV2', stateful: true, resourceInputs: [0],
  inferOutputs: (info) => { requireHandle(info); return [{ dtype: 'int32', shape: [] }]; },
});
registerOp({
  type: 'QueueIsClosedV2', stateful: true, resourceInputs: [0],
  inferOutputs: (info) => { requireHandle(info); return [{ dtype: 'bool', shape: [] }]; },
});

/**
 * Picks one of N queue handles by index (TensorFlow builds this from Pack + GatherV2 in
 * QueueBase.from_list); inputs: [index, handle_0, ..., handle_{N-1}].
 */
registerOp({
  type: '_QueueHandleSelect',
  inferOutputs: ({ inputs, name }) => {
    if (inputs[0]?.dtype !== 'int32') throw new InvalidArgumentError(`_QueueHandleSelect '${name}' needs an int32 index`);
    return [handle];
  },
});
