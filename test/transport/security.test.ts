import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import * as errors from '../../lib/framework/errors.js';
import { WsTransport, SUBPROTOCOL } from '../../transport/index.js';
import { clientProof } from '../../transport/auth.js';
import { captureLogger, node, rejectsWith, within, QUICK } from './transport_helpers.js';

const TOKEN = 'cluster-secret-1';

test('with a token, a client that proves it connects, and the token never crosses the wire', async () => {
  let calls = 0;
  const a = await node(async (_t, body) => { calls++; return body; }, { token: TOKEN });
  const c = new WsTransport({ logger: captureLogger().logger, ...QUICK, token: TOKEN });
  try {
    assert.is(await within(c.request(a.url, 'x', 'hi'), 3000, 'authenticated request'), 'hi');
    assert.is(calls, 1);
    // Nodes that both know the token talk in both directions over one connection.
    const b = await node(async () => 'b', { token: TOKEN });
    assert.is(await b.t.request(a.url, 'x', 1), 1);
    assert.is(await a.t.request(b.url, 'x', 1), 'b');
    await b.t.close();
  } finally {
    await c.close(); await a.t.close();
  }
});

test('a wrong or missing token is refused before any message is read: UnauthenticatedError, reason logged', async () => {
  let calls = 0;
  const log = captureLogger();
  const a = await node(async () => { calls++; return 1; }, { token: TOKEN, logger: log.logger });
  const wrong = new WsTransport({ logger: captureLogger().logger, ...QUICK, token: 'not-it' });
  const none = new WsTransport({ logger: captureLogger().logger, ...QUICK });
  try {
    const e1 = await rejectsWith(within(wrong.request(a.url, 'x', null), 3000, 'wrong'), errors.UnauthenticatedError, 'wrong token');
    assert.match(e1.message, /refused the cluster token/);
    const e2 = await rejectsWith(within(none.request(a.url, 'x', null), 3000, 'missing'), errors.UnauthenticatedError, 'missing token');
    assert.match(e2.message, /requires a cluster token/);
    await rejectsWith(wrong.send(a.url, 'x', null), errors.UnauthenticatedError, 'wrong token, one-way');
    assert.is(calls, 0, 'no message reached the handler');
    assert.is(a.t.connectionCount, 0, 'no WebSocket was opened');
    assert.ok(log.lines().some((l) => /wrong cluster token/.test(String(l['msg']))), 'the refusal is logged');
  } finally {
    await wrong.close(); await none.close(); await a.t.close();
  }
});

test('a client with a token refuses a server that cannot prove it (mutual authentication)', async () => {
  const open = await node(async () => 1);
  const c = new WsTransport({ logger: captureLogger().logger, ...QUICK, token: TOKEN });
  try {
    const e = await rejectsWith(within(c.request(open.url, 'x', null), 3000, 'server without token'), errors.UnauthenticatedError, 'no server proof');
    assert.match(e.message, /did not prove/);
  } finally {
    await c.close(); await open.t.close();
  }
});

test('a server nonce is single-use: replaying a captured proof is refused', async () => {
  const a = await node(async () => 1, { token: TOKEN });
  try {
    const res1 = await handshake(a.url, { 'X-Actorflow-Client-Nonce': 'c1' });
    assert.is(res1.status, 401);
    const nonce = res1.headers['x-actorflow-nonce'] as string;
    assert.ok(nonce && nonce.length >= 16);
    const proof = { 'X-Actorflow-Client-Nonce': 'c1', 'X-Actorflow-Nonce': nonce, 'X-Actorflow-Auth': clientProof(TOKEN, nonce, 'c1') };
    const ok = await handshake(a.url, proof);
    assert.is(ok.status, 101);
    const replay = await handshake(a.url, proof);
    assert.is(replay.status, 401, 'the nonce was used up');
    const noProto = await handshake(a.url, proof, []);
    assert.is(noProto.status, 400, 'the subprotocol is required');
  } finally {
    await a.t.close();
  }
});

/** One raw handshake; resolves with the HTTP status (101 on success) and the response headers. */
function handshake(url: string, headers: Record<string, string>, protocols = [SUBPROTOCOL]): Promise<{ status: number; headers: Record<string, unknown> }> {
  return within(new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('unexpected-response', (req, res) => { resolve({ status: res.statusCode ?? 0, headers: res.headers }); res.resume(); req.destroy(); });
    ws.on('upgrade', (res) => { resolve({ status: 101, headers: res.headers }); });
    ws.on('open', () => ws.terminate());
    ws.on('error', () => { /* reported through the events above */ });
  }), 3000, 'handshake');
}

function makeCert(): { dir: string; cert: string; key: string } | null {
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    return { dir, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

test('TLS: a node with cert+key serves wss://; a client trusting the CA talks to it (with a token), an untrusting one is refused', async () => {
  const pem = makeCert();
  if (!pem) {
    console.log('SKIPPED (TLS test): openssl is not available to make a test certificate');
    return;
  }
  const a = await node(async (_t, b) => b, { tls: { cert: pem.cert, key: readFileSync(pem.key, 'utf8') }, token: TOKEN });
  const trusting = new WsTransport({ logger: captureLogger().logger, ...QUICK, token: TOKEN, tls: { ca: pem.cert } });
  const untrusting = new WsTransport({ logger: captureLogger().logger, ...QUICK, token: TOKEN });
  try {
    assert.match(a.url, /^wss:\/\/127\.0\.0\.1:\d+$/);
    assert.is(await within(trusting.request(a.url, 'x', 'secure'), 3000, 'wss request'), 'secure');
    // TLS sockets keep Node's own reads (no direct reads into our memory); frames are still read ahead of ws.
    assert.is(trusting.linkStats()[a.url]!.readMode, 'frames');
    const big = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 13) & 0xff);
    const back = await within(trusting.request(a.url, 'x', big), 3000, 'large wss request') as Uint8Array;
    assert.ok(Buffer.from(back).equals(Buffer.from(big)), 'a message spanning many TLS records arrives byte-exact');
    const e = await rejectsWith(within(untrusting.request(a.url, 'x', null), 3000, 'untrusted'), errors.UnavailableError, 'untrusted certificate');
    assert.match(e.message, /self[- ]signed|certificate/i);
  } finally {
    await trusting.close(); await untrusting.close(); await a.t.close();
    rmSync(pem.dir, { recursive: true, force: true });
  }
});

test.run();
