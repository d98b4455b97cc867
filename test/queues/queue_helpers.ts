/** Helpers for queue actor tests: build actors from configs and talk to them directly. */
import { tensor, type Tensor } from '../../lib/framework/tensor.js';
import type { DType } from '../../lib/framework/dtypes.js';
import { createQueueActor } from '../../actors/queue/create_queue_actor.js';
import type { QueueActor } from '../../actors/queue/queue_actor.js';
import { UNBOUNDED_CAPACITY, type DequeueReply, type QueueConfig, type QueueKind } from '../../actors/queue/queue_config.js';

let counter = 0;

export function makeQueue(kind: QueueKind, opts: Partial<QueueConfig> = {}): QueueActor {
  const config: QueueConfig = {
    kind,
    name: opts.name ?? `q${++counter}`,
    componentTypes: opts.componentTypes ?? ['int32'],
    shapes: opts.shapes ?? [[]],
    capacity: opts.capacity ?? UNBOUNDED_CAPACITY,
    ...opts,
  };
  return createQueueActor(`/job:test/replica:0/task:0/device:CPU:0/container:/queue:${config.name}`, config);
}

export const i32 = (v: unknown): Tensor => tensor(v, { dtype: 'int32' });
export const t = (v: unknown, dtype: DType): Tensor => tensor(v, { dtype });

export function enqueue(q: QueueActor, comps: Tensor[], signal?: AbortSignal): Promise<unknown> {
  return q.deliver({ type: 'enqueue', components: comps }, signal);
}
export function enqueueMany(q: QueueActor, comps: Tensor[], signal?: AbortSignal): Promise<unknown> {
  return q.deliver({ type: 'enqueueMany', components: comps }, signal);
}
export async function dequeue(q: QueueActor, signal?: AbortSignal): Promise<unknown[]> {
  const r = await q.deliver<DequeueReply>({ type: 'dequeue' }, signal);
  return r.components.map((c) => c.toArray());
}
export async function dequeueMany(q: QueueActor, n: number, signal?: AbortSignal, allowSmallBatch = false): Promise<unknown[]> {
  const r = await q.deliver<DequeueReply>({ type: 'dequeueMany', n, allowSmallBatch }, signal);
  return r.components.map((c) => c.toArray());
}
export function close(q: QueueActor, cancelPendingEnqueues = false): Promise<unknown> {
  return q.deliver({ type: 'close', cancelPendingEnqueues });
}

/** Lets pending promise callbacks run. */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(p: Promise<T>): { done: boolean; value?: T; error?: unknown; p: Promise<T> } {
  const s: { done: boolean; value?: T; error?: unknown; p: Promise<T> } = { done: false, p };
  p.then((v) => { s.done = true; s.value = v; }, (e) => { s.done = true; s.error = e; });
  return s;
}

/** Awaits `fn()` and checks it rejects with an error accepted by `check`. */
export async function rejects(fn: () => Promise<unknown>, check: (e: Error) => boolean, what = ''): Promise<void> {
  let err: unknown = undefined;
  try { await fn(); } catch (e) { err = e; }
  if (err === undefined) throw new Error(`expected a rejection ${what}`);
  if (!check(err as Error)) throw new Error(`unexpected error ${what}: ${(err as Error).name}: ${(err as Error).message}`);
}
