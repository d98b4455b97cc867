/**
 * The receiving process of `npm run bench:transport`: one actorflow node (WsTransport), one
 * gRPC server (@grpc/grpc-js) and one raw TCP server, each of which counts the tensor bytes it
 * receives (taking a Float32Array view of them) and echoes small requests. Prints one JSON line
 * with the ports when ready. `--only ws|grpc|tcp` starts just that server, so that each contender
 * of the benchmark gets a process of its own (no other library's heap, timers or GC in it).
 */
import { createServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { WsTransport } from '../transport/index.js';
import { Tensor } from '../lib/framework/tensor.js';
import { TcpFramer, TcpKind, tcpHeader, decodeChunk, encodeChunk } from './transport_wire.js';

const MiB = 1024 * 1024;
let frames = 0;
let bytes = 0;
let checksum = 0;

/** What every contender does with a received tensor: look at it as float32 without copying. */
function consume(data: Uint8Array): void {
  frames++;
  bytes += data.byteLength;
  if (data.byteLength >= 4) {
    const f = data.byteOffset % 4 === 0
      ? new Float32Array(data.buffer, data.byteOffset, data.byteLength >> 2)
      : new Float32Array(Uint8Array.prototype.slice.call(data, 0, 4).buffer);
    checksum += f[0]!;
  }
}

function summary(): { frames: number; bytes: number; checksum: number } {
  const s = { frames, bytes, checksum };
  frames = 0; bytes = 0;
  return s;
}

async function startActorflow(): Promise<number> {
  const t = new WsTransport({ logger: pino({ level: 'warn' }, pino.destination(2)) }, async (to, body) => {
    if (to === 'sink') {
      const d = (body as Tensor).data as Float32Array;
      consume(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      return null;
    }
    if (to === 'done') return summary();
    return body;
  });
  return (await t.listen('127.0.0.1', 0)).port;
}

function startGrpc(): Promise<number> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * MiB, 'grpc.max_send_message_length': 64 * MiB });
  const id = (b: Buffer): Buffer => b;
  server.addService({
    Sink: {
      path: '/bench.Bench/Sink', requestStream: true, responseStream: false,
      requestSerialize: id, requestDeserialize: decodeChunk, responseSerialize: id, responseDeserialize: id,
    },
    Echo: {
      path: '/bench.Bench/Echo', requestStream: false, responseStream: false,
      requestSerialize: id, requestDeserialize: decodeChunk, responseSerialize: encodeChunk, responseDeserialize: id,
    },
  } as unknown as grpc.ServiceDefinition, {
    Sink: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      call.on('data', (d: Buffer) => consume(d));
      call.on('end', () => {
        const s = summary();
        cb(null, Buffer.from(JSON.stringify(s)));
      });
    },
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request),
  });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

function startTcp(): Promise<number> {
  const server = createServer({ noDelay: true }, (socket: Socket) => {
    const framer = new TcpFramer((kind, payload) => {
      if (kind === TcpKind.SINK) consume(payload);
      else if (kind === TcpKind.DONE) {
        const s = Buffer.from(JSON.stringify(summary()));
        socket.cork(); socket.write(tcpHeader(TcpKind.REPLY, s.length)); socket.write(s); socket.uncork();
      } else if (kind === TcpKind.ECHO) {
        socket.cork(); socket.write(tcpHeader(TcpKind.REPLY, payload.length)); socket.write(payload); socket.uncork();
      }
    });
    socket.on('data', (d: Buffer) => framer.push(d));
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const starters: Record<string, () => Promise<number>> = { ws: startActorflow, grpc: startGrpc, tcp: startTcp };
if (only !== null && !(only in starters)) throw new Error(`--only must be one of ${Object.keys(starters).join(', ')}`);
const ports: Record<string, number> = {};
for (const [name, start] of Object.entries(starters)) if (only === null || only === name) ports[name] = await start();
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
