import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import fc from 'fast-check';
import { rejects } from '../helpers/rejects.js';

test.before.each(() => { tf.resetDefaultGraph(); });

test("the book's snippet: a = 3, b = a + 2, c = a * 3 evaluates c to 9 on the master's CPU", async () => {
  const a = tf.constant(3.0);
  const b = tf.add(a, 2);
  const c = tf.mul(a, 3);
  await using sess = new tf.Session();
  const md: tf.RunMetadata = {};
  const v = await sess.run(c, undefined, { runMetadata: md });
  assert.is(v.toArray(), 9);
  assert.is((await b.eval(sess)).toArray(), 5);
  assert.is(md.placement![c.op.name], '/job:localhost/replica:0/task:0/device:CPU:0');
});

test('fetches keep their structure; operations fetch null; feeds by tensor, name or Map', async () => {
  const x = tf.placeholder('float32', [2], 'x');
  const y = tf.mul(x, 2);
  const g = tf.group(y);
  await using sess = new tf.Session();
  const r = await sess.run({ a: [y, g], b: x }, [[x, [1, 2]]]);
  assert.equal(r.a[0].toArray(), [2, 4]);
  assert.is(r.a[1], null);
  assert.equal(r.b.toArray(), [1, 2]);
  const r2 = await sess.run(y, new Map([['x:0', new Float32Array([3, 4])]]));
  assert.equal(r2.toArray(), [6, 8]);
  assert.is(r2.dtype, 'float32');
});

test('feeding a value of the wrong shape or type fails with InvalidArgumentError naming the tensor', async () => {
  const x = tf.placeholder('float32', [2], 'x');
  await using sess = new tf.Session();
  await rejects(() => sess.run(x, [[x, [1, 2, 3]]]), (e: Error) => e instanceof tf.errors.InvalidArgumentError && /Cannot feed value of shape \(3,\) for Tensor 'x:0', which has shape '\(2,\)'/.test(e.message));
  await rejects(() => sess.run(x, [[x, ['a', 'b']]]), (e: Error) => e instanceof tf.errors.InvalidArgumentError);
  await rejects(() => sess.run(x), (e: Error) => e instanceof tf.errors.InvalidArgumentError && /must feed a value for placeholder tensor 'x'/.test(e.message) && (e as tf.errors.OpError).op === 'x');
});

test('ops added after the session was created run too; several runs in flight at once', async () => {
  await using sess = new tf.Session();
  const a = tf.constant([1, 2, 3], { dtype: 'int32' });
  assert.equal((await sess.run(a)).toArray(), [1, 2, 3]);
  const b = tf.add(a, 1);
  const rs = await Promise.all([sess.run(b), sess.run(a), sess.run(tf.mul(b, b))]);
  assert.equal(rs.map((t) => t.toArray()), [[2, 3, 4], [1, 2, 3], [4, 9, 16]]);
  assert.is(rs[0].dtype, 'int32');
});

test('each target-less session has its own cluster; a closed session refuses to run', async () => {
  const a = tf.constant(1);
  const s1 = new tf.Session();
  const s2 = new tf.Session();
  assert.is.not(s1.embeddedServer, s2.embeddedServer);
  assert.is((await s1.run(a)).toArray(), 1);
  await s1.close();
  await s1.close();
  await rejects(() => s1.run(a), (e: Error) => e instanceof tf.errors.OpError);
  assert.is((await s2.run(a)).toArray(), 1);
  await s2.close();
});

test('pinning to a device the task lacks lists the devices; allowSoftPlacement runs it on the CPU', async () => {
  const a = tf.constant(1.0);
  const b = tf.device('/gpu:1', () => tf.add(a, 2));
  await using sess = new tf.Session();
  await rejects(() => sess.run(b), (e: Error) => e instanceof tf.errors.InvalidArgumentError
    && /explicitly assigned to \/job:localhost\/replica:0\/task:0\/device:GPU:1 but available devices are \[ \/job:localhost\/replica:0\/task:0\/device:CPU:0 \]/.test(e.message));
  await using soft = new tf.Session(null, { config: { allowSoftPlacement: true } });
  const md: tf.RunMetadata = {};
  assert.is((await soft.run(b, undefined, { runMetadata: md })).toArray(), 3);
  assert.is(md.placement![b.op.name], '/job:localhost/replica:0/task:0/device:CPU:0');
});

test('a malformed target fails with NotFoundError', () => {
  assert.throws(() => new tf.Session('nonexistent'), (e: Error) => e instanceof tf.errors.NotFoundError);
});

test('every op runs once per step: two assignAdds fetched together add twice, not three times', async () => {
  const v = new tf.Variable(0, { dtype: 'int32' });
  const one = tf.constant(1, { dtype: 'int32' });
  await using sess = new tf.Session();
  await sess.run(tf.globalVariablesInitializer());
  await sess.run([tf.assignAdd(v, one), tf.assignAdd(v, one)]);
  assert.is((await sess.run(v.value())).toArray(), 2);
});

test('property: fetched assignAdds behind shared inputs and chains of synchronous ops each run exactly once', async () => {
  // Kernels that finish synchronously (Const, Identity, Add) used to let a consumer reach zero
  // waits while the step was still launching its roots, and be launched a second time.
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({ chain: fc.integer({ min: 0, max: 3 }), shared: fc.boolean(), delta: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 6 }),
    async (ops) => {
      tf.resetDefaultGraph();
      const v = new tf.Variable(0, { dtype: 'int32' });
      // A shared delta is one Const node feeding several assignAdds (the case that ran twice).
      const pool = [1, 2, 3].map((x) => tf.constant(x, { dtype: 'int32' }));
      const zero = tf.constant(0, { dtype: 'int32' });
      const adds = ops.map(({ chain, shared, delta }) => {
        let d: tf.SymbolicTensor = shared ? pool[delta - 1]! : tf.constant(delta, { dtype: 'int32' });
        for (let k = 0; k < chain; k++) d = k % 2 ? tf.identity(d) : tf.add(d, zero);
        return tf.assignAdd(v, d);
      });
      await using sess = new tf.Session();
      await sess.run(tf.globalVariablesInitializer());
      await sess.run(adds);
      assert.is((await sess.run(v.value())).toArray(), ops.reduce((a, o) => a + o.delta, 0));
    }), { numRuns: 40, seed: 7 });
});

test('twenty runs in flight on one session print no listener-leak warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => { warnings.push(w.name); };
  process.on('warning', onWarning);
  try {
    const q = new tf.FIFOQueue({ capacity: 100, dtypes: ['int32'], shapes: [[]] });
    await using sess = new tf.Session();
    const runs = Array.from({ length: 20 }, () => sess.run(q.dequeue()));
    for (let i = 0; i < 20; i++) await sess.run(q.enqueue(i));
    const got = (await Promise.all(runs)).map((t) => (t as tf.Tensor).toArray() as number);
    assert.equal(got.sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
  } finally {
    process.off('warning', onWarning);
  }
});

// session_test.testFeedError: a graph element is not a feed value, however the step is run.
test('feeding a symbolic tensor, an operation or a variable as a value fails with TF\'s message', async () => {
  const feedT = tf.placeholder('float32');
  const outT = tf.identity(feedT);
  const feedVal = tf.constant(5.0);
  const v = new tf.Variable(1.0);
  await using sess = new tf.Session();
  const isFeedTensorError = (e: Error): boolean => e instanceof tf.errors.InvalidArgumentError
    && /cannot be a tf\.Tensor object/.test(e.message)
    && e.message === 'The value of a feed cannot be a tf.Tensor object. Acceptable feed values include Python scalars, '
      + 'strings, lists, numpy ndarrays, or TensorHandles.';
  await rejects(() => sess.run(outT, [[feedT, feedVal]]), isFeedTensorError);
  await rejects(() => outT.eval(sess, [[feedT, feedVal]]), isFeedTensorError);
  await rejects(() => outT.op.run(sess, [[feedT, feedVal]]), isFeedTensorError);
  await rejects(() => sess.run(outT, new Map([[feedT, feedVal.op]])), isFeedTensorError);
  await rejects(() => sess.run(outT, [[feedT, v]]), isFeedTensorError);
  await rejects(() => sess.run(outT, [[feedT, [feedVal, 1]]]), isFeedTensorError);
  // A concrete tensor is a value like any other.
  assert.is((await sess.run(outT, [[feedT, tf.tensor(2)]])).toArray(), 2);
});

// session_test.testFeedPrecisionLossError: a number the fed tensor's dtype cannot hold exactly is
// refused before the step runs, never wrapped or rounded.
test('feeding a value that does not fit the tensor\'s dtype fails with "is not compatible with Tensor type"', async () => {
  const largestInt64 = 2n ** 63n - 1n;
  const feedIntExplicitInt32 = tf.constant(1, { dtype: 'int32' });
  const outT = tf.constant(1.0);
  await using sess = new tf.Session();
  const incompatible = (re: RegExp) => (e: Error): boolean =>
    e instanceof tf.errors.InvalidArgumentError && /is not compatible with Tensor type/.test(e.message) && re.test(e.message);
  await rejects(() => sess.run(outT, [[feedIntExplicitInt32, largestInt64]]), incompatible(
    /^Type of feed value 9223372036854775807 with type bigint is not compatible with Tensor type int32\. Try explicitly setting the type of the feed tensor to a larger type \(e\.g\. int64\)\.$/));
  const i32 = tf.placeholder('int32', [null]);
  await rejects(() => sess.run(i32, [[i32, [1, 2 ** 40]]]), incompatible(/feed value 1099511627776 with type number .* int32/));
  await rejects(() => sess.run(i32, [[i32, [1.5]]]), incompatible(/feed value 1\.5 with type number .* int32/));
  await rejects(() => sess.run(i32, [[i32, new BigInt64Array([1n, -(2n ** 40n)])]]), incompatible(/-1099511627776 .* int32/));
  const u8 = tf.placeholder('uint8', [2]);
  await rejects(() => sess.run(u8, [[u8, new Int32Array([1, 256])]]), incompatible(/256 .* uint8/));
  await rejects(() => sess.run(u8, [[u8, [1, -1]]]), incompatible(/-1 .* uint8/));
  // A bigint is an explicit integer: rounding it to a float is a loss too (2**53 + 1 is not a double).
  const f64 = tf.placeholder('float64', []);
  await rejects(() => sess.run(f64, [[f64, 2n ** 53n + 1n]]), incompatible(/9007199254740993 .* double/));
  const f32 = tf.placeholder('float32', []);
  await rejects(() => sess.run(f32, [[f32, largestInt64]]), incompatible(/9223372036854775807 .* float/));
  assert.is((await sess.run(f32, [[f32, 5n]])).toArray(), 5);
  // What fits goes through exactly, int64 extremes included.
  const i64 = tf.placeholder('int64', [2]);
  assert.equal((await sess.run(i64, [[i64, [largestInt64, -(2n ** 63n)]]])).toArray(), [largestInt64, -(2n ** 63n)]);
  await rejects(() => sess.run(i64, [[i64, [2n ** 63n, 0n]]]), incompatible(/9223372036854775808 .* int64/));
  assert.equal((await sess.run(i32, [[i32, [-(2 ** 31), 2 ** 31 - 1]]])).toArray(), [-(2 ** 31), 2 ** 31 - 1]);
  assert.equal((await sess.run(i32, [[i32, [7n]]])).toArray(), [7]);
});

// session_test.testInvalidArgument: TypeErrors in TensorFlow, InvalidArgumentError here, at once.
test('a non-string target, a non-Graph graph or a non-object config is refused by the constructor', async () => {
  const bad = (fn: () => unknown, re: RegExp): void => {
    assert.throws(fn, (e: Error) => e instanceof tf.errors.InvalidArgumentError && re.test(e.message));
  };
  bad(() => new tf.Session(37 as never), /^target must be a string, but got number/);
  bad(() => new tf.Session({ config: {} } as never), /target must be a string, but got Object\. Did you do/);
  bad(() => new tf.Session(undefined, { config: 37 } as never), /^config must be a tf\.ConfigProto/);
  bad(() => new tf.Session(undefined, { graph: 37 } as never), /^graph must be a tf\.Graph, but got number/);
  bad(() => new tf.Session(null, { graph: {} } as never), /^graph must be a tf\.Graph, but got Object/);
  await rejects(() => tf.Session.reset(37 as never), (e: Error) => e instanceof tf.errors.InvalidArgumentError && /target must be a string/.test(e.message));
  // Well-formed arguments still work, an explicit graph included.
  const g = new tf.Graph();
  const c = g.asDefault(() => tf.constant(3));
  await using sess = new tf.Session(null, { graph: g, config: { operationTimeoutMs: 10_000 } });
  assert.is((await sess.run(c)).toArray(), 3);
});

test.run();
