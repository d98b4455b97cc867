import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { errors } from '../../lib/index.js';
import { DeadlineExceededError } from '../../lib/framework/errors.js';
import type { FIFOQueueActor } from '../../actors/queue/fifo_queue_actor.js';
import { rejects, close, dequeue, dequeueMany, enqueue, enqueueMany, i32, makeQueue, t, tick, track } from './queue_helpers.js';

const isErr = (cls: new (...a: never[]) => Error, re: RegExp) => (e: Error) => e instanceof cls && re.test(e.message);

test('FIFO order, size, and enqueueMany slicing along dim 0', async () => {
  const q = makeQueue('FIFOQueue', { capacity: 10 });
  await enqueue(q, [i32(1)]);
  await enqueueMany(q, [i32([2, 3, 4])]);
  assert.is(q.size(), 4);
  assert.equal(await dequeue(q), [1]);
  assert.equal(await dequeueMany(q, 2), [[2, 3]]);
  assert.equal(await dequeue(q), [4]);
  assert.is(q.size(), 0);
});

test('a full queue parks enqueues; an enqueueMany larger than the free space goes in progressively; no overtaking', async () => {
  const q = makeQueue('FIFOQueue', { capacity: 2 });
  const many = track(enqueueMany(q, [i32([1, 2, 3, 4])]));
  const one = track(enqueue(q, [i32(5)]));
  await tick();
  assert.is(q.size(), 2);
  assert.is(many.done, false);
  assert.is(one.done, false);
  assert.equal(await dequeue(q), [1]);
  await tick();
  assert.is(q.size(), 2, 'element 3 went in at once');
  assert.is(one.done, false, 'the later enqueue waits behind the enqueueMany');
  assert.equal(await dequeue(q), [2]);
  await tick();
  assert.is(many.done, true);
  assert.is(one.done, false);
  assert.equal(await dequeueMany(q, 3), [[3, 4, 5]]);
  await tick();
  assert.is(one.done, true);
});

test('dequeueMany collects progressively: n above capacity works and size() reads 0 meanwhile', async () => {
  const q = makeQueue('FIFOQueue', { capacity: 2 });
  const dm = track(dequeueMany(q, 4));
  await enqueueMany(q, [i32([1, 2])]);
  await tick();
  assert.is(q.size(), 0);
  assert.is(dm.done, false);
  await enqueueMany(q, [i32([3, 4])]);
  await tick();
  assert.equal(dm.value, [[1, 2, 3, 4]]);
});

test('pending dequeues are served in arrival order', async () => {
  const q = makeQueue('FIFOQueue');
  const a = track(dequeueMany(q, 2));
  const b = track(dequeue(q));
  await enqueue(q, [i32(1)]);
  await enqueue(q, [i32(2)]);
  await enqueue(q, [i32(3)]);
  await tick();
  assert.equal(a.value, [[1, 2]]);
  assert.equal(b.value, [3]);
});

test('close waits for earlier pending enqueues, which succeed; then enqueues fail with CancelledError', async () => {
  const q = makeQueue('FIFOQueue', { capacity: 1, name: 'fq' });
  await enqueue(q, [i32(1)]);
  const pending = track(enqueue(q, [i32(2)]));
  const closing = track(close(q));
  await tick();
  assert.is(closing.done, false, 'close is queued behind the pending enqueue');
  assert.is(q.isClosed, false);
  assert.equal(await dequeue(q), [1]);
  await tick();
  assert.is(pending.done && pending.error === undefined, true);
  assert.is(closing.done && closing.error === undefined, true);
  assert.is(q.isClosed, true);
  await rejects(() => enqueue(q, [i32(3)]), isErr(errors.CancelledError, /^FIFOQueue 'fq' is closed\.$/));
  await rejects(() => enqueueMany(q, [i32([3])]), isErr(errors.CancelledError, /^FIFOQueue 'fq' is closed\.$/));
  await enqueueMany(q, [t([], 'int32')]); // a zero-length batch is OK even when closed
  await rejects(() => close(q), isErr(errors.CancelledError, /^Queue 'fq' is already closed\.$/));
  await close(q, true); // cancelling close never errors
  assert.equal(await dequeue(q), [2]);
  await rejects(() => dequeue(q),
    isErr(errors.OutOfRangeError, /^FIFOQueue 'fq' is closed and has insufficient elements \(requested 1, current size 0\)$/));
});

test('close({cancelPendingEnqueues}) fails pending enqueues at once; an enqueueMany keeps what it inserted', async () => {
  const q = makeQueue('FIFOQueue', { capacity: 2 });
  const many = track(enqueueMany(q, [i32([1, 2, 3])]));
  const one = track(enqueue(q, [i32(4)]));
  const polite = track(close(q));
  await close(q, true);
  await tick();
  for (const p of [many, one, polite]) {
    assert.ok(p.error instanceof errors.CancelledError);
    assert.is((p.error as Error).message, 'Enqueue operation was cancelled');
  }
  assert.equal(await dequeueMany(q, 2), [[1, 2]]);
});

test('a pending dequeueMany at close: its partial batch goes back to the front in order; OutOfRange', async () => {
  const q = makeQueue('FIFOQueue', { name: 'fq' });
  await enqueueMany(q, [i32([1, 2])]);
  const dm = track(dequeueMany(q, 4));
  await tick();
  assert.is(q.size(), 0);
  await close(q);
  await tick();
  assert.ok(dm.error instanceof errors.OutOfRangeError);
  assert.match((dm.error as Error).message, /^FIFOQueue 'fq' is closed and has insufficient elements \(requested 2, current size 0\)$/);
  assert.is(q.size(), 2);
  assert.equal(await dequeue(q), [1]);
  assert.equal(await dequeue(q), [2]);
});

test('dequeueMany on a closed queue with too few elements keeps them; dequeueUpTo returns the remainder', async () => {
  const q = makeQueue('FIFOQueue', { name: 'fq' });
  await enqueueMany(q, [i32([1, 2, 3])]);
  await close(q);
  await rejects(() => dequeueMany(q, 4),
    isErr(errors.OutOfRangeError, /^FIFOQueue 'fq' is closed and has insufficient elements \(requested 4, current size 3\)$/));
  assert.equal(await dequeueMany(q, 2), [[1, 2]]);
  assert.equal(await dequeueMany(q, 5, undefined, true), [[3]]);
  await rejects(() => dequeueMany(q, 5, undefined, true), isErr(errors.OutOfRangeError, /requested 5, current size 0/));
  assert.equal(await dequeueMany(q, 0), [[]], 'n = 0 never blocks, even closed');
});

test('a pending dequeueUpTo at close returns its partial batch', async () => {
  const q = makeQueue('FIFOQueue');
  await enqueueMany(q, [i32([1, 2])]);
  const up = track(dequeueMany(q, 5, undefined, true));
  await close(q);
  await tick();
  assert.equal(up.value, [[1, 2]]);
});

test('dequeueMany arguments: n < 0, n = 0 shapes, unconstrained shapes', async () => {
  const q = makeQueue('FIFOQueue', { componentTypes: ['float32', 'string'], shapes: [[2], []] });
  await rejects(() => dequeueMany(q, -1), isErr(errors.InvalidArgumentError, /^DequeueManyOp requested -1 < 0 elements$/));
  await rejects(() => dequeueMany(q, -1, undefined, true), isErr(errors.InvalidArgumentError, /^DequeueUpToOp requested -1 < 0 elements$/));
  const r = await q.deliver<{ components: { shape: number[]; dtype: string }[] }>({ type: 'dequeueMany', n: 0, allowSmallBatch: false });
  assert.equal(r.components.map((c) => [c.dtype, c.shape]), [['float32', [0, 2]], ['string', [0]]]);
  const u = makeQueue('FIFOQueue', { shapes: [] });
  await rejects(() => dequeueMany(u, 2),
    isErr(errors.InvalidArgumentError, /^FIFOQueue's DequeueMany and DequeueUpTo require the components to have specified shapes\.$/));
});

test('run-time tuple checks use TensorFlow messages', async () => {
  const q = makeQueue('FIFOQueue', { componentTypes: ['float32', 'float32'], shapes: [[], [3, 3]] });
  await rejects(() => enqueue(q, [t(1, 'float32')]),
    isErr(errors.InvalidArgumentError, /^Wrong number of components in tuple\. Expected 2, got 1$/));
  await rejects(() => enqueue(q, [t(1, 'int32'), t(new Array(9).fill(0), 'float32')]),
    isErr(errors.InvalidArgumentError, /^Type mismatch in tuple component 0\. Expected float, got int32$/));
  const z34 = t([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], 'float32');
  await rejects(() => enqueue(q, [t(1, 'float32'), z34]),
    isErr(errors.InvalidArgumentError, /^Shape mismatch in tuple component 1\. Expected \[3,3\], got \[3,4\]$/));
  await rejects(() => enqueueMany(q, [t([1, 2], 'float32'), t([z34.toArray(), z34.toArray()], 'float32')]),
    isErr(errors.InvalidArgumentError, /^Shape mismatch in tuple component 1\. Expected \[2,3,3\], got \[2,3,4\]$/));
  const u = makeQueue('FIFOQueue', { componentTypes: ['int32', 'int32'], shapes: [] });
  await rejects(() => enqueueMany(u, [i32([1, 2]), i32([1, 2, 3])]),
    isErr(errors.InvalidArgumentError, /^All input tensors must have the same size in the 0th dimension\. Component 1 has 3, and should have 2$/));
  assert.is(q.size(), 0);
});

test('a timed-out dequeue fails with the signal reason and leaves the queue usable', async () => {
  const q = makeQueue('FIFOQueue');
  const ac = new AbortController();
  const p = track(dequeue(q, ac.signal));
  ac.abort(new DeadlineExceededError('Timed out waiting for notification'));
  await tick();
  assert.ok(p.error instanceof errors.DeadlineExceededError);
  assert.is(q.pendingDequeues, 0);
  await enqueue(q, [i32(7)]);
  assert.equal(await dequeue(q), [7]);
});

test('a cancelled partial dequeueMany puts its elements back at the front in order', async () => {
  const q = makeQueue('FIFOQueue') as FIFOQueueActor;
  await enqueueMany(q, [i32([20, 21])]);
  const ac = new AbortController();
  const dm = track(dequeueMany(q, 3, ac.signal));
  const later = track(dequeue(q));
  await tick();
  assert.is(q.size(), 0, 'the partial batch holds both elements');
  ac.abort(new errors.CancelledError('Dequeue operation was cancelled'));
  await tick();
  assert.ok(dm.error instanceof errors.CancelledError);
  assert.equal(later.value, [20], 'the next dequeue in line gets the restored front element');
  assert.equal(q.snapshot().map((e) => e[0]!.toArray()), [21]);
  await enqueue(q, [i32(22)]);
  assert.equal(await dequeueMany(q, 2), [[21, 22]]);
});

test('a cancelled enqueueMany keeps the elements it already inserted', async () => {
  const q = makeQueue('FIFOQueue', { capacity: 2 });
  const ac = new AbortController();
  const em = track(enqueueMany(q, [i32([1, 2, 3, 4])], ac.signal));
  await tick();
  ac.abort(new errors.CancelledError('Enqueue operation was cancelled'));
  await tick();
  assert.ok(em.error instanceof errors.CancelledError);
  assert.is(q.pendingEnqueues, 0);
  assert.equal(await dequeueMany(q, 2), [[1, 2]]);
  assert.is(q.size(), 0);
});

test('restore puts handed-out elements back at the front in order, even when closed or full', async () => {
  const q = makeQueue('FIFOQueue', { capacity: 2 }) as FIFOQueueActor;
  await enqueueMany(q, [i32([1, 2])]);
  const r = await q.deliver<{ taken: import('../../actors/queue/element.js').Element[] }>({ type: 'dequeueMany', n: 2, allowSmallBatch: false });
  await enqueueMany(q, [i32([3, 4])]);
  await close(q);
  await q.deliver({ type: 'restore', elements: r.taken });
  assert.equal(q.snapshot().map((e) => e[0]!.toArray()), [1, 2, 3, 4]);
});

test('an undeliverable reply (requester gone) puts the elements back', async () => {
  const q = makeQueue('FIFOQueue') as FIFOQueueActor;
  // Dequeue parked; its requester gives up exactly when the element arrives: emulate by aborting
  // the signal inside the enqueue (the dequeue's reply then finds nobody).
  const ac = new AbortController();
  const d = track(dequeue(q, ac.signal));
  ac.abort(new errors.CancelledError('gone'));
  await enqueue(q, [i32(5)]);
  await tick();
  assert.ok(d.error instanceof errors.CancelledError);
  assert.equal(q.snapshot().map((e) => e[0]!.toArray()), [5]);
});

test('a shared queue reopened with other attrs fails with InvalidArgumentError naming the difference', () => {
  const q = makeQueue('FIFOQueue', { name: 'sq', capacity: 10, componentTypes: ['float32'], shapes: [[2]] });
  const base = { kind: 'FIFOQueue' as const, name: 'sq', capacity: 10, componentTypes: ['float32' as const], shapes: [[2]] };
  q.checkMatches(base, 'n', 'FIFOQueueV2');
  const msg = (f: () => void): string => { try { f(); return ''; } catch (e) { assert.ok(e instanceof errors.InvalidArgumentError); return (e as Error).message; } };
  assert.is(msg(() => q.checkMatches({ ...base, capacity: 15 }, 'n', 'FIFOQueueV2')), "Shared queue 'sq' has capacity 10 but requested capacity was 15");
  assert.is(msg(() => q.checkMatches({ ...base, componentTypes: ['int32'] }, 'n', 'FIFOQueueV2')),
    "Shared queue 'sq' has component types float but requested component types were int32");
  assert.is(msg(() => q.checkMatches({ ...base, shapes: [[3]] }, 'n', 'FIFOQueueV2')),
    "Shared queue 'sq' has component shapes [[2]] but requested component shapes were [[3]]");
  assert.is(msg(() => q.checkMatches({ ...base, kind: 'RandomShuffleQueue' }, 'n', 'RandomShuffleQueueV2')),
    'Expected FIFOQueue, found RandomShuffleQueueV2');
});

test('dequeueMany batches: rows of one enqueueMany come out as a view, mixed rows are copied', async () => {
  const q = makeQueue('FIFOQueue', { componentTypes: ['float32'], shapes: [[2]] });
  const b1 = t([[1, 1], [2, 2], [3, 3]], 'float32');
  await enqueueMany(q, [b1]);
  await enqueueMany(q, [t([[4, 4], [5, 5], [6, 6]], 'float32')]);
  const take = async (n: number) => (await q.deliver<{ components: import('../../lib/framework/tensor.js').Tensor[] }>({ type: 'dequeueMany', n, allowSmallBatch: false })).components[0]!;
  const a = await take(2);
  assert.equal(a.toArray(), [[1, 1], [2, 2]]);
  assert.is((a.data as Float32Array).buffer, (b1.data as Float32Array).buffer, 'no copy');
  const b = await take(2);
  assert.equal(b.toArray(), [[3, 3], [4, 4]]);
  assert.is.not((b.data as Float32Array).buffer, (b1.data as Float32Array).buffer);
  assert.equal((await take(2)).toArray(), [[5, 5], [6, 6]]);
});

test.run();
