/**
 * The wire codec: MessagePack (msgpackr, no records) plus the tensor extension of
 * tensor_extension.ts. Bodies may be any mix of plain objects, arrays, strings, numbers, bigint
 * (any size), booleans, null/undefined, Uint8Array and Tensor.
 *
 * Decoding takes zero-copy views: `bin` values decode as Uint8Array views into the frame and
 * numeric tensors as typed-array views when the frame's buffer is aligned (one copy otherwise).
 * Frames with large tensors are packed into pooled buffers (Packr.useBuffer), released once
 * written, instead of a fresh allocation per message.
 */
import { Packr, Unpackr } from 'msgpackr';
import { Tensor } from '../lib/framework/tensor.js';
import { BufferPool } from './buffer_pool.js';
import { installTensorExtension, tensorWireBytesEstimate } from './tensor_extension.js';

installTensorExtension();

export interface EncodedFrame {
  /** The frame bytes; valid until release() is called. */
  readonly bytes: Uint8Array;
  /** True when the frame lives in a pooled buffer that must be released after the write. */
  readonly pooled: boolean;
  /** Returns the frame's buffer to the pool (call once the socket has written it). */
  release(): void;
}

export interface FrameCodecOptions {
  /** Frames estimated at or above this size are packed into pooled buffers. */
  pooledFrameBytes: number;
  /** Most idle bytes kept in the encode pool. */
  encodePoolBytes: number;
}

export const DEFAULT_CODEC_OPTIONS: FrameCodecOptions = {
  pooledFrameBytes: 64 * 1024,
  encodePoolBytes: 128 * 1024 * 1024,
};

const NO_RELEASE = (): void => { /* frame lives in msgpackr's own buffer */ };
/** Slack for the MessagePack structure around the estimated payload of large frames. */
const FRAME_SLACK = 16 * 1024;
/** Visiting more than this many values while estimating gives up (the frame is packed the plain way). */
const ESTIMATE_BUDGET = 4096;

function packrOptions(): ConstructorParameters<typeof Packr>[0] {
  return { useRecords: false, useBigIntExtension: true };
}

export class FrameCodec {
  private readonly packr = new Packr(packrOptions());
  private readonly unpackr = new Unpackr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: true });
  private readonly pool: BufferPool;
  private readonly opts: FrameCodecOptions;

  constructor(opts: Partial<FrameCodecOptions> = {}) {
    this.opts = { ...DEFAULT_CODEC_OPTIONS, ...opts };
    this.pool = new BufferPool({ minBytes: this.opts.pooledFrameBytes * 2, maxIdleBytes: this.opts.encodePoolBytes });
  }

  encode(value: unknown): EncodedFrame {
    const estimate = estimateBytes(value);
    if (estimate < this.opts.pooledFrameBytes) return { bytes: this.packr.pack(value), pooled: false, release: NO_RELEASE };
    const buf = this.pool.acquire(estimate + FRAME_SLACK);
    let bytes: Uint8Array;
    try {
      this.packr.useBuffer(buf);
      bytes = this.packr.pack(value);
    } finally {
      // msgpackr's target is shared by every Packr in the process: point it away from the pooled
      // buffer so that no later pack() writes into a buffer we will hand out again.
      this.packr.useBuffer(Buffer.allocUnsafeSlow(8192));
    }
    if (bytes.buffer !== buf.buffer) {
      // The estimate was short and msgpackr grew into its own buffer; ours is free again.
      this.pool.release(buf);
      return { bytes, pooled: false, release: NO_RELEASE };
    }
    let released = false;
    return { bytes, pooled: true, release: () => { if (!released) { released = true; this.pool.release(buf); } } };
  }

  /** Decodes one frame; binary values and aligned tensors are views into `bytes`. */
  decode(bytes: Uint8Array): unknown {
    // A plain Uint8Array source makes msgpackr return `bin` values as Uint8Array (not Buffer) views.
    const src = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.unpackr.unpack(src);
  }

  get pooledIdleBytes(): number { return this.pool.idle; }
  /** Encode buffers allocated so far. */
  get pooledAllocations(): number { return this.pool.allocations; }
}

/** A cheap upper-bound estimate of a value's encoded size; -1 when the value is too big to walk. */
export function estimateBytes(value: unknown): number {
  let budget = ESTIMATE_BUDGET;
  const walk = (v: unknown): number => {
    if (--budget < 0) return 0;
    if (v === null || typeof v !== 'object') return typeof v === 'string' ? v.length * 3 + 5 : 9;
    if (v instanceof Tensor) return tensorWireBytesEstimate(v);
    if (ArrayBuffer.isView(v)) return v.byteLength + 5;
    let n = 5;
    if (Array.isArray(v)) { for (const x of v) n += walk(x); return n; }
    for (const k in v) n += k.length * 3 + 5 + walk((v as Record<string, unknown>)[k]);
    return n;
  };
  const n = walk(value);
  return budget < 0 ? -1 : n;
}

const shared = new FrameCodec();

/** Encodes a value into a fresh, independent Uint8Array (for tests and tools; transports use FrameCodec). */
export function encodeValue(value: unknown): Uint8Array {
  const f = shared.encode(value);
  const out = new Uint8Array(f.bytes.byteLength);
  out.set(f.bytes);
  f.release();
  return out;
}

export function decodeValue(bytes: Uint8Array): unknown {
  return shared.decode(bytes);
}
