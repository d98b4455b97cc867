/**
 * Switches an open plain-TCP socket to reads into memory of our choosing: Node's `onread` mode
 * (net.Socket's `onread: { buffer, callback }` option), turned on after the WebSocket handshake.
 *
 * Why: in the default mode every read lands in a fresh 64 KiB buffer that the receiver copies
 * out of and the garbage collector frees, and a large message pays that copy and that churn on
 * every byte. With reads of our choosing, the bytes of a large message are read by the kernel
 * straight into the buffer it is delivered in, and all other reads reuse one scratch buffer.
 *
 * Node only offers `onread` to sockets it creates for a connect(); a server's accepted sockets
 * have no such option. So the switch sets the same three fields that option sets (found by their
 * symbol names) and calls the handle's `useUserBuffer`, as net.Socket's constructor does. Where
 * any of that is not as expected (a TLS socket, another Node), nothing is changed and the caller
 * keeps reading the default way: this is a fast path, never a requirement.
 */
import type { Socket } from 'node:net';

interface UserBufferHandle { useUserBuffer?: (buf: Uint8Array) => void }

function symbolNamed(obj: object, name: string): symbol | undefined {
  return Object.getOwnPropertySymbols(obj).find((s) => s.description === name);
}

/**
 * From now on, `next()` says where each read goes and `onRead(n, buf)` receives it (the first n
 * bytes of buf); onRead returning false pauses reading until socket.resume(). Returns false,
 * changing nothing, where the socket cannot be switched.
 */
export function readInto(socket: Socket, next: () => Uint8Array, onRead: (n: number, buf: Uint8Array) => boolean): boolean {
  if ((socket as Socket & { encrypted?: boolean }).encrypted) return false;
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function') return false;
  const kBuffer = symbolNamed(socket, 'kBuffer');
  const kBufferCb = symbolNamed(socket, 'kBufferCb');
  const kBufferGen = symbolNamed(socket, 'kBufferGen');
  if (!kBuffer || !kBufferCb || !kBufferGen) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  if (fields[kBuffer] !== null || fields[kBufferCb] !== null || fields[kBufferGen] !== null) return false;
  // Bytes already read into the stream would come out after ours: leave such a socket alone.
  if (socket.readableLength !== 0 || socket.destroyed) return false;
  const first = next();
  fields[kBuffer] = first;
  fields[kBufferCb] = onRead;
  fields[kBufferGen] = next;
  handle.useUserBuffer(first);
  return true;
}
