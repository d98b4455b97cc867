/**
 * WsTransport: actorflow's PeerTransport over WebSocket + MessagePack. One WebSocket server per
 * node; one multiplexed connection per pair of nodes, opened on first use. A node sends its own
 * listen URL in the handshake, so the peer sends its requests back over the same connection;
 * clients that do not listen connect the same way and get their replies on their connection.
 * docs/PROTOCOL.md describes the wire format and the handshake.
 */
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { constants as bufferConstants } from 'node:buffer';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import {
  NotFoundError, OpError, UnauthenticatedError, UnavailableError, DeadlineExceededError, InvalidArgumentError,
} from '../lib/framework/errors.js';
import type { PeerTransport } from '../actors/actor_system.js';
import { FrameCodec } from './codec.js';
import { Connection, type InboundHandler, type LinkStats } from './connection.js';
import { PeerLink } from './peer_link.js';
import { CloseCode } from './frames.js';
import { DEFAULT_TRANSPORT_OPTIONS, type TlsOptions, type TransportOptions } from './options.js';
import { defaultTransportLogger } from './logger.js';
import { listenUrl, normalizeAddress } from './address.js';
import {
  HEADER_AUTH, HEADER_CLIENT_NONCE, HEADER_LISTEN, HEADER_SERVER_NONCE, HEADER_SERVER_PROOF, NonceStore, SUBPROTOCOL,
  clientProof, newNonce, proofsEqual, serverProof,
} from './auth.js';

export type { InboundHandler, InboundContext, LinkStats, ReadMode } from './connection.js';

const kServerProof = Symbol('actorflow.serverProof');
type UpgradeRequest = IncomingMessage & { [kServerProof]?: string };

/** A PEM option is either the PEM text itself or a path to a file holding it. */
function readPem(x: string | Buffer): string | Buffer {
  if (Buffer.isBuffer(x) || x.includes('-----BEGIN')) return x;
  return readFileSync(x);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const NO_HANDLER: InboundHandler = (to) => Promise.reject(new NotFoundError(`No handler for messages to ${to} on this node`));

export class WsTransport implements PeerTransport {
  readonly options: Readonly<TransportOptions>;
  private handler: InboundHandler;
  private readonly logger: Logger;
  private readonly codec: FrameCodec;
  private readonly links = new Map<string, PeerLink>();
  private readonly connections = new Set<Connection>();
  private readonly stats = new Map<string, LinkStats>();
  private readonly nonces: NonceStore;
  private server: HttpServer | HttpsServer | null = null;
  private wss: WebSocketServer | null = null;
  private selfUrl: string | null = null;
  private closed = false;

  constructor(opts: Partial<TransportOptions> = {}, handler?: InboundHandler) {
    const merged: TransportOptions = { ...DEFAULT_TRANSPORT_OPTIONS };
    for (const [k, v] of Object.entries(opts)) {
      if (!(k in DEFAULT_TRANSPORT_OPTIONS)) {
        throw new InvalidArgumentError(`Unknown transport option '${k}'; known options: ${Object.keys(DEFAULT_TRANSPORT_OPTIONS).join(', ')}`);
      }
      if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
    }
    validateOptions(merged);
    this.options = Object.freeze(merged);
    this.handler = handler ?? NO_HANDLER;
    this.logger = merged.logger ?? defaultTransportLogger();
    this.codec = new FrameCodec({ pooledFrameBytes: merged.pooledFrameBytes, encodePoolBytes: merged.encodePoolBytes });
    this.nonces = new NonceStore(merged.nonceTtlMs, merged.maxOutstandingNonces);
  }

  /** Replaces the handler of incoming messages. */
  setHandler(handler: InboundHandler): void { this.handler = handler; }

  /** This node's advertised URL once listening (null for a pure client). */
  get url(): string | null { return this.selfUrl; }

  /** Open connections (inbound and outbound). */
  get connectionCount(): number { return this.connections.size; }

  /** Starts the WebSocket server (port 0 picks a free port). TLS options with cert+key serve wss://. */
  async listen(host = '127.0.0.1', port = 0): Promise<{ port: number; url: string }> {
    if (this.closed) throw new UnavailableError('The transport is closed');
    if (this.server) throw new InvalidArgumentError(`The transport already listens at ${this.selfUrl}`);
    const tls = this.options.tls;
    const secure = Boolean(tls?.cert && tls?.key);
    const server = secure
      ? createHttpsServer({ cert: readPem(tls!.cert!), key: readPem(tls!.key!) })
      : createHttpServer();
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      skipUTF8Validation: true,
      handleProtocols: () => SUBPROTOCOL,
    });
    wss.on('headers', (headers: string[], req: UpgradeRequest) => {
      if (req[kServerProof]) headers.push(`X-Actorflow-Server-Proof: ${req[kServerProof]}`);
    });
    server.on('request', (_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
      res.end('actorflow speaks WebSocket only (docs/PROTOCOL.md)\n');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket as Socket, head));
    server.on('clientError', (err, socket) => {
      this.logger.debug({ err: err.message }, 'Bad HTTP request on the transport port');
      socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    const actualPort = (server.address() as { port: number }).port;
    this.server = server;
    this.wss = wss;
    const url = listenUrl(secure, host, actualPort);
    this.selfUrl = this.options.advertiseUrl ? normalizeAddress(this.options.advertiseUrl) : url;
    return { port: actualPort, url };
  }

  request(address: string, to: string, body: unknown, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<unknown> {
    const link = this.linkOrError(address);
    if (link instanceof OpError) return Promise.reject(link);
    const c = link.open();
    if (c) return c.request(to, body, opts.timeoutMs, opts.signal);
    return this.requestAfterConnect(link, to, body, opts.timeoutMs, opts.signal);
  }

  private async requestAfterConnect(link: PeerLink, to: string, body: unknown, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const started = Date.now();
    const conn = await link.acquire(signal, timeoutMs);
    let remaining: number | undefined;
    if (timeoutMs !== undefined && timeoutMs > 0) {
      remaining = timeoutMs - (Date.now() - started);
      if (remaining <= 0) throw new DeadlineExceededError(`Request to ${to} at ${link.address} timed out after ${timeoutMs} ms`);
    }
    return conn.request(to, body, remaining, signal);
  }

  /** One-way message; resolves once written to the connection (after any wait for flow control). */
  send(address: string, to: string, body: unknown): Promise<void> {
    const link = this.linkOrError(address);
    if (link instanceof OpError) return Promise.reject(link);
    const c = link.open();
    if (c) return c.tell(to, body);
    return link.acquire().then((conn) => conn.tell(to, body));
  }

  /** Per-peer traffic counters (frames and bytes of WebSocket messages), keyed by peer address. */
  linkStats(): Record<string, LinkStats> {
    const out: Record<string, LinkStats> = {};
    for (const [k, s] of this.stats) out[k] = { ...s };
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.links.values()) link.close();
    const err = new UnavailableError('The transport was closed');
    for (const c of [...this.connections]) c.closeWith(CloseCode.GOING_AWAY, 'node shutting down', err);
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as HttpServer).closeAllConnections?.();
      });
    }
    this.wss?.close();
  }

  // ---- links and connections ----

  private linkOrError(address: string): PeerLink | OpError {
    if (this.closed) return new UnavailableError(`The transport is closed; cannot reach ${address}`);
    try {
      return this.linkFor(normalizeAddress(address));
    } catch (e) {
      return e as OpError;
    }
  }

  private linkFor(address: string): PeerLink {
    let link = this.links.get(address);
    if (!link) {
      link = new PeerLink(address, (a) => this.dial(a), (a, b) => this.preferred(a, b), this.options);
      this.links.set(address, link);
    }
    return link;
  }

  /** Both ends keep the connection opened by the node with the smaller URL, so a race converges on one. */
  private preferred(a: Connection, b: Connection): Connection {
    const initiator = (c: Connection): string => (c.outbound ? this.selfUrl ?? '' : c.peer);
    return initiator(a) <= initiator(b) ? a : b;
  }

  private statsFor(peer: string): LinkStats {
    let s = this.stats.get(peer);
    if (!s) { s = { bytesSent: 0, bytesReceived: 0, framesSent: 0, framesReceived: 0, readMode: null }; this.stats.set(peer, s); }
    return s;
  }

  private makeConnection(ws: WebSocket, socket: Socket, peer: string, outbound: boolean): Connection {
    const conn = new Connection(ws, socket, peer, outbound, {
      codec: this.codec,
      opts: this.options,
      logger: this.logger,
      handler: () => this.handler,
      stats: this.statsFor(peer),
      onClose: (c, reason) => {
        this.connections.delete(c);
        this.links.get(c.peer)?.detach(c, reason);
        // Pure clients come from ever-new ephemeral ports: forget their counters with them.
        if (c.peer.startsWith('client:')) this.stats.delete(c.peer);
      },
    });
    this.connections.add(conn);
    return conn;
  }

  // ---- server side ----

  private onUpgrade(req: UpgradeRequest, socket: Socket, head: Buffer): void {
    socket.on('error', (e) => this.logger.debug({ err: e.message }, 'Socket error during the handshake'));
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    if (this.closed) return refuse(socket, 503, 'node shutting down');
    const protocols = (header(req, 'sec-websocket-protocol') ?? '').split(',').map((s) => s.trim());
    if (!protocols.includes(SUBPROTOCOL)) {
      this.logger.warn({ from }, `Refused a connection from ${from}: it does not speak ${SUBPROTOCOL}`);
      return refuse(socket, 400, `the WebSocket subprotocol must be ${SUBPROTOCOL}`);
    }
    const token = this.options.token;
    if (token) {
      const auth = header(req, HEADER_AUTH);
      const sNonce = header(req, HEADER_SERVER_NONCE) ?? '';
      const cNonce = header(req, HEADER_CLIENT_NONCE) ?? '';
      if (!cNonce || cNonce.length > 128) {
        this.logger.warn({ from }, `Refused a connection from ${from}: no client nonce`);
        return refuse(socket, 400, `missing ${HEADER_CLIENT_NONCE}`);
      }
      if (!auth) {
        // Step 2 of the handshake: a challenge, not yet a refusal.
        return refuse(socket, 401, 'cluster token required', { 'X-Actorflow-Nonce': this.nonces.issue() });
      }
      if (!this.nonces.consume(sNonce)) {
        this.logger.info({ from }, `Connection from ${from} used an unknown or expired nonce; challenging again`);
        return refuse(socket, 401, 'unknown or expired nonce', { 'X-Actorflow-Nonce': this.nonces.issue() });
      }
      if (!proofsEqual(auth, clientProof(token, sNonce, cNonce))) {
        this.logger.warn({ from }, `Refused a connection from ${from}: wrong cluster token`);
        return refuse(socket, 403, 'wrong cluster token');
      }
      req[kServerProof] = serverProof(token, sNonce, cNonce);
    }
    let peer = `client:${from}`;
    const listen = header(req, HEADER_LISTEN);
    let advertised: string | null = null;
    if (listen) {
      try { advertised = normalizeAddress(listen); peer = advertised; } catch {
        this.logger.warn({ from, listen }, `Refused a connection from ${from}: invalid ${HEADER_LISTEN}`);
        return refuse(socket, 400, `invalid ${HEADER_LISTEN}`);
      }
    }
    this.wss!.handleUpgrade(req, socket, head, (ws) => {
      const conn = this.makeConnection(ws, socket, peer, false);
      if (advertised) this.linkFor(advertised).offer(conn);
    });
  }

  // ---- client side ----

  private dial(address: string): Promise<Connection> {
    const o = this.options;
    const token = o.token;
    const clientNonce = newNonce();
    const base: Record<string, string> = { 'X-Actorflow-Client-Nonce': clientNonce };
    if (this.selfUrl) base['X-Actorflow-Listen'] = this.selfUrl;
    return new Promise<Connection>((resolve, reject) => {
      let settled = false;
      let current: WebSocket | null = null;
      const fail = (err: OpError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        current?.terminate();
        if (err instanceof UnauthenticatedError) this.logger.warn({ peer: address }, err.message);
        reject(err);
      };
      const timer = setTimeout(() => fail(new UnavailableError(`Connecting to ${address} timed out after ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs);
      const attempt = (headers: Record<string, string>, serverNonce: string | null, round: number): void => {
        const ws = new WebSocket(address, [SUBPROTOCOL], {
          perMessageDeflate: false,
          maxPayload: o.maxFrameBytes,
          handshakeTimeout: o.connectTimeoutMs,
          headers,
          skipUTF8Validation: true,
          followRedirects: false,
          ...(o.zeroMask ? { generateMask: (mask: Buffer) => { mask.fill(0); } } : {}),
          ...tlsClientOptions(o.tls),
        });
        current = ws;
        let abandoned = false;
        let socket: Socket | null = null;
        let proof: string | undefined;
        ws.once('upgrade', (res: IncomingMessage) => {
          socket = res.socket as Socket;
          proof = header(res, HEADER_SERVER_PROOF);
        });
        ws.once('unexpected-response', (req, res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          const nonce = header(res, HEADER_SERVER_NONCE);
          abandoned = true;
          res.resume();
          req.destroy();
          if (settled) return;
          if (status === 401 && nonce) {
            if (!token) return fail(new UnauthenticatedError(`${address} requires a cluster token (set --token or ACTORFLOW_TOKEN); none was given`));
            if (round >= 2) return fail(new UnauthenticatedError(`${address} kept rejecting the authentication nonce`));
            return attempt({ ...base, 'X-Actorflow-Nonce': nonce, 'X-Actorflow-Auth': clientProof(token, nonce, clientNonce) }, nonce, round + 1);
          }
          if (status === 403) return fail(new UnauthenticatedError(`${address} refused the cluster token`));
          fail(new UnavailableError(`${address} refused the connection: HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim()));
        });
        ws.on('error', (err: Error) => { if (!abandoned) fail(new UnavailableError(`Cannot connect to ${address}: ${err.message}`)); });
        ws.once('close', () => { if (!abandoned) fail(new UnavailableError(`Connection to ${address} closed during the handshake`)); });
        ws.once('open', () => {
          if (settled) { ws.terminate(); return; }
          if (token) {
            const expected = serverNonce ? serverProof(token, serverNonce, clientNonce) : null;
            if (!expected || !proof || !proofsEqual(proof, expected)) {
              return fail(new UnauthenticatedError(`${address} did not prove that it knows the cluster token`));
            }
          }
          if (!socket) return fail(new UnavailableError(`Connection to ${address} has no socket`));
          settled = true;
          clearTimeout(timer);
          ws.removeAllListeners('close');
          ws.removeAllListeners('error');
          resolve(this.makeConnection(ws, socket, address, true));
        });
      };
      attempt(base, null, 0);
    });
  }
}

function tlsClientOptions(tls: TlsOptions | null): { ca?: (string | Buffer)[]; rejectUnauthorized?: boolean } {
  if (!tls) return {};
  const out: { ca?: (string | Buffer)[]; rejectUnauthorized?: boolean } = {};
  if (tls.ca !== undefined) out.ca = (Array.isArray(tls.ca) ? tls.ca : [tls.ca]).map(readPem);
  if (tls.rejectUnauthorized !== undefined) out.rejectUnauthorized = tls.rejectUnauthorized;
  return out;
}

/** Answers an upgrade request with an HTTP error and closes the socket; no WebSocket frame is read. */
function refuse(socket: Socket, status: number, message: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) { socket.destroy(); return; }
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: text/plain',
    `Content-Length: ${Buffer.byteLength(message)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${message}`);
}

function validateOptions(o: TransportOptions): void {
  const positive: (keyof TransportOptions)[] = [
    'maxFrameBytes', 'heartbeatIntervalMs', 'heartbeatTimeoutMs', 'connectTimeoutMs', 'unavailableTimeoutMs',
    'reconnectMinMs', 'reconnectMaxMs', 'highWaterMarkBytes', 'maxPendingRequests', 'tellWindowFrames', 'tellWindowBytes',
    'maxInflightPerConnection', 'maxInflightTellBytesPerConnection', 'nonceTtlMs', 'maxOutstandingNonces', 'pooledFrameBytes',
    'spliceTensorBytes',
  ];
  for (const k of positive) {
    const v = o[k];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`Transport option ${k} must be a positive number, got ${String(v)}`);
    }
  }
  if (o.maxFrameBytes > bufferConstants.MAX_LENGTH) {
    throw new InvalidArgumentError(`Transport option maxFrameBytes must be at most ${bufferConstants.MAX_LENGTH} (a frame is one Buffer), got ${o.maxFrameBytes}`);
  }
  if (o.reconnectMaxMs < o.reconnectMinMs) throw new InvalidArgumentError('Transport option reconnectMaxMs must be >= reconnectMinMs');
  if (o.token !== null && (typeof o.token !== 'string' || o.token.length === 0)) {
    throw new InvalidArgumentError('Transport option token must be a non-empty string (or null for no authentication)');
  }
}
