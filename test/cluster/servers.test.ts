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

test("a job's name is its default container: Session.reset(target, ['local0']) clears it (server_lib_test.testSameVariablesClearContainer)", async () => {
  const server0 = new tf.train.Server({ local0: ['localhost:0'] }, { start: false });
  const server1 = new tf.train.Server({ local1: ['localhost:0'] }, { start: false });
  await server0.start();
  await server1.start();
  try {
    const v0 = new tf.Variable(1.0, { name: 'v0' });
    const v1 = new tf.Variable(2.0, { name: 'v0' });
    const sess0 = new tf.Session(server0.target);
    const sess1 = new tf.Session(server1.target);
    await sess0.run(v0.initializer);
    await sess1.run(v1.initializer);
    assert.is((await sess0.run(v0)).toArray(), 1);
    assert.is((await sess1.run(v1)).toArray(), 2);

    await tf.Session.reset(server0.target, ['local0']);
    const again0 = new tf.Session(server0.target);
    await rejects(() => again0.run(v0), (e) => e instanceof tf.errors.FailedPreconditionError);
    await again0.run(v0.initializer);
    assert.is((await sess1.run(v1)).toArray(), 2, 'the other server keeps its variable');

    await tf.Session.reset(server1.target, ['local1']);
    const again1 = new tf.Session(server1.target);
    await rejects(() => again1.run(v1), (e) => e instanceof tf.errors.FailedPreconditionError);
    assert.is((await again0.run(v0)).toArray(), 1);
    await Promise.all([again0.close(), again1.close()]);
  } finally {
    await server0.stop();
    await server1.stop();
  }
});

test.run();
