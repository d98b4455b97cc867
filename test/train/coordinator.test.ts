/** Coordinator and LooperThread (TF-SEMANTICS 1.6), after tensorflow/python/training/coordinator_test.py. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { defer, from, repeat, takeUntil, timer } from 'rxjs';
import {
  CancelledError, InternalError, InvalidArgumentError, OutOfRangeError, UnknownError,
} from '../../lib/framework/errors.js';
import { Coordinator } from '../../lib/train/coordinator.js';
import { LooperThread } from '../../lib/train/looper_thread.js';
import { RuntimeError, StreamThread } from '../../lib/train/thread.js';
import { sleep, within } from './fake_session.js';
import { rejection } from '../helpers/rejects.js';

/** A thread that loops until the coordinator stops (like TF's StopOnEvent). */
function loopUntilStop(coord: Coordinator, name: string): StreamThread {
  return new StreamThread(name, () => timer(0, 2).pipe(takeUntil(coord.stop$))).start();
}

/** A thread that ignores the coordinator and runs for ms. */
function busyFor(ms: number, name: string): StreamThread {
  return new StreamThread(name, () => timer(ms)).start();
}

test('stop API: shouldStop, waitForStop, requestStop', async () => {
  const coord = new Coordinator();
  assert.is(coord.shouldStop(), false);
  assert.is(await coord.waitForStop(10), false);
  assert.is(await coord.waitForStop(0), false);
  coord.requestStop();
  assert.is(coord.shouldStop(), true);
  assert.is(await coord.waitForStop(10), true);
  assert.is(await coord.waitForStop(), true);
});

test('waitForStop resolves when another loop requests the stop', async () => {
  const coord = new Coordinator();
  setTimeout(() => coord.requestStop(), 20);
  const t0 = Date.now();
  assert.is(await within(2000, coord.waitForStop()), true);
  assert.ok(Date.now() - t0 >= 15);
});

test('stop$ emits once then completes; a late subscriber gets it at once', async () => {
  const coord = new Coordinator();
  const seen: unknown[] = [];
  let completed = 0;
  coord.stop$.subscribe({ next: (v) => seen.push(v), complete: () => completed++ });
  const err = new UnknownError('boom');
  coord.requestStop(err);
  coord.requestStop(new UnknownError('second'));
  assert.equal(seen, [err]);
  assert.is(completed, 1);
  const late: unknown[] = [];
  coord.stop$.subscribe((v) => late.push(v));
  assert.equal(late, [err]);
});

test('join waits for threads that stop on request', async () => {
  const coord = new Coordinator();
  const threads = [loopUntilStop(coord, 'a'), loopUntilStop(coord, 'b'), loopUntilStop(coord, 'c')];
  await sleep(10);
  assert.ok(threads.every((t) => t.isAlive()));
  coord.requestStop();
  await within(2000, coord.join(threads));
  assert.ok(threads.every((t) => !t.isAlive()));
  assert.is(coord.joined, true);
});

test('join returns when all threads end without a stop request', async () => {
  const coord = new Coordinator();
  const threads = [busyFor(10, 'x'), busyFor(20, 'y')];
  await within(2000, coord.join(threads));
  assert.is(coord.shouldStop(), false);
});

test('join covers registered threads, with or without an explicit list', async () => {
  const coord = new Coordinator();
  const a = loopUntilStop(coord, 'a');
  const b = loopUntilStop(coord, 'b');
  coord.registerThread(a);
  coord.registerThread(b);
  coord.requestStop();
  await within(2000, coord.join());
  assert.ok(!a.isAlive() && !b.isAlive());
  const coord2 = new Coordinator();
  const c = loopUntilStop(coord2, 'c');
  const d = loopUntilStop(coord2, 'd');
  coord2.registerThread(c);
  setTimeout(() => coord2.requestStop(), 10);
  await within(2000, coord2.join([d]));
  assert.ok(!c.isAlive() && !d.isAlive());
});

test('grace period expires: RuntimeError names the threads still running', async () => {
  const coord = new Coordinator();
  const stuck = busyFor(1000, 'stuck_thread');
  const fine = loopUntilStop(coord, 'fine_thread');
  coord.requestStop();
  const t0 = Date.now();
  const err = await rejection(coord.join([stuck, fine], { stopGracePeriodMs: 30 }));
  assert.ok(err instanceof RuntimeError);
  assert.ok(err instanceof InternalError);
  assert.ok(err instanceof Error);
  assert.is((err as Error).message, 'Coordinator stopped with threads still running: stuck_thread');
  assert.ok(Date.now() - t0 < 800);
});

test('grace period long enough: join waits for slow threads', async () => {
  const coord = new Coordinator();
  const slow = busyFor(40, 'slow');
  coord.requestStop();
  await within(2000, coord.join([slow], { stopGracePeriodMs: 1000 }));
  assert.is(slow.isAlive(), false);
});

test('ignoreLiveThreads only logs the stragglers', async () => {
  const coord = new Coordinator();
  const stuck = busyFor(300, 'stuck');
  coord.requestStop();
  const info = console.info;
  const logged: string[] = [];
  console.info = (m: string) => { logged.push(m); };
  try {
    await coord.join([stuck], { stopGracePeriodMs: 10, ignoreLiveThreads: true });
  } finally {
    console.info = info;
  }
  assert.equal(logged, ['Coordinator stopped with threads still running: stuck']);
});

test('the first reported exception wins and join re-raises it', async () => {
  const coord = new Coordinator();
  const first = new InvalidArgumentError('first');
  const threads = [
    new StreamThread('r1', () => defer(async () => { await sleep(5); coord.requestStop(first); })).start(),
    new StreamThread('r2', () => defer(async () => { await sleep(30); coord.requestStop(new UnknownError('second')); })).start(),
  ];
  const err = await rejection(within(2000, coord.join(threads)));
  assert.is(err, first);
});

test('the stored exception takes precedence over stragglers', async () => {
  const coord = new Coordinator();
  const stuck = busyFor(300, 'stuck');
  const e = new UnknownError('failed');
  coord.requestStop(e);
  assert.is(await rejection(coord.join([stuck], { stopGracePeriodMs: 10 })), e);
});

test('requestStop() then requestStop(err) stores nothing', async () => {
  const coord = new Coordinator();
  coord.requestStop();
  coord.requestStop(new UnknownError('late'));
  await coord.join([]);
  coord.raiseRequestedException();
});

test('OutOfRangeError is a clean stop by default', async () => {
  const coord = new Coordinator();
  coord.requestStop(new OutOfRangeError('done'));
  assert.is(coord.shouldStop(), true);
  await coord.join();
});

test('cleanStopExceptionTypes replaces the default', async () => {
  const coord = new Coordinator({ cleanStopExceptionTypes: [InvalidArgumentError] });
  coord.requestStop(new InvalidArgumentError('clean'));
  await coord.join();
  const coord2 = new Coordinator({ cleanStopExceptionTypes: [InvalidArgumentError] });
  const oor = new OutOfRangeError('not clean any more');
  coord2.requestStop(oor);
  assert.is(await rejection(coord2.join()), oor);
  const coord3 = new Coordinator({ cleanStopExceptionTypes: [] });
  const oor3 = new OutOfRangeError('reported');
  coord3.requestStop(oor3);
  assert.is(await rejection(coord3.join()), oor3);
});

test('stopOnException: sync body reports and swallows; value passes through', () => {
  const coord = new Coordinator();
  assert.is(coord.stopOnException(() => 42), 42);
  assert.is(coord.shouldStop(), false);
  const e = new UnknownError('in body');
  const r = coord.stopOnException(() => { throw e; });
  assert.is(r, undefined);
  assert.is(coord.shouldStop(), true);
  try {
    coord.raiseRequestedException();
    assert.unreachable('should have thrown');
  } catch (got) {
    assert.is(got, e);
  }
});

test('stopOnException: async body returns a Promise; a rejection is reported', async () => {
  const coord = new Coordinator();
  const ok = coord.stopOnException(async () => 'v');
  assert.ok(ok instanceof Promise);
  assert.is(await ok, 'v');
  const e = new CancelledError('async failure');
  const r = coord.stopOnException(async () => { await sleep(1); throw e; });
  assert.ok(r instanceof Promise);
  assert.is(await r, undefined);
  assert.is(coord.shouldStop(), true);
  assert.is(await rejection(coord.join()), e);
});

test('stopOnException with a clean-stop error: stop without an exception', async () => {
  const coord = new Coordinator();
  coord.stopOnException(() => { throw new OutOfRangeError('end of input'); });
  assert.is(coord.shouldStop(), true);
  await coord.join();
});

test('clearStop clears the flag, the exception and joined', async () => {
  const coord = new Coordinator();
  coord.requestStop(new UnknownError('x'));
  await rejection(coord.join());
  assert.is(coord.joined, true);
  coord.clearStop();
  assert.is(coord.shouldStop(), false);
  assert.is(coord.joined, false);
  coord.raiseRequestedException();
  assert.is(await coord.waitForStop(5), false);
  const seen: unknown[] = [];
  coord.stop$.subscribe((v) => seen.push(v));
  coord.requestStop();
  assert.equal(seen, [null]);
});

test('requestStop(err) after join throws it at once; requestStop() does not', async () => {
  const coord = new Coordinator();
  coord.requestStop();
  await coord.join();
  coord.requestStop();
  const e = new UnknownError('nobody would see this');
  assert.throws(() => coord.requestStop(e), (x: unknown) => x === e);
  assert.not.throws(() => coord.requestStop(new OutOfRangeError('clean')));
});

test('property: whatever the order of reports, the first non-clean one before a plain stop is raised', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.oneof(fc.constant('clean'), fc.constant('plain'), fc.constant('error')), { minLength: 1, maxLength: 8 }),
    async (kinds) => {
      const coord = new Coordinator();
      const errs = kinds.map((k, i) => (k === 'clean' ? new OutOfRangeError(`c${i}`) : k === 'error' ? new UnknownError(`e${i}`) : undefined));
      for (const e of errs) coord.requestStop(e);
      // The flag is set by the first call; only that call can store an exception.
      const expected = kinds[0] === 'error' ? errs[0] : undefined;
      try {
        await coord.join([]);
        return expected === undefined;
      } catch (got) {
        return got === expected;
      }
    }), { numRuns: 50 });
});

test('thread handles: start twice and join before start are RuntimeErrors', async () => {
  const t = new StreamThread('t', () => timer(1));
  assert.is(t.isAlive(), false);
  assert.ok((await rejection(t.join())) instanceof RuntimeError);
  t.start();
  assert.is(t.isAlive(), true);
  assert.throws(() => t.start(), /threads can only be started once/);
  await within(1000, t.join());
  assert.is(t.isAlive(), false);
});

test('LooperThread back to back: calls until stop, with args, self-registered', async () => {
  const coord = new Coordinator();
  const calls: unknown[][] = [];
  const t = LooperThread.loop(coord, null, (...a: unknown[]) => { calls.push(a); }, [1, 'x']);
  assert.ok(t instanceof LooperThread);
  assert.ok(t.daemon);
  await sleep(50);
  coord.requestStop();
  await within(2000, coord.join());
  assert.ok(calls.length >= 2, `only ${calls.length} calls`);
  assert.equal(calls[0], [1, 'x']);
  assert.is(t.isAlive(), false);
});

test('LooperThread with an interval calls at interval boundaries, the first at once', async () => {
  const coord = new Coordinator();
  const times: number[] = [];
  const t0 = Date.now();
  coord.loop(25, () => { times.push(Date.now() - t0); });
  await sleep(140);
  coord.requestStop();
  await within(2000, coord.join());
  assert.ok(times[0]! < 100, `first call at ${times[0]}`);
  assert.ok(times.length >= 2 && times.length <= 7, `calls at ${times}`);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= 25 * i - 5, `call ${i} at ${times[i]}`);
});

test('LooperThread: an exception from the target goes to the coordinator', async () => {
  const coord = new Coordinator();
  const e = new InvalidArgumentError('bad step');
  let n = 0;
  coord.loop(null, async () => {
    if (++n === 3) throw e;
  });
  assert.is(await within(2000, coord.waitForStop()), true);
  assert.is(await rejection(coord.join()), e);
  assert.is(n, 3);
});

test('LooperThread: startLoop/stopLoop/runLoop overrides', async () => {
  const coord = new Coordinator();
  const log: string[] = [];
  class Counter extends LooperThread {
    override startLoop(): void { log.push('start'); }
    override runLoop(): void {
      log.push('run');
      if (log.length >= 4) coord.requestStop();
    }
    override stopLoop(): void { log.push('stop'); }
  }
  const t = new Counter(coord, null);
  t.start();
  await within(2000, coord.join());
  assert.equal(log, ['start', 'run', 'run', 'run', 'stop']);
});

test('LooperThread validation', () => {
  assert.throws(() => new LooperThread({} as Coordinator, null), (e: unknown) => e instanceof InvalidArgumentError && /'coord' argument must be a Coordinator/.test((e as Error).message));
  assert.throws(() => new LooperThread(new Coordinator(), null, null, [1]), /'args' and 'kwargs' argument require that you also pass 'target'/);
});

test('a stream thread loop ends with takeUntil(stop$)', async () => {
  const coord = new Coordinator();
  let runs = 0;
  const t = new StreamThread('runner', () => defer(() => from(sleep(1).then(() => runs++))).pipe(repeat(), takeUntil(coord.stop$))).start();
  await sleep(40);
  coord.requestStop();
  await within(1000, coord.join([t]));
  const after = runs;
  await sleep(10);
  assert.ok(after >= 1);
  assert.ok(runs - after <= 1, "at most the run in flight completes");
});

test.run();
