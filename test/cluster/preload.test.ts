/**
 * The book's "Preload the data into a variable": a 100 MB float32 training set fed once from the
 * client into a non-trainable variable with collections: [], through the master of the task that
 * owns it, moves client -> owning device once and nowhere else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { WsTransport } from '../../transport/ws_transport.js';
import { clusterSpecOnFreePorts, startNode, stopNode, withTimeout, type NodeProc } from '../helpers/processes.js';

let cluster: Record<string, string[]>;
let nodes: NodeProc[] = [];

test.before(async () => {
  cluster = await clusterSpecOnFreePorts({ ps: 1, worker: 1 });
  nodes = await Promise.all([startNode(cluster, 'ps', 0), startNode(cluster, 'worker', 0)]);
});

test.after(async () => {
  await Promise.all(nodes.map((n) => stopNode(n)));
  await tf.closeClientTransport();
});

async function psLinks(): Promise<Record<string, { bytesSent: number; bytesReceived: number }>> {
  const t = new WsTransport({});
  try {
    const s = await t.request(`ws://${cluster['ps']![0]}`, '/job:ps/replica:0/task:0', { type: 'status' }) as { linkStats: Record<string, { bytesSent: number; bytesReceived: number }> };
    return s.linkStats;
  } finally {
    await t.close();
  }
}

test('a 100 MB training set is fed once, client -> ps, and stays out of globalVariables()', async () => {
  const nFeatures = 25;
  const rows = (100 * 1024 * 1024) / 4 / nFeatures;
  const init = tf.placeholder('float32', [null, nFeatures]);
  const trainingSet = new tf.Variable(init, { trainable: false, collections: [], name: 'training_set' });
  const rowSum = tf.reduceSum(trainingSet);
  assert.is(tf.globalVariables().length, 0);
  const data = new Float32Array(rows * nFeatures).fill(0.5);
  const before = { client: tf.clientLinkStats(), ps: await psLinks() };
  const sess = new tf.Session(`ws://${cluster['ps']![0]}`);
  await withTimeout(sess.run(trainingSet.initializer, [[init, tf.tensor(data, { shape: [rows, nFeatures] })]]), 60000, 'preload');
  const after = { client: tf.clientLinkStats(), ps: await psLinks() };
  const sent = Object.values(after.client).reduce((a, s) => a + s.bytesSent, 0) - Object.values(before.client).reduce((a, s) => a + s.bytesSent, 0);
  assert.ok(sent >= data.byteLength && sent < data.byteLength + 65536, `the client sent ${sent} bytes`);
  const psToWorker = (after.ps[`ws://${cluster['worker']![0]}`]?.bytesSent ?? 0) - (before.ps[`ws://${cluster['worker']![0]}`]?.bytesSent ?? 0);
  assert.ok(psToWorker < 65536, `ps sent ${psToWorker} bytes to the worker`);
  assert.is((await sess.run(rowSum)).toArray(), rows * nFeatures * 0.5);
  await sess.close();
});

test.run();
