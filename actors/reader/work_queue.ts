/**
 * How a reader gets its next work unit (a file name): one dequeue from a one-string-component
 * queue, the queue actor found by the path its handle holds. A local queue is asked in process; a
 * queue on another task over the transport, with no deadline of its own (a reader may wait for a
 * file name as long as its step lets it).
 */
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import type { Tensor } from '../../lib/framework/tensor.js';
import type { ActorSystem } from '../actor_system.js';
import type { DequeueReply } from '../queue/queue_config.js';

/** The queue message the reader sends (actors/queue/queue_config.ts QueueMessage 'dequeue'). */
const DEQUEUE_ONE = { type: 'dequeue' } as const;

/** Sends one dequeue to the queue at `queuePath`; resolves with its components. */
export async function dequeueComponents(system: ActorSystem, queuePath: string, signal: AbortSignal): Promise<Tensor[]> {
  const local = system.lookup(queuePath);
  const reply = local
    ? await local.deliver<DequeueReply>(DEQUEUE_ONE, signal)
    : await system.ask<DequeueReply>(queuePath, DEQUEUE_ONE, { signal, timeoutMs: 0 });
  return reply.components;
}

/** The work unit in a dequeued tuple, checked as ReaderBase::GetNextWorkLocked does. */
export function workFromComponents(components: readonly Tensor[]): string {
  if (components.length !== 1) throw new InvalidArgumentError('Expected single component queue');
  const t = components[0]!;
  if (t.dtype !== 'string') throw new InvalidArgumentError('Expected queue with single string component');
  if (t.data.length !== 1) throw new InvalidArgumentError('Expected to dequeue a one-element string tensor');
  const v = t.data[0] as string | Uint8Array;
  return typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
}

/** A source of work units: the filename queue as a reader sees it. */
export interface WorkQueue {
  dequeueOne(signal: AbortSignal): Promise<string>;
}

export function workQueueAt(system: ActorSystem, queuePath: string): WorkQueue {
  return {
    dequeueOne: async (signal) => workFromComponents(await dequeueComponents(system, queuePath, signal)),
  };
}
