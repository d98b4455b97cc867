import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '../../lib/index.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import { Tensor } from '../../lib/framework/tensor.js';
import { close, evaluate, namesOp, rejectsWith, runKernel, throwsError, value } from './op_test_util.js';

test.before.each(() => { tf.resetDefaultGraph(); });

const i32 = (v: unknown) => tf.constant(v, { dtype: 'int32' });

test("the book's a = 3, b = a + 2, c = a * 3: ops AddV2 and Mul, plain operands become Consts of a's dtype", async () => {
  const a = tf.constant(3.0);
  const b = tf.add(a, 2);
  const c = tf.mul(a, 3);
  assert.is(b.op.type, 'AddV2');
  assert.is(c.op.type, 'Mul');
  assert.equal([b.dtype, c.dtype], ['float32', 'float32']);
  assert.is(b.op.inputs[1]!.name, 'add/y:0');
  assert.is(await value(c), 9);
  assert.is(await value(b), 5);
  // The SymbolicTensor convenience methods build the same ops.
  assert.is(a.add(2).op.type, 'AddV2');
  assert.is(await value(a.mul(3)), 9);
  assert.is(await value(tf.sub(a, 5)), -2);
  assert.is(await value(tf.neg(a)), -3);
  assert.is(await value(tf.square(a)), 9);
  // A plain value on the left takes the right operand's dtype.
  const m = tf.mul(2, i32(5));
  assert.is(m.dtype, 'int32');
  assert.is(await value(m), 10);
});

test('binary ops: different dtypes fail at build time naming the op; a plain value that does not fit its dtype too', () => {
  const e = throwsError(() => tf.add(tf.constant(1), i32(1)), InvalidArgumentError,
    /Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument 'x'/);
  namesOp(e, 'add');
  throwsError(() => tf.mul(i32(1), 2.5), InvalidArgumentError, /Expected int32 passed to parameter 'y' of op 'Mul', got 2.5/);
  throwsError(() => tf.add(tf.constant('a'), tf.constant('b')), InvalidArgumentError, /DataType string not in list of allowed values/);
  throwsError(() => tf.exp(i32(1)), InvalidArgumentError, /Value passed to parameter 'x' has DataType int32 not in list/);
  throwsError(() => tf.realDiv(i32(1), i32(2)), InvalidArgumentError, /DataType int32 not in list/);
});

test('broadcasting: static shapes with unknown dims, and the build-time error names the op', () => {
  const p = (s: (number | null)[] | null) => tf.placeholder('float32', s);
  assert.equal(tf.add(p([2, 3]), p([3])).shape, [2, 3]);
  assert.equal(tf.add(p([2, 1]), p([1, 4])).shape, [2, 4]);
  assert.equal(tf.add(p([null, 3]), p([3])).shape, [null, 3]);
  assert.equal(tf.add(p([null, 3]), p([5, 1])).shape, [5, 3]);
  assert.equal(tf.add(p([1]), p([null])).shape, [null]);
  assert.equal(tf.add(p([4, 1, 2]), p([3, 1])).shape, [4, 3, 2]);
  assert.is(tf.add(p(null), p([3])).shape, null);
  assert.equal(tf.add(p([]), p([2, 2])).shape, [2, 2]);
  const e = throwsError(() => tf.add(p([2, 3]), p([4]), 'myadd'), InvalidArgumentError,
    /^Dimensions must be equal, but are 3 and 4 for 'myadd' \(op: 'AddV2'\) with input shapes: \[2,3\], \[4\]\.$/);
  namesOp(e, 'myadd');
});

test('broadcasting at run time: values and the "Incompatible shapes" error naming the op', async () => {
  assert.equal(await value(tf.add(tf.constant([[1, 2, 3], [4, 5, 6]]), tf.constant([10, 20, 30]))), [[11, 22, 33], [14, 25, 36]]);
  assert.equal(await value(tf.mul(tf.constant([[1], [2]]), tf.constant([[1, 2, 3]]))), [[1, 2, 3], [2, 4, 6]]);
  const x = tf.placeholder('float32', null, 'x');
  const y = tf.placeholder('float32', null, 'y');
  const s = tf.add(x, y, 'sum');
  const feeds = new Map([[x, tf.tensor([[1, 2, 3], [4, 5, 6]])], [y, tf.tensor([1, 2, 3, 4])]]);
  const e = await rejectsWith(evaluate(s, feeds), InvalidArgumentError, /^Incompatible shapes: \[2,3\] vs\. \[4\]$/);
  assert.is(e.op, 'sum');
});

test('property: broadcast kernels agree with an index-by-index reference and with static inference', async () => {
  const dim = fc.integer({ min: 1, max: 3 });
  const shapes = fc.array(dim, { maxLength: 3 }).chain((out) => fc.tuple(
    fc.constant(out),
    fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    fc.nat({ max: out.length }),
  ).map(([o, ones, drop]) => {
    // b: the output shape with some dims set to 1 and some leading dims dropped.
    const b = o.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
    return [o, b] as const;
  }));
  await fc.assert(fc.asyncProperty(shapes, fc.boolean(), async ([a, b], swap) => {
    tf.resetDefaultGraph();
    const [sa, sb] = swap ? [b, a] : [a, b];
    const n = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
    const ta = new Tensor('int32', [...sa], Int32Array.from({ length: n(sa) }, (_, i) => i + 1));
    const tb = new Tensor('int32', [...sb], Int32Array.from({ length: n(sb) }, (_, i) => 100 * (i + 1)));
    const sym = tf.add(tf.constant(ta), tf.constant(tb));
    const out = (await evaluate(sym))!;
    assert.equal(sym.shape, out.shape);
    assert.equal(out.shape, a);
    // Reference: each output index maps to each input by clamping broadcast dims to 0.
    const at = (t: Tensor, idx: number[]) => {
      const off = idx.length - t.shape.length;
      let flat = 0;
      t.shape.forEach((d, k) => { flat = flat * d + (d === 1 ? 0 : idx[k + off]!); });
      return (t.data as Int32Array)[flat]!;
    };
    for (let i = 0; i < out.size; i++) {
      const idx: number[] = [];
      let r = i;
      for (let k = out.shape.length - 1; k >= 0; k--) { idx.unshift(r % out.shape[k]!); r = Math.floor(r / out.shape[k]!); }
      assert.is((out.data as Int32Array)[i], at(ta, idx) + at(tb, idx));
    }
  }), { numRuns: 60 });
});

test('integers stay integers: int32 wraps like TensorFlow, int64 uses bigint, uint8 wraps at 256', async () => {
  assert.equal(await value(tf.add(i32([2147483647, 1]), 1)), [-2147483648, 2]);
  assert.equal(await value(tf.mul(i32([65536]), 65536)), [0]);
  const big = tf.constant([9007199254740993n, -5n]);
  assert.is(big.dtype, 'int64');
  const r = (await evaluate(tf.add(big, 2)))!;
  assert.instance(r.data, BigInt64Array);
  assert.equal(r.toArray(), [9007199254740995n, -3n]);
  assert.equal(await value(tf.mul(tf.constant([9223372036854775807n]), 2n)), [-2n]);
  assert.equal(await value(tf.add(tf.constant([250], { dtype: 'uint8' }), 10)), [4]);
  assert.equal(await value(tf.sub(i32([5]), 7)), [-2]);
});

test('tf.div follows TF1: RealDiv for floats, FloorDiv for ints (flooring, and division by zero fails)', async () => {
  const fdiv = tf.div(tf.constant([7, -7]), 2);
  assert.is(fdiv.op.type, 'RealDiv');
  assert.equal(await value(fdiv), [3.5, -3.5]);
  const idiv = tf.div(i32([7, -7, 6]), 2);
  assert.is(idiv.op.type, 'FloorDiv');
  assert.equal([fdiv.op.name, idiv.op.name], ['div', 'div_1']);
  assert.equal(await value(idiv), [3, -4, 3]);
  assert.equal(await value(tf.div(tf.constant([-7n]), 2n)), [-4n]);
  assert.equal(await value(tf.floorMod(i32([7, -7]), 3)), [1, 2]);
  await rejectsWith(evaluate(tf.div(i32([1]), 0, 'd0')), InvalidArgumentError, /Integer division by zero/);
  const td = tf.truediv(i32([7]), 2);
  assert.is(td.dtype, 'float64');
  assert.equal(await value(td), [3.5]);
  assert.is(tf.divide(tf.constant(1), 2).op.type, 'RealDiv');
  assert.is(await value(tf.div(8, 2)), 4);
});

test('comparisons give bool; Equal takes strings; logical ops; maximum/minimum/pow', async () => {
  const a = tf.constant([1, 5, 3]);
  const g = tf.greater(a, 2);
  assert.is(g.dtype, 'bool');
  assert.equal(await value(g), [false, true, true]);
  assert.equal(await value(tf.less(a, 3)), [true, false, false]);
  assert.equal(await value(tf.greaterEqual(a, 3)), [false, true, true]);
  assert.equal(await value(tf.lessEqual(a, 3)), [true, false, true]);
  assert.equal(await value(tf.equal(a, 5)), [false, true, false]);
  assert.equal(await value(tf.notEqual(tf.constant(['a', 'b']), 'a')), [false, true]);
  assert.equal(await value(tf.logicalAnd(g, tf.constant([true, false, true]))), [false, false, true]);
  assert.equal(await value(tf.logicalOr(g, tf.constant([true, false, false]))), [true, true, true]);
  assert.equal(await value(tf.logicalNot(g)), [true, false, false]);
  assert.equal(await value(tf.maximum(a, 2)), [2, 5, 3]);
  assert.equal(await value(tf.minimum(a, 2)), [1, 2, 2]);
  assert.equal(await value(tf.pow(i32([2, 3]), 10)), [1024, 59049]);
  close(await value(tf.pow(tf.constant([4]), 0.5)), [2]);
  throwsError(() => tf.greater(tf.constant([true]), true), InvalidArgumentError, /DataType bool not in list/);
});

test('unary math: exp, log, sqrt, abs, sign, sigmoid, tanh, floor/ceil/round (half to even)', async () => {
  const x = tf.constant([-1.5, 0.5, 2.5]);
  close(await value(tf.exp(x)), [Math.exp(-1.5), Math.exp(0.5), Math.exp(2.5)]);
  close(await value(tf.log(tf.constant([1, Math.E]))), [0, 1]);
  close(await value(tf.sqrt(tf.constant([4, 9]))), [2, 3]);
  assert.equal(await value(tf.abs(x)), [1.5, 0.5, 2.5]);
  assert.equal(await value(tf.abs(i32([-3, 4]))), [3, 4]);
  assert.equal(await value(tf.sign(x)), [-1, 1, 1]);
  close(await value(tf.sigmoid(tf.constant([0]))), [0.5]);
  close(await value(tf.tanh(tf.constant([0.5]))), [Math.tanh(0.5)]);
  assert.equal(await value(tf.floor(x)), [-2, 0, 2]);
  assert.equal(await value(tf.ceil(x)), [-1, 1, 3]);
  assert.equal(await value(tf.round(x)), [-2, 0, 2]);
  assert.equal(await value(tf.neg(i32([-2147483648, 3]))), [-2147483648, -3]);
  assert.equal(await value(tf.square(tf.constant([3n]))), [9n]);
  assert.equal(await value(tf.addN([i32([1, 2]), i32([3, 4]), [5, 5]])), [9, 11]);
  throwsError(() => tf.addN([i32([1, 2]), 5]), InvalidArgumentError, /Shapes must be equal rank, but are 1 and 0 for 'AddN/);
});

test('matMul: shapes with transposes, values, build-time and run-time errors naming the op', async () => {
  const a = tf.constant([[1, 2, 3], [4, 5, 6]]);
  const b = tf.constant([[1, 0], [0, 1], [1, 1]]);
  const m = tf.matMul(a, b);
  assert.is(m.op.type, 'MatMul');
  assert.equal(m.shape, [2, 2]);
  assert.equal(await value(m), [[4, 5], [10, 11]]);
  assert.equal(tf.matMul(a, a, { transposeA: true }).shape, [3, 3]);
  assert.equal(await value(tf.matMul(a, a, { transposeB: true })), [[14, 32], [32, 77]]);
  assert.equal(await value(tf.matMul(b, a, { transposeA: true, transposeB: true })), [[1 + 3, 4 + 6], [2 + 3, 5 + 6]]);
  assert.equal(await value(tf.matMul(i32([[2147483647]]), i32([[2]]))), [[-2]]);
  assert.equal(tf.matMul(tf.placeholder('float32', [null, 3]), tf.placeholder('float32', [3, null])).shape, [null, null]);
  throwsError(() => tf.matMul(a, a, { name: 'mm' }), InvalidArgumentError,
    /^Dimensions must be equal, but are 3 and 2 for 'mm' \(op: 'MatMul'\) with input shapes: \[2,3\], \[2,3\]\.$/);
  throwsError(() => tf.matMul(tf.constant([1, 2]), a), InvalidArgumentError, /Shape must be rank 2 but is rank 1 for 'MatMul/);
  throwsError(() => tf.matMul(a, i32([[1]])), InvalidArgumentError, /does not match type float32/);
  const [r] = await runKernel('MatMul', [tf.tensor([[1, 2]]), tf.tensor([[1, 2]])], {}, 'mk').catch((e: Error) => [e]);
  assert.instance(r, InvalidArgumentError);
  assert.match((r as Error).message, /^Matrix size-incompatible: In\[0\]: \[1,2\], In\[1\]: \[1,2\]$/);
  assert.is((r as InvalidArgumentError).op, 'mk');
});

test('cast: same dtype returns x itself; float->int truncates; bool; string casts are refused', async () => {
  const x = tf.constant([1.7, -1.7, 0]);
  assert.is(tf.cast(x, 'float32'), x);
  const c = tf.cast(x, 'int32');
  assert.equal([c.op.type, c.dtype], ['Cast', 'int32']);
  assert.equal(await value(c), [1, -1, 0]);
  assert.equal(await value(tf.cast(x, 'bool')), [true, true, false]);
  assert.equal(await value(tf.cast(x, 'int64')), [1n, -1n, 0n]);
  assert.equal(await value(tf.cast(tf.constant([NaN]), 'int64')), [-(2n ** 63n)]);
  assert.equal(await value(tf.cast(tf.constant([true, false]), 'float32')), [1, 0]);
  throwsError(() => tf.cast(tf.constant('a'), 'float32'), InvalidArgumentError, /Cast string to float32 is not supported/);
});

test('range: forms, dtype inference, static size, errors at build and run time', async () => {
  const r = tf.range(5);
  assert.equal([r.dtype, r.shape], ['int32', [5]]);
  assert.equal(await value(r), [0, 1, 2, 3, 4]);
  assert.equal(await value(tf.range(1, 10, 3)), [1, 4, 7]);
  assert.equal(await value(tf.range(5, 1, -2)), [5, 3]);
  const f = tf.range(0, 1, 0.25);
  assert.equal([f.dtype, f.shape], ['float32', [4]]);
  assert.equal(await value(f), [0, 0.25, 0.5, 0.75]);
  assert.equal(await value(tf.range(0, 3, 1, { dtype: 'int64' })), [0n, 1n, 2n]);
  throwsError(() => tf.range(5, 2), InvalidArgumentError, /Requires start <= limit when delta > 0: 5\/2/);
  throwsError(() => tf.range(0, 5, 0), InvalidArgumentError, /Requires delta != 0/);
  const lim = tf.placeholder('int32', [], 'lim');
  const dyn = tf.range(0, lim);
  assert.equal(dyn.shape, [null]);
  assert.equal((await evaluate(dyn, new Map([[lim, tf.tensor(3, { dtype: 'int32' })]])))!.toArray(), [0, 1, 2]);
  await rejectsWith(evaluate(tf.range(3, lim), new Map([[lim, tf.tensor(1, { dtype: 'int32' })]])),
    InvalidArgumentError, /Requires start <= limit when delta > 0: 3\/1/);
});

test.run();
