/**
 * The three clients of the transport benchmark, with one interface: actorflow's WsTransport,
 * gRPC (@grpc/grpc-js, a protobuf `bytes` field hand-encoded) and raw TCP (node:net,
 * length-prefixed), each talking to bench/transport_server.ts in another process.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { WsTransport } from '../transport/index.js';
import { Tensor } from '../lib/framework/tensor.js';
import { TcpFramer, TcpKind, tcpHeader, decodeChunk, encodeChunk } from './transport_wire.js';

const MiB = 1024 * 1024;

export interface Contender {
  readonly name: string;
  /** Sends `count` float32 tensors of `bytes` bytes one-way, then waits for the receiver's tally; returns seconds. */
  throughput(data: Float32Array, count: number): Promise<number>;
  /** Round trips per second with `inFlight` small asks outstanding, over `ms`. */
  rate(inFlight: number, ms: number): Promise<number>;
  /** Microseconds of each of `n` sequential small asks. */
  latency(n: number): Promise<number[]>;
  close(): Promise<void>;
}

export type ServerName = 'ws' | 'grpc' | 'tcp';

/** Starts bench/transport_server.js (only `only`'s server when given); resolves with its ports. */
export function startBenchServer(only?: ServerName): Promise<{ child: ChildProcess; ports: Partial<Record<ServerName, number>> }> {
  const script = fileURLToPath(new URL('./transport_server.js', import.meta.url));
  const child = spawn(process.execPath, [script, ...(only ? ['--only', only] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the benchmark server did not start within 20 s')); }, 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) { clearTimeout(timer); resolve({ child, ports: JSON.parse(line) }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the benchmark server exited (${code})`)); });
  });
}

/** The small ask of the rate and latency trials: 32 bytes each way. */
export const SMALL = new Uint8Array(32).fill(7);

function checkTally(name: string, got: { frames: number; bytes: number }, count: number, bytes: number): void {
  if (got.frames !== count || got.bytes !== count * bytes) {
    throw new Error(`${name}: the receiver counted ${got.frames} frames / ${got.bytes} bytes, expected ${count} / ${count * bytes}`);
  }
}

function nowUs(): number { return Number(process.hrtime.bigint()) / 1000; }

async function rateLoop(inFlight: number, ms: number, ask: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < end) { await ask(); n++; }
  }));
  return n / ((performance.now() - t0) / 1000);
}

async function latencyLoop(n: number, ask: () => Promise<unknown>): Promise<number[]> {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = nowUs();
    await ask();
    out[i] = nowUs() - t;
  }
  return out;
}

export async function actorflowContender(port: number): Promise<Contender> {
  const url = `ws://127.0.0.1:${port}`;
  const t = new WsTransport({ logger: pino({ level: 'warn' }, pino.destination(2)) });
  await t.listen('127.0.0.1', 0); // a node, not just a client: node-to-node as in a cluster
  await t.request(url, 'echo', SMALL);
  return {
    name: 'actorflow',
    async throughput(data, count) {
      const tensor = new Tensor('float32', [data.length], data);
      const t0 = performance.now();
      for (let i = 0; i < count; i++) await t.send(url, 'sink', tensor);
      const tally = await t.request(url, 'done', null) as { frames: number; bytes: number };
      const s = (performance.now() - t0) / 1000;
      checkTally('actorflow', tally, count, data.byteLength);
      return s;
    },
    rate: (inFlight, ms) => rateLoop(inFlight, ms, () => t.request(url, 'echo', SMALL)),
    latency: (n) => latencyLoop(n, () => t.request(url, 'echo', SMALL)),
    close: () => t.close(),
  };
}

export async function grpcContender(port: number): Promise<Contender> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * MiB, 'grpc.max_send_message_length': 64 * MiB,
  });
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 5000, (e) => (e ? reject(e) : resolve())));
  const id = (b: Buffer): Buffer => b;
  const echo = (): Promise<Buffer> => new Promise((resolve, reject) => {
    client.makeUnaryRequest('/bench.Bench/Echo', encodeChunk, decodeChunk, SMALL, (err, res) => (err ? reject(err) : resolve(res!)));
  });
  return {
    name: 'gRPC',
    async throughput(data, count) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const t0 = performance.now();
      let result!: Promise<Buffer>;
      const call = await new Promise<grpc.ClientWritableStream<Uint8Array>>((ready) => {
        result = new Promise((resolve, reject) => {
          ready(client.makeClientStreamRequest('/bench.Bench/Sink', encodeChunk, id, (err, res) => (err ? reject(err) : resolve(res!))));
        });
      });
      for (let i = 0; i < count; i++) {
        if (!call.write(bytes)) await once(call, 'drain');
      }
      call.end();
      const tally = JSON.parse((await result).toString()) as { frames: number; bytes: number };
      const s = (performance.now() - t0) / 1000;
      checkTally('gRPC', tally, count, data.byteLength);
      return s;
    },
    rate: (inFlight, ms) => rateLoop(inFlight, ms, echo),
    latency: (n) => latencyLoop(n, echo),
    close: async () => client.close(),
  };
}

export async function tcpContender(port: number): Promise<Contender> {
  const socket: Socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  const waiting: ((b: Buffer) => void)[] = [];
  let head = 0;
  const framer = new TcpFramer((kind, payload) => {
    if (kind !== TcpKind.REPLY) return;
    const r = waiting[head++]!;
    if (head > 4096) { waiting.splice(0, head); head = 0; }
    r(payload);
  });
  socket.on('data', (d: Buffer) => framer.push(d));
  const call = (kind: number, payload: Uint8Array): Promise<Buffer> => new Promise((resolve) => {
    waiting.push(resolve);
    socket.cork(); socket.write(tcpHeader(kind, payload.byteLength)); socket.write(payload); socket.uncork();
  });
  return {
    name: 'TCP',
    async throughput(data, count) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        socket.cork();
        socket.write(tcpHeader(TcpKind.SINK, bytes.byteLength));
        const ok = socket.write(bytes);
        socket.uncork();
        if (!ok) await once(socket, 'drain');
      }
      const tally = JSON.parse((await call(TcpKind.DONE, new Uint8Array(0))).toString()) as { frames: number; bytes: number };
      const s = (performance.now() - t0) / 1000;
      checkTally('TCP', tally, count, data.byteLength);
      return s;
    },
    rate: (inFlight, ms) => rateLoop(inFlight, ms, () => call(TcpKind.ECHO, SMALL)),
    latency: (n) => latencyLoop(n, () => call(TcpKind.ECHO, SMALL)),
    close: async () => { socket.destroy(); },
  };
}
