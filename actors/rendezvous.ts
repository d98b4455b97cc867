/**
 * Where tensors crossing devices meet: a producer's _Send puts a tensor under (step, key) at the
 * consumer's device; the consumer's _Recv waits for it there. Aborting a step fails its waiters.
 */
import { type OpError } from '../lib/framework/errors.js';
import type { Tensor } from '../lib/framework/tensor.js';
import { abortReason } from './actor.js';
import type { CancelSignal } from '../lib/framework/cancellation.js';

interface Slot {
  tensor?: Tensor;
  waiters: { resolve: (t: Tensor) => void; reject: (e: OpError) => void }[];
}

export interface RendezvousOptions {
  /** Steps remembered as finished, so late arrivals for them are dropped (default 4096). */
  finishedStepMemory?: number;
}

export class Rendezvous {
  private readonly steps = new Map<string, Map<string, Slot>>();
  private readonly aborted = new Map<string, OpError>();
  private readonly finished = new Set<string>();
  private readonly memory: number;

  constructor(opts: RendezvousOptions = {}) {
    this.memory = opts.finishedStepMemory ?? 4096;
  }

  send(stepId: string, key: string, tensor: Tensor): void {
    if (this.finished.has(stepId) || this.aborted.has(stepId)) return;
    const slot = this.slot(stepId, key);
    const w = slot.waiters.shift();
    if (w) w.resolve(tensor);
    else slot.tensor = tensor;
  }

  recv(stepId: string, key: string, signal: CancelSignal): Promise<Tensor> {
    const err = this.aborted.get(stepId);
    if (err) return Promise.reject(err);
    const slot = this.slot(stepId, key);
    if (slot.tensor) {
      const t = slot.tensor;
      delete slot.tensor;
      return Promise.resolve(t);
    }
    return new Promise<Tensor>((resolve, reject) => {
      const w = { resolve, reject };
      slot.waiters.push(w);
      if (signal.aborted) reject(abortReason(signal));
      else signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
    });
  }

  abort(stepId: string, err: OpError): void {
    this.aborted.set(stepId, err);
    const slots = this.steps.get(stepId);
    if (slots) for (const s of slots.values()) for (const w of s.waiters.splice(0)) w.reject(err);
    this.steps.delete(stepId);
    this.trim(this.aborted);
  }

  /** Forgets a step's slots once every partition of it on this device is done. */
  finish(stepId: string): void {
    this.steps.delete(stepId);
    this.finished.add(stepId);
    if (this.finished.size > this.memory) {
      const first = this.finished.values().next().value as string;
      this.finished.delete(first);
    }
  }

  private trim(m: Map<string, unknown>): void {
    if (m.size > this.memory) m.delete(m.keys().next().value as string);
  }

  private slot(stepId: string, key: string): Slot {
    let s = this.steps.get(stepId);
    if (!s) this.steps.set(stepId, (s = new Map()));
    let slot = s.get(key);
    if (!slot) s.set(key, (slot = { waiters: [] }));
    return slot;
  }
}
