/**
 * Reads the protocol's own data frames (single-frame binary messages) straight off the socket,
 * ahead of ws's Receiver, and hands every other frame to that Receiver untouched.
 *
 * Why: ws buffers the socket's reads of a message until all of it has arrived and then copies
 * them into one new buffer. For a message of many reads that copy runs over memory that has long
 * left the CPU caches, and at 16 MiB it was over a quarter of the receiving node's time. Here a
 * message gets its buffer once its length is known; on plain TCP the socket then reads the rest
 * of a large message straight into it (readFramesDirectly), elsewhere each read is copied in as
 * it arrives (still in cache). A message inside one read is a view of it, as with ws, unless that
 * read's memory is reused. Small messages also skip ws's stream machinery.
 *
 * What stays with ws: control frames (ping, pong, close), text and fragmented messages, and every
 * frame that breaks the rules (reserved bits, wrong masking, oversized): ws answers those exactly
 * as before (pong, close handshake, close code 1002/1009). After a close frame, a text or
 * fragmented message, or any invalid frame, every later byte goes to ws as well.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { readInto } from './socket_reads.js';

/** The part of ws's Receiver this module relies on (a Writable fed by the socket). */
interface WsReceiver {
  write(chunk: Buffer): boolean;
  _state?: number;
  _bufferedBytes?: number;
  _fragmented?: number;
}

const enum State { Header, Payload, Forward, Passthrough, Discard }

const EMPTY = Buffer.alloc(0);

const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const MAX_CONTROL_PAYLOAD = 125;
/** 2^53 / 2^32: a 64-bit length whose high word reaches this cannot be a JS number (ws refuses it). */
const MAX_HIGH_WORD = 0x200000;

export class FrameReader {
  private state = State.Header;
  private readonly head = Buffer.alloc(14);
  private headFill = 0;
  /** The message being read: its length, the buffer it is assembled in (once it spans reads), bytes so far. */
  private length = 0;
  private target: Buffer = EMPTY;
  private fill = 0;
  /** Bytes of the current forwarded frame's payload still to forward. */
  private remaining = 0;
  private readonly mask = Buffer.alloc(4);
  private masked = false;
  /** Whether the chunk being pushed lives in memory that the next read overwrites. */
  private reused = false;

  constructor(
    /** A server reads masked frames, a client unmasked ones (RFC 6455 5.1). */
    private readonly isServer: boolean,
    /** Larger frames are left to ws, which closes with 1009. 0: no limit. */
    private readonly maxPayload: number,
    private readonly deliver: (payload: Buffer) => void,
    /** ws's Receiver; false asks for the socket to pause. */
    private readonly forward: (bytes: Buffer) => boolean,
    /** The connection cannot go on (a message that cannot be allocated); later bytes are dropped. */
    private readonly fail: (reason: string) => void = () => {},
  ) {}

  /**
   * Takes one socket read; returns false when ws's Receiver wants the socket paused. `reused`:
   * the chunk's memory is read into again later, so nothing handed on may be a view of it.
   */
  push(chunk: Buffer, reused = false): boolean {
    this.reused = reused;
    let ok = true;
    let p = 0;
    while (p < chunk.length) {
      switch (this.state) {
        case State.Passthrough:
          return this.forward(this.own(p === 0 ? chunk : chunk.subarray(p))) && ok;
        case State.Discard:
          return ok;
        case State.Payload:
          p = this.readPayload(chunk, p);
          break;
        case State.Forward: {
          const take = Math.min(chunk.length - p, this.remaining);
          ok = this.forward(this.own(chunk.subarray(p, p + take))) && ok;
          p += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.Header;
          break;
        }
        case State.Header: {
          const h = this.readHeader(chunk, p);
          if (h === null) return ok; // the chunk ended inside a header, kept in this.head
          p = h.next;
          ok = this.startFrame(h.bytes, h.at, h.size) && ok;
          break;
        }
      }
    }
    return ok;
  }

  /** Where the next socket read should go: into the message being assembled, when much of it is still to come. */
  readTarget(minBytes: number): Buffer | null {
    if (this.state !== State.Payload || this.fill === 0 || this.length - this.fill < minBytes) return null;
    return this.target.subarray(this.fill);
  }

  /** A socket read of n bytes went straight into readTarget(). */
  filled(n: number): void {
    if (this.masked) unmask(this.target, this.fill, this.fill + n, this.mask, this.fill);
    this.fill += n;
    if (this.fill === this.length) this.complete();
  }

  /** The bytes themselves where the chunk's memory is read into again, else the view. */
  private own(view: Buffer): Buffer {
    if (!this.reused) return view;
    const out = Buffer.allocUnsafe(view.length);
    view.copy(out);
    return out;
  }

  /**
   * The frame header at chunk[p], read in place, or assembled in this.head when it is split
   * across reads; null when the chunk ended inside it.
   */
  private readHeader(chunk: Buffer, p: number): { bytes: Buffer; at: number; size: number; next: number } | null {
    if (this.headFill === 0 && chunk.length - p >= 2) {
      const size = headerSize(chunk[p + 1]!);
      if (chunk.length - p >= size) return { bytes: chunk, at: p, size, next: p + size };
    }
    while (this.headFill < 2 && p < chunk.length) this.head[this.headFill++] = chunk[p++]!;
    if (this.headFill < 2) return null;
    const size = headerSize(this.head[1]!);
    const take = Math.min(size - this.headFill, chunk.length - p);
    chunk.copy(this.head, this.headFill, p, p + take);
    this.headFill += take;
    if (this.headFill < size) return null;
    this.headFill = 0;
    return { bytes: this.head, at: 0, size, next: p + take };
  }

  /** Starts reading a frame's payload here or forwarding the frame to ws; returns ws's write result. */
  private startFrame(h: Buffer, at: number, size: number): boolean {
    const b0 = h[at]!;
    const b1 = h[at + 1]!;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    let length = len7;
    let tooLong = false;
    if (len7 === 126) length = h.readUInt16BE(at + 2);
    else if (len7 === 127) {
      const hi = h.readUInt32BE(at + 2);
      tooLong = hi >= MAX_HIGH_WORD;
      length = hi * 0x100000000 + h.readUInt32BE(at + 6);
    }
    const wellFormed = (b0 & 0x80) !== 0 && (b0 & 0x70) === 0 && masked === this.isServer && !tooLong;
    if (wellFormed && opcode === OP_BINARY && (this.maxPayload === 0 || length <= this.maxPayload)) {
      this.masked = masked && h.readUInt32BE(at + size - 4) !== 0;
      if (this.masked) h.copy(this.mask, 0, at + size - 4, at + size);
      this.length = length;
      this.fill = 0;
      if (length === 0) this.deliver(Buffer.alloc(0));
      else this.state = State.Payload;
      return true;
    }
    // ws reads this frame; after anything but a well-formed ping or pong, it reads everything.
    const ok = this.forward(Buffer.from(h.subarray(at, at + size))); // a copy: `h` may be this.head
    const control = wellFormed && opcode > OP_CLOSE && opcode <= 0xa && length <= MAX_CONTROL_PAYLOAD;
    if (!control) this.state = State.Passthrough;
    else if (length > 0) { this.remaining = length; this.state = State.Forward; }
    return ok;
  }

  private readPayload(chunk: Buffer, p: number): number {
    if (this.fill === 0 && chunk.length - p >= this.length) {
      // The whole message is in this read: a view of it, as ws gives (unmasked in place, as ws does).
      const view = this.own(chunk.subarray(p, p + this.length));
      if (this.masked) unmask(view, 0, view.length, this.mask, 0);
      this.state = State.Header;
      this.deliver(view);
      return p + view.length;
    }
    if (this.fill === 0) {
      try {
        this.target = Buffer.allocUnsafe(this.length);
      } catch (e) {
        // Out of memory for this message: this connection ends, the node goes on.
        this.state = State.Discard;
        this.fail(`cannot allocate a ${this.length}-byte message (${(e as Error).message})`);
        return chunk.length;
      }
    }
    const take = Math.min(chunk.length - p, this.length - this.fill);
    chunk.copy(this.target, this.fill, p, p + take);
    if (this.masked) unmask(this.target, this.fill, this.fill + take, this.mask, this.fill);
    this.fill += take;
    if (this.fill === this.length) this.complete();
    return p + take;
  }

  private complete(): void {
    const msg = this.target;
    this.target = EMPTY;
    this.state = State.Header;
    this.deliver(msg);
  }
}

function headerSize(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}

/**
 * XORs buf[from, to) with the mask, starting at mask byte `offset & 3`. Only frames from other
 * clients carry a non-zero mask (actorflow's own clients mask with zeros), so a plain loop will do.
 */
function unmask(buf: Buffer, from: number, to: number, mask: Buffer, offset: number): void {
  for (let i = from, j = offset; i < to; i++, j++) buf[i]! ^= mask[j & 3]!;
}

/**
 * Puts a FrameReader in front of ws's Receiver of this (just opened) WebSocket. Returns null,
 * leaving ws to read everything, when the Receiver is not the one this module knows or has
 * already started on a frame.
 */
export function attachFrameReader(ws: WebSocket, isServer: boolean, maxPayload: number, deliver: (payload: Buffer) => void,
  fail: (reason: string) => void): FrameReader | null {
  const receiver = (ws as unknown as { _receiver?: WsReceiver })._receiver;
  if (!receiver || typeof receiver.write !== 'function') return null;
  if (receiver._state !== 0 || receiver._bufferedBytes !== 0 || receiver._fragmented !== 0) return null;
  const original = receiver.write.bind(receiver);
  const reader = new FrameReader(isServer, maxPayload, deliver, original, fail);
  receiver.write = (chunk: Buffer) => reader.push(chunk);
  return reader;
}

/**
 * Reads the socket with the FrameReader choosing where each read goes (see socket_reads.ts):
 * into the message being assembled while at least `scratchBytes` of it are still to come, else
 * into one reused scratch buffer. Returns false, changing nothing, where the socket cannot be
 * read that way; the reader is then fed by ws's socket reads as before.
 */
export function readFramesDirectly(socket: Socket, reader: FrameReader, scratchBytes: number, onRead: () => void): boolean {
  const scratch = Buffer.allocUnsafeSlow(scratchBytes);
  const next = (): Uint8Array => reader.readTarget(scratchBytes) ?? scratch;
  return readInto(socket, next, (n, buf) => {
    onRead();
    if (buf === scratch) return reader.push(scratch.subarray(0, n), true);
    reader.filled(n);
    return true;
  });
}
