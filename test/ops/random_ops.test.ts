import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '../../lib/index.js';
import { Prng } from '../../lib/ops/prng.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import { evaluate, throwsError, type KernelStates } from './op_test_util.js';

test.before.each(() => { tf.resetDefaultGraph(); });

test('property: Prng streams are a pure function of (seed, seed2) and differ between seeds', () => {
  fc.assert(fc.property(fc.integer(), fc.integer(), (s1, s2) => {
    const a = new Prng(s1, s2);
    const b = new Prng(s1, s2);
    const xs = Array.from({ length: 8 }, () => a.nextUint32());
    assert.equal(Array.from({ length: 8 }, () => b.nextUint32()), xs);
    const c = new Prng(s1 + 1, s2);
    assert.not.equal(Array.from({ length: 8 }, () => c.nextUint32()), xs);
  }), { numRuns: 100 });
});

test('property: permutation(n) is a permutation; nextInt stays in range; nextDouble in [0, 1)', () => {
  fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 200 }), (seed, n) => {
    const p = new Prng(seed);
    const perm = p.permutation(n);
    assert.equal([...perm].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < 20; i++) {
      const k = p.nextInt(n + 1);
      assert.ok(Number.isInteger(k) && k >= 0 && k <= n);
      const d = p.nextDouble();
      assert.ok(d >= 0 && d < 1);
    }
  }), { numRuns: 100 });
});

test('Prng: uniform enough (chi-square over 10 buckets) and normal samples have mean 0, variance 1', () => {
  const p = new Prng(7, 11);
  const buckets = new Array(10).fill(0);
  const N = 20000;
  for (let i = 0; i < N; i++) buckets[p.nextInt(10)]++;
  const chi = buckets.reduce((s, c) => s + (c - N / 10) ** 2 / (N / 10), 0);
  assert.ok(chi < 30, `chi-square ${chi}`);
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < N; i++) { const v = p.nextNormal(); sum += v; sq += v * v; }
  assert.ok(Math.abs(sum / N) < 0.05);
  assert.ok(Math.abs(sq / N - 1) < 0.05);
  // (0, 0) means nondeterministic: two generators almost surely differ.
  assert.not.equal(Prng.fromSeedPair(0, 0).permutation(20), Prng.fromSeedPair(0, 0).permutation(20));
});

test('randomShuffle: a permutation of dim 0 (rows stay whole); seeds come from graph.getSeed', async () => {
  const x = tf.constant([[0, 0], [1, 10], [2, 20], [3, 30], [4, 40], [5, 50], [6, 60], [7, 70]]);
  const s = tf.randomShuffle(x, { seed: 5 });
  assert.equal([s.op.type, s.shape], ['RandomShuffle', [8, 2]]);
  assert.equal([s.op.attrs['seed'], s.op.attrs['seed2']], [87654321, 5]);
  const rows = (await evaluate(s))!.toArray() as number[][];
  assert.equal(rows.map((r) => r[0]).sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const [a, b] of rows) assert.is(b, a! * 10);
  tf.setRandomSeed(3);
  const t = tf.randomShuffle(x);
  assert.is(t.op.attrs['seed'], 3);
  const u = tf.randomShuffle(x);
  assert.is.not(u.op.attrs['seed2'], t.op.attrs['seed2']);
  assert.is(tf.randomShuffle(tf.constant(5)).shape!.length, 0);
});

test('randomShuffle: same seed -> same sequence of orders; successive runs of one kernel differ', async () => {
  const orders = async (): Promise<unknown[]> => {
    tf.resetDefaultGraph();
    const s = tf.randomShuffle(tf.range(20), { seed: 1234 });
    const states: KernelStates = new Map();
    return [(await evaluate(s, new Map(), states))!.toArray(), (await evaluate(s, new Map(), states))!.toArray()];
  };
  const [a1, a2] = await orders();
  const [b1, b2] = await orders();
  assert.equal(a1, b1);
  assert.equal(a2, b2);
  assert.not.equal(a1, a2);
  tf.resetDefaultGraph();
  const other = (await evaluate(tf.randomShuffle(tf.range(20), { seed: 99 })))!.toArray();
  assert.not.equal(other, a1);
});

test('randomUniform, randomNormal, truncatedNormal: shapes, ranges, dtypes, seeds', async () => {
  const u = tf.randomUniform([1000], { minval: -2, maxval: 3, seed: 1 });
  assert.equal([u.dtype, u.shape], ['float32', [1000]]);
  const v = (await evaluate(u))!.toArray() as number[];
  assert.ok(v.every((x) => x >= -2 && x < 3));
  assert.ok(Math.abs(v.reduce((a, b) => a + b, 0) / v.length - 0.5) < 0.3);
  const ui = tf.randomUniform([500], { minval: 3, maxval: 7, dtype: 'int32', seed: 2 });
  const iv = (await evaluate(ui))!.toArray() as number[];
  assert.equal([...new Set(iv)].sort(), [3, 4, 5, 6]);
  throwsError(() => tf.randomUniform([2], { dtype: 'int32' }), InvalidArgumentError, /Must specify maxval for integer dtype/);
  const n = (await evaluate(tf.randomNormal([2000], { mean: 10, stddev: 2, seed: 3 })))!.toArray() as number[];
  const mean = n.reduce((a, b) => a + b, 0) / n.length;
  assert.ok(Math.abs(mean - 10) < 0.2, `mean ${mean}`);
  const t = (await evaluate(tf.truncatedNormal([2000], { seed: 4 })))!.toArray() as number[];
  assert.ok(t.every((x) => Math.abs(x) <= 2));
  assert.equal((await evaluate(tf.randomUniform([2, 3], { seed: 9 })))!.toArray(),
    (await evaluate(tf.randomUniform([2, 3], { seed: 9 })))!.toArray());
});

test.run();
