/**
 * RandomShuffleQueue: elements are handed out in random order (index = rng() mod size, the slot
 * refilled with the last element, as TensorFlow). While open, a dequeue leaves at least
 * minAfterDequeue elements; once closed that floor is ignored. Same seeds, same order.
 */
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import type { Tensor } from '../../lib/framework/tensor.js';
import { Philox } from '../../lib/queues/philox.js';
import { stackComponent, type Element } from './element.js';
import type { QueueConfig } from './queue_config.js';
import { QueueActor } from './queue_actor.js';

export class RandomShuffleQueueActor extends QueueActor {
  private readonly pool: Element[] = [];
  private readonly rng: Philox;

  constructor(path: string, config: QueueConfig) {
    super(path, config);
    this.rng = new Philox(config.seed ?? 0, config.seed2 ?? 0);
  }

  get minAfterDequeue(): number { return this.config.minAfterDequeue ?? 0; }

  size(): number { return this.pool.length; }

  protected override available(): number {
    return this.closed ? this.pool.length : this.pool.length - this.minAfterDequeue;
  }

  protected insert(e: Element): void { this.pool.push(e); }

  protected takeOne(): Element {
    const i = this.rng.next() % this.pool.length;
    const e = this.pool[i]!;
    const last = this.pool.pop()!;
    if (i < this.pool.length) this.pool[i] = last;
    return e;
  }

  /** Handed-out elements go back into the pool (order means nothing here). */
  protected putBack(elements: Element[]): void { this.pool.push(...elements); }

  protected assembleBatch(elements: Element[]): Tensor[] {
    return this.config.componentTypes.map((t, c) => stackComponent(elements, c, t, this.config.shapes[c] as number[]));
  }

  protected override checkKindSpecific(requested: QueueConfig): void {
    const c = this.config;
    const min = requested.minAfterDequeue ?? 0;
    if (min !== this.minAfterDequeue) {
      throw new InvalidArgumentError(
        `Shared queue '${c.name}' has min_after_dequeue ${this.minAfterDequeue} but requested min_after_dequeue was ${min}.`);
    }
    const s1 = requested.seed ?? 0, s2 = requested.seed2 ?? 0;
    // A request with seeds (0, 0) accepts whatever seeds the queue has.
    if ((s1 !== 0 || s2 !== 0) && (s1 !== (c.seed ?? 0) || s2 !== (c.seed2 ?? 0))) {
      throw new InvalidArgumentError(
        `Shared queue '${c.name}' has random seeds (${c.seed ?? 0}, ${c.seed2 ?? 0}) but requested seeds are (${s1}, ${s2}).`);
    }
  }
}
