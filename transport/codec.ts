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
import { installTensorExtension, packSpliced, tensorWireBytesEstimate } from './tensor_extension.js';

installTensorExtension();

export interface EncodedFrame {
  /** The frame bytes; valid until release() is called. */
  readonly bytes: Uint8Array;
  /** True when the frame lives in a pooled buffer that must be released after the write. */
  readonly pooled: boolean;
  /** Returns the frame's buffer to the pool (call once the socket has written it). */
  release(): void;
}

/**
 * A frame whose large tensors are not copied: `pieces` laid end to end are the frame's bytes
 * (MessagePack parts alternating with views of the tensors' own memory).
 */
export interface SplicedFrame {
  readonly pieces: Uint8Array[];
  readonly byteLength: number;
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
/** msgpackr's target after a pooled encode: half of Node's slab (Buffer.poolSize), the most allocUnsafe serves from it. */
const SCRATCH_TARGET_BYTES = Buffer.poolSize >>> 1;
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

  /** `estimate`: estimateBytes(value), when the caller has it already. */
  encode(value: unknown, estimate = estimateBytes(value)): EncodedFrame {
    if (estimate < this.opts.pooledFrameBytes) return { bytes: this.packr.pack(value), pooled: false, release: NO_RELEASE };
    const buf = this.pool.acquire(estimate + FRAME_SLACK);
    let bytes: Uint8Array;
    try {
      this.packr.useBuffer(buf);
      bytes = this.packr.pack(value);
    } finally {
      // msgpackr's target is shared by every Packr in the process: point it away from the pooled
      // buffer so that no later pack() writes into a buffer we will hand out again. A slice of
      // Node's shared 8 KiB slab is ours alone and costs no allocation of external memory (a
      // fresh buffer per large frame kept V8 scavenging for external-memory pressure).
      this.packr.useBuffer(Buffer.allocUnsafe(SCRATCH_TARGET_BYTES));
    }
    if (bytes.buffer !== buf.buffer) {
      // The estimate was short and msgpackr grew into its own buffer; ours is free again.
      this.pool.release(buf);
      return { bytes, pooled: false, release: NO_RELEASE };
    }
    let released = false;
    return { bytes, pooled: true, release: () => { if (!released) { released = true; this.pool.release(buf); } } };
  }

  /**
   * Encodes a frame with the data of its numeric tensors of at least `minBytes` left in place,
   * for a writer that can send several buffers as one message (zero-copy). Returns null when the
   * value has no such tensor, or when msgpackr had to move its buffer while packing (the spliced
   * positions would be stale); the caller then uses encode().
   */
  encodeSpliced(value: unknown, minBytes: number): SplicedFrame | null {
    const { result: bytes, splices } = packSpliced(minBytes, () => this.packr.pack(value) as Uint8Array);
    if (splices.length === 0) return null;
    const pieces: Uint8Array[] = [];
    let from = 0;
    let byteLength = bytes.byteLength;
    for (const s of splices) {
      if (s.target.buffer !== bytes.buffer) return null;
      const at = s.target.byteOffset + s.at - bytes.byteOffset;
      if (at < from || at > bytes.byteLength) return null;
      pieces.push(bytes.subarray(from, at), s.data);
      byteLength += s.data.byteLength;
      from = at;
    }
    pieces.push(bytes.subarray(from));
    return { pieces, byteLength };
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
