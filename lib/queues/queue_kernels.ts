/**
 * CPU kernels of the queue ops. The resource kernels find or create the queue actor in the
 * device's resource manager; the others send it one message and wait for the reply with the
 * step's signal, so a deadline or a closed session un-parks them. Dequeue kernels register an
 * undo with step.onAbortAfterSuccess: if the step fails after the elements left the queue (the
 * client is gone before it received them), they go back. See docs/QUEUES.md.
 */
import { privateResourceName } from '../framework/private_resource.js';
import { InvalidArgumentError } from '../framework/errors.js';
import { asDType, type DType } from '../framework/dtypes.js';
import { registerKernel, type KernelFn } from '../framework/op_registry.js';
import type { KernelContext } from '../framework/kernel_context.js';
import { Tensor } from '../framework/tensor.js';
import { QueueActor } from '../../actors/queue/queue_actor.js';
import { createQueueActor } from '../../actors/queue/create_queue_actor.js';
import { UNBOUNDED_CAPACITY, type QueueConfig, type QueueKind, type QueueMessage, type DequeueReply } from '../../actors/queue/queue_config.js';
import type { ComponentShape, Element } from '../../actors/queue/element.js';

function attrNumber(attrs: Record<string, unknown>, key: string, dflt: number): number {
  const v = attrs[key];
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new InvalidArgumentError(`Attr ${key} must be an integer, got ${String(v)}`);
  return n;
}

/** The queue config a resource op's attrs describe (PriorityQueue prepends its int64 priority). */
export function queueConfigFromAttrs(kind: QueueKind, name: string, attrs: Record<string, unknown>): QueueConfig {
  const types = ((attrs['component_types'] as unknown[] | undefined) ?? []).map((t) => asDType(t, 'component type')) as DType[];
  if (types.length === 0 && kind !== 'PriorityQueue') {
    throw new InvalidArgumentError('Attr component_types has 0 values, which is less than minimum 1');
  }
  const shapes: ComponentShape[] = ((attrs['shapes'] as (number | null)[][] | undefined) ?? [])
    .map((s) => s.map((d) => (d === null || d < 0 ? null : d)));
  let capacity = attrNumber(attrs, 'capacity', -1);
  if (capacity < 0) capacity = UNBOUNDED_CAPACITY;
  const config: QueueConfig = { kind, name, componentTypes: types, shapes, capacity };
  if (kind === 'PriorityQueue') {
    config.componentTypes = ['int64', ...types];
    if (shapes.length > 0) config.shapes = [[], ...shapes];
  }
  if (kind === 'RandomShuffleQueue') {
    const min = attrNumber(attrs, 'min_after_dequeue', 0);
    if (min < 0) throw new InvalidArgumentError(`min_after_dequeue ${min} must be >= 0`);
    if (min >= capacity) throw new InvalidArgumentError(`min_after_dequeue ${min} must be < capacity ${capacity}`);
    config.minAfterDequeue = min;
    config.seed = attrNumber(attrs, 'seed', 0);
    config.seed2 = attrNumber(attrs, 'seed2', 0);
  }
  if (config.shapes.length > 0 && config.shapes.length !== config.componentTypes.length) {
    throw new InvalidArgumentError(
      `Queue shapes must have the same length as dtypes (${config.shapes.length} shapes for ${config.componentTypes.length} dtypes)`);
  }
  return config;
}

function queueResourceKernel(kind: QueueKind): KernelFn {
  return (ctx) => {
    const attrs = ctx.node.attrs;
    const container = (attrs['container'] as string | undefined) ?? '';
    let name = (attrs['shared_name'] as string | undefined) ?? '';
    if (name === '') name = privateResourceName(ctx, 'queue');
    const config = queueConfigFromAttrs(kind, name, attrs);
    const actor = ctx.resources.lookupOrCreate<QueueActor>(container, 'queue', name,
      (path) => createQueueActor(path, config),
      (existing) => {
        if (!(existing instanceof QueueActor)) throw new InvalidArgumentError(`Resource '${name}' is not a queue`);
        existing.checkMatches(config, ctx.node.name, ctx.node.op);
      });
    return [new Tensor('string', [], [actor.path])];
  };
}

registerKernel({ type: 'FIFOQueueV2', deviceType: 'CPU', compute: queueResourceKernel('FIFOQueue') });
registerKernel({ type: 'RandomShuffleQueueV2', deviceType: 'CPU', compute: queueResourceKernel('RandomShuffleQueue') });
registerKernel({ type: 'PaddingFIFOQueueV2', deviceType: 'CPU', compute: queueResourceKernel('PaddingFIFOQueue') });
registerKernel({ type: 'PriorityQueueV2', deviceType: 'CPU', compute: queueResourceKernel('PriorityQueue') });

function handlePath(t: Tensor | undefined): string {
  const p = t?.dtype === 'string' && t.size === 1 ? t.data[0] : undefined;
  if (typeof p !== 'string') throw new InvalidArgumentError('Expected a queue handle (a scalar string tensor)');
  return p;
}

/** Sends a message to the queue: in process when it lives here, else through the actor system. */
function ask<R>(ctx: KernelContext, path: string, msg: QueueMessage): Promise<R> {
  const local = ctx.system.lookup(path);
  if (local) return local.deliver<R>(msg, ctx.step.signal);
  return ctx.system.ask<R>(path, msg, { signal: ctx.step.signal });
}

/** Puts elements back if this step fails after the dequeue succeeded. */
function undoOnAbort(ctx: KernelContext, path: string, taken: Element[]): void {
  if (taken.length === 0) return;
  ctx.step.onAbortAfterSuccess(() => {
    const local = ctx.system.lookup(path);
    if (local instanceof QueueActor) local.restore(taken);
    else void ctx.system.tell(path, { type: 'restore', elements: taken } satisfies QueueMessage).catch(() => { /* queue gone */ });
  });
}

registerKernel({
  type: 'QueueEnqueueV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    await ask(ctx, handlePath(inputs[0]), { type: 'enqueue', components: inputs.slice(1) });
    return [];
  },
});

registerKernel({
  type: 'QueueEnqueueManyV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    await ask(ctx, handlePath(inputs[0]), { type: 'enqueueMany', components: inputs.slice(1) });
    return [];
  },
});

registerKernel({
  type: 'QueueDequeueV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    const path = handlePath(inputs[0]);
    const r = await ask<DequeueReply>(ctx, path, { type: 'dequeue' });
    undoOnAbort(ctx, path, r.taken);
    return r.components;
  },
});

function dequeueManyKernel(allowSmallBatch: boolean): KernelFn {
  return async (ctx, inputs) => {
    const path = handlePath(inputs[0]);
    const nT = inputs[1];
    if (!nT || nT.size !== 1) throw new InvalidArgumentError('The number of elements to dequeue must be a scalar');
    const n = Number(nT.data[0]);
    if (n < 0) {
      throw new InvalidArgumentError(`${allowSmallBatch ? 'DequeueUpToOp' : 'DequeueManyOp'} requested ${n} < 0 elements`);
    }
    const r = await ask<DequeueReply>(ctx, path, { type: 'dequeueMany', n, allowSmallBatch });
    undoOnAbort(ctx, path, r.taken);
    return r.components;
  };
}
registerKernel({ type: 'QueueDequeueManyV2', deviceType: 'CPU', compute: dequeueManyKernel(false) });
registerKernel({ type: 'QueueDequeueUpToV2', deviceType: 'CPU', compute: dequeueManyKernel(true) });

registerKernel({
  type: 'QueueCloseV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    const cancelPendingEnqueues = Boolean(ctx.node.attrs['cancel_pending_enqueues']);
    await ask(ctx, handlePath(inputs[0]), { type: 'close', cancelPendingEnqueues });
    return [];
  },
});

registerKernel({
  type: 'QueueSizeV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    const n = await ask<number>(ctx, handlePath(inputs[0]), { type: 'size' });
    return [new Tensor('int32', [], Int32Array.of(n))];
  },
});

registerKernel({
  type: 'QueueIsClosedV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    const closed = await ask<boolean>(ctx, handlePath(inputs[0]), { type: 'isClosed' });
    return [new Tensor('bool', [], Uint8Array.of(closed ? 1 : 0))];
  },
});

registerKernel({
  type: '_QueueHandleSelect', deviceType: 'CPU',
  compute: (_ctx, inputs) => {
    const n = inputs.length - 1;
    const iT = inputs[0]!;
    if (iT.size !== 1) throw new InvalidArgumentError(`The queue index must be a scalar, got shape [${iT.shape}]`);
    const i = Number(iT.data[0]);
    if (!(i >= 0 && i < n)) throw new InvalidArgumentError(`indices = ${i} is not in [0, ${n})`);
    return [inputs[i + 1]!];
  },
});
