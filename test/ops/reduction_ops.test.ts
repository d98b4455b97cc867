import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '../../lib/index.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import { Tensor } from '../../lib/framework/tensor.js';
import { close, evaluate, rejectsWith, throwsError, value } from './op_test_util.js';

test.before.each(() => { tf.resetDefaultGraph(); });

const m = () => tf.constant([[1, 2, 3], [4, 5, 6]]);

test('reduceSum/reduceMean: all axes, one axis, negative axes, several axes, keepDims', async () => {
  const s = tf.reduceSum(m());
  assert.equal([s.op.type, s.shape], ['Sum', []]);
  assert.is(await value(s), 21);
  assert.equal(await value(tf.reduceSum(m(), 0)), [5, 7, 9]);
  assert.equal(await value(tf.reduceSum(m(), 1)), [6, 15]);
  assert.equal(await value(tf.reduceSum(m(), -1)), [6, 15]);
  assert.equal(await value(tf.reduceSum(m(), [0, 1])), 21);
  assert.equal(await value(tf.reduceSum(m(), [-1, 0])), 21);
  const k = tf.reduceSum(m(), 1, true);
  assert.equal(k.shape, [2, 1]);
  assert.equal(await value(k), [[6], [15]]);
  assert.equal(tf.reduceMean(m(), undefined, true).shape, [1, 1]);
  const mean = tf.reduceMean(m(), 0);
  assert.equal([mean.op.type, mean.shape], ['Mean', [3]]);
  assert.equal(await value(mean), [2.5, 3.5, 4.5]);
  assert.equal(await value(tf.reduceMean(m(), { axis: 1, keepDims: true })), [[2], [5]]);
  assert.equal(tf.reduceSum(m(), 0, { name: 'total' }).op.name, 'total');
  // A scalar reduces over no axes.
  assert.is(await value(tf.reduceSum(tf.constant(4))), 4);
});

test('reductions of integers: int32 sums wrap, means truncate; int64 in bigint', async () => {
  const i = tf.constant([[1, 2], [3, 5]], { dtype: 'int32' });
  assert.equal(await value(tf.reduceMean(i, 1)), [1, 4]);
  assert.equal(await value(tf.reduceMean(tf.constant([-3, 0], { dtype: 'int32' }))), -1);
  assert.equal(await value(tf.reduceSum(tf.constant([2147483647, 1], { dtype: 'int32' }))), -2147483648);
  assert.is(await value(tf.reduceSum(tf.constant([2n ** 60n, 2n ** 60n]))), 2n ** 61n);
});

test('reduceMax/Min/Prod/All/Any and argMax/argMin (int64 by default)', async () => {
  assert.equal(await value(tf.reduceMax(m(), 1)), [3, 6]);
  assert.equal(await value(tf.reduceMin(m(), 0)), [1, 2, 3]);
  assert.equal(await value(tf.reduceProd(m(), 1)), [6, 120]);
  const b = tf.constant([[true, false], [true, true]]);
  assert.equal(await value(tf.reduceAll(b, 1)), [false, true]);
  assert.equal(await value(tf.reduceAny(b, 0)), [true, true]);
  const am = tf.argMax(tf.constant([[1, 9, 3], [7, 2, 7]]), 1);
  assert.equal([am.dtype, am.shape], ['int64', [2]]);
  assert.equal(await value(am), [1n, 0n]);
  assert.equal(await value(tf.argMin(tf.constant([[1, 9], [0, 2]]), 0, { outputType: 'int32' })), [1, 1]);
  throwsError(() => tf.argMax(m(), 2), InvalidArgumentError, /Expected dimension in the range \[-2, 2\), but got 2/);
});

test('build-time errors: bad axis and bad dtype name the op', () => {
  throwsError(() => tf.reduceSum(m(), 2, false, 'r'), InvalidArgumentError,
    /^Invalid reduction dimension 2 for input with 2 dimensions\. for 'r' \(op: 'Sum'\)/);
  throwsError(() => tf.reduceMean(m(), -3), InvalidArgumentError, /Invalid reduction dimension -3 for input with 2 dimensions/);
  throwsError(() => tf.reduceSum(tf.constant(['a'])), InvalidArgumentError, /DataType string not in list/);
  throwsError(() => tf.reduceAll(m()), InvalidArgumentError, /DataType float32 not in list/);
});

test('unknown shapes: unknown rank reduces through Range(Rank(x)); a fed axis is checked at run time', async () => {
  const x = tf.placeholder('float32', null, 'x');
  const s = tf.reduceSum(x);
  assert.is(s.shape, null);
  assert.equal(s.op.inputs[1]!.op.type, 'Range');
  const feeds = new Map([[x, tf.tensor([[1, 2], [3, 4]])]]);
  assert.is((await evaluate(s, feeds))!.toArray(), 10);
  const ax = tf.placeholder('int32', [], 'ax');
  const r = tf.reduceSum(tf.placeholder('float32', [2, 3], 'y'), ax, true);
  assert.equal(r.shape, [null, null]);
  const y = r.op.inputs[0]!;
  const e = await rejectsWith(evaluate(r, new Map([[y, tf.tensor([[1, 2, 3], [4, 5, 6]])], [ax, tf.tensor(5, { dtype: 'int32' })]])),
    InvalidArgumentError, /Invalid reduction dimension \(5 for input with 2 dimension\(s\)/);
  assert.is(e.op, r.op.name);
});

test('property: summing over axes one at a time equals summing over them together and the total', async () => {
  const shape = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 });
  await fc.assert(fc.asyncProperty(shape, fc.infiniteStream(fc.integer({ min: -50, max: 50 })), async (s, nums) => {
    tf.resetDefaultGraph();
    const n = s.reduce((p, d) => p * d, 1);
    const it = nums[Symbol.iterator]();
    const data = Int32Array.from({ length: n }, () => it.next().value as number);
    const x = tf.constant(new Tensor('int32', s, data));
    const total = data.reduce((p, v) => p + v, 0);
    assert.is(await value(tf.reduceSum(x)), total);
    const axes = s.map((_, i) => i);
    let stepwise = x;
    for (let i = axes.length - 1; i >= 0; i--) stepwise = tf.reduceSum(stepwise, i);
    assert.is(await value(stepwise), total);
    const kept = tf.reduceSum(x, axes, true);
    assert.equal(kept.shape, s.map(() => 1));
    // Integer means truncate toward zero.
    assert.is(await value(tf.reduceMean(x)), Math.trunc(total / n));
    close(await value(tf.reduceMean(tf.cast(x, 'float64'))), [total / n]);
  }), { numRuns: 40 });
});

test('property: reduceSum over any subset of axes (with keepDims) matches a brute-force reference', async () => {
  const arb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 })
    .chain((s) => fc.tuple(fc.constant(s), fc.subarray(s.map((_, i) => i)), fc.boolean()));
  await fc.assert(fc.asyncProperty(arb, async ([s, axes, keep]) => {
    tf.resetDefaultGraph();
    const n = s.reduce((p, d) => p * d, 1);
    const data = Int32Array.from({ length: n }, (_, i) => (i * 7919) % 101 - 50);
    const out = (await evaluate(tf.reduceSum(tf.constant(new Tensor('int32', s, data)), axes, keep)))!;
    const outShape = s.map((d, i) => (axes.includes(i) ? 1 : d));
    assert.equal(out.shape, keep ? outShape : s.filter((_, i) => !axes.includes(i)));
    const want = new Array<number>(outShape.reduce((p, d) => p * d, 1)).fill(0);
    for (let i = 0; i < n; i++) {
      let r = i;
      let o = 0;
      let stride = 1;
      for (let k = s.length - 1; k >= 0; k--) {
        const idx = r % s[k]!;
        r = Math.floor(r / s[k]!);
        if (!axes.includes(k)) o += idx * stride;
        stride *= outShape[k]!;
      }
      want[o]! += data[i]!;
    }
    assert.equal(Array.from(out.data as Int32Array), want);
  }), { numRuns: 80 });
});

test.run();
