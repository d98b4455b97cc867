import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { errors } from '../../lib/index.js';
import { Philox } from '../../lib/queues/philox.js';
import { close, dequeue, dequeueMany, enqueue, enqueueMany, i32, makeQueue, rejects, t, tick, track } from './queue_helpers.js';

const isErr = (cls: new (...a: never[]) => Error, re: RegExp) => (e: Error) => e instanceof cls && re.test(e.message);
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

// ---- RandomShuffleQueue ------------------------------------------------------------------------

test('RandomShuffle: the book example, 22 items, minAfterDequeue 10: two batches of 5, the third blocks at 12 - 5 < 10', async () => {
  const q = makeQueue('RandomShuffleQueue', { capacity: 50, minAfterDequeue: 10, componentTypes: ['float32'], seed: 7, seed2: 9 });
  await enqueueMany(q, [t(range(1, 23), 'float32')]);
  const b1 = (await dequeueMany(q, 5))[0] as number[];
  assert.is(q.size(), 17);
  const b2 = (await dequeueMany(q, 5))[0] as number[];
  assert.is(q.size(), 12);
  const b3 = track(dequeueMany(q, 5));
  await tick();
  assert.is(b3.done, false);
  assert.is(q.size(), 10, 'it took the 2 it could and waits for 3 more');
  await enqueueMany(q, [t([100, 101], 'float32')]);
  await tick();
  assert.is(b3.done, false);
  await enqueue(q, [t(102, 'float32')]);
  await tick();
  const got = [...b1, ...b2, ...(b3.value![0] as number[])];
  assert.is(got.length, 15);
  assert.is(new Set(got).size, 15);
  assert.is(q.size(), 10);
  assert.not.equal([...b1, ...b2], range(1, 11), 'shuffled');
});

test('RandomShuffle: same seeds give the same order, other seeds another one', async () => {
  const order = async (seed: number, seed2: number): Promise<number[]> => {
    const q = makeQueue('RandomShuffleQueue', { capacity: 100, seed, seed2 });
    await enqueueMany(q, [i32(range(0, 50))]);
    await close(q);
    return (await dequeueMany(q, 50))[0] as number[];
  };
  const a = await order(42, 7);
  assert.equal(await order(42, 7), a);
  assert.not.equal(await order(43, 7), a);
  assert.equal([...a].sort((x, y) => x - y), range(0, 50));
});

test('RandomShuffle: once closed, minAfterDequeue is ignored; then OutOfRange', async () => {
  const q = makeQueue('RandomShuffleQueue', { name: 'rq', capacity: 10, minAfterDequeue: 5, seed: 1, seed2: 2 });
  await enqueueMany(q, [i32([1, 2, 3])]);
  const d = track(dequeue(q));
  await tick();
  assert.is(d.done, false);
  await close(q);
  await tick();
  assert.ok(d.value);
  const rest = (await dequeueMany(q, 2))[0] as number[];
  assert.equal([d.value![0] as number, ...rest].sort(), [1, 2, 3]);
  await rejects(() => dequeue(q), isErr(errors.OutOfRangeError, /^RandomShuffleQueue 'rq' is closed and has insufficient elements \(requested 1, current size 0\)$/));
});

test('RandomShuffle: a partial batch at close goes back into the pool; DequeueMany needs shapes', async () => {
  const q = makeQueue('RandomShuffleQueue', { name: 'rq', seed: 3, seed2: 4 });
  await enqueueMany(q, [i32([1, 2])]);
  const dm = track(dequeueMany(q, 3));
  await tick();
  assert.is(q.size(), 0);
  await close(q);
  await tick();
  assert.match((dm.error as Error).message, /RandomShuffleQueue 'rq' is closed and has insufficient elements/);
  assert.equal(((await dequeueMany(q, 2))[0] as number[]).sort(), [1, 2]);
  const u = makeQueue('RandomShuffleQueue', { shapes: [] });
  await rejects(() => dequeueMany(u, 1), isErr(errors.InvalidArgumentError,
    /^RandomShuffleQueue's DequeueMany and DequeueUpTo require the components to have specified shapes\.$/));
});

test('RandomShuffle: shared-queue checks on min_after_dequeue and seeds', () => {
  const q = makeQueue('RandomShuffleQueue', { name: 'rs', capacity: 10, minAfterDequeue: 2, seed: 5, seed2: 6 });
  const c = q.config;
  const msg = (f: () => void): string => { try { f(); return ''; } catch (e) { return (e as Error).message; } };
  assert.is(msg(() => q.checkMatches({ ...c, minAfterDequeue: 3 }, 'n', 'RandomShuffleQueueV2')),
    "Shared queue 'rs' has min_after_dequeue 2 but requested min_after_dequeue was 3.");
  assert.is(msg(() => q.checkMatches({ ...c, seed: 1, seed2: 2 }, 'n', 'RandomShuffleQueueV2')),
    "Shared queue 'rs' has random seeds (5, 6) but requested seeds are (1, 2).");
  assert.is(msg(() => q.checkMatches({ ...c, seed: 0, seed2: 0 }, 'n', 'RandomShuffleQueueV2')), '', '(0, 0) accepts any seeds');
});

test('Philox4x32-10 matches the Random123 known-answer vectors', () => {
  const block = (key: [number, number], ctr: [number, number, number, number]): string[] => {
    const p = Philox.fromKeyAndCounter(key, ctr);
    return [p.next(), p.next(), p.next(), p.next()].map((x) => x.toString(16).padStart(8, '0'));
  };
  assert.equal(block([0, 0], [0, 0, 0, 0]), ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
  assert.equal(block([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]), ['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
  assert.equal(block([0xa4093822, 0x299f31d0], [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344]), ['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  const a = new Philox(1, 2), b = new Philox(1, 2);
  assert.equal(range(0, 9).map(() => a.next()), range(0, 9).map(() => b.next()));
});

// ---- PaddingFIFOQueue --------------------------------------------------------------------------

test('PaddingFIFO: the book example pads 3x2, 1x1 and 2x4 matrices to 3x3x4; single dequeues are unpadded', async () => {
  const q = makeQueue('PaddingFIFOQueue', { capacity: 50, componentTypes: ['float32'], shapes: [[null, null]] });
  const items = [[[1, 2], [3, 4], [5, 6]], [[1]], [[7, 8, 9, 5], [6, 7, 8, 9]]];
  for (const v of items) await enqueue(q, [t(v, 'float32')]);
  const r = await q.deliver<{ components: { shape: number[]; toArray(): unknown }[] }>({ type: 'dequeueMany', n: 3, allowSmallBatch: false });
  assert.equal(r.components[0]!.shape, [3, 3, 4]);
  assert.equal(r.components[0]!.toArray(), [
    [[1, 2, 0, 0], [3, 4, 0, 0], [5, 6, 0, 0]],
    [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
    [[7, 8, 9, 5], [6, 7, 8, 9], [0, 0, 0, 0]],
  ]);
  for (const v of items) await enqueue(q, [t(v, 'float32')]);
  for (const v of items) assert.equal(await dequeue(q), [v]);
});

test('PaddingFIFO: strings pad with "", fixed components are stacked, messages print ? for unknown dims', async () => {
  const q = makeQueue('PaddingFIFOQueue', { name: 'pq', componentTypes: ['string', 'int32'], shapes: [[null], [2]] });
  await enqueue(q, [t(['a'], 'string'), i32([1, 2])]);
  await enqueue(q, [t(['b', 'c', 'd'], 'string'), i32([3, 4])]);
  assert.equal(await dequeueMany(q, 2), [[['a', '', ''], ['b', 'c', 'd']], [[1, 2], [3, 4]]]);
  const p2 = makeQueue('PaddingFIFOQueue', { componentTypes: ['float32'], shapes: [[null, 3]] });
  await rejects(() => enqueue(p2, [t([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]], 'float32')]),
    isErr(errors.InvalidArgumentError, /^Shape mismatch in tuple component 0\. Expected \[\?,3\], got \[3,4\]$/));
  const p3 = makeQueue('PaddingFIFOQueue', { componentTypes: ['float32'], shapes: [[null, 3]] });
  await rejects(() => enqueueMany(p3, [t(new Array(24).fill(0), 'float32')].map((x) => new (x.constructor as typeof import('../../lib/framework/tensor.js').Tensor)('float32', [2, 3, 4], x.data))),
    isErr(errors.InvalidArgumentError, /^Shape mismatch in tuple component 0\. Expected \[2,\?,3\], got \[2,3,4\]$/));
  const r = await q.deliver<{ components: { shape: number[] }[] }>({ type: 'dequeueMany', n: 0, allowSmallBatch: false });
  assert.equal(r.components.map((c) => c.shape), [[0, 0], [0, 2]]);
  await close(q);
  await rejects(() => dequeueMany(q, 1), isErr(errors.OutOfRangeError, /^PaddingFIFOQueue 'pq' is closed and has insufficient elements/));
  await rejects(() => dequeue(q), isErr(errors.OutOfRangeError, /^FIFOQueue 'pq' is closed/));
});

test('PaddingFIFO: a dynamic component of rank 5 fails dequeueMany with UnimplementedError; its elements stay queued', async () => {
  const q = makeQueue('PaddingFIFOQueue', { componentTypes: ['int32'], shapes: [[null, 1, 1, 1, 1]] });
  const five = (k: number) => new (i32(0).constructor as typeof import('../../lib/framework/tensor.js').Tensor)('int32', [k, 1, 1, 1, 1], Int32Array.from({ length: k }, (_, i) => i + k));
  await enqueue(q, [five(1)]);
  await enqueue(q, [five(2)]);
  await rejects(() => dequeueMany(q, 2), isErr(errors.UnimplementedError, /^CopyElementToLargerSlice Unhandled rank: 5$/));
  // Nothing is lost: single dequeues (no padding) still get both, in order.
  assert.equal(await dequeue(q), [[[[[[1]]]]]]);
  assert.equal(await dequeue(q), [[[[[[2]]]], [[[[3]]]]]]);
});

// ---- PriorityQueue -----------------------------------------------------------------------------

const prio = (p: number): ReturnType<typeof t> => t(p, 'int64');

test('Priority: ascending priority, negative allowed; components travel together', async () => {
  const q = makeQueue('PriorityQueue', { capacity: 10, componentTypes: ['int64', 'string'], shapes: [[], []] });
  for (const [p, s] of [[5, 'e'], [-2, 'a'], [3, 'c'], [0, 'b']] as const) await enqueue(q, [prio(p), t(s, 'string')]);
  await enqueueMany(q, [t([4, 9], 'int64'), t(['d', 'z'], 'string')]);
  const r = await dequeueMany(q, 3);
  assert.equal(r, [[-2n, 0n, 3n], ['a', 'b', 'c']]);
  assert.equal(await dequeue(q), [4n, 'd']);
});

test('Priority: dequeueMany waits for a whole batch (n above capacity blocks while open); closed remainder', async () => {
  const q = makeQueue('PriorityQueue', { name: 'pq', capacity: 2, componentTypes: ['int64', 'int32'], shapes: [[], []] });
  await enqueue(q, [prio(2), i32(20)]);
  const dm = track(dequeueMany(q, 3));
  await tick();
  assert.is(q.size(), 1, 'nothing is taken before the batch is complete');
  await enqueue(q, [prio(1), i32(10)]);
  await tick();
  assert.is(dm.done, false);
  await close(q);
  await tick();
  assert.match((dm.error as Error).message, /^PriorityQueue 'pq' is closed and has insufficient elements \(requested 3, current size 2\)$/);
  assert.equal(await dequeueMany(q, 5, undefined, true), [[1n, 2n], [10, 20]], 'dequeueUpTo returns the remainder (nothing lost)');
});

test('Priority: tuple checks on the priority component', async () => {
  const q = makeQueue('PriorityQueue', { componentTypes: ['int64', 'int32'], shapes: [[], []] });
  await rejects(() => enqueue(q, [t([1, 2], 'int64'), i32(1)]),
    isErr(errors.InvalidArgumentError, /^Shape mismatch in tuple component 0\. Expected \[\], got \[2\]$/));
  await rejects(() => enqueueMany(q, [t([[1, 2], [3, 4]], 'int64'), i32([1, 2])]),
    isErr(errors.InvalidArgumentError, /^Shape mismatch in tuple component 0\. Expected \[2\], got \[2,2\]$/));
  const u = makeQueue('PriorityQueue', { componentTypes: ['int64', 'int32'], shapes: [] });
  await rejects(() => enqueue(u, [t([1, 2], 'int64'), i32(1)]),
    isErr(errors.InvalidArgumentError, /^Expected the priority element to be a scalar/));
  await rejects(() => dequeueMany(u, 1),
    isErr(errors.InvalidArgumentError, /^PriorityQueue's DequeueMany requires the components to have specified shapes\.$/));
});

test.run();
