/**
 * Property tests: random interleavings of enqueue, enqueueMany, dequeue, dequeueMany,
 * dequeueUpTo, close, cancellations and restores against a reference model. Every element is
 * a unique integer, so "nothing is lost, nothing is duplicated" is checked exactly:
 * every element accepted is delivered exactly once (after a final close-and-drain), an enqueue
 * that failed delivered nothing (enqueueMany: a prefix, what it had inserted), and for a FIFO
 * queue the delivered sequence is exactly the insertion sequence.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { errors } from '../../lib/index.js';
import type { QueueKind, DequeueReply } from '../../actors/queue/queue_config.js';
import type { QueueActor } from '../../actors/queue/queue_actor.js';
import { i32, makeQueue, t, tick } from './queue_helpers.js';

type Cmd =
  | { op: 'enqueue' }
  | { op: 'enqueueMany'; k: number }
  | { op: 'dequeue' }
  | { op: 'dequeueMany'; n: number }
  | { op: 'dequeueUpTo'; n: number }
  | { op: 'close'; cancel: boolean }
  | { op: 'cancel'; which: number }
  | { op: 'restore'; which: number }
  | { op: 'tick' };

const cmdArb = (withRestore: boolean): fc.Arbitrary<Cmd> => fc.oneof(
  { weight: 5, arbitrary: fc.constant<Cmd>({ op: 'enqueue' }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }).map<Cmd>((k) => ({ op: 'enqueueMany', k })) },
  { weight: 4, arbitrary: fc.constant<Cmd>({ op: 'dequeue' }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }).map<Cmd>((n) => ({ op: 'dequeueMany', n })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 5 }).map<Cmd>((n) => ({ op: 'dequeueUpTo', n })) },
  { weight: 1, arbitrary: fc.boolean().map<Cmd>((cancel) => ({ op: 'close', cancel })) },
  { weight: 3, arbitrary: fc.nat(40).map<Cmd>((which) => ({ op: 'cancel', which })) },
  { weight: withRestore ? 2 : 0, arbitrary: fc.nat(40).map<Cmd>((which) => ({ op: withRestore ? 'restore' : 'tick', which }) as Cmd) },
  { weight: 2, arbitrary: fc.constant<Cmd>({ op: 'tick' }) },
);

interface EnqueueRecord { ids: number[]; ok: boolean | null }
interface DequeueRecord { reply: DequeueReply | null; restored: boolean }

/** Runs the commands, then closes and drains; returns what every request did. */
async function runScenario(kind: QueueKind, capacity: number, cmds: Cmd[]) {
  const q: QueueActor = kind === 'PriorityQueue'
    ? makeQueue(kind, { capacity, componentTypes: ['int64', 'int32'], shapes: [[], []] })
    : makeQueue(kind, { capacity, minAfterDequeue: kind === 'RandomShuffleQueue' ? Math.min(1, capacity - 1) : undefined, seed: 1, seed2: 2 });
  let nextId = 0;
  const enqueues: EnqueueRecord[] = [];
  const dequeues: DequeueRecord[] = [];
  /** Delivered element ids in the order the replies were sent (FIFO check). */
  const deliveredOrder: number[] = [];
  const controllers: AbortController[] = [];
  const pending: Promise<unknown>[] = [];
  const idsOf = (r: DequeueReply): number[] => r.taken.map((e) => Number(e[kind === 'PriorityQueue' ? 1 : 0]!.data[0]));
  const comps = (ids: number[]) => kind === 'PriorityQueue'
    ? [t(ids.map((i) => (i * 7919) % 13), 'int64'), i32(ids)]
    : [i32(ids)];

  const send = (msg: Record<string, unknown>): Promise<unknown> => {
    const ac = new AbortController();
    controllers.push(ac);
    return q.deliver(msg, ac.signal);
  };
  const okErr = (e: unknown): void => {
    if (!(e instanceof errors.CancelledError || e instanceof errors.OutOfRangeError)) throw e;
  };
  for (const c of cmds) {
    switch (c.op) {
      case 'enqueue': case 'enqueueMany': {
        const k = c.op === 'enqueue' ? 1 : c.k;
        const ids = Array.from({ length: k }, () => nextId++);
        const rec: EnqueueRecord = { ids, ok: null };
        enqueues.push(rec);
        const cs = comps(ids);
        const msg = c.op === 'enqueue'
          ? { type: 'enqueue', components: cs.map((x) => x.shape.length ? reshapeScalar(x) : x) }
          : { type: 'enqueueMany', components: cs };
        pending.push(send(msg).then(() => { rec.ok = true; }, (e) => { okErr(e); rec.ok = false; }));
        break;
      }
      case 'dequeue': case 'dequeueMany': case 'dequeueUpTo': {
        const rec: DequeueRecord = { reply: null, restored: false };
        dequeues.push(rec);
        const msg = c.op === 'dequeue' ? { type: 'dequeue' } : { type: 'dequeueMany', n: c.n, allowSmallBatch: c.op === 'dequeueUpTo' };
        pending.push(send(msg).then((r) => { rec.reply = r as DequeueReply; deliveredOrder.push(...idsOf(rec.reply)); }, okErr));
        break;
      }
      case 'close':
        pending.push(send({ type: 'close', cancelPendingEnqueues: c.cancel }).catch(okErr));
        break;
      case 'cancel':
        // Mostly recent requests (those likely still parked), sometimes any.
        if (controllers.length) {
          const span = c.which % 2 === 0 ? Math.min(4, controllers.length) : controllers.length;
          controllers[controllers.length - 1 - (c.which >> 1) % span]!.abort(new errors.CancelledError('cancelled by the test'));
        }
        break;
      case 'restore': {
        // A step that failed after its dequeue succeeded: the elements go back.
        const done = dequeues.filter((d) => d.reply && !d.restored && d.reply.taken.length > 0);
        if (done.length) {
          const d = done[c.which % done.length]!;
          d.restored = true;
          q.restore(d.reply!.taken);
        }
        break;
      }
      case 'tick':
        await tick();
        break;
    }
  }
  await tick();
  // Close (cancelling pending enqueues) and drain everything left.
  await q.deliver({ type: 'close', cancelPendingEnqueues: true });
  await Promise.all(pending);
  const drained: number[] = [];
  for (;;) {
    try {
      const r = await q.deliver<DequeueReply>({ type: 'dequeue' });
      drained.push(...idsOf(r));
    } catch (e) {
      assert.ok(e instanceof errors.OutOfRangeError, String(e));
      break;
    }
  }
  assert.is(q.pendingEnqueues + q.pendingDequeues, 0, 'no attempt left parked');
  return { enqueues, dequeues, deliveredOrder, drained };
}

function reshapeScalar(x: ReturnType<typeof i32>) {
  return new (x.constructor as new (d: string, s: number[], data: unknown) => typeof x)(x.dtype, [], x.data);
}

function checkNothingLost(r: Awaited<ReturnType<typeof runScenario>>): void {
  const seen = new Map<number, number>();
  const count = (id: number): void => { seen.set(id, (seen.get(id) ?? 0) + 1); };
  for (const d of r.dequeues) if (d.reply && !d.restored) for (const e of d.reply.taken) count(Number(e[e.length - 1]!.data[0]));
  for (const id of r.drained) count(id);
  for (const [id, n] of seen) assert.is(n, 1, `element ${id} delivered ${n} times`);
  for (const e of r.enqueues) {
    if (e.ok) for (const id of e.ids) assert.ok(seen.has(id), `accepted element ${id} was lost`);
    else {
      // A failed enqueue delivered nothing; a failed enqueueMany only what it had inserted (a prefix).
      const got = e.ids.map((id) => seen.has(id));
      const firstMissing = got.indexOf(false);
      assert.ok(firstMissing === -1 || got.slice(firstMissing).every((g) => !g), `enqueue ${e.ids} left a non-prefix`);
    }
  }
}

for (const kind of ['FIFOQueue', 'PaddingFIFOQueue', 'RandomShuffleQueue', 'PriorityQueue'] as const) {
  test(`${kind}: every accepted element is delivered exactly once, whatever the interleaving (with cancellations and restores)`, async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(cmdArb(true), { maxLength: 40 }), async (capacity, cmds) => {
      checkNothingLost(await runScenario(kind, capacity, cmds));
    }), { numRuns: 150 });
  });
}

test('FIFOQueue: the delivered sequence is exactly the insertion sequence (with cancellations, closes, partial batches)', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(cmdArb(false), { maxLength: 40 }), async (capacity, cmds) => {
    const r = await runScenario('FIFOQueue', capacity, cmds);
    checkNothingLost(r);
    const all = [...r.deliveredOrder, ...r.drained];
    // Insertion order: enqueue requests in arrival order, each contributing a prefix of its ids.
    let i = 0;
    for (const e of r.enqueues) {
      for (const id of e.ids) {
        if (all[i] === id) i++;
        else { assert.ok(!e.ok, `element ${id} of a successful enqueue is out of order`); break; }
      }
    }
    assert.is(i, all.length, `delivered ${all} is not the insertion sequence`);
  }), { numRuns: 200 });
});

test('PriorityQueue: every batch comes out in ascending priority', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 6 }), async (ps, n) => {
    const q = makeQueue('PriorityQueue', { componentTypes: ['int64', 'int32'], shapes: [[], []] });
    await q.deliver({ type: 'enqueueMany', components: [t(ps, 'int64'), i32(ps.map((_, i) => i))] });
    await q.deliver({ type: 'close', cancelPendingEnqueues: false });
    const out: number[] = [];
    for (;;) {
      const r = await q.deliver<DequeueReply>({ type: 'dequeueMany', n, allowSmallBatch: true }).catch(() => null);
      if (!r) break;
      out.push(...Array.from(r.components[0]!.data as BigInt64Array, Number));
    }
    assert.equal(out, [...ps].sort((a, b) => a - b));
  }), { numRuns: 100 });
});

test.run();
