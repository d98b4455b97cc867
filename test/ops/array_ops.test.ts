import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '../../lib/index.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import { Tensor } from '../../lib/framework/tensor.js';
import { evaluate, rejectsWith, runKernel, throwsError, value } from './op_test_util.js';

test.before.each(() => { tf.resetDefaultGraph(); });

const m = () => tf.constant([[1, 2, 3], [4, 5, 6]]);

test('reshape: static shape, one -1 inferred, values unchanged, errors at build and run time', async () => {
  const r = tf.reshape(m(), [3, -1]);
  assert.equal([r.op.type, r.shape], ['Reshape', [3, 2]]);
  assert.equal(await value(r), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(tf.reshape(tf.placeholder('float32', [null, 3]), [-1, 3]).shape, [null, 3]);
  assert.equal(tf.reshape(m(), tf.placeholder('int32', [2])).shape, [null, null]);
  throwsError(() => tf.reshape(m(), [4], 'rs'), InvalidArgumentError,
    /^Cannot reshape a tensor with 6 elements to shape \[4\] \(4 elements\) for 'rs' \(op: 'Reshape'\)/);
  throwsError(() => tf.reshape(m(), [-1, -1]), InvalidArgumentError, /Only one input size may be -1, not both 0 and 1/);
  throwsError(() => tf.reshape(m(), [4, -1]), InvalidArgumentError, /Dimension size must be evenly divisible by 4 but is 6/);
  const x = tf.placeholder('float32', null, 'x');
  const rr = tf.reshape(x, [4], 'rr');
  const e = await rejectsWith(evaluate(rr, new Map([[x, tf.tensor([1, 2, 3])]])), InvalidArgumentError,
    /^Input to reshape is a tensor with 3 values, but the requested shape has 4$/);
  assert.is(e.op, 'rr');
});

test('stack (Pack) along any axis; unstack (Unpack); shape checks', async () => {
  const a = tf.constant([1, 2]);
  const b = tf.constant([3, 4]);
  const s = tf.stack([a, b]);
  assert.equal([s.op.type, s.op.name, s.shape], ['Pack', 'stack', [2, 2]]);
  assert.equal(await value(s), [[1, 2], [3, 4]]);
  assert.equal(await value(tf.stack([a, b], 1)), [[1, 3], [2, 4]]);
  assert.equal(await value(tf.stack([a, b], -1)), [[1, 3], [2, 4]]);
  assert.equal(await value(tf.stack([1, 2, 3])), [1, 2, 3]);
  assert.equal(await value(tf.stack([tf.constant('x'), 'y'])), ['x', 'y']);
  throwsError(() => tf.stack([a, tf.constant([1, 2, 3])]), InvalidArgumentError, /Dimensions must be equal, but are 2 and 3 for 'stack/);
  throwsError(() => tf.stack([a, b], 2), InvalidArgumentError, /axis = 2 not in \[-2, 2\)/);
  throwsError(() => tf.stack([a, tf.constant([1, 2], { dtype: 'int32' })]), InvalidArgumentError, /does not match type float32/);
  const parts = tf.unstack(m(), { axis: 1 });
  assert.is(parts.length, 3);
  assert.equal(parts[0]!.shape, [2]);
  assert.equal(await value(parts[2]!), [3, 6]);
  const [k] = await runKernel('Pack', [tf.tensor([1]), tf.tensor([1, 2])], { axis: 0, N: 2 }).catch((e: Error) => [e]);
  assert.match((k as Error).message, /Shapes of all inputs must match: values\[0\]\.shape = \[1\] != values\[1\]\.shape = \[2\]/);
});

test('tile: static shape, values, and multiples of the wrong length', async () => {
  const t = tf.tile(tf.constant([[1, 2]]), [2, 3]);
  assert.equal([t.op.type, t.shape], ['Tile', [2, 6]]);
  assert.equal(await value(t), [[1, 2, 1, 2, 1, 2], [1, 2, 1, 2, 1, 2]]);
  assert.equal(await value(tf.tile(tf.constant([[1], [2]]), [1, 2])), [[1, 1], [2, 2]]);
  assert.equal(await value(tf.tile(tf.constant(['a', 'b']), [2])), ['a', 'b', 'a', 'b']);
  assert.equal(await value(tf.tile(tf.constant([1, 2]), [0])), []);
  throwsError(() => tf.tile(m(), [1, 2, 3]), InvalidArgumentError, /Expected multiples argument to be a vector of length 2 but got length 3/);
  throwsError(() => tf.tile(m(), [1, -1]), InvalidArgumentError, /Expected multiples\[1\] >= 0, but got -1/);
});

test('property: tile repeats every element at index i mod the input shape', async () => {
  const dims = fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 3 });
  await fc.assert(fc.asyncProperty(dims, async (dm) => {
    tf.resetDefaultGraph();
    const shape = dm.map(([d]) => d);
    const mult = dm.map(([, k]) => k);
    const n = shape.reduce((p, d) => p * d, 1);
    const x = new Tensor('int32', shape, Int32Array.from({ length: n }, (_, i) => i));
    const out = (await evaluate(tf.tile(tf.constant(x), mult)))!;
    assert.equal(out.shape, shape.map((d, i) => d * mult[i]!));
    for (let i = 0; i < out.size; i++) {
      let r = i;
      let src = 0;
      let stride = 1;
      for (let k = shape.length - 1; k >= 0; k--) {
        const idx = r % out.shape[k]!;
        r = Math.floor(r / out.shape[k]!);
        src += (idx % shape[k]!) * stride;
        stride *= shape[k]!;
      }
      assert.is((out.data as Int32Array)[i], src);
    }
  }), { numRuns: 50 });
});

test('gather on axis 0 (Gather) and another axis (GatherV2); out-of-range indices fail naming the op', async () => {
  const g = tf.gather(tf.constant([[1, 2], [3, 4], [5, 6]]), [2, 0]);
  assert.equal([g.op.type, g.shape], ['Gather', [2, 2]]);
  assert.equal(await value(g), [[5, 6], [1, 2]]);
  assert.equal(await value(tf.gather(tf.constant(['a', 'b', 'c']), tf.constant([[1], [1]], { dtype: 'int32' }))), [['b'], ['b']]);
  const g2 = tf.gather(m(), [2, 2, 0], 1);
  assert.equal([g2.op.type, g2.shape], ['GatherV2', [2, 3]]);
  assert.equal(await value(g2), [[3, 3, 1], [6, 6, 4]]);
  const e = await rejectsWith(evaluate(tf.gather(tf.constant([1, 2, 3]), [1, 5], 0, 'gat')), InvalidArgumentError,
    /^indices\[1\] = 5 is not in \[0, 3\)$/);
  assert.is(e.op, 'gat');
});

test('concat (ConcatV2): static shapes, values on each axis, errors', async () => {
  const c = tf.concat([m(), tf.constant([[7, 8, 9]])], 0);
  assert.equal([c.op.type, c.op.name, c.shape], ['ConcatV2', 'concat', [3, 3]]);
  assert.equal(await value(c), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  assert.equal(await value(tf.concat([m(), tf.constant([[0], [0]])], -1)), [[1, 2, 3, 0], [4, 5, 6, 0]]);
  assert.equal(tf.concat([tf.placeholder('float32', [null, 3]), m()], 0).shape, [null, 3]);
  assert.equal(await value(tf.concat([tf.constant([1])], 0)), [1]);
  throwsError(() => tf.concat([m(), tf.constant([[1, 2]])], 0), InvalidArgumentError,
    /Dimension 1 in both shapes must be equal, but are 3 and 2\. Shapes are \[2,3\] and \[1,2\]\./);
  throwsError(() => tf.concat([m(), m()], 2), InvalidArgumentError, /Expected concatenating dimensions in the range \[-2, 2\), but got 2/);
  throwsError(() => tf.concat([m(), tf.constant([1])], 0), InvalidArgumentError, /Shape must be rank 2 but is rank 1/);
});

test('expandDims, squeeze, slice', async () => {
  const e = tf.expandDims(tf.constant([1, 2]), 0);
  assert.equal(e.shape, [1, 2]);
  assert.equal(await value(tf.expandDims(tf.constant([1, 2]), -1)), [[1], [2]]);
  throwsError(() => tf.expandDims(tf.constant([1, 2]), 3), InvalidArgumentError, /Tried to expand dim index 3 for tensor with 1 dimensions/);
  const sq = tf.squeeze(tf.constant([[[1], [2]]]));
  assert.equal(sq.shape, [2]);
  assert.equal(await value(sq), [1, 2]);
  assert.equal(tf.squeeze(tf.constant([[[1], [2]]]), [2]).shape, [1, 2]);
  assert.is(tf.squeeze(tf.placeholder('float32', [null, 1])).shape, null);
  throwsError(() => tf.squeeze(m(), 1), InvalidArgumentError, /Can not squeeze dim\[1\], expected a dimension of 1, got 3/);
  const sl = tf.slice(m(), [0, 1], [2, -1]);
  assert.equal(sl.shape, [2, 2]);
  assert.equal(await value(sl), [[2, 3], [5, 6]]);
  assert.equal(await value(tf.slice(m(), [1, 0], [1, 2])), [[4, 5]]);
  throwsError(() => tf.slice(m(), [0, 2], [1, 2]), InvalidArgumentError, /Expected size\[1\] in \[0, 1\], but got 2/);
});

test('shape, size, rank, fill, zeros, ones, zerosLike, onesLike, identity, stopGradient', async () => {
  const x = tf.placeholder('float32', [null, 3], 'x');
  const feeds = new Map([[x, tf.tensor([[1, 2, 3], [4, 5, 6]])]]);
  const sh = tf.shape(x);
  assert.equal([sh.dtype, sh.shape], ['int32', [2]]);
  assert.equal((await evaluate(sh, feeds))!.toArray(), [2, 3]);
  assert.equal((await evaluate(tf.shape(x, { outType: 'int64' }), feeds))!.toArray(), [2n, 3n]);
  assert.equal((await evaluate(tf.size(x), feeds))!.toArray(), 6);
  assert.equal((await evaluate(tf.rank(x), feeds))!.toArray(), 2);
  const f = tf.fill([2, 2], 7);
  assert.equal([f.op.type, f.shape, f.dtype], ['Fill', [2, 2], 'float32']);
  assert.equal(await value(f), [[7, 7], [7, 7]]);
  throwsError(() => tf.fill([2, -1], 1), InvalidArgumentError, /Fill dimensions must be >= 0/);
  const z = tf.zeros([2, 3], 'int32');
  assert.equal([z.dtype, z.shape], ['int32', [2, 3]]);
  assert.equal(await value(z), [[0, 0, 0], [0, 0, 0]]);
  assert.equal(await value(tf.ones([2])), [1, 1]);
  assert.equal(tf.zeros([100, 100]).op.type, 'Fill');
  assert.equal((await evaluate(tf.zeros(tf.shape(x)), feeds))!.shape, [2, 3]);
  assert.equal((await evaluate(tf.onesLike(x), feeds))!.toArray(), [[1, 1, 1], [1, 1, 1]]);
  assert.equal(await value(tf.zerosLike(tf.constant(['a']))), ['']);
  assert.equal((await evaluate(tf.zerosLike(x, 'int32'), feeds))!.dtype, 'int32');
  const id = tf.identity(m(), 'same');
  assert.equal([id.op.type, id.op.name, id.shape], ['Identity', 'same', [2, 3]]);
  assert.equal(await value(id), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(await value(tf.stopGradient(tf.constant(3))), 3);
});

// constant_op_test.ConstantTest: the shape argument of tf.constant (make_tensor_proto with
// verify_shape=False, then Tensor::FromProto).
test('constant with a shape: explicit and implicit shapes, fewer values padded with the last, too many refused', async () => {
  assert.equal(tf.constant([1, 2, 3, 4, 5, 6, 7], { shape: [7] }).shape, [7]); // testExplicitShapeList
  assert.equal(tf.constant([1, 2, 3, 4, 5, 6, 7]).shape, [7]); // testImplicitShapeList
  assert.equal(tf.constant(1, { shape: [1] }).shape, [1]); // testExplicitShapeNumber
  assert.equal(tf.constant(1).shape, []); // testImplicitShapeNumber
  // testShapeInconsistent: 7 values for 10 slots; the last value fills the rest.
  const c = tf.constant([1, 2, 3, 4, 5, 6, 7], { shape: [10] });
  assert.equal(c.shape, [10]);
  assert.equal(await value(c), [1, 2, 3, 4, 5, 6, 7, 7, 7, 7]);
  // testShapeWrong: the whole message is TensorFlow's.
  const e = throwsError(() => tf.constant([1, 2, 3, 4, 5, 6, 7], { shape: [5] }), InvalidArgumentError, /^Too many elements/);
  assert.is(e.message, 'Too many elements provided. Needed at most 5, but received 7');
  // The values are taken flat whatever their nesting; a scalar fills the shape (testIdTensor).
  assert.equal(await value(tf.constant([[1, 2, 3, 4]], { shape: [2, 2] })), [[1, 2], [3, 4]]);
  assert.equal(await value(tf.constant([[1, 2]], { shape: [2, 2] })), [[1, 2], [2, 2]]);
  const x = tf.constant(2.0, { shape: [6], name: 'input' });
  assert.equal([x.op.name, x.dtype, await value(x)], ['input', 'float32', [2, 2, 2, 2, 2, 2]]);
  assert.equal(await value(tf.constant(['a', 'b'], { shape: [3] })), ['a', 'b', 'b']);
  assert.equal(await value(tf.constant(5, { dtype: 'int64', shape: [2] })), [5n, 5n]);
  // No values at all: TensorFlow's FromProto fills the dtype's zero.
  assert.equal(await value(tf.constant([], { shape: [2, 2] })), [[0, 0], [0, 0]]);
  assert.equal(await value(tf.constant([], { dtype: 'bool', shape: [2] })), [false, false]);
  assert.equal(await value(tf.constant([], { dtype: 'string', shape: [2] })), ['', '']);
  // A shape with no elements ignores the values, as make_tensor_proto does (np.empty(shape)).
  assert.equal(await value(tf.constant([1, 2], { shape: [2, 0] })), [[], []]);
  throwsError(() => tf.constant(1, { shape: [2, -1] }), InvalidArgumentError, /Invalid shape/);
  // tf.tensor builds the same concrete value.
  assert.equal(tf.tensor([1, 2], { shape: [3] }).toArray(), [1, 2, 2]);
  throwsError(() => tf.tensor([1, 2, 3], { shape: [2] }), InvalidArgumentError, /Needed at most 2, but received 3/);
});

test('constant: integers that do not fit the dtype are refused with their exact value', () => {
  throwsError(() => tf.constant(2n ** 63n - 1n, { dtype: 'int32' }), InvalidArgumentError,
    /Value 9223372036854775807 out of range for int32/);
  throwsError(() => tf.constant(2n ** 63n, { dtype: 'int64' }), InvalidArgumentError,
    /Value 9223372036854775808 out of range for int64/);
  throwsError(() => tf.constant(256, { dtype: 'uint8' }), InvalidArgumentError, /out of range for uint8/);
  assert.equal(tf.tensor([2n ** 63n - 1n, -(2n ** 63n)], { dtype: 'int64' }).toArray(), [2n ** 63n - 1n, -(2n ** 63n)]);
  assert.equal(tf.tensor(-(2n ** 31n), { dtype: 'int32' }).toArray(), -(2 ** 31));
});

// constant_op_test.ZerosTest/OnesTest.testDtype and ZerosLikeTest: dtype given as TensorFlow's
// keyword argument, i.e. in an options object.
test('zeros, ones, zerosLike, onesLike take the dtype positionally or as {dtype, name}', async () => {
  const d = tf.fill([2, 3], 12, { name: 'fill' });
  assert.equal(d.shape, [2, 3]);
  for (const dtype of ['float32', 'float64', 'int32', 'uint8', 'int64', 'bool'] as const) {
    const zero = dtype === 'int64' ? 0n : dtype === 'bool' ? false : 0;
    const one = dtype === 'int64' ? 1n : dtype === 'bool' ? true : 1;
    for (const shapeArg of [[2, 3], tf.shape(d)]) {
      const z = tf.zeros(shapeArg, { dtype });
      const o = tf.ones(shapeArg, { dtype });
      // tf.shape of a fully known shape is a Const (shape_internal), so the static shape is known.
      assert.equal([z.dtype, z.shape, o.dtype, o.shape], [dtype, [2, 3], dtype, [2, 3]]);
      assert.equal(await value(z), [[zero, zero, zero], [zero, zero, zero]]);
      assert.equal(await value(o), [[one, one, one], [one, one, one]]);
    }
    assert.is(tf.zeros([2], dtype).dtype, dtype);
  }
  assert.is(tf.zeros([2], {}).dtype, 'float32');
  assert.is(tf.zeros([2], { name: 'z' }).op.name, 'z');
  assert.is(tf.ones([2], { dtype: 'int32', name: 'o' }).op.name, 'o');
  assert.is(tf.zeros([2], 'int32', 'named').op.name, 'named');
  const zl = tf.zerosLike(d, { dtype: 'int32' });
  assert.equal([zl.dtype, zl.shape, await value(zl)], ['int32', [2, 3], [[0, 0, 0], [0, 0, 0]]]);
  const ol = tf.onesLike(d, { dtype: 'float64', name: 'ol' });
  assert.equal([ol.dtype, await value(ol)], ['float64', [[1, 1, 1], [1, 1, 1]]]);
  assert.is(tf.onesLike(d, { name: 'same' }).op.name, 'same');
  throwsError(() => tf.zeros([2], { dtype: 'float16' }), InvalidArgumentError, /Unknown dtype "float16"/);
  throwsError(() => tf.ones([2], { dtype: 'string' }), InvalidArgumentError, /dtype string/);
});

test.run();
