/**
 * The link to one peer address: its current connection (opened on first use, or adopted when
 * the peer connected to us and told us its address), and reconnection with exponential backoff
 * while requests are waiting for it. A request that finds no connection waits at most
 * unavailableTimeoutMs and then fails with UnavailableError; nothing needs restarting when the
 * peer comes back, the next request simply connects again.
 */
import { OpError, UnauthenticatedError, UnavailableError, DeadlineExceededError, toOpError } from '../lib/framework/errors.js';
import { abortError, type Connection } from './connection.js';

export interface PeerLinkOptions {
  unavailableTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

interface Waiter {
  resolve: (c: Connection) => void;
  reject: (e: OpError) => void;
  timers: NodeJS.Timeout[];
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}

export class PeerLink {
  private conn: Connection | null = null;
  private connecting = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private waiters: Waiter[] = [];
  private lastError: OpError | null = null;
  private closed = false;

  constructor(
    readonly address: string,
    private readonly dial: (address: string) => Promise<Connection>,
    /** Picks which of two open connections to the same peer both sides keep using. */
    private readonly prefer: (a: Connection, b: Connection) => Connection,
    private readonly opts: PeerLinkOptions,
  ) {}

  /** The open connection, if any (the fast path of every request). */
  open(): Connection | null {
    return this.conn !== null && this.conn.isOpen ? this.conn : null;
  }

  /**
   * Waits for an open connection: UnavailableError after unavailableTimeoutMs, DeadlineExceededError
   * after `deadlineMs` if that comes first, the signal's error if it aborts.
   */
  acquire(signal?: AbortSignal, deadlineMs?: number): Promise<Connection> {
    const c = this.open();
    if (c) return Promise.resolve(c);
    if (this.closed) return Promise.reject(new UnavailableError(`The transport is closed; cannot reach ${this.address}`));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Connection>((resolve, reject) => {
      const w: Waiter = { resolve, reject, timers: [], signal, onAbort: null };
      const waitMs = this.opts.unavailableTimeoutMs;
      w.timers.push(setTimeout(() => this.dropWaiter(w, new UnavailableError(
        `${this.address} is unavailable: ${this.lastError?.message ?? 'could not connect'} (gave up after ${waitMs} ms)`)), waitMs));
      if (deadlineMs !== undefined && deadlineMs > 0 && deadlineMs < waitMs) {
        w.timers.push(setTimeout(() => this.dropWaiter(w, new DeadlineExceededError(
          `Timed out after ${deadlineMs} ms connecting to ${this.address}${this.lastError ? ` (${this.lastError.message})` : ''}`)), deadlineMs));
      }
      if (signal) {
        w.onAbort = () => this.dropWaiter(w, abortError(signal));
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
      if (!this.connecting && this.retryTimer === null) void this.connect();
    });
  }

  /** Offers a connection (our dial, or the peer's inbound one); returns true if the link uses it. */
  offer(conn: Connection): boolean {
    const cur = this.open();
    if (cur && cur !== conn && this.prefer(cur, conn) === cur) return false;
    this.conn = conn;
    this.attempt = 0;
    this.lastError = null;
    if (this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    for (const w of this.waiters.splice(0)) { this.clearWaiter(w); w.resolve(conn); }
    return true;
  }

  /** Called when one of this peer's connections closed. */
  detach(conn: Connection, reason: OpError): void {
    if (this.conn !== conn) return;
    this.conn = null;
    this.lastError = reason;
    if (this.waiters.length > 0 && !this.connecting && this.retryTimer === null) void this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    for (const w of this.waiters.splice(0)) { this.clearWaiter(w); w.reject(new UnavailableError(`The transport is closed; cannot reach ${this.address}`)); }
  }

  private async connect(): Promise<void> {
    this.connecting = true;
    let conn: Connection;
    try {
      conn = await this.dial(this.address);
    } catch (e) {
      this.connecting = false;
      this.lastError = toOpError(e);
      this.afterFailure();
      return;
    }
    this.connecting = false;
    if (this.closed) { conn.closeWith(1001, 'transport closed', new UnavailableError('The transport is closed')); return; }
    this.offer(conn);
  }

  private afterFailure(): void {
    const err = this.lastError!;
    if (err instanceof UnauthenticatedError) {
      // Retrying will not fix a token mismatch: fail everyone now.
      for (const w of this.waiters.splice(0)) { this.clearWaiter(w); w.reject(err); }
      return;
    }
    if (this.closed || this.waiters.length === 0) return;
    const base = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectMinMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const delay = Math.round(base * (0.5 + Math.random() * 0.5));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.waiters.length > 0 && !this.closed) void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  private dropWaiter(w: Waiter, err: OpError): void {
    const i = this.waiters.indexOf(w);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    this.clearWaiter(w);
    w.reject(err);
    if (this.waiters.length === 0 && this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = null; }
  }

  private clearWaiter(w: Waiter): void {
    for (const t of w.timers) clearTimeout(t);
    if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
  }
}
