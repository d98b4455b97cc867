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

test.run();
