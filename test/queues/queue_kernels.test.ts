/**
 * The queue kernels with a hand-made KernelContext: private names, shared-queue checks, and the
 * undo that puts dequeued elements back when a step fails after the dequeue succeeded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { errors } from '../../lib/index.js';
import '../../lib/queues/index.js';
import { findKernel } from '../../lib/framework/op_registry.js';
import type { KernelContext } from '../../lib/framework/kernel_context.js';
import { Tensor } from '../../lib/framework/tensor.js';
import { ActorSystem } from '../../actors/actor_system.js';
import { ResourceManager } from '../../actors/resource_manager.js';
import type { FIFOQueueActor } from '../../actors/queue/fifo_queue_actor.js';
import { i32, rejects } from './queue_helpers.js';

const DEVICE = '/job:localhost/replica:0/task:0/device:CPU:0';

function device() {
  const system = new ActorSystem({ taskPath: '/job:localhost/replica:0/task:0' });
  const resources = new ResourceManager(DEVICE, system);
  const deviceState = new Map<string, unknown>();
  const kernelStates = new Map<string, Record<string, unknown>>();
  const undo: (() => void)[] = [];
  const ctx = (name: string, op: string, attrs: Record<string, unknown> = {}, signal = new AbortController().signal): KernelContext => {
    if (!kernelStates.has(name)) kernelStates.set(name, {});
    return {
      node: { name, op, inputs: [], device: DEVICE, attrs },
      device: { path: DEVICE, type: 'CPU', index: 0, taskPath: '/job:localhost/replica:0/task:0' },
      resources, system, deviceState, kernelState: kernelStates.get(name)!,
      step: { stepId: 's', signal, deadline: null, sessionHandle: 'h', onEnd: () => {}, onAbortAfterSuccess: (fn) => undo.push(fn) },
    };
  };
  const run = async (name: string, op: string, attrs: Record<string, unknown>, inputs: Tensor[] = []): Promise<Tensor[]> =>
    findKernel(op, 'CPU')!.compute(ctx(name, op, attrs), inputs);
  return { system, resources, run, undo };
}

const fifoAttrs = (extra: Record<string, unknown> = {}) => ({ component_types: ['int32'], shapes: [[]], capacity: 10, container: '', shared_name: '', ...extra });

test('a private queue is named _<k>_<node name> and reused by the same node across steps', async () => {
  const d = device();
  const [h1] = await d.run('input_producer', 'FIFOQueueV2', fifoAttrs());
  const [h2] = await d.run('input_producer', 'FIFOQueueV2', fifoAttrs());
  const [h3] = await d.run('other', 'FIFOQueueV2', fifoAttrs());
  assert.is(h1!.data[0], `${DEVICE}/container:/queue:_0_input_producer`);
  assert.is(h2!.data[0], h1!.data[0]);
  assert.is(h3!.data[0], `${DEVICE}/container:/queue:_1_other`);
  assert.equal(h1!.shape, []);
  assert.is(h1!.dtype, 'string');
});

test('shared queues: same (container, shared_name) is one queue; other attrs fail with TensorFlow messages', async () => {
  const d = device();
  const [a] = await d.run('q1', 'FIFOQueueV2', fifoAttrs({ shared_name: 'sq' }));
  const [b] = await d.run('q2', 'FIFOQueueV2', fifoAttrs({ shared_name: 'sq' }));
  const [c] = await d.run('q3', 'FIFOQueueV2', fifoAttrs({ shared_name: 'sq', container: 'other' }));
  assert.is(a!.data[0], b!.data[0]);
  assert.is.not(a!.data[0], c!.data[0]);
  await rejects(() => d.run('q4', 'FIFOQueueV2', fifoAttrs({ shared_name: 'sq', capacity: 15 })),
    (e) => e instanceof errors.InvalidArgumentError && e.message === "Shared queue 'sq' has capacity 10 but requested capacity was 15");
  await rejects(() => d.run('q5', 'FIFOQueueV2', fifoAttrs({ shared_name: 'sq', component_types: ['float32'] })),
    (e) => e.message === "Shared queue 'sq' has component types int32 but requested component types were float");
  await rejects(() => d.run('q6', 'FIFOQueueV2', fifoAttrs({ shared_name: 'sq', shapes: [[2]] })),
    (e) => e.message === "Shared queue 'sq' has component shapes [[]] but requested component shapes were [[2]]");
  await rejects(() => d.run('q7', 'RandomShuffleQueueV2', fifoAttrs({ shared_name: 'rs', min_after_dequeue: 10 })),
    (e) => e instanceof errors.InvalidArgumentError && e.message === 'min_after_dequeue 10 must be < capacity 10');
});

test('dequeue kernels register an undo: a step failing after the dequeue puts the elements back at the front', async () => {
  const d = device();
  const [h] = await d.run('q', 'FIFOQueueV2', fifoAttrs());
  await d.run('enq', 'QueueEnqueueManyV2', {}, [h!, i32([1, 2, 3, 4])]);
  const [batch] = await d.run('dm', 'QueueDequeueManyV2', {}, [h!, i32(2)]);
  assert.equal(batch!.toArray(), [1, 2]);
  const [one] = await d.run('d', 'QueueDequeueV2', {}, [h!]);
  assert.is(one!.toArray(), 3);
  assert.is(d.undo.length, 2);
  // The step fails after success (e.g. the client died before receiving the result).
  for (const fn of d.undo.splice(0).reverse()) fn();
  const q = d.system.lookup(h!.data[0] as string) as FIFOQueueActor;
  assert.equal(q.snapshot().map((e) => e[0]!.toArray()), [1, 2, 3, 4]);
  const [size] = await d.run('s', 'QueueSizeV2', {}, [h!]);
  assert.equal([size!.dtype, size!.toArray()], ['int32', 4]);
});

test('size, isClosed, close with cancel_pending_enqueues, n < 0, unknown handle', async () => {
  const d = device();
  const [h] = await d.run('q', 'FIFOQueueV2', fifoAttrs({ capacity: 1 }));
  const [closed0] = await d.run('c', 'QueueIsClosedV2', {}, [h!]);
  assert.is(closed0!.toArray(), false);
  await d.run('e', 'QueueEnqueueV2', {}, [h!, i32(1)]);
  const blocked = d.run('e2', 'QueueEnqueueV2', {}, [h!, i32(2)]);
  await d.run('close', 'QueueCloseV2', { cancel_pending_enqueues: true }, [h!]);
  await rejects(() => blocked, (e) => e instanceof errors.CancelledError && e.message === 'Enqueue operation was cancelled');
  const [closed1] = await d.run('c', 'QueueIsClosedV2', {}, [h!]);
  assert.is(closed1!.toArray(), true);
  await rejects(() => d.run('dm', 'QueueDequeueManyV2', {}, [h!, i32(-1)]),
    (e) => e instanceof errors.InvalidArgumentError && e.message === 'DequeueManyOp requested -1 < 0 elements');
  await rejects(() => d.run('d', 'QueueDequeueV2', {}, [new Tensor('string', [], [`${DEVICE}/container:/queue:nope`])]),
    (e) => e instanceof errors.NotFoundError);
});

test.run();
