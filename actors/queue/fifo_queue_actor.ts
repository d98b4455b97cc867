/** FIFOQueue: strict first-in first-out; a partial batch goes back to the front in order. */
import type { Tensor } from '../../lib/framework/tensor.js';
import { Deque } from '../../lib/framework/deque.js';
import { stackComponent, type Element } from './element.js';
import { QueueActor } from './queue_actor.js';

export class FIFOQueueActor extends QueueActor {
  protected readonly elements = new Deque<Element>();

  size(): number { return this.elements.length; }

  protected insert(e: Element): void { this.elements.pushBack(e); }

  protected takeOne(): Element { return this.elements.popFront()!; }

  protected putBack(elements: Element[]): void {
    for (let i = elements.length - 1; i >= 0; i--) this.elements.pushFront(elements[i]!);
  }

  protected assembleBatch(elements: Element[]): Tensor[] {
    return this.config.componentTypes.map((t, c) => stackComponent(elements, c, t, this.config.shapes[c] as number[]));
  }

  /** The stored elements, front first (tests and debugging). */
  snapshot(): Element[] { return this.elements.toArray(); }
}
