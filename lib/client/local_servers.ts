/**
 * Servers running in this process, by target. A session whose target is one of them talks to its
 * master in process (no encoding), as TensorFlow does for a server's own target.
 */
import type { Server } from '../train/server.js';

const byTarget = new Map<string, Server>();

export function normaliseTarget(target: string): string {
  return target.replace(/^grpc:\/\//, 'ws://').replace(/\/+$/, '');
}

export function registerServer(s: Server): void {
  try {
    const t = s.target;
    if (/:0$/.test(t)) return;
    byTarget.set(normaliseTarget(t), s);
  } catch {
    // An embedded cluster has no network target.
  }
}

export function unregisterServer(s: Server): void {
  for (const [t, v] of byTarget) if (v === s) byTarget.delete(t);
}

export function localServerFor(target: string): Server | undefined {
  return byTarget.get(normaliseTarget(target));
}
