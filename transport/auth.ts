/**
 * Token authentication inside the WebSocket handshake, without sending the token:
 *
 *   1. client -> upgrade request with X-Actorflow-Client-Nonce (no proof)
 *   2. server -> 401 with X-Actorflow-Nonce (a fresh single-use server nonce)
 *   3. client -> upgrade request with both nonces and
 *                X-Actorflow-Auth = hex HMAC-SHA256(token, "actorflow-v1 client <serverNonce> <clientNonce>")
 *   4. server -> 101 with X-Actorflow-Server-Proof = hex HMAC-SHA256(token, "actorflow-v1 server <serverNonce> <clientNonce>")
 *      or 403 when the proof is wrong. The client checks the server's proof too (mutual).
 *
 * Nothing of the connection is read before step 4, so a wrong or missing token is refused
 * before any message.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SUBPROTOCOL = 'actorflow.v1';
export const HEADER_CLIENT_NONCE = 'x-actorflow-client-nonce';
export const HEADER_SERVER_NONCE = 'x-actorflow-nonce';
export const HEADER_AUTH = 'x-actorflow-auth';
export const HEADER_SERVER_PROOF = 'x-actorflow-server-proof';
export const HEADER_LISTEN = 'x-actorflow-listen';

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

function hmac(token: string, text: string): string {
  return createHmac('sha256', token).update(text, 'utf8').digest('hex');
}

export function clientProof(token: string, serverNonce: string, clientNonce: string): string {
  return hmac(token, `actorflow-v1 client ${serverNonce} ${clientNonce}`);
}

export function serverProof(token: string, serverNonce: string, clientNonce: string): string {
  return hmac(token, `actorflow-v1 server ${serverNonce} ${clientNonce}`);
}

/** Constant-time comparison of two hex proofs. */
export function proofsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Server nonces issued and not yet used: single use, with a lifetime and a bounded count. */
export class NonceStore {
  private readonly issued = new Map<string, number>();

  constructor(private readonly ttlMs: number, private readonly maxOutstanding: number) {}

  issue(now = Date.now()): string {
    const n = newNonce();
    this.issued.set(n, now + this.ttlMs);
    // Map iteration is insertion order: drop the oldest when over the bound.
    while (this.issued.size > this.maxOutstanding) this.issued.delete(this.issued.keys().next().value as string);
    return n;
  }

  /** True once for a nonce this store issued that has not expired. */
  consume(nonce: string, now = Date.now()): boolean {
    const until = this.issued.get(nonce);
    if (until === undefined) return false;
    this.issued.delete(nonce);
    return until >= now;
  }

  get size(): number { return this.issued.size; }
}
