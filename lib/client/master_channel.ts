/**
 * How a session reaches its master: in process (an embedded cluster, or a server of this
 * process), or over the network through one shared client transport.
 */
import { InvalidArgumentError, NotFoundError } from '../framework/errors.js';
import type { Server } from '../train/server.js';
import type { WsTransport } from '../../transport/ws_transport.js';
import type { TransportOptions } from '../../transport/options.js';
import { localServerFor, normaliseTarget } from './local_servers.js';

export interface MasterChannel {
  readonly target: string;
  /** True when the master runs in this process: fetched tensors may alias cluster state. */
  readonly inProcess: boolean;
  ask<R>(msg: unknown, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<R>;
}

let clientTransport: WsTransport | null = null;
let clientOptions: Partial<TransportOptions> = {};

/** Options of the process-wide client transport (token, TLS trust, timeouts); call before connecting. */
export function configureClientTransport(opts: Partial<TransportOptions>): void {
  clientOptions = { ...clientOptions, ...opts };
  if (clientTransport) {
    const old = clientTransport;
    clientTransport = null;
    void old.close();
  }
}

async function sharedTransport(): Promise<WsTransport> {
  if (clientTransport) return clientTransport;
  const { WsTransport } = await import('../../transport/ws_transport.js');
  clientTransport ??= new WsTransport({ token: process.env['ACTORFLOW_TOKEN'] ?? null, ...clientOptions },
    () => Promise.reject(new NotFoundError('This client serves no actors')));
  return clientTransport;
}

/** Closes the client transport (lets a script's process exit promptly). */
export async function closeClientTransport(): Promise<void> {
  const t = clientTransport;
  clientTransport = null;
  await t?.close();
}

export function validateTarget(target: string): string {
  // A non-string target is a caller's type mistake (TensorFlow's TypeError), not an unknown
  // address: say so instead of failing inside the string handling below.
  if (typeof target !== 'string') {
    const what = target === null ? 'null' : typeof target === 'object' ? ((target as object).constructor?.name ?? 'object') : typeof target;
    throw new InvalidArgumentError(`target must be a string, but got ${what}`);
  }
  const t = normaliseTarget(target);
  if (!/^wss?:\/\/(\[[^\]]+\]|[^/:\s]+):\d+$/.test(t)) {
    throw new NotFoundError(`No session factory registered for the given session options: target '${target}' is not an actorflow address (expected ws://host:port, wss://host:port or grpc://host:port)`);
  }
  return t;
}

export function localChannel(server: Server): MasterChannel {
  return {
    target: server.target,
    inProcess: true,
    ask: (msg, opts) => server.system.ask(server.masterPath, msg, { signal: opts?.signal, timeoutMs: opts?.timeoutMs }),
  };
}

export function channelFor(target: string): MasterChannel {
  const t = validateTarget(target);
  const local = localServerFor(t);
  if (local) return localChannel(local);
  return {
    target: t,
    inProcess: false,
    ask: async (msg, opts) => (await sharedTransport()).request(t, 'master', msg, { signal: opts?.signal, timeoutMs: opts?.timeoutMs }) as Promise<never>,
  };
}

let openSessions = 0;

export function sessionOpened(): void { openSessions++; }

/** When the last session of the process closes, its client connections close too. */
export async function sessionClosed(): Promise<void> {
  openSessions = Math.max(0, openSessions - 1);
  if (openSessions === 0) await closeClientTransport();
}

/** Bytes and frames this process's client connections exchanged, per server address. */
export function clientLinkStats(): Record<string, { bytesSent: number; bytesReceived: number }> {
  return clientTransport?.linkStats() ?? {};
}
