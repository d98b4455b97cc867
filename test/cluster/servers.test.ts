/** In-process servers: createLocalServer, port conflicts, tokens on the CLI, bad messages. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { rejects } from '../helpers/rejects.js';
import { WsTransport } from '../../transport/ws_transport.js';
import { clusterSpecOnFreePorts, startNode, stopNode } from '../helpers/processes.js';

test.before.each(() => { tf.resetDefaultGraph(); });

test('createLocalServer listens on a free port; a session on its target runs; join resolves after stop', async () => {
  const server = await tf.train.Server.createLocalServer();
  assert.match(server.target, /^ws:\/\/localhost:\d+$/);
  await server.start();
  const c = tf.mul(tf.constant(3.0), 3);
  const sess = new tf.Session(server.target.replace('ws://', 'grpc://'));
  const md: tf.RunMetadata = {};
  assert.is((await sess.run(c, undefined, { runMetadata: md })).toArray(), 9);
  assert.is(md.placement![c.op.name], '/job:local/replica:0/task:0/device:CPU:0');
  await sess.close();
  let joined = false;
  const j = server.join().then(() => { joined = true; });
  assert.not.ok(joined);
  await server.stop();
  await j;
  assert.ok(joined);
});

test('a port already in use fails the start with UnknownError', async () => {
  const a = await tf.train.Server.createLocalServer();
  const port = Number(a.target.split(':').pop());
  const b = new tf.train.Server({ local: [`localhost:${port}`] }, { start: false });
  await rejects(() => b.start(), (e) => e instanceof tf.errors.UnknownError);
  await a.stop();
  await b.stop();
});

test('a message to an unknown actor gets NotFoundError; a bad device string throws at once', async () => {
  const server = await tf.train.Server.createLocalServer();
  const t = new WsTransport({});
  try {
  await rejects(() => t.request(server.target, '/job:local/replica:0/task:0/device:CPU:7', { type: 'info' }, { timeoutMs: 3000 }),
    (e) => e instanceof tf.errors.NotFoundError && /device:CPU:7/.test(e.message));
  await rejects(() => t.request(server.target, '/job:local/replica:0/task:0/master', { type: 'bogus' }, { timeoutMs: 3000 }),
    (e) => e instanceof tf.errors.InvalidArgumentError && /bogus/.test(e.message));
  assert.throws(() => tf.device('/job:ps/foo:1', () => tf.constant(1)), (e: Error) => e instanceof tf.errors.InvalidArgumentError && /Unknown attribute: 'foo'/.test(e.message));
  // The node keeps serving after bad input.
  const sess = new tf.Session(server.target);
  assert.is((await sess.run(tf.constant(5))).toArray(), 5);
  await sess.close();
  } finally {
    await t.close();
    await server.stop();
  }
});

test('a node started with --token refuses clients without it and serves clients with it', async () => {
  const cluster = await clusterSpecOnFreePorts({ worker: 1 });
  const node = await startNode(cluster, 'worker', 0, { extraArgs: ['--token', 's3cret'] });
  try {
    const url = `ws://${cluster['worker']![0]}`;
    const none = new WsTransport({ unavailableTimeoutMs: 2000 });
    await rejects(() => none.request(url, 'master', { type: 'listDevices' }, { timeoutMs: 3000 }),
      (e) => e instanceof tf.errors.UnauthenticatedError || e instanceof tf.errors.UnavailableError);
    await none.close();
    const wrong = new WsTransport({ token: 'nope', unavailableTimeoutMs: 2000 });
    await rejects(() => wrong.request(url, 'master', { type: 'listDevices' }, { timeoutMs: 3000 }),
      (e) => e instanceof tf.errors.UnauthenticatedError || e instanceof tf.errors.UnavailableError);
    await wrong.close();
    tf.configureClientTransport({ token: 's3cret' });
    const sess = new tf.Session(url);
    assert.is((await sess.run(tf.add(tf.constant(1), 1))).toArray(), 2);
    await sess.close();
  } finally {
    tf.configureClientTransport({ token: null });
    await stopNode(node);
  }
});

test.run();
