/**
 * A small pool of reusable encode buffers. A fresh large ArrayBuffer page-faults on every page
 * (allocate-and-copy runs at 2-5 GB/s here, copying into a warm buffer at 17-56 GB/s), so large
 * frames are packed into pooled buffers that return to the pool once the socket has written them.
 */
export interface BufferPoolOptions {
  /** Smallest buffer handed out, in bytes. */
  minBytes: number;
  /** Most bytes kept idle in the pool; buffers beyond it are dropped for the GC. */
  maxIdleBytes: number;
}

export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private idleBytes = 0;
  /** Buffers allocated so far (a warm pool stops growing). */
  allocations = 0;

  constructor(private readonly opts: BufferPoolOptions) {}

  /** A buffer of at least `bytes` (a power-of-two size class). Node's slow allocation is 8-aligned at offset 0. */
  acquire(bytes: number): Buffer {
    const size = sizeClass(Math.max(bytes, this.opts.minBytes));
    const list = this.free.get(size);
    const b = list?.pop();
    if (b) { this.idleBytes -= size; return b; }
    this.allocations++;
    return Buffer.allocUnsafeSlow(size);
  }

  release(buf: Buffer): void {
    const size = buf.byteLength;
    if (size !== sizeClass(size) || this.idleBytes + size > this.opts.maxIdleBytes) return;
    let list = this.free.get(size);
    if (!list) { list = []; this.free.set(size, list); }
    list.push(buf);
    this.idleBytes += size;
  }

  get idle(): number { return this.idleBytes; }
}

function sizeClass(n: number): number {
  let s = 1;
  while (s < n) s *= 2;
  return s;
}
