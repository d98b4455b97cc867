import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tensor } from '../../lib/framework/tensor.js';
import * as errors from '../../lib/framework/errors.js';
import { WebSocket } from 'ws';
import { WsTransport, DEFAULT_TRANSPORT_OPTIONS, SUBPROTOCOL, FrameKind, encodeValue, decodeValue, type InboundContext } from '../../transport/index.js';
import { captureLogger, node, rejectsWith, until, within, QUICK } from './transport_helpers.js';

test('request/reply and one-way messages between two nodes; the handler sees who asked', async () => {
  const told: unknown[] = [];
  const a = await node(async (to, body, ctx) => {
    if (to === 'sink') { told.push(body); return null; }
    return { to, body, peer: ctx.peer, oneWay: ctx.oneWay };
  });
  const b = await node(async () => 'from b');
  try {
    const t = new Tensor('float32', [2, 2], new Float32Array([1, 2, 3, 4]));
    const r = await within(b.t.request(a.url, '/job:ps/task:0/x', { t, n: 7n }), 2000, 'request') as { to: string; body: { t: Tensor; n: bigint }; peer: string; oneWay: boolean };
    assert.is(r.to, '/job:ps/task:0/x');
    assert.equal(Array.from(r.body.t.data as Float32Array), [1, 2, 3, 4]);
    assert.is(r.body.n, 7n);
    assert.is(r.peer, b.url, 'the peer is identified by its advertised URL');
    assert.is(r.oneWay, false);
    await b.t.send(a.url, 'sink', 'one');
    await b.t.send(a.url, 'sink', 'two');
    await until(() => told.length === 2, 2000, 'tells arrive');
    assert.equal(told, ['one', 'two']);
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('large tensors travel zero-copy (spliced) both ways, byte-exact, mixed with small frames in order', async () => {
  const ramp = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i * 0.5 + k);
  const told: number[] = [];
  const a = await node(async (to, body) => {
    const t = (body as { t: Tensor }).t;
    if (to === 'sink') { told.push((t.data as Float32Array)[1]!); return null; }
    // The reply (server side, unmasked) carries its own large tensor plus the one it received.
    return { echo: t, made: new Tensor('int32', [3, 10_000], Int32Array.from({ length: 30_000 }, (_, i) => i - 7)) };
  });
  const b = await node(async () => null);
  try {
    for (const n of [4_096, 65_537, 1 << 20]) {
      const sent = new Tensor('float32', [n], ramp(n, n));
      const r = await within(b.t.request(a.url, 'echo', { t: sent, pad: 'x'.repeat(n % 7) }), 5000, `request of ${n}`) as { echo: Tensor; made: Tensor };
      assert.ok(Buffer.from((r.echo.data as Float32Array).buffer, (r.echo.data as Float32Array).byteOffset, 4 * n)
        .equals(Buffer.from(ramp(n, n).buffer)), `float32[${n}] byte-exact`);
      assert.equal(r.made.shape, [3, 10_000]);
      assert.is((r.made.data as Int32Array)[29_999], 29_992);
    }
    const sends: Promise<void>[] = [];
    for (let k = 0; k < 20; k++) sends.push(b.t.send(a.url, 'sink', { t: new Tensor('float32', [k % 2 ? 3 : 70_000], ramp(k % 2 ? 3 : 70_000, k)) }));
    await within(Promise.all(sends), 5000, 'tells written');
    await until(() => told.length === 20, 5000, 'tells arrive');
    assert.equal(told, Array.from({ length: 20 }, (_, k) => 0.5 + k), 'large and small one-way frames keep their order');
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('plain connections read directly on both ends; a foreign client masking with random keys is read correctly too', async () => {
  const a = await node(async (_to, body) => body);
  const b = await node(async () => null);
  try {
    await b.t.request(a.url, 'x', null);
    assert.is(b.t.linkStats()[a.url]!.readMode, 'direct', 'client end');
    assert.is(a.t.linkStats()[b.url]!.readMode, 'direct', 'server end');
    // A plain ws client (random masks, its own framing) with requests small and spanning many reads.
    const ws = new WebSocket(a.url, [SUBPROTOCOL]);
    const replies: unknown[] = [];
    ws.on('message', (d: Buffer) => replies.push(decodeValue(d)));
    await within(new Promise((r, j) => { ws.once('open', r); ws.once('error', j); }), 3000, 'raw client opens');
    const sizes = [3, 70_000, 1 << 20, 5];
    sizes.forEach((n, i) => ws.send(encodeValue([FrameKind.REQUEST, i + 1, 'echo', new Tensor('float64', [n], Float64Array.from({ length: n }, (_, k) => k + n))])));
    await until(() => replies.length === sizes.length, 5000, 'replies');
    sizes.forEach((n, i) => {
      const [kind, id, body] = replies[i] as [number, number, Tensor];
      assert.is(kind, FrameKind.REPLY);
      assert.is(id, i + 1);
      const got = body.data as Float64Array;
      assert.is(got.length, n);
      assert.is(got[n - 1], 2 * n - 1, `float64[${n}] echoed intact`);
    });
    ws.close();
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('one connection per pair: the reverse direction reuses the connection the peer opened', async () => {
  const a = await node(async () => 'a');
  const b = await node(async () => 'b');
  try {
    assert.is(await b.t.request(a.url, 'x', 1), 'a');
    assert.is(await a.t.request(b.url, 'x', 1), 'b');
    assert.is(await a.t.request(`grpc://${a.url.slice(5)}`.replace(a.url.slice(5), b.url.slice(5)), 'x', 1), 'b', 'grpc:// is an alias of ws://');
    assert.is(a.t.connectionCount, 1);
    assert.is(b.t.connectionCount, 1);
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('a pure client (not listening) gets replies on its own connection; peers see it as client:ip:port', async () => {
  const a = await node(async (_to, _b, ctx: InboundContext) => ctx.peer);
  const c = new WsTransport({ logger: captureLogger().logger, ...QUICK });
  try {
    const peer = await c.request(a.url, 'x', null) as string;
    assert.match(peer, /^client:127\.0\.0\.1:\d+$/);
    assert.is(c.url, null);
  } finally {
    await c.close(); await a.t.close();
  }
});

test('typed errors cross as the same class, keeping op and device', async () => {
  const classes = [
    errors.CancelledError, errors.UnknownError, errors.InvalidArgumentError, errors.DeadlineExceededError, errors.NotFoundError,
    errors.AlreadyExistsError, errors.PermissionDeniedError, errors.ResourceExhaustedError, errors.FailedPreconditionError,
    errors.AbortedError, errors.OutOfRangeError, errors.UnimplementedError, errors.InternalError, errors.UnavailableError,
    errors.DataLossError, errors.UnauthenticatedError,
  ];
  const a = await node(async (to) => {
    if (to === 'plain') throw new Error('plain failure');
    const Cls = classes[Number(to)]!;
    throw new Cls(`failed with ${Cls.name}`, { op: 'QueueDequeueV2', device: '/job:ps/replica:0/task:0/device:CPU:0' });
  });
  const b = await node(async () => null);
  try {
    for (let i = 0; i < classes.length; i++) {
      const e = await rejectsWith(b.t.request(a.url, String(i), null), classes[i]!, classes[i]!.name);
      assert.ok(e instanceof errors.OpError);
      assert.is(e.message, `failed with ${classes[i]!.name}`);
      assert.is((e as errors.OpError).op, 'QueueDequeueV2');
      assert.is((e as errors.OpError).device, '/job:ps/replica:0/task:0/device:CPU:0');
    }
    const u = await rejectsWith(b.t.request(a.url, 'plain', null), errors.UnknownError, 'plain Error');
    assert.is(u.message, 'plain failure');
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('a timeout rejects with DeadlineExceededError and aborts the remote handler through a CANCEL frame', async () => {
  let remote: AbortSignal | null = null;
  let reason: unknown = null;
  const a = await node((to, _body, ctx) => to === 'warm' ? Promise.resolve(1) : new Promise((_, reject) => {
    remote = ctx.signal;
    ctx.signal.addEventListener('abort', () => { reason = ctx.signal.reason; reject(ctx.signal.reason); });
  }));
  const b = await node(async () => null);
  try {
    await b.t.request(a.url, 'warm', null); // connected first, so the deadline covers only the request
    const started = Date.now();
    await rejectsWith(b.t.request(a.url, 'dequeue', null, { timeoutMs: 150 }), errors.DeadlineExceededError, 'timeout');
    assert.ok(Date.now() - started < 3000);
    await until(() => remote !== null && remote.aborted, 5000, 'remote signal aborts');
    assert.ok(reason instanceof errors.CancelledError);
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test("an aborted signal rejects with the signal's reason and cancels the remote handler", async () => {
  const aborted: string[] = [];
  const started: string[] = [];
  const a = await node((to, _body, ctx) => new Promise(() => {
    started.push(to);
    ctx.signal.addEventListener('abort', () => aborted.push(to));
  }));
  const b = await node(async () => null);
  try {
    const ac = new AbortController();
    const p = b.t.request(a.url, 'parked', null, { signal: ac.signal });
    await until(() => started.length === 1, 5000, 'the request reached the handler');
    const why = new errors.CancelledError('step cancelled');
    ac.abort(why);
    const e = await rejectsWith(p, errors.CancelledError, 'abort');
    assert.is(e, why);
    await until(() => aborted.length === 1, 5000, 'remote handler aborted');
    assert.equal(aborted, ['parked']);
    // An already-aborted signal never sends anything.
    const sent = b.t.linkStats()[a.url]!.framesSent;
    await rejectsWith(b.t.request(a.url, 'never', null, { signal: AbortSignal.abort(new errors.AbortedError('x')) }), errors.AbortedError, 'pre-aborted');
    assert.is(b.t.linkStats()[a.url]!.framesSent, sent);
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('linkStats counts frames and bytes per peer, and a tensor crosses the link once', async () => {
  const a = await node(async () => null);
  const b = await node(async () => null);
  try {
    await b.t.request(a.url, 'warm', null);
    const before = b.t.linkStats()[a.url]!;
    const t = new Tensor('float32', [1 << 16], new Float32Array(1 << 16));
    await b.t.request(a.url, 'x', t);
    const after = b.t.linkStats()[a.url]!;
    const sent = after.bytesSent - before.bytesSent;
    assert.ok(sent >= (1 << 18) && sent < (1 << 18) + 200, `one tensor's worth of bytes (${sent})`);
    assert.is(after.framesSent - before.framesSent, 1);
    assert.is(a.t.linkStats()[b.url]!.bytesReceived, after.bytesSent);
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('a frame larger than maxFrameBytes fails that request with ResourceExhaustedError; the link stays up', async () => {
  const a = await node(async (_to, body) => body);
  const b = await node(async () => null, { maxFrameBytes: 64 * 1024 });
  try {
    const big = new Tensor('uint8', [100_000], new Uint8Array(100_000));
    await rejectsWith(b.t.request(a.url, 'x', big), errors.ResourceExhaustedError, 'oversized send');
    assert.is(await b.t.request(a.url, 'x', 'still fine'), 'still fine');
  } finally {
    await a.t.close(); await b.t.close();
  }
});

test('bad options and addresses are InvalidArgumentErrors', async () => {
  assert.throws(() => new WsTransport({ maxFrameBytes: -1 }), (e: Error) => e instanceof errors.InvalidArgumentError && /maxFrameBytes/.test(e.message));
  assert.throws(() => new WsTransport({ maxFrameBytes: 2 ** 40 }), (e: Error) => e instanceof errors.InvalidArgumentError && /maxFrameBytes must be at most/.test(e.message));
  assert.throws(() => new WsTransport({ token: '' }), (e: Error) => e instanceof errors.InvalidArgumentError && /token/.test(e.message));
  assert.throws(() => new WsTransport({ maxFrameByte: 1 } as never), (e: Error) => e instanceof errors.InvalidArgumentError && /Unknown transport option 'maxFrameByte'/.test(e.message));
  const c = new WsTransport({ logger: captureLogger().logger });
  await rejectsWith(c.request('http://x:1', 'a', null), errors.InvalidArgumentError, 'scheme');
  await rejectsWith(c.request('ws://nohost', 'a', null), errors.InvalidArgumentError, 'port');
  await c.close();
  assert.is(DEFAULT_TRANSPORT_OPTIONS.maxFrameBytes, 256 * 1024 * 1024);
  assert.is(DEFAULT_TRANSPORT_OPTIONS.zeroMask, true);
});

test.run();
