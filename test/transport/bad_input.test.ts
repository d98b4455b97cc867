import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { pack } from 'msgpackr';
import * as errors from '../../lib/framework/errors.js';
import { Tensor } from '../../lib/framework/tensor.js';
import type { Socket } from 'node:net';
import { WsTransport, SUBPROTOCOL, encodeValue, decodeValue } from '../../transport/index.js';
import { binaryFrame } from '../../transport/ws_frame.js';
import { captureLogger, node, sleep, until, within, QUICK } from './transport_helpers.js';

/** A raw WebSocket client (no auth) that sends one message and reports the close code the server chose. */
function sendRaw(url: string, data: Uint8Array | string): Promise<{ code: number; reason: string }> {
  return within(new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [SUBPROTOCOL]);
    ws.on('open', () => ws.send(data));
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', (e) => { if (ws.readyState !== WebSocket.CLOSED) reject(e); });
  }), 3000, 'raw client');
}

test('malformed and oversized frames close only that connection, with a logged reason and close code', async () => {
  const log = captureLogger();
  let calls = 0;
  const a = await node(async (_to, body) => { calls++; return body; }, { logger: log.logger, maxFrameBytes: 4096 });
  const good = new WsTransport({ logger: captureLogger().logger, ...QUICK });
  try {
    assert.is(await good.request(a.url, 'x', 'before'), 'before');
    const tensorFrame = encodeValue([0, 1, 'x', new Tensor('int32', [2], new Int32Array([1, 2]))]);
    const cases: [string, Uint8Array | string, number, RegExp][] = [
      ['garbage bytes', new Uint8Array([0xc1, 0xff, 0x00]), 1007, /undecodable/],
      ['a text frame', 'hello', 1003, /text frames/],
      ['a map instead of an array', pack({ a: 1 }), 1002, /MessagePack array/],
      ['an unknown kind', pack([9, 1]), 1002, /unknown frame kind 9/],
      ['a REQUEST without a target', pack([0, 1]), 1002, /REQUEST must be/],
      ['a frame over maxFrameBytes', new Uint8Array(5000), 1009, /.*/],
      ['a malformed tensor', corruptDtype(tensorFrame), 1007, /unknown dtype code/],
    ];
    for (const [what, data, code, re] of cases) {
      const closed = await sendRaw(a.url, data);
      assert.is(closed.code, code, what);
      if (code !== 1009) assert.match(closed.reason, re, what);
      assert.is(await good.request(a.url, 'x', what), what, `another client keeps working after ${what}`);
    }
    assert.is(calls, 1 + cases.length, 'no bad frame reached the handler');
    const reasons = log.lines().map((l) => String(l['msg']));
    for (const re of [/undecodable frame/, /text frames/, /unknown frame kind 9/, /Max payload size exceeded/i, /unknown dtype code/]) {
      assert.ok(reasons.some((r) => re.test(r)), `logged: ${re}`);
    }
  } finally {
    await good.close(); await a.t.close();
  }
});

/** Replaces the dtype code of the first tensor extension in a frame with an invalid one. */
function corruptDtype(frame: Uint8Array): Uint8Array {
  const b = new Uint8Array(frame);
  for (let i = 0; i + 5 < b.length; i++) {
    if (b[i] === 0xc9 && b[i + 5] === 0x54) { b[i + 6] = 77; return b; }
  }
  throw new Error('no tensor extension in frame');
}

/** A raw client's socket, for writing WebSocket frames byte by byte (ws's own reading stays). */
async function rawClient(url: string): Promise<{ ws: WebSocket; socket: Socket; replies: unknown[] }> {
  const ws = new WebSocket(url, [SUBPROTOCOL]);
  const replies: unknown[] = [];
  ws.on('message', (d: Buffer) => replies.push(decodeValue(d)));
  ws.on('error', () => { /* the tests look at what the server does */ });
  await within(new Promise((r, j) => { ws.once('open', r); ws.once('error', j); }), 3000, 'raw client opens');
  return { ws, socket: (ws as unknown as { _socket: Socket })._socket, replies };
}

test('a large frame dripped in small pieces arrives intact; a client that dies mid-frame leaves the node serving others', async () => {
  const a = await node(async (_to, body) => body);
  const other = new WsTransport({ logger: captureLogger().logger, ...QUICK });
  try {
    const n = 100_000;
    const values = Float32Array.from({ length: n }, (_, i) => i / 4);
    const t = new Tensor('float32', [n], values);
    const frame = binaryFrame(encodeValue([0, 1, 'echo', t]), true);
    const drip = await rawClient(a.url);
    for (let p = 0; p < frame.length; p += 9_973) {
      drip.socket.write(frame.subarray(p, p + 9_973));
      await sleep(1);
    }
    await until(() => drip.replies.length === 1, 5000, 'the dripped request is answered');
    const [kind, id, echoed] = drip.replies[0] as [number, number, Tensor];
    assert.equal([kind, id], [2, 1]);
    assert.ok(Buffer.from((echoed.data as Float32Array).buffer, (echoed.data as Float32Array).byteOffset, 4 * n).equals(Buffer.from(values.buffer)), 'byte-exact');
    drip.ws.terminate();

    const dying = await rawClient(a.url);
    dying.socket.write(frame.subarray(0, frame.length >> 1));
    await sleep(20);
    dying.socket.destroy();
    for (let i = 0; i < 5; i++) assert.is(await within(other.request(a.url, 'x', i), 3000, 'another client'), i);
    assert.is(a.t.connectionCount, 1, 'the half-sent connection is gone');
  } finally {
    await other.close(); await a.t.close();
  }
});

test('a flood of requests from one client does not stop the node serving others', async () => {
  let running = 0;
  let maxRunning = 0;
  const a = await node((to, _body, ctx) => {
    if (to === 'fast') return Promise.resolve('ok');
    running++;
    maxRunning = Math.max(maxRunning, running);
    return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => { running--; reject(ctx.signal.reason); }));
  }, { maxInflightPerConnection: 50 });
  const flooder = new WsTransport({ logger: captureLogger().logger, ...QUICK, maxPendingRequests: 100_000 });
  const other = new WsTransport({ logger: captureLogger().logger, ...QUICK });
  try {
    const flood = Array.from({ length: 1000 }, () => flooder.request(a.url, 'slow', new Uint8Array(100)).then(() => 'ok', (e) => e));
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) assert.is(await within(other.request(a.url, 'fast', i), 5000, 'other client'), 'ok');
    assert.ok(Date.now() - t0 < 5000, 'the other client was served');
    await until(() => maxRunning === 50, 10000, 'the flooder fills its allowance');
    const settled = await within(Promise.all(flood.slice(100)), 10000, 'flood refused');
    assert.ok(settled.every((e) => e instanceof errors.ResourceExhaustedError), 'requests beyond the limit are refused');
    assert.match((settled[0] as Error).message, /Too many requests in flight/);
    assert.is(maxRunning, 50, 'never more than maxInflightPerConnection handler calls for one connection');
  } finally {
    await flooder.close(); await other.close(); await a.t.close();
  }
});

test.run();
