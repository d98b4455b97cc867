import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import * as errors from '../../lib/framework/errors.js';
import { WsTransport, SUBPROTOCOL } from '../../transport/index.js';
import { captureLogger, node, rejectsWith, within, QUICK } from './transport_helpers.js';

const childScript = fileURLToPath(new URL('./peer_child.js', import.meta.url));

function startChild(port = 0): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [childScript, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return within(new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  }), 5000, 'child start');
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => { if (child.exitCode !== null || child.signalCode !== null) r(); else child.once('exit', () => r()); });
}

test('a killed peer: pending and new requests fail with UnavailableError within the bound; after a restart, requests work again', async () => {
  const { child, url } = await startChild();
  const port = Number(new URL(url).port);
  const c = new WsTransport({ logger: captureLogger().logger, ...QUICK, unavailableTimeoutMs: 400 });
  let second: ChildProcess | null = null;
  try {
    const pid = await c.request(url, 'pid', null);
    assert.is(pid, child.pid);
    const pending = c.request(url, 'hang', null);
    await new Promise((r) => setTimeout(r, 50));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await rejectsWith(within(pending, 2000, 'pending'), errors.UnavailableError, 'pending request');
    assert.ok(Date.now() - killedAt < 2000, 'pending request failed promptly');
    await exited(child);
    const t0 = Date.now();
    const e = await rejectsWith(within(c.request(url, 'echo', 1), 3000, 'new request'), errors.UnavailableError, 'new request');
    const took = Date.now() - t0;
    assert.ok(took >= 350 && took < 2500, `failed within the bound (${took} ms)`);
    assert.match(e.message, new RegExp(url.replace(/[/.]/g, '\\$&')));
    second = (await startChild(port)).child;
    assert.is(await within(c.request(url, 'pid', null), 3000, 'after restart'), second.pid);
    assert.is(await c.request(url, 'echo', 'again'), 'again');
  } finally {
    child.kill('SIGKILL');
    second?.kill('SIGKILL');
    await c.close();
  }
});

test('a request made while the peer is down succeeds if the peer comes back within unavailableTimeoutMs (reconnect with backoff)', async () => {
  const { child, url } = await startChild();
  const port = Number(new URL(url).port);
  const c = new WsTransport({ logger: captureLogger().logger, ...QUICK, unavailableTimeoutMs: 3000 });
  let second: ChildProcess | null = null;
  try {
    await c.request(url, 'echo', 1);
    child.kill('SIGKILL');
    await exited(child);
    // The request must be made once the client has seen the connection drop; one sent on the
    // dying connection is a pending request, which fails with UnavailableError (test above).
    await within((async () => { while (c.connectionCount > 0) await new Promise((r) => setTimeout(r, 10)); })(), 3000, 'disconnect noticed');
    const p = c.request(url, 'pid', null);
    await new Promise((r) => setTimeout(r, 200));
    second = (await startChild(port)).child;
    assert.is(await within(p, 4000, 'waiting request'), second.pid);
  } finally {
    second?.kill('SIGKILL');
    await c.close();
  }
});

test('a peer that stops answering (no pongs) is dropped by the heartbeat: pending requests fail with UnavailableError', async () => {
  // A WebSocket server that completes the handshake and then never reads or answers anything.
  const http = createServer();
  const wss = new WebSocketServer({ server: http, autoPong: false, handleProtocols: () => SUBPROTOCOL });
  wss.on('connection', (ws) => { ws.on('message', () => { /* swallow */ }); });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(http.address() as { port: number }).port}`;
  const log = captureLogger();
  const c = new WsTransport({ ...QUICK, logger: log.logger, heartbeatIntervalMs: 50, heartbeatTimeoutMs: 300, unavailableTimeoutMs: 300 });
  try {
    const t0 = Date.now();
    await rejectsWith(within(c.request(url, 'x', null), 3000, 'silent peer'), errors.UnavailableError, 'silent peer');
    const took = Date.now() - t0;
    assert.ok(took >= 250 && took < 3000, `heartbeat timeout bounded (${took} ms)`);
    assert.ok(log.lines().some((l) => /no heartbeat/.test(String(l['msg']))), 'the reason is logged');
  } finally {
    await c.close();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    await new Promise((r) => http.close(r));
  }
});

test('closing a transport fails its pending requests and refuses new ones', async () => {
  const a = await node(() => new Promise(() => { /* parked */ }));
  const c = new WsTransport({ logger: captureLogger().logger, ...QUICK });
  try {
    const p = c.request(a.url, 'x', null);
    await new Promise((r) => setTimeout(r, 50));
    await a.t.close();
    await rejectsWith(within(p, 2000, 'pending'), errors.UnavailableError, 'pending on close');
    await c.close();
    await rejectsWith(c.request(a.url, 'x', null), errors.UnavailableError, 'after close');
    await rejectsWith(c.send(a.url, 'x', null), errors.UnavailableError, 'send after close');
  } finally {
    await c.close();
  }
});

test.run();
