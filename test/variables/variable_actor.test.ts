import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { VariableActor, sharesVariableStorage, type VariableRequest } from '../../actors/variable_actor.js';
import * as errors from '../../lib/framework/errors.js';
import { tensor, Tensor } from '../../lib/framework/tensor.js';
import type { StaticShape } from '../../lib/framework/op_registry.js';
import type { DType } from '../../lib/framework/dtypes.js';
import { rejectsWith as rejects } from '../helpers/rejects.js';

const DEV = '/job:ps/replica:0/task:0/device:CPU:0';

function make(dtype: DType = 'float32', shape: StaticShape = [2], name = 'x'): VariableActor {
  return new VariableActor(`${DEV}/container:/variable:${name}`, { name, container: '', device: DEV, dtype, shape });
}

const ask = <R = Tensor>(a: VariableActor, msg: VariableRequest): Promise<R> => a.deliver<R>(msg);
const f32 = (v: number[], shape?: number[]): Tensor => tensor(v, { dtype: 'float32', shape });


test('reading an uninitialised variable fails with FailedPrecondition naming it and its device', async () => {
  const v = make();
  const err = await rejects(ask(v, { type: 'read', op: { name: 'x/read', type: 'VariableRead' } }),
    errors.FailedPreconditionError, /^Attempting to use uninitialized value x\b/);
  assert.is(err.device, DEV);
  assert.is(err.op, 'x/read');
  assert.ok(err.message.includes(DEV));
  assert.is(err.code, 'FAILED_PRECONDITION');
  await rejects(ask(v, { type: 'assignAdd', value: f32([1, 1]) }), errors.FailedPreconditionError, /uninitialized value x/);
  await rejects(ask(v, { type: 'countUpTo', limit: 3 }), errors.FailedPreconditionError, /uninitialized value x/);
  const init = await ask(v, { type: 'isInitialized' });
  assert.is(init.dtype, 'bool');
  assert.is(init.toArray(), false);
});

test('assign, read, assignAdd, assignSub', async () => {
  const v = make();
  const a = await ask(v, { type: 'assign', value: f32([1, 2]) });
  assert.equal(a.toArray(), [1, 2]);
  assert.equal((await ask(v, { type: 'read' })).toArray(), [1, 2]);
  assert.equal((await ask(v, { type: 'assignAdd', value: f32([10, 20]) })).toArray(), [11, 22]);
  assert.equal((await ask(v, { type: 'assignSub', value: f32([1, 2]) })).toArray(), [10, 20]);
  assert.is((await ask(v, { type: 'isInitialized' })).toArray(), true);
  const info = v.info();
  assert.is(info.bytes, 8);
  assert.equal(info.shape, [2]);
});

test('assign validates shapes with TensorFlow\'s message; validateShape false replaces the shape', async () => {
  const v = make('float32', [2]);
  const err = await rejects(ask(v, { type: 'assign', value: f32([1, 2, 3]) }), errors.InvalidArgumentError,
    /^Assign requires shapes of both tensors to match\. lhs shape= \[2\] rhs shape= \[3\]$/);
  assert.is(err.device, DEV);
  await ask(v, { type: 'assign', value: f32([1, 2]) });
  await rejects(ask(v, { type: 'assign', value: f32([1, 2, 3]) }), errors.InvalidArgumentError, /lhs shape= \[2\] rhs shape= \[3\]/);
  const r = await ask(v, { type: 'assign', value: f32([1, 2, 3]), validateShape: false });
  assert.equal(r.shape, [3]);
  assert.equal((await ask(v, { type: 'read' })).toArray(), [1, 2, 3]);
  await rejects(ask(v, { type: 'assign', value: f32([1, 2]) }), errors.InvalidArgumentError, /lhs shape= \[3\] rhs shape= \[2\]/);
});

test('a partially known shape accepts matching values, then fixes the shape', async () => {
  const v = make('float32', [null, 2]);
  await rejects(ask(v, { type: 'assign', value: f32([1, 2, 3], [1, 3]) }), errors.InvalidArgumentError,
    /lhs shape= \[\?,2\] rhs shape= \[1,3\]/);
  await ask(v, { type: 'assign', value: f32([1, 2, 3, 4, 5, 6], [3, 2]) });
  await rejects(ask(v, { type: 'assign', value: f32([1, 2], [1, 2]) }), errors.InvalidArgumentError,
    /lhs shape= \[3,2\] rhs shape= \[1,2\]/);
});

test('dtype and shape mismatches on updates are InvalidArgument', async () => {
  const v = make();
  await ask(v, { type: 'assign', value: f32([1, 2]) });
  await rejects(ask(v, { type: 'assign', value: tensor([1, 2], { dtype: 'int32' }) }), errors.InvalidArgumentError, /dtype float/);
  await rejects(ask(v, { type: 'assignAdd', value: f32([1, 2, 3]) }), errors.InvalidArgumentError,
    /^Parameters and update must be the same size/);
  const s = make('string', [], 's');
  await ask(s, { type: 'assign', value: tensor('a') });
  await rejects(ask(s, { type: 'assignAdd', value: tensor('b') }), errors.InvalidArgumentError, /dtype string/);
  assert.is((await ask(s, { type: 'read' })).toArray(), 'a');
});

test('countUpTo returns the old value and stops at the limit with OutOfRange', async () => {
  for (const dtype of ['int32', 'int64'] as const) {
    const v = make(dtype, [], 'epochs');
    await ask(v, { type: 'assign', value: tensor(0, { dtype }) });
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) seen.push((await ask(v, { type: 'countUpTo', limit: 3 })).toArray());
    assert.equal(seen, dtype === 'int64' ? [0n, 1n, 2n] : [0, 1, 2]);
    const err = await rejects(ask(v, { type: 'countUpTo', limit: 3 }), errors.OutOfRangeError, /^Reached limit of 3$/);
    assert.is(err.errorCode, 11);
    assert.is(String((await ask(v, { type: 'read' })).toArray()), '3');
  }
  const f = make('float32', [], 'f');
  await ask(f, { type: 'assign', value: tensor(0) });
  await rejects(ask(f, { type: 'countUpTo', limit: 3 }), errors.InvalidArgumentError, /int32 or int64/);
  const vec = make('int32', [2], 'vec');
  await ask(vec, { type: 'assign', value: tensor([0, 0], { dtype: 'int32' }) });
  await rejects(ask(vec, { type: 'countUpTo', limit: 3 }), errors.InvalidArgumentError, /^input is not a scalar: \[2\]$/);
});

test('updates are in place until a read lends the buffer; reads keep their snapshot (copy-on-write)', async () => {
  const n = 1 << 20;
  const v = make('float32', [n], 'big');
  await ask(v, { type: 'assign', value: new Tensor('float32', [n], new Float32Array(n)), readValue: false });
  const ones = new Tensor('float32', [n], new Float32Array(n).fill(1));
  const before = v.info().stats;
  for (let i = 0; i < 5; i++) assert.is(await ask(v, { type: 'assignAdd', value: ones, readValue: false }), null);
  const mid = v.info().stats;
  assert.is(mid.inPlaceUpdates - before.inPlaceUpdates, 5);
  assert.is(mid.copyOnWriteUpdates, 0);
  const snap = await ask(v, { type: 'read' });
  assert.is(snap.data[0], 5);
  assert.ok(sharesVariableStorage(snap), 'a read lends the live buffer');
  assert.ok(!sharesVariableStorage(ones));
  await ask(v, { type: 'assignAdd', value: ones, readValue: false });
  assert.is(snap.data[0], 5, 'a read snapshot is never changed by later updates');
  assert.is(snap.data[n - 1], 5);
  assert.is((await ask(v, { type: 'read' })).data[0], 6);
  const after = v.info().stats;
  assert.is(after.copyOnWriteUpdates, 1);
  assert.is(v.info().bytes, 4 * n);
  // An assign copies the value in, so mutating the source afterwards does not leak in.
  const src = new Tensor('float32', [n], new Float32Array(n).fill(7));
  await ask(v, { type: 'assign', value: src, readValue: false });
  (src.data as Float32Array)[0] = -1;
  assert.is((await ask(v, { type: 'read' })).data[0], 7);
});

test('many concurrent assignAdds end exact (the mailbox serialises them)', async () => {
  const v = make('float32', [], 'c');
  await ask(v, { type: 'assign', value: tensor(0) });
  const one = tensor(1);
  const outs = await Promise.all(Array.from({ length: 2000 }, () => ask(v, { type: 'assignAdd', value: one })));
  assert.is((await ask(v, { type: 'read' })).toArray(), 2000);
  const seen = outs.map((t) => t.toArray() as number).sort((a, b) => a - b);
  assert.equal(seen, Array.from({ length: 2000 }, (_, i) => i + 1), 'every update saw a distinct value');
});

test('a stopped variable fails queued requests and drops its value', async () => {
  const v = make();
  await ask(v, { type: 'assign', value: f32([1, 2]) });
  v.stop(new errors.AbortedError('Resource container was reset'));
  assert.is(v.info().initialized, false);
  await rejects(ask(v, { type: 'read' }), errors.CancelledError, /removed/);
});

test('checkCompatible refuses another dtype or another full shape', () => {
  const v = make('float32', [2]);
  v.checkCompatible('float32', [2]);
  v.checkCompatible('float32', [null]);
  v.checkCompatible('float32', null);
  assert.throws(() => v.checkCompatible('int32', [2]), /specified dtype int32 and found dtype float/);
  assert.throws(() => v.checkCompatible('float32', [3]), /specified shape \[3\] and found shape \[2\]/);
});

test('property: any sequence of updates matches a reference model, and reads are stable snapshots', async () => {
  const cmd = fc.oneof(
    fc.record({ k: fc.constant('assign' as const), v: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 3, maxLength: 3 }) }),
    fc.record({ k: fc.constant('add' as const), v: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 3, maxLength: 3 }) }),
    fc.record({ k: fc.constant('sub' as const), v: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 3, maxLength: 3 }) }),
    fc.record({ k: fc.constant('read' as const), v: fc.constant([] as number[]) }),
  );
  await fc.assert(fc.asyncProperty(fc.array(cmd, { maxLength: 30 }), async (cmds) => {
    const v = make('float32', [3], 'p');
    let model: number[] | null = null;
    const snaps: [Tensor, number[]][] = [];
    for (const c of cmds) {
      if (c.k === 'assign') { model = [...c.v]; await ask(v, { type: 'assign', value: f32(c.v) }); continue; }
      if (model === null) {
        await rejects(ask(v, c.k === 'read' ? { type: 'read' } : { type: c.k === 'add' ? 'assignAdd' : 'assignSub', value: f32(c.v) }),
          errors.FailedPreconditionError, /uninitialized/);
        continue;
      }
      if (c.k === 'read') { snaps.push([await ask(v, { type: 'read' }), [...model]]); continue; }
      const m: number[] = model;
      model = m.map((x, i) => (c.k === 'add' ? x + c.v[i]! : x - c.v[i]!));
      const out = await ask(v, { type: c.k === 'add' ? 'assignAdd' : 'assignSub', value: f32(c.v), readValue: snaps.length % 2 === 0 });
      if (out) snaps.push([out, [...model]]);
    }
    for (const [t, expect] of snaps) assert.equal(t.toArray(), expect);
    if (model) assert.equal((await ask(v, { type: 'read' })).toArray(), model);
  }), { numRuns: 150 });
});

test.run();
