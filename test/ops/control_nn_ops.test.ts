import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import { close, evaluate, rejectsWith, throwsError, value } from './op_test_util.js';

test.before.each(() => { tf.resetDefaultGraph(); });

test('assert: passes when true; fails the step with InvalidArgumentError "assertion failed: ..." naming the op', async () => {
  const x = tf.placeholder('float32', [3], 'x');
  const ok = tf.assert(tf.reduceAll(tf.greater(x, 0)), ['x must be positive', x], { name: 'pos' });
  assert.is(ok.type, 'Assert');
  assert.is(ok.outputs.length, 0);
  assert.is(await evaluate(ok, new Map([[x, tf.tensor([1, 2, 3])]])), null);
  const e = await rejectsWith(evaluate(ok, new Map([[x, tf.tensor([1, -2, 3])]])), InvalidArgumentError,
    /^assertion failed: \[x must be positive\] \[1 -2 3\]$/);
  assert.is(e.op, 'pos');
  const long = tf.assert(false, [tf.range(10)], { summarize: 4 });
  await rejectsWith(evaluate(long), InvalidArgumentError, /^assertion failed: \[0 1 2 3\.\.\.\]$/);
  // A computation that must wait for the check, through a control dependency.
  const y = tf.controlDependencies([ok], () => tf.mul(x, 2));
  await rejectsWith(evaluate(y, new Map([[x, tf.tensor([-1, 1, 1])]])), InvalidArgumentError, /assertion failed/);
  throwsError(() => tf.assert(tf.constant(1), []), InvalidArgumentError, /condition/);
  throwsError(() => tf.assert(tf.constant([true, false]), []), InvalidArgumentError, /Shape must be rank 0 but is rank 1/);
  assert.is(tf.Assert, tf.assert);
});

test('print passes its input through; group and noOp run their dependencies', async () => {
  const p = tf.print(tf.constant([1, 2]), [tf.constant('hi')], { message: 'value: ', firstN: 0 });
  assert.equal([p.op.type, p.shape], ['Print', [2]]);
  assert.equal(await value(p), [1, 2]);
  const x = tf.placeholder('float32', [], 'x');
  const check = tf.assert(tf.greater(x, 0), []);
  const g = tf.group(check, tf.noOp());
  await rejectsWith(evaluate(g, new Map([[x, tf.tensor(-1)]])), InvalidArgumentError, /assertion failed/);
  assert.is(await evaluate(g, new Map([[x, tf.tensor(1)]])), null);
});

test('tf.nn: relu, softmax, logSoftmax, sigmoid, tanh', async () => {
  assert.equal(Object.keys(tf.nn).sort(), ['logSoftmax', 'relu', 'relu6', 'sigmoid', 'softmax', 'softmaxCrossEntropyWithLogits', 'tanh']);
  assert.equal(await value(tf.nn.relu(tf.constant([-1, 0, 2]))), [0, 0, 2]);
  assert.equal(await value(tf.nn.relu(tf.constant([-1, 3], { dtype: 'int32' }))), [0, 3]);
  assert.equal(await value(tf.nn.relu6(tf.constant([-1, 3, 9]))), [0, 3, 6]);
  const sm = tf.nn.softmax(tf.constant([[1, 2, 3], [1000, 1000, 1000]]));
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const z = e[0]! + e[1]! + e[2]!;
  close(await value(sm), [[e[0]! / z, e[1]! / z, e[2]! / z], [1 / 3, 1 / 3, 1 / 3]]);
  close(await value(tf.nn.logSoftmax(tf.constant([1, 2, 3]))), e.map((v) => Math.log(v / z)));
  assert.is(tf.nn.sigmoid, tf.sigmoid);
  throwsError(() => tf.nn.softmax(tf.constant(1)), InvalidArgumentError, /Shape must be at least rank 1 but is rank 0/);
  throwsError(() => tf.nn.softmax(tf.constant([1], { dtype: 'int32' })), InvalidArgumentError, /DataType int32 not in list/);
});

test('tf.nn.softmaxCrossEntropyWithLogits({labels, logits}) returns the per-example loss', async () => {
  const logits = tf.constant([[2, 1, 0.1], [0.5, 2.5, 0.3]]);
  const labels = tf.constant([[1, 0, 0], [0, 0.5, 0.5]]);
  const loss = tf.nn.softmaxCrossEntropyWithLogits({ labels, logits });
  assert.equal([loss.op.type, loss.shape, loss.dtype], ['SoftmaxCrossEntropyWithLogits', [2], 'float32']);
  const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  const want = [lse([2, 1, 0.1]) - 2, 0.5 * (lse([0.5, 2.5, 0.3]) - 2.5) + 0.5 * (lse([0.5, 2.5, 0.3]) - 0.3)];
  close(await value(loss), want);
  assert.equal(loss.op.outputs[1]!.shape, [2, 3]);
  const mean = tf.reduceMean(loss);
  close([await value(mean)], [(want[0]! + want[1]!) / 2]);
  throwsError(() => tf.nn.softmaxCrossEntropyWithLogits({ labels: tf.constant([[1, 0]]), logits }), InvalidArgumentError,
    /Dimensions must be equal/);
  throwsError(() => tf.nn.softmaxCrossEntropyWithLogits({ labels, logits: tf.constant([1, 2, 3]) }), InvalidArgumentError,
    /Shape must be rank 2 but is rank 1/);
  throwsError(() => (tf.nn.softmaxCrossEntropyWithLogits as (a: unknown) => unknown)({ logits }), InvalidArgumentError, /labels, logits/);
});

test.run();
