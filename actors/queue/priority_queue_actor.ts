/**
 * PriorityQueue: component 0 is an int64 priority; elements come out smallest priority first
 * (ties in arrival order). dequeueMany waits for a whole batch instead of collecting progressively,
 * so a batch is always sorted.
 */
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import type { Tensor } from '../../lib/framework/tensor.js';
import { shapeString, stackComponent, type Element } from './element.js';
import { QueueActor } from './queue_actor.js';

interface Entry { priority: bigint; seq: number; element: Element }

export class PriorityQueueActor extends QueueActor {
  private readonly heap: Entry[] = [];
  private seq = 0;

  size(): number { return this.heap.length; }

  protected override get wholeBatchOnly(): boolean { return true; }

  protected override dequeueManyShapesMessage(): string {
    return "PriorityQueue's DequeueMany requires the components to have specified shapes.";
  }

  protected insert(e: Element): void {
    const priority = BigInt(e[0]!.data[0] as bigint);
    this.heap.push({ priority, seq: this.seq++, element: e });
    this.siftUp(this.heap.length - 1);
  }

  protected takeOne(): Element {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top.element;
  }

  protected putBack(elements: Element[]): void { for (const e of elements) this.insert(e); }

  protected assembleBatch(elements: Element[]): Tensor[] {
    return this.config.componentTypes.map((t, c) => stackComponent(elements, c, t, this.config.shapes[c] as number[]));
  }

  protected override validateTuple(components: readonly Tensor[]): void {
    super.validateTuple(components);
    const p = components[0]!;
    if (p.shape.length !== 0) {
      throw new InvalidArgumentError(`Expected the priority element to be a scalar, but received shape: ${shapeString(p.shape)}`);
    }
  }

  protected override validateManyTuple(components: readonly Tensor[]): void {
    super.validateManyTuple(components);
    const p = components[0]!;
    if (p.shape.length !== 1) {
      throw new InvalidArgumentError(`Expected the priority element to be a scalar, but received shape: ${shapeString(p.shape.slice(1))}`);
    }
  }

  private less(a: Entry, b: Entry): boolean {
    return a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
