/**
 * Routes messages by path. A path under this node's task is delivered in process, with no
 * encoding; any other path goes to the owning task's address over the transport. A message for
 * an actor nobody has registered gets NotFoundError (the dead-letter path), never silence.
 */
import { DeadlineExceededError, NotFoundError, UnavailableError, InvalidArgumentError, type OpError } from '../lib/framework/errors.js';
import { DeviceSpec } from '../lib/framework/device_spec.js';
import type { Actor } from './actor.js';
import { toAbortSignal, type CancelSignal } from '../lib/framework/cancellation.js';

export interface AskOptions {
  /** Give up after this long with DeadlineExceededError. */
  timeoutMs?: number;
  signal?: CancelSignal;
  /** Send to this address (ws://host:port) instead of resolving the path's task. */
  address?: string;
}

/** What the actor system needs from the network layer (transport/peer_transport.ts implements it). */
export interface PeerTransport {
  request(address: string, to: string, body: unknown, opts: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
  send(address: string, to: string, body: unknown): Promise<void>;
  close(): Promise<void>;
}

/** Resolves a task path (`/job:ps/replica:0/task:0`) to its address (`ws://host:port`). */
export type AddressResolver = (taskPath: string) => string | null;

export interface ActorSystemOptions {
  /** This node's task path, or null for a pure client. */
  taskPath: string | null;
  transport?: PeerTransport | null;
  resolveAddress?: AddressResolver;
  /** Default deadline for asks that give none, in ms (0 = none). */
  defaultTimeoutMs?: number;
}

export class ActorSystem {
  readonly taskPath: string | null;
  private readonly actors = new Map<string, Actor>();
  transport: PeerTransport | null;
  private readonly resolveAddress: AddressResolver;
  readonly defaultTimeoutMs: number;

  constructor(opts: ActorSystemOptions) {
    this.taskPath = opts.taskPath;
    this.transport = opts.transport ?? null;
    this.resolveAddress = opts.resolveAddress ?? (() => null);
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 0;
  }

  register(actor: Actor): void {
    if (this.actors.has(actor.path)) throw new InvalidArgumentError(`An actor is already registered at ${actor.path}`);
    this.actors.set(actor.path, actor);
  }

  unregister(path: string): void { this.actors.delete(path); }

  lookup(path: string): Actor | undefined { return this.actors.get(path); }

  isLocal(path: string): boolean {
    return this.taskPath !== null && (path === this.taskPath || path.startsWith(`${this.taskPath}/`));
  }

  /** Request/reply. Local paths skip the codec entirely. */
  ask<R = unknown>(path: string, msg: unknown, opts: AskOptions = {}): Promise<R> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    if (opts.address === undefined && this.isLocal(path)) return this.deliverLocal<R>(path, msg, withDeadline(opts.signal, timeoutMs, path));
    const address = opts.address ?? this.addressFor(path);
    if (!this.transport) return Promise.reject(new UnavailableError(`No transport to reach ${path}`));
    return this.transport.request(address, path, msg, { timeoutMs: timeoutMs || undefined, signal: opts.signal && toAbortSignal(opts.signal) }) as Promise<R>;
  }

  /** One-way message; resolves once handed to the transport (local: once delivered). */
  async tell(path: string, msg: unknown, opts: { address?: string } = {}): Promise<void> {
    if (opts.address === undefined && this.isLocal(path)) {
      void this.deliverLocal(path, msg).catch(() => { /* a tell has nobody to report to */ });
      return;
    }
    if (!this.transport) throw new UnavailableError(`No transport to reach ${path}`);
    await this.transport.send(opts.address ?? this.addressFor(path), path, msg);
  }

  /** Delivery of a message that arrived for this node (from the transport or in process). */
  deliverLocal<R = unknown>(path: string, msg: unknown, signal?: CancelSignal): Promise<R> {
    const actor = this.actors.get(path);
    if (!actor) {
      return Promise.reject(new NotFoundError(`No actor at ${path}${this.taskPath ? ` on ${this.taskPath}` : ''}`));
    }
    return actor.deliver<R>(msg, signal);
  }

  addressFor(path: string): string {
    const spec = DeviceSpec.fromString(stripResourceSuffix(path));
    if (spec.job === null || spec.task === null) throw new InvalidArgumentError(`Cannot route to '${path}': it names no job and task`);
    const task = `/job:${spec.job}/replica:${spec.replica ?? 0}/task:${spec.task}`;
    const address = this.resolveAddress(task);
    if (!address) throw new NotFoundError(`No address known for task ${task} (in path ${path})`);
    return address;
  }

  async shutdown(reason: OpError): Promise<void> {
    for (const a of this.actors.values()) a.stop(reason);
    this.actors.clear();
    await this.transport?.close();
  }
}

/** Paths of actors below a device (`.../device:CPU:0/container:c/queue:q`) keep only the device part for routing. */
export function stripResourceSuffix(path: string): string {
  return path.split('/').filter((p) => p === '' || /^(job|replica|task|device|cpu|gpu)(:|$)/i.test(p)).join('/');
}

/** An AbortSignal that also fires after timeoutMs with DeadlineExceededError. */
export function withDeadline(signal: CancelSignal | undefined, timeoutMs: number, what: string): CancelSignal | undefined {
  if (!timeoutMs) return signal;
  const t = AbortSignal.timeout(timeoutMs);
  const timed = new AbortController();
  const onTimeout = (): void => timed.abort(new DeadlineExceededError(`Timed out after ${timeoutMs} ms waiting for ${what}`));
  t.addEventListener('abort', onTimeout, { once: true });
  if (!signal) return timed.signal;
  return AbortSignal.any([toAbortSignal(signal), timed.signal]);
}
