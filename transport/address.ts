/** Peer addresses: `ws://host:port` or `wss://host:port`; `grpc://` is an alias of `ws://`, and a bare `host:port` means `ws://`. */
import { InvalidArgumentError } from '../lib/framework/errors.js';

const cache = new Map<string, string>();

export function normalizeAddress(address: string): string {
  const hit = cache.get(address);
  if (hit !== undefined) return hit;
  const n = normalize(address);
  if (cache.size > 10_000) cache.clear();
  cache.set(address, n);
  return n;
}

function normalize(address: string): string {
  let a = String(address).trim();
  if (a.startsWith('grpc://')) a = `ws://${a.slice('grpc://'.length)}`;
  else if (!/^[a-z]+:\/\//i.test(a)) a = `ws://${a}`;
  while (a.endsWith('/')) a = a.slice(0, -1);
  let url: URL;
  try { url = new URL(a); } catch { throw new InvalidArgumentError(`Invalid peer address '${address}': expected ws://host:port`); }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new InvalidArgumentError(`Invalid peer address '${address}': the scheme must be ws://, wss:// or grpc://`);
  }
  if (!url.port) throw new InvalidArgumentError(`Invalid peer address '${address}': no port`);
  return `${url.protocol}//${url.host}`;
}

/** `ws://host:port` for a listening socket (IPv6 hosts in brackets). */
export function listenUrl(secure: boolean, host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${secure ? 'wss' : 'ws'}://${h}:${port}`;
}
