/** Shared helpers of the transport tests: a log-capturing pino logger, bounded waits, quick options. */
import { pino, type Logger } from 'pino';
import { WsTransport, type InboundHandler, type TransportOptions } from '../../transport/index.js';

export interface CapturedLogger { logger: Logger; lines: () => Record<string, unknown>[] }

/** A pino logger that keeps its records in memory (tests assert the logged reasons). */
export function captureLogger(): CapturedLogger {
  const records: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => { records.push(s); } });
  return { logger, lines: () => records.map((r) => JSON.parse(r) as Record<string, unknown>) };
}

/** Rejects if `p` does not settle within `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms); }),
  ]);
}

export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** Polls `cond` until true (bounded). */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: condition not met within ${ms} ms`);
    await sleep(5);
  }
}

/** Options with shortish timeouts: fast failure tests that still pass on a loaded 2-core machine. */
export const QUICK: Partial<TransportOptions> = {
  heartbeatIntervalMs: 200,
  heartbeatTimeoutMs: 3000,
  unavailableTimeoutMs: 3000,
  connectTimeoutMs: 3000,
  reconnectMinMs: 20,
  reconnectMaxMs: 100,
};

/** A listening transport on a free loopback port. */
export async function node(handler: InboundHandler, opts: Partial<TransportOptions> = {}): Promise<{ t: WsTransport; url: string; port: number }> {
  const t = new WsTransport({ logger: captureLogger().logger, ...QUICK, ...opts }, handler);
  const { url, port } = await t.listen('127.0.0.1', 0);
  return { t, url, port };
}

/** Asserts that `p` rejects with an instance of `cls`; returns the error. */
export async function rejectsWith<E extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => E, what: string): Promise<E> {
  try {
    await p;
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`${what}: expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
  throw new Error(`${what}: expected ${cls.name}, but it resolved`);
}
