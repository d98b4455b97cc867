import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import { close, rejectsWith } from './op_test_util.js';

test.before.each(() => { tf.resetDefaultGraph(); });

test("end to end: a = 3, b = a + 2, c = a * 3 -> c is 9 (and b 5) in an embedded session", async () => {
  const a = tf.constant(3.0);
  const b = tf.add(a, 2);
  const c = tf.mul(a, 3);
  await using sess = new tf.Session();
  assert.is((await c.eval(sess)).toArray(), 9);
  assert.equal((await sess.run([b, c])).map((t: tf.Tensor) => t.toArray()), [5, 9]);
});

test('end to end: matMul, reductions with axes, broadcasting, int64, casts and feeds', async () => {
  const x = tf.placeholder('float32', [null, 3], 'x');
  const w = tf.constant([[1, 0], [0, 1], [1, 1]]);
  const y = tf.matMul(x, w);
  const rowSum = tf.reduceSum(y, 1);
  const colMean = tf.reduceMean(y, 0, true);
  const shifted = tf.sub(y, colMean);
  const big = tf.mul(tf.constant([3n, -4n]), 2);
  const idx = tf.argMax(y, 1);
  await using sess = new tf.Session();
  const r = await sess.run({ y, rowSum, colMean, shifted, big, idx, n: tf.cast(tf.size(x), 'float32') },
    [[x, [[1, 2, 3], [4, 5, 6]]]]);
  assert.equal(r.y.toArray(), [[4, 5], [10, 11]]);
  assert.equal(r.rowSum.toArray(), [9, 21]);
  assert.equal(r.colMean.toArray(), [[7, 8]]);
  assert.equal(r.shifted.toArray(), [[-3, -3], [3, 3]]);
  assert.equal(r.big.toArray(), [6n, -8n]);
  assert.instance(r.big.data, BigInt64Array);
  assert.equal(r.idx.toArray(), [1n, 1n]);
  assert.is(r.n.toArray(), 6);
  const sm = await sess.run(tf.nn.softmaxCrossEntropyWithLogits({ labels: [[0, 1]], logits: [[0, 0]] }));
  close(sm.toArray(), [Math.log(2)]);
});

test('end to end: a run-time shape error reaches the client as InvalidArgumentError naming the op', async () => {
  const a = tf.placeholder('float32', null, 'a');
  const b = tf.placeholder('float32', null, 'b');
  const s = tf.add(a, b, 'sum');
  await using sess = new tf.Session();
  const e = await rejectsWith(sess.run(s, [[a, [[1, 2, 3], [4, 5, 6]]], [b, [1, 2, 3, 4]]]), InvalidArgumentError,
    /Incompatible shapes: \[2,3\] vs\. \[4\]/);
  assert.is(e.op, 'sum');
  // The session stays usable.
  assert.equal((await sess.run(s, [[a, [1]], [b, [2]]])).toArray(), [3]);
});

test('end to end: randomShuffle with a seed gives a permutation, the same order in a fresh session, new orders per run', async () => {
  const build = () => tf.randomShuffle(tf.range(10), { seed: 42 });
  const s = build();
  const s1 = new tf.Session();
  const s2 = new tf.Session();
  try {
    const first = (await s1.run(s)).toArray() as number[];
    assert.equal([...first].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal((await s2.run(s)).toArray(), first);
    const second = (await s1.run(s)).toArray();
    assert.not.equal(second, first);
    assert.equal((await s2.run(s)).toArray(), second);
  } finally {
    await s1.close();
    await s2.close();
  }
});

test('end to end: an Assert fails its step; tf.group runs its members', async () => {
  const x = tf.placeholder('float32', [], 'x');
  const check = tf.assert(tf.greater(x, 0), ['x must be positive: ', x], { name: 'check' });
  const y = tf.controlDependencies([check], () => tf.identity(x));
  await using sess = new tf.Session();
  assert.is((await sess.run(y, [[x, 2]])).toArray(), 2);
  const e = await rejectsWith(sess.run(y, [[x, -1]]), InvalidArgumentError, /assertion failed: \[x must be positive: \] \[-1\]/);
  assert.is(e.op, 'check');
  assert.is(await sess.run(tf.group(check), [[x, 1]]), null);
});

test.run();
