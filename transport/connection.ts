/**
 * One open WebSocket between two nodes (or a node and a client), multiplexed in both
 * directions: either side sends requests (correlation ids), one-way messages and answers.
 *
 * Flow control, so that memory stays bounded when a peer is slow:
 * - every outgoing frame waits in a FIFO outbox while the socket holds more than
 *   highWaterMarkBytes unsent (a slow reader shows up here through TCP);
 * - requests wait for one of maxPendingRequests slots;
 * - one-way messages use a credit window (tellWindowFrames/Bytes) that the receiver refills with
 *   batched ACK frames once the handlers have finished;
 * - the receiver bounds the handler calls running per connection, so a flood from one peer gets
 *   ResourceExhaustedError (or the connection closed) instead of starving the others.
 */
import type { Socket } from 'node:net';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from 'pino';
import {
  CancelledError, DeadlineExceededError, InvalidArgumentError, OpError, ResourceExhaustedError,
  UnavailableError, ErrorCode, errorFromWire, errorToWire, type WireError,
} from '../lib/framework/errors.js';
import { Deque } from '../lib/framework/deque.js';
import { Cancellation, type CancelSignal } from '../lib/framework/cancellation.js';
import { estimateBytes, type FrameCodec, type EncodedFrame, type SplicedFrame } from './codec.js';
import { CloseCode, FrameKind } from './frames.js';
import type { TransportOptions } from './options.js';
import { attachFrameReader, readFramesDirectly } from './frame_reader.js';
import { binaryFrame, binaryFrameHeader } from './ws_frame.js';

/**
 * How a connection reads its frames: 'direct' (the socket reads into memory the frame reader
 * picks: a large message lands where it is delivered), 'frames' (the frame reader takes Node's
 * reads ahead of ws, e.g. under TLS) or 'ws' (ws reads everything).
 */
export type ReadMode = 'direct' | 'frames' | 'ws';

export interface LinkStats {
  bytesSent: number;
  bytesReceived: number;
  framesSent: number;
  framesReceived: number;
  /** How the peer's current (or last) connection reads; null before the first one. */
  readMode: ReadMode | null;
}

export interface InboundContext {
  /** Aborts when the requester cancels (or times out) or the connection is lost. */
  signal: AbortSignal;
  /** The same cancellation without the cost of an AbortSignal (what the runtime passes on). */
  cancel: CancelSignal;
  /** The peer's advertised URL, or `client:<ip>:<port>` for a peer that does not listen. */
  peer: string;
  /** True for a one-way message (its result is not sent anywhere). */
  oneWay: boolean;
}

/** Serves an incoming message; the resolved value is the reply, a rejection travels back as a typed error. */
export type InboundHandler = (to: string, body: unknown, ctx: InboundContext) => Promise<unknown>;

export interface ConnectionDeps {
  codec: FrameCodec;
  opts: TransportOptions;
  logger: Logger;
  handler: () => InboundHandler;
  stats: LinkStats;
  onClose: (conn: Connection, reason: OpError) => void;
}

type OutKind = 'request' | 'tell' | 'reply';

interface OutItem {
  kind: OutKind;
  frame: unknown[];
  cancelled: boolean;
  onWritten: (bytes: number) => void;
  /**
   * When the body no longer matters to the sender: at once for a frame encoded into its own
   * bytes, or once the socket has taken a frame written from the tensors' memory (zero-copy).
   */
  onFlushed?: (err: OpError | null) => void;
  onFailed: (err: OpError) => void;
}

/** A request awaiting its answer; it is also its own outbox entry (one object per request). */
class Pending implements OutItem {
  readonly kind = 'request' as const;
  cancelled = false;
  sent = false;
  timer: NodeJS.Timeout | null = null;
  onAbort: (() => void) | null = null;
  resolve: (v: unknown) => void = noop;
  reject: (e: unknown) => void = noop;

  constructor(
    private readonly conn: Connection,
    readonly id: number,
    readonly to: string,
    readonly frame: unknown[],
    readonly signal: AbortSignal | undefined,
  ) {}

  onWritten(): void { this.sent = true; this.conn.requestWritten(); }
  onFailed(err: OpError): void { this.conn.settle(this, err, undefined); }
}

function noop(): void { /* replaced before use */ }

/** splice(): the item has already been failed. */
const FAILED = Symbol('failed');

function isSpliced(enc: EncodedFrame | SplicedFrame): enc is SplicedFrame {
  return (enc as SplicedFrame).pieces !== undefined;
}

function release(enc: EncodedFrame | SplicedFrame): void {
  if (!isSpliced(enc)) enc.release();
}

/** The error a requester rejects with when its signal aborts. */
export function abortError(signal: AbortSignal): OpError {
  const r: unknown = signal.reason;
  if (r instanceof OpError) return r;
  return new CancelledError(r instanceof Error ? r.message : 'The request was cancelled', { cause: r });
}

/** The reused buffer of direct socket reads: Node's own read size. */
const READ_SCRATCH_BYTES = 64 * 1024;
/** A corked batch of frames is written out once it holds this many bytes. */
const CORK_FLUSH_BYTES = 64 * 1024;
const SEND_OPTIONS = { binary: true, compress: false } as const;
/** WebSocket.OPEN (ws's readyState constant). */
const WS_OPEN = 1;

function isId(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

function isWireError(x: unknown): x is WireError {
  return typeof x === 'object' && x !== null && typeof (x as WireError).code === 'number' && typeof (x as WireError).message === 'string';
}

/**
 * One incoming call's context. Creating an AbortController costs more than the rest of a small
 * request's handling, so cancellation is a Cancellation, which makes an AbortSignal only when the
 * handler reads `signal`.
 */
class InboundCall implements InboundContext {
  readonly cancel = new Cancellation();

  constructor(readonly peer: string, readonly oneWay: boolean) {}

  get signal(): AbortSignal { return this.cancel.signal; }

  get aborted(): boolean { return this.cancel.aborted; }

  abort(reason: OpError): void { this.cancel.abort(reason); }
}

export class Connection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Requests written and not yet answered or given up (the slots of maxPendingRequests). */
  private sentRequests = 0;
  private unackedTellFrames = 0;
  private unackedTellBytes = 0;
  /**
   * Frames waiting for the socket, a request slot or tell credit (already encoded). A ring that
   * lets go of each frame as it is written: frames can carry tensors of many MiB, and a written
   * one must not stay reachable from here.
   */
  private readonly outbox = new Deque<{ item: OutItem; enc: EncodedFrame | SplicedFrame }>();
  /** Incoming requests being handled, by id, so a CANCEL can abort them. */
  private readonly inbound = new Map<number, InboundCall>();
  private readonly inboundTells = new Set<InboundCall>();
  /**
   * Write batching within one tick: the first frame of a tick goes out at once (a lone ask pays
   * no delay); any further frames of that tick are corked and leave in one writev at nextTick.
   */
  private tick: 'idle' | 'first' | 'corked' = 'idle';
  private corkedBytes = 0;
  private inflight = 0;
  private inflightTellBytes = 0;
  private ackFrames = 0;
  private ackBytes = 0;
  private ackScheduled = false;
  private lastReceived = Date.now();
  /** Set by every socket read and cleared by the heartbeat, which turns it into lastReceived (no clock read per chunk). */
  private received = false;
  /** Small frames are written prebuilt: the server side never masks, the client side masks with zeros. */
  private readonly directFrames: boolean;
  private lastTick = Date.now();
  readonly readMode: ReadMode;
  private readonly heartbeat: NodeJS.Timeout;
  private closedWith: OpError | null = null;

  constructor(
    readonly ws: WebSocket,
    private readonly socket: Socket,
    /** The peer's advertised URL, or `client:<ip>:<port>`. */
    readonly peer: string,
    /** True when this side opened the connection. */
    readonly outbound: boolean,
    private readonly deps: ConnectionDeps,
  ) {
    ws.binaryType = 'nodebuffer';
    this.directFrames = !outbound || deps.opts.zeroMask;
    // Our peers' data frames are read straight off the socket; ws reads the rest (control frames,
    // fragmented or text messages, protocol errors) and reports those messages here too.
    const reader = attachFrameReader(ws, !outbound, deps.opts.maxFrameBytes, (payload) => this.onMessage(payload, true),
      (reason) => this.protocolClose(CloseCode.MESSAGE_TOO_BIG, reason));
    this.readMode = !reader ? 'ws' : readFramesDirectly(socket, reader, READ_SCRATCH_BYTES, this.onSocketData) ? 'direct' : 'frames';
    deps.stats.readMode = this.readMode;
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => this.onWsClose(code, reason.toString()));
    ws.on('error', (err: Error & { code?: string }) => {
      const tooBig = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      deps.logger.warn({ peer, code: err.code, closeCode: tooBig ? CloseCode.MESSAGE_TOO_BIG : undefined },
        `Closing connection with ${peer}: ${err.message}`);
    });
    socket.on('data', this.onSocketData);
    socket.on('drain', this.pump);
    const { heartbeatIntervalMs, heartbeatTimeoutMs, unavailableTimeoutMs } = deps.opts;
    // A silently dead peer must turn pending requests into UnavailableError within the bound.
    const deadAfter = Math.min(heartbeatTimeoutMs, unavailableTimeoutMs);
    const tick = Math.max(10, Math.min(heartbeatIntervalMs, deadAfter / 4));
    this.heartbeat = setInterval(() => this.checkHeartbeat(heartbeatIntervalMs, deadAfter, tick), tick);
    this.heartbeat.unref();
  }

  get isOpen(): boolean { return this.closedWith === null; }
  get pendingCount(): number { return this.pending.size; }
  get inflightCount(): number { return this.inflight; }

  // ---- outgoing ----

  request(to: string, body: unknown, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.unavailable());
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const id = this.nextId++;
    const p = new Pending(this, id, to, [FrameKind.REQUEST, id, to, body], signal);
    const promise = new Promise<unknown>((resolve, reject) => { p.resolve = resolve; p.reject = reject; });
    this.pending.set(id, p);
    if (timeoutMs !== undefined && timeoutMs > 0) {
      p.timer = setTimeout(() => this.giveUp(p, new DeadlineExceededError(`Request to ${to} at ${this.peer} timed out after ${timeoutMs} ms`)), timeoutMs);
    }
    if (signal) {
      p.onAbort = () => this.giveUp(p, abortError(signal));
      signal.addEventListener('abort', p.onAbort, { once: true });
    }
    this.submit(p);
    return promise;
  }

  /** @internal A request frame went out: it holds one of maxPendingRequests slots until answered. */
  requestWritten(): void { this.sentRequests++; }

  /**
   * One-way message; resolves once written to the socket, after which changing the body's
   * tensors does not change what is sent.
   */
  tell(to: string, body: unknown): Promise<void> {
    if (this.closedWith) return Promise.reject(this.unavailable());
    return new Promise((resolve, reject) => {
      this.submit({
        kind: 'tell',
        frame: [FrameKind.TELL, to, body],
        cancelled: false,
        onWritten: (bytes) => { this.unackedTellFrames++; this.unackedTellBytes += bytes; },
        onFlushed: (err) => (err ? reject(err) : resolve()),
        onFailed: reject,
      });
    });
  }

  /**
   * Frames that carry large tensors are written from the tensors' own memory (zero-copy) when
   * the frame can go out now, and also while they wait if they are requests or replies: a
   * request's tensors stay as they are while its caller awaits the answer, and replies carry
   * tensors the runtime made, which nothing changes. Any other frame is encoded now into bytes of
   * its own, so what is sent is the body as it was when sent (a tensor mutated later, while the
   * frame waits for the socket or for credit, is not affected), then written or queued.
   */
  private submit(item: OutItem): void {
    const now = this.outbox.length === 0 && this.canWrite(item);
    const estimate = estimateBytes(item.frame);
    if ((now || item.kind !== 'tell') && estimate >= this.deps.opts.pooledFrameBytes) {
      const spliced = this.splice(item);
      if (spliced === FAILED) return;
      if (spliced) {
        if (now) this.writeSpliced(item, spliced);
        else this.outbox.pushBack({ item, enc: spliced });
        return;
      }
    }
    const enc = this.encode(item, estimate);
    if (!enc) return;
    if (now) this.write(item, enc);
    else this.outbox.pushBack({ item, enc });
  }

  private encode(item: OutItem, estimate?: number): EncodedFrame | null {
    let enc: EncodedFrame;
    try {
      enc = this.deps.codec.encode(item.frame, estimate);
    } catch (e) {
      item.onFailed(e instanceof OpError ? e : new InvalidArgumentError(`Cannot encode the message: ${(e as Error).message}`));
      return null;
    }
    const n = enc.bytes.byteLength;
    if (n > this.deps.opts.maxFrameBytes) {
      enc.release();
      item.onFailed(new ResourceExhaustedError(`A frame of ${n} bytes exceeds maxFrameBytes (${this.deps.opts.maxFrameBytes})`));
      return null;
    }
    return enc;
  }

  private canWrite(item: OutItem): boolean {
    const o = this.deps.opts;
    if (this.ws.bufferedAmount > o.highWaterMarkBytes) return false;
    if (item.kind === 'request') return this.sentRequests < o.maxPendingRequests;
    if (item.kind === 'tell') {
      return this.unackedTellFrames === 0 || (this.unackedTellFrames < o.tellWindowFrames && this.unackedTellBytes < o.tellWindowBytes);
    }
    return true;
  }

  /** Writes queued frames while the socket, the request slots and the tell window allow. */
  private readonly pump = (): void => {
    while (this.outbox.length > 0 && !this.closedWith) {
      const { item, enc } = this.outbox.at(0)!;
      if (item.cancelled) { this.outbox.popFront(); release(enc); continue; }
      if (!this.canWrite(item)) break;
      this.outbox.popFront();
      if (isSpliced(enc)) this.writeSpliced(item, enc);
      else this.write(item, enc);
    }
  };

  private write(item: OutItem, enc: EncodedFrame): void {
    const n = enc.bytes.byteLength;
    this.deps.stats.bytesSent += n;
    this.deps.stats.framesSent++;
    item.onWritten(n);
    item.onFlushed?.(null);
    this.cork();
    if (!enc.pooled) {
      // Small frames need no completion callback (one closure and one tick less per message);
      // a sender blocked on the high-water mark is woken by the socket's 'drain'.
      this.sendSmall(enc.bytes);
    } else {
      this.ws.send(enc.bytes, SEND_OPTIONS, (err) => {
        enc.release();
        if (!err) this.pump();
      });
    }
    this.flushIfLarge(n);
  }

  /**
   * The frame (a large one) with its large tensors left in their own memory, or null where that
   * does not apply: no large tensor, masking needed (a client without zeroMask), or a frame
   * msgpackr could not splice. FAILED: the frame is too large and the item has been failed.
   */
  private splice(item: OutItem): SplicedFrame | null | typeof FAILED {
    const o = this.deps.opts;
    if (!this.directFrames || this.ws.readyState !== WS_OPEN) return null;
    let f: SplicedFrame | null;
    try {
      f = this.deps.codec.encodeSpliced(item.frame, o.spliceTensorBytes);
    } catch {
      return null; // encode() reports the error
    }
    if (f && f.byteLength > o.maxFrameBytes) {
      item.onFailed(new ResourceExhaustedError(`A frame of ${f.byteLength} bytes exceeds maxFrameBytes (${o.maxFrameBytes})`));
      return FAILED;
    }
    return f;
  }

  /** WebSocket header, MessagePack parts and tensor bytes leave in one writev, with no copy in user space. */
  private writeSpliced(item: OutItem, f: SplicedFrame): void {
    if (this.ws.readyState !== WS_OPEN) {
      item.onFailed(this.unavailable());
      return;
    }
    this.deps.stats.bytesSent += f.byteLength;
    this.deps.stats.framesSent++;
    item.onWritten(f.byteLength);
    this.cork();
    const s = this.socket;
    s.cork();
    s.write(binaryFrameHeader(f.byteLength, this.outbound));
    const last = f.pieces.length - 1;
    for (let i = 0; i < last; i++) if (f.pieces[i]!.byteLength > 0) s.write(f.pieces[i]!);
    s.write(f.pieces[last]!, (err?: Error | null) => {
      item.onFlushed?.(err ? new UnavailableError(`Connection to ${this.peer} failed while writing: ${err.message}`) : null);
      if (!err) this.pump();
    });
    s.uncork();
    this.flushIfLarge(f.byteLength);
  }

  /** Control frames (CANCEL, ACK) skip the outbox: they are tiny and must never wait behind data. */
  private sendControl(frame: unknown[]): void {
    if (this.closedWith) return;
    const enc = this.deps.codec.encode(frame);
    this.deps.stats.bytesSent += enc.bytes.byteLength;
    this.deps.stats.framesSent++;
    this.cork();
    this.sendSmall(enc.bytes);
    this.flushIfLarge(enc.bytes.byteLength);
  }

  /**
   * A small frame goes out as one prebuilt WebSocket frame in one socket write (ws would write
   * header and payload as two buffers, a writev). ws writes every frame synchronously here (no
   * compression, no fragments), so frames from both paths stay in order on the socket.
   */
  private sendSmall(bytes: Uint8Array): void {
    if (this.directFrames && this.ws.readyState === WS_OPEN) this.socket.write(binaryFrame(bytes, this.outbound));
    else this.ws.send(bytes, SEND_OPTIONS);
  }

  /** Called before each frame is written: a burst of small frames in one tick costs one syscall. */
  private cork(): void {
    if (this.tick === 'idle') {
      this.tick = 'first';
      process.nextTick(this.endTick);
    } else if (this.tick === 'first') {
      this.tick = 'corked';
      this.socket.cork();
    }
  }

  private readonly endTick = (): void => {
    if (this.tick === 'corked') this.socket.uncork();
    this.tick = 'idle';
    this.corkedBytes = 0;
  };

  /**
   * Batching is for small frames: once a batch holds CORK_FLUSH_BYTES it goes out at once, so a
   * sender that keeps writing within one tick (an await loop of sends) never holds the socket idle.
   */
  private flushIfLarge(bytes: number): void {
    if (this.tick !== 'corked') return;
    this.corkedBytes += bytes;
    if (this.corkedBytes < CORK_FLUSH_BYTES) return;
    this.corkedBytes = 0;
    this.socket.uncork();
    this.socket.cork();
  }

  /** @internal Answers a pending request (once). */
  settle(p: Pending, err: unknown, value: unknown): void {
    if (!this.pending.delete(p.id)) return;
    if (p.timer) clearTimeout(p.timer);
    if (p.onAbort) p.signal!.removeEventListener('abort', p.onAbort);
    p.cancelled = true;
    if (p.sent) { this.sentRequests--; this.pump(); }
    if (err !== undefined) p.reject(err);
    else p.resolve(value);
  }

  /** The requester stops waiting; a request already on the wire is cancelled at the peer. */
  private giveUp(p: Pending, err: OpError): void {
    const wasSent = p.sent;
    this.settle(p, err, undefined);
    if (wasSent) this.sendControl([FrameKind.CANCEL, p.id]);
  }

  // ---- incoming ----

  private readonly onSocketData = (): void => { this.received = true; };

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!isBinary) { this.protocolClose(CloseCode.UNSUPPORTED_DATA, 'text frames are not part of the protocol'); return; }
    const bytes = data as Buffer;
    this.deps.stats.bytesReceived += bytes.byteLength;
    this.deps.stats.framesReceived++;
    let frame: unknown;
    try {
      frame = this.deps.codec.decode(bytes);
    } catch (e) {
      this.protocolClose(CloseCode.INVALID_PAYLOAD, `undecodable frame (${(e as Error).message})`);
      return;
    }
    if (!Array.isArray(frame) || typeof frame[0] !== 'number') {
      this.protocolClose(CloseCode.PROTOCOL_ERROR, 'a frame must be a MessagePack array starting with its kind');
      return;
    }
    this.dispatch(frame, bytes.byteLength);
  }

  private dispatch(f: unknown[], size: number): void {
    switch (f[0]) {
      case FrameKind.REQUEST:
        if (f.length !== 4 || !isId(f[1]) || typeof f[2] !== 'string') return this.badFrame('REQUEST must be [0, id, to, body]');
        if (this.inbound.has(f[1])) return this.badFrame(`REQUEST id ${f[1]} is already in use`);
        return this.serveRequest(f[1], f[2], f[3]);
      case FrameKind.TELL:
        if (f.length !== 3 || typeof f[1] !== 'string') return this.badFrame('TELL must be [1, to, body]');
        return this.serveTell(f[1], f[2], size);
      case FrameKind.REPLY: {
        if (f.length !== 3 || !isId(f[1])) return this.badFrame('REPLY must be [2, id, body]');
        const p = this.pending.get(f[1]);
        if (p) this.settle(p, undefined, f[2]);
        return;
      }
      case FrameKind.ERROR: {
        if (f.length !== 3 || !isId(f[1]) || !isWireError(f[2])) return this.badFrame('ERROR must be [3, id, {code, message, op, device}]');
        const p = this.pending.get(f[1]);
        if (p) this.settle(p, errorFromWire(f[2]), undefined);
        return;
      }
      case FrameKind.CANCEL:
        if (f.length !== 2 || !isId(f[1])) return this.badFrame('CANCEL must be [4, id]');
        this.inbound.get(f[1])?.abort(new CancelledError(`The requester at ${this.peer} cancelled the request`));
        return;
      case FrameKind.ACK:
        if (f.length !== 3 || !Number.isSafeInteger(f[1]) || !Number.isSafeInteger(f[2])) return this.badFrame('ACK must be [5, frames, bytes]');
        this.unackedTellFrames = Math.max(0, this.unackedTellFrames - (f[1] as number));
        this.unackedTellBytes = Math.max(0, this.unackedTellBytes - (f[2] as number));
        this.pump();
        return;
      default:
        return this.badFrame(`unknown frame kind ${String(f[0])}`);
    }
  }

  private badFrame(why: string): void {
    this.protocolClose(CloseCode.PROTOCOL_ERROR, why);
  }

  private serveRequest(id: number, to: string, body: unknown): void {
    if (this.inflight >= this.deps.opts.maxInflightPerConnection) {
      // Refuse at once (the frame is dropped): a flooding peer cannot pile up work on this node.
      // The wire form is built directly: constructing an Error (a stack trace) per refusal costs more than the refusal.
      const wire: WireError = {
        code: ErrorCode.RESOURCE_EXHAUSTED,
        message: `Too many requests in flight from ${this.peer} (maxInflightPerConnection=${this.deps.opts.maxInflightPerConnection}); ${to} was not called`,
        op: null, device: null,
      };
      this.submit(this.replyItem([FrameKind.ERROR, id, wire]));
      return;
    }
    const call = new InboundCall(this.peer, false);
    this.inbound.set(id, call);
    this.inflight++;
    this.callHandler(to, body, call).then(
      (value) => this.answer(id, call, [FrameKind.REPLY, id, value]),
      (err) => this.answer(id, call, [FrameKind.ERROR, id, errorToWire(err)]),
    );
  }

  private answer(id: number, call: InboundCall, frame: unknown[]): void {
    this.inbound.delete(id);
    this.inflight--;
    // A cancelled request's requester is no longer listening: do not spend bandwidth on it.
    if (call.aborted || this.closedWith) return;
    this.submit(this.replyItem(frame));
  }

  private replyItem(frame: unknown[]): OutItem {
    const item: OutItem = {
      kind: 'reply', frame, cancelled: false, onWritten: () => { /* nothing to track */ },
      onFailed: (err) => {
        // The reply could not be encoded (unsupported value, too big): answer with that error instead.
        if (frame[0] === FrameKind.REPLY) this.submit(this.replyItem([FrameKind.ERROR, frame[1], errorToWire(err)]));
        else this.deps.logger.error({ peer: this.peer, err: err.message }, 'Cannot send an error reply');
      },
    };
    return item;
  }

  private serveTell(to: string, body: unknown, size: number): void {
    const o = this.deps.opts;
    if (this.inflight >= o.maxInflightPerConnection || this.inflightTellBytes + size > o.maxInflightTellBytesPerConnection) {
      this.protocolClose(CloseCode.POLICY_VIOLATION, `peer exceeded its flow-control window (${this.inflight} messages, ${this.inflightTellBytes + size} bytes unacknowledged)`);
      return;
    }
    this.inflight++;
    this.inflightTellBytes += size;
    const call = new InboundCall(this.peer, true);
    this.inboundTells.add(call);
    const done = (): void => {
      this.inboundTells.delete(call);
      this.inflight--;
      this.inflightTellBytes -= size;
      this.ackLater(size);
    };
    this.callHandler(to, body, call).then(done, (err) => {
      done();
      this.deps.logger.debug({ peer: this.peer, to, err: (err as Error)?.message }, 'One-way message failed');
    });
  }

  /** Acks are batched: every tell handled in one turn of the event loop is acknowledged by one frame. */
  private ackLater(bytes: number): void {
    this.ackFrames++;
    this.ackBytes += bytes;
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => {
      this.ackScheduled = false;
      const frames = this.ackFrames;
      const b = this.ackBytes;
      this.ackFrames = 0;
      this.ackBytes = 0;
      if (frames > 0) this.sendControl([FrameKind.ACK, frames, b]);
    });
  }

  private callHandler(to: string, body: unknown, ctx: InboundCall): Promise<unknown> {
    try {
      return Promise.resolve(this.deps.handler()(to, body, ctx));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- liveness and closing ----

  private checkHeartbeat(intervalMs: number, deadAfterMs: number, tickMs: number): void {
    if (this.closedWith) return;
    const now = Date.now();
    const stalled = now - this.lastTick > 2 * tickMs;
    this.lastTick = now;
    if (this.received) { this.received = false; this.lastReceived = now; }
    const idle = now - this.lastReceived;
    // After our own event loop was blocked, timers run before pending socket input is read:
    // the silence may be ours, so give the input one more tick before judging the peer.
    if (idle >= deadAfterMs && !stalled) {
      this.deps.logger.warn({ peer: this.peer, idleMs: idle }, `Closing connection with ${this.peer}: no heartbeat for ${idle} ms`);
      this.ws.terminate();
      this.finish(new UnavailableError(`Connection to ${this.peer} lost: no heartbeat for ${idle} ms`));
    } else if (idle >= intervalMs) {
      try { this.ws.ping(); } catch { /* closing */ }
    }
  }

  /** Closes this connection because the peer broke the protocol; the reason is logged and sent. */
  protocolClose(code: number, reason: string): void {
    if (this.closedWith) return;
    this.deps.logger.warn({ peer: this.peer, closeCode: code, reason }, `Closing connection with ${this.peer}: ${reason}`);
    this.closeWith(code, reason, new UnavailableError(`Connection to ${this.peer} closed: ${reason} (code ${code})`));
  }

  /** Closes the connection (close frame with code and reason); pending requests fail with `err`. */
  closeWith(code: number, reason: string, err: OpError): void {
    if (this.closedWith) return;
    try { this.ws.close(code, reason.slice(0, 120)); } catch { this.ws.terminate(); }
    // Do not wait for the peer's close frame forever.
    setTimeout(() => this.ws.terminate(), 1000).unref();
    this.finish(err);
  }

  private onWsClose(code: number, reason: string): void {
    this.finish(new UnavailableError(`Connection to ${this.peer} closed (code ${code}${reason ? `: ${reason}` : ''})`));
  }

  private unavailable(): OpError {
    return this.closedWith ?? new UnavailableError(`Connection to ${this.peer} is closed`);
  }

  private finish(err: OpError): void {
    if (this.closedWith) return;
    this.closedWith = err;
    clearInterval(this.heartbeat);
    this.socket.off('data', this.onSocketData);
    this.socket.off('drain', this.pump);
    for (const p of [...this.pending.values()]) this.settle(p, new UnavailableError(err.message), undefined);
    for (let q = this.outbox.popFront(); q; q = this.outbox.popFront()) {
      release(q.enc);
      if (!q.item.cancelled) { q.item.cancelled = true; q.item.onFailed(new UnavailableError(err.message)); }
    }
    const lost = new CancelledError(`Connection to the requester at ${this.peer} was lost`);
    for (const call of this.inbound.values()) call.abort(lost);
    for (const call of this.inboundTells) call.abort(lost);
    this.inbound.clear();
    this.inboundTells.clear();
    this.deps.onClose(this, err);
  }
}
