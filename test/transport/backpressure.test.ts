import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocketServer, type WebSocket as WS } from 'ws';
import { Tensor } from '../../lib/framework/tensor.js';
import { WsTransport, SUBPROTOCOL } from '../../transport/index.js';
import { captureLogger, node, sleep, until, within, QUICK } from './transport_helpers.js';

const MiB = 1024 * 1024;

test('one-way messages to a slow handler: the sender waits on the credit window, nothing piles up, order is kept', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const got: number[] = [];
  let started = 0;
  const a = await node(async (_to, body) => {
    started++;
    await gate;
    got.push((body as { i: number }).i);
    return null;
  });
  const b = await node(async () => null, { tellWindowBytes: 1 * MiB, tellWindowFrames: 1000 });
  try {
    const chunk = new Tensor('float32', [64 * 1024], new Float32Array(64 * 1024)); // 256 KiB
    let resolved = 0;
    const sends = Array.from({ length: 40 }, (_, i) => b.t.send(a.url, 'sink', { i, chunk }).then(() => { resolved++; }));
    await sleep(300);
    assert.ok(started <= 5, `handler calls started while the window is full: ${started}`);
    assert.ok(resolved <= 5, `sends completed while the window is full: ${resolved}`);
    const sentBytes = b.t.linkStats()[a.url]!.bytesSent;
    assert.ok(sentBytes <= 1 * MiB + 300 * 1024, `bytes on the wire bounded by the window (${sentBytes})`);
    release();
    await within(Promise.all(sends), 10_000, 'all sends');
    await until(() => got.length === 40, 10_000, 'all delivered');
    assert.equal(got, Array.from({ length: 40 }, (_, i) => i));
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('a peer that stops reading: senders wait on the socket (highWaterMarkBytes), memory stays bounded, then everything flows', async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, handleProtocols: () => SUBPROTOCOL, maxPayload: 0 });
  let peer: WS | null = null;
  let received = 0;
  wss.on('connection', (ws) => { peer = ws; ws.pause(); ws.on('message', () => { received++; }); });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(http.address() as { port: number }).port}`;
  const c = new WsTransport({ logger: captureLogger().logger, ...QUICK, heartbeatTimeoutMs: 60_000, unavailableTimeoutMs: 60_000, highWaterMarkBytes: 1 * MiB });
  try {
    const body = new Uint8Array(512 * 1024);
    const reqs = Array.from({ length: 100 }, () => c.request(url, 'x', body).catch(() => null));
    await until(() => peer !== null, 5000, 'connected');
    await sleep(500);
    const s1 = c.linkStats()[url]!;
    assert.ok(s1.framesSent < 100, `only part of the 50 MiB left the sender (${s1.framesSent} frames)`);
    assert.ok(s1.bytesSent < 24 * MiB, `bytes handed to the socket are bounded (${(s1.bytesSent / MiB).toFixed(1)} MiB)`);
    peer!.resume();
    await until(() => received === 100, 10_000, 'all frames arrive once the peer reads');
    assert.is(c.linkStats()[url]!.framesSent, 100);
    await c.close();
    await within(Promise.all(reqs), 5000, 'pending requests fail on close');
  } finally {
    await c.close();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise((r) => http.close(r));
  }
});

test('a body is captured when sent: mutating a tensor while its frame waits for credit does not change what arrives', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const got: number[][] = [];
  const a = await node(async (_to, body) => { got.push(Array.from((body as Tensor).data as Float32Array)); await gate; return null; });
  const b = await node(async () => null, { tellWindowFrames: 1 });
  try {
    const t = new Tensor('float32', [3], new Float32Array([1, 2, 3]));
    const first = b.t.send(a.url, 'sink', t);
    await first;
    const second = b.t.send(a.url, 'sink', t); // waits in the outbox: the window holds one frame
    (t.data as Float32Array).fill(9);
    release();
    await within(second, 5000, 'second send');
    await until(() => got.length === 2, 5000, 'both arrive');
    assert.equal(got, [[1, 2, 3], [1, 2, 3]]);
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('requests beyond maxPendingRequests wait for a slot instead of flooding the peer', async () => {
  let running = 0;
  let max = 0;
  const a = await node(async () => { running++; max = Math.max(max, running); await sleep(20); running--; return 1; });
  const b = await node(async () => null, { maxPendingRequests: 8 });
  try {
    const r = await within(Promise.all(Array.from({ length: 80 }, () => b.t.request(a.url, 'x', null))), 10_000, 'requests');
    assert.is(r.length, 80);
    assert.ok(max <= 8 && max >= 2, `at most 8 in flight (${max})`);
  } finally {
    await a.t.close(); await b.t.close();
  }
});

/** V8's gc(), reachable without starting node with --expose-gc. */
function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

test('frames that waited in the outbox are let go once written: nothing in the connection keeps their tensors alive', async () => {
  const gc = forceGc();
  const a = await node(async () => 'ok');
  const b = await node(async () => null, { maxPendingRequests: 1 });
  try {
    // 24 requests of 1 MiB, one slot: 23 of them wait in the outbox. Only weak references to
    // their memory stay here (made in a function, so no local keeps them).
    const refs: WeakRef<ArrayBufferLike>[] = [];
    const sendAll = (): Promise<unknown[]> => Promise.all(Array.from({ length: 24 }, (_, i) => {
      const data = new Float32Array(256 * 1024).fill(i);
      refs.push(new WeakRef(data.buffer));
      return b.t.request(a.url, 'x', new Tensor('float32', [data.length], data));
    }));
    assert.equal(await within(sendAll(), 10_000, 'all answered'), Array.from({ length: 24 }, () => 'ok'));
    await sleep(50);
    for (let i = 0; i < 3; i++) { gc(); await sleep(10); }
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    assert.is(alive, 0, `${alive} of 24 written 1 MiB tensors are still reachable`);
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test.run();
