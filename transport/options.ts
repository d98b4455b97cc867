/**
 * Options of WsTransport. Every limit has a documented default (DEFAULT_TRANSPORT_OPTIONS);
 * docs/PROTOCOL.md explains how each one shows up on the wire.
 */
import type { Logger } from 'pino';

export interface TlsOptions {
  /** Server side: certificate chain to serve `wss://` (PEM text, or a path to a PEM file). */
  cert?: string | Buffer;
  /** Server side: private key (PEM text, or a path to a PEM file). */
  key?: string | Buffer;
  /** Client side: CA certificate(s) to trust, e.g. a self-signed test certificate (PEM text or path). */
  ca?: string | Buffer | (string | Buffer)[];
  /** Client side: refuse servers whose certificate does not verify. Default true. */
  rejectUnauthorized?: boolean;
}

export interface TransportOptions {
  /** Cluster token (`--token` / ACTORFLOW_TOKEN). When set, every connection proves it with HMAC-SHA256 over nonces. Default null (no authentication). */
  token: string | null;
  /** TLS: cert+key serve wss://; ca / rejectUnauthorized apply to outgoing wss:// connections. Default null. */
  tls: TlsOptions | null;
  /** pino logger; default: a pino logger to stderr named 'actorflow.transport' (level from ACTORFLOW_LOG_LEVEL, else 'info'). */
  logger: Logger | null;
  /** URL other nodes should use to reach this one, sent in the handshake. Default: the URL listen() returns. */
  advertiseUrl: string | null;
  /** Largest frame accepted or sent, in bytes. A larger incoming frame closes that connection (1009); a larger outgoing one fails its request with ResourceExhaustedError. Default 256 MiB. */
  maxFrameBytes: number;
  /** A ping is sent when nothing has been received for this long. Default 1000 ms. */
  heartbeatIntervalMs: number;
  /** A connection on which nothing (not even a pong) has arrived for this long is dropped as dead. Default 5000 ms. */
  heartbeatTimeoutMs: number;
  /** Limit for one connection attempt (TCP + TLS + WebSocket handshake + auth). Default 5000 ms. */
  connectTimeoutMs: number;
  /** A request that cannot reach its peer fails with UnavailableError after at most this long (reconnects continue meanwhile). Default 5000 ms. */
  unavailableTimeoutMs: number;
  /** First reconnect delay; doubles per failed attempt (with jitter). Default 50 ms. */
  reconnectMinMs: number;
  /** Largest reconnect delay. Default 2000 ms. */
  reconnectMaxMs: number;
  /** Senders wait while more than this many bytes are queued on a connection's socket. Default 16 MiB (one 16 MiB tensor can be encoded while the previous one is on the wire). */
  highWaterMarkBytes: number;
  /** Requests awaiting a reply per connection; more wait for a slot (sender side). Default 4096. */
  maxPendingRequests: number;
  /** Unacknowledged one-way messages per connection before the sender waits for an ack. Default 1024. */
  tellWindowFrames: number;
  /** Unacknowledged one-way bytes per connection before the sender waits for an ack (one frame may always be in flight). Default 64 MiB. */
  tellWindowBytes: number;
  /** Receiver side: handler calls running per connection. Requests beyond it get ResourceExhaustedError at once; one-way messages beyond it (a peer ignoring its window) close the connection (1008). Default 8192. */
  maxInflightPerConnection: number;
  /** Receiver side: bytes of one-way messages not yet acknowledged per connection; a peer exceeding it is closed (1008). Default 512 MiB. */
  maxInflightTellBytesPerConnection: number;
  /** Client frames use an all-zero mask: no copy and no XOR on send. Acceptable between trusted peers only (RFC 6455 asks for unpredictable masks to protect HTTP intermediaries). Default true. */
  zeroMask: boolean;
  /** How long a server nonce issued for authentication stays valid. Default 30000 ms. */
  nonceTtlMs: number;
  /** Most outstanding (issued, unused) nonces; the oldest are forgotten first. Default 10000. */
  maxOutstandingNonces: number;
  /** Frames estimated at this size or more are packed into pooled, reused buffers. Default 64 KiB. */
  pooledFrameBytes: number;
  /** Most idle bytes kept in the encode buffer pool. Default 128 MiB. */
  encodePoolBytes: number;
  /** Numeric tensors of at least this many bytes, in a frame that can be written at once, go out from their own memory (zero-copy, one writev) instead of being copied into the frame; only where no masking is needed (server side, or zeroMask). Default 16 KiB. */
  spliceTensorBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_TRANSPORT_OPTIONS: Readonly<TransportOptions> = Object.freeze({
  token: null,
  tls: null,
  logger: null,
  advertiseUrl: null,
  maxFrameBytes: 256 * MiB,
  heartbeatIntervalMs: 1000,
  heartbeatTimeoutMs: 5000,
  connectTimeoutMs: 5000,
  unavailableTimeoutMs: 5000,
  reconnectMinMs: 50,
  reconnectMaxMs: 2000,
  highWaterMarkBytes: 16 * MiB,
  maxPendingRequests: 4096,
  tellWindowFrames: 1024,
  tellWindowBytes: 64 * MiB,
  maxInflightPerConnection: 8192,
  maxInflightTellBytesPerConnection: 512 * MiB,
  zeroMask: true,
  nonceTtlMs: 30_000,
  maxOutstandingNonces: 10_000,
  pooledFrameBytes: 64 * 1024,
  encodePoolBytes: 128 * MiB,
  spliceTensorBytes: 16 * 1024,
});
