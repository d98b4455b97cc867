/**
 * Wire helpers shared by the transport benchmark's two processes: the hand-encoded protobuf
 * message for gRPC (`message Chunk { bytes data = 1; }`, as TensorProto carries tensor_content)
 * and the length-prefixed framing of the raw TCP contender.
 */

/** Encodes `Chunk{data}`: tag 0x0a, varint length, bytes (a fresh buffer per message, as protobufjs does). */
export function encodeChunk(data: Uint8Array): Buffer {
  const n = data.byteLength;
  let v = n;
  let varint = 1;
  while (v >= 0x80) { v = Math.floor(v / 128); varint++; }
  const out = Buffer.allocUnsafe(1 + varint + n);
  out[0] = 0x0a;
  let p = 1;
  v = n;
  while (v >= 0x80) { out[p++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128); }
  out[p++] = v;
  out.set(data, p);
  return out;
}

/** Decodes `Chunk{data}` into a view of the received buffer (protobufjs decodes `bytes` as a view too). */
export function decodeChunk(buf: Buffer): Buffer {
  if (buf.length === 0) return buf.subarray(0, 0);
  if (buf[0] !== 0x0a) throw new Error(`unexpected protobuf tag ${buf[0]}`);
  let p = 1;
  let n = 0;
  let shift = 1;
  for (;;) {
    const b = buf[p++]!;
    n += (b & 0x7f) * shift;
    if (b < 0x80) break;
    shift *= 128;
  }
  return buf.subarray(p, p + n);
}

/** Raw TCP frames: u32 LE payload length, u8 kind, 3 zero bytes (so payloads stay 8-aligned), payload. */
export const TCP_HEADER = 8;
export const TcpKind = { SINK: 1, DONE: 2, ECHO: 3, REPLY: 4 } as const;

export function tcpHeader(kind: number, length: number): Buffer {
  const h = Buffer.alloc(TCP_HEADER);
  h.writeUInt32LE(length, 0);
  h[4] = kind;
  return h;
}

/**
 * Splits a TCP byte stream into frames. A frame that spans several reads is assembled into one
 * buffer allocated for it (one copy, as ws does); a frame inside one read is a view.
 */
export class TcpFramer {
  private partial: Buffer | null = null;
  private partialFill = 0;
  private partialKind = 0;
  private head = Buffer.alloc(TCP_HEADER);
  private headFill = 0;

  constructor(private readonly onFrame: (kind: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let p = 0;
    while (p < chunk.length) {
      if (this.partial) {
        const take = Math.min(chunk.length - p, this.partial.length - this.partialFill);
        chunk.copy(this.partial, this.partialFill, p, p + take);
        this.partialFill += take;
        p += take;
        if (this.partialFill === this.partial.length) {
          const f = this.partial;
          this.partial = null;
          this.onFrame(this.partialKind, f);
        }
        continue;
      }
      if (this.headFill > 0 || chunk.length - p < TCP_HEADER) {
        const take = Math.min(chunk.length - p, TCP_HEADER - this.headFill);
        chunk.copy(this.head, this.headFill, p, p + take);
        this.headFill += take;
        p += take;
        if (this.headFill < TCP_HEADER) return;
        this.headFill = 0;
        this.begin(this.head.readUInt32LE(0), this.head[4]!, chunk, p);
        p = this.consumedTo;
        continue;
      }
      const len = chunk.readUInt32LE(p);
      const kind = chunk[p + 4]!;
      this.begin(len, kind, chunk, p + TCP_HEADER);
      p = this.consumedTo;
    }
  }

  private consumedTo = 0;

  private begin(len: number, kind: number, chunk: Buffer, at: number): void {
    if (chunk.length - at >= len) {
      this.consumedTo = at + len;
      this.onFrame(kind, chunk.subarray(at, at + len));
      return;
    }
    this.partial = Buffer.allocUnsafeSlow(len);
    this.partialKind = kind;
    this.partialFill = 0;
    this.consumedTo = at;
  }
}
