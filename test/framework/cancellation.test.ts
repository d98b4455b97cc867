import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Cancellation, NEVER, toAbortSignal } from '../../lib/framework/cancellation.js';
import { CancelledError, DeadlineExceededError } from '../../lib/framework/errors.js';
import { Actor, type Envelope } from '../../actors/actor.js';

test('abort runs the listeners once, in the order added, and keeps the reason', () => {
  const c = new Cancellation();
  const calls: string[] = [];
  c.addEventListener('abort', () => calls.push('a'));
  c.addEventListener('abort', () => { throw new Error('a failing listener'); });
  c.addEventListener('abort', () => calls.push('c'));
  assert.is(c.aborted, false);
  const why = new DeadlineExceededError('late');
  c.abort(why);
  c.abort(new CancelledError('again'));
  assert.equal(calls, ['a', 'c'], 'every listener ran once, past the failing one');
  assert.ok(c.aborted);
  assert.is(c.reason, why, 'the first reason stays');
  c.addEventListener('abort', () => calls.push('late'));
  assert.equal(calls, ['a', 'c'], 'an aborted signal fires no more events, as AbortSignal');
});

test('a removed listener does not run; removing twice or an unknown one is harmless', () => {
  const c = new Cancellation();
  const calls: number[] = [];
  const one = (): void => { calls.push(1); };
  const two = (): void => { calls.push(2); };
  c.addEventListener('abort', one);
  c.addEventListener('abort', two);
  c.removeEventListener('abort', one);
  c.removeEventListener('abort', one);
  c.removeEventListener('abort', () => {});
  c.abort(new CancelledError('x'));
  assert.equal(calls, [2]);
});

test('a listener removed by an earlier one during the abort does not run, as with AbortSignal', () => {
  const c = new Cancellation();
  const ac = new AbortController();
  const got: string[] = [];
  const want: string[] = [];
  const second = (): void => { got.push('second'); };
  const secondA = (): void => { want.push('second'); };
  c.addEventListener('abort', () => { got.push('first'); c.removeEventListener('abort', second); });
  c.addEventListener('abort', second);
  c.addEventListener('abort', () => { got.push('third'); });
  ac.signal.addEventListener('abort', () => { want.push('first'); ac.signal.removeEventListener('abort', secondA); });
  ac.signal.addEventListener('abort', secondA);
  ac.signal.addEventListener('abort', () => { want.push('third'); });
  c.abort('x');
  ac.abort('x');
  assert.equal(got, ['first', 'third']);
  assert.equal(got, want);
});

test('the AbortSignal made on demand follows the Cancellation, before or after the abort', () => {
  const early = new Cancellation();
  const s = early.signal;
  assert.is(early.signal, s, 'made once');
  let fired = 0;
  s.addEventListener('abort', () => { fired++; });
  const why = new CancelledError('gone');
  early.abort(why);
  assert.ok(s.aborted);
  assert.is(s.reason, why);
  assert.is(fired, 1);

  const late = new Cancellation();
  late.abort(why);
  assert.ok(late.signal.aborted, 'made after the abort, it starts aborted');
  assert.is(late.signal.reason, why);

  assert.is(toAbortSignal(late), late.signal);
  const ac = new AbortController();
  assert.is(toAbortSignal(ac.signal), ac.signal, 'an AbortSignal passes through');
  assert.is(toAbortSignal(NEVER).aborted, false);
});

test('NEVER never aborts and keeps no listeners', () => {
  for (let i = 0; i < 1000; i++) NEVER.addEventListener('abort', () => { throw new Error('never'); });
  assert.is(NEVER.aborted, false);
  assert.ok(Object.isFrozen(NEVER));
});

test('property: any interleaving of adds and removes runs, on abort, exactly what an AbortSignal would run, in its order', () => {
  fc.assert(fc.property(fc.array(fc.oneof(
    fc.record({ op: fc.constant('add' as const), id: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ op: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 5 }) }),
  ), { maxLength: 30 }), (ops) => {
    const c = new Cancellation();
    const ac = new AbortController();
    const gotC: number[] = [];
    const gotA: number[] = [];
    const fnsC = Array.from({ length: 6 }, (_, i) => () => { gotC.push(i); });
    const fnsA = Array.from({ length: 6 }, (_, i) => () => { gotA.push(i); });
    for (const { op, id } of ops) {
      if (op === 'add') { c.addEventListener('abort', fnsC[id]!); ac.signal.addEventListener('abort', fnsA[id]!); } else { c.removeEventListener('abort', fnsC[id]!); ac.signal.removeEventListener('abort', fnsA[id]!); }
    }
    c.abort('r');
    ac.abort('r');
    assert.equal(gotC, gotA, 'the same listeners, in the same order, as an AbortSignal');
  }), { numRuns: 300 });
});

class Parker extends Actor {
  parked: Envelope[] = [];
  protected receive(env: Envelope): void { this.parked.push(env); }
}

test('an actor request parked under a Cancellation fails with its reason when it aborts', async () => {
  const a = new Parker('/job:t/replica:0/task:0/parker');
  const c = new Cancellation();
  const p = a.deliver('wait', c);
  let cancelled: unknown = null;
  await Promise.resolve();
  a.parked[0]!.onCancel((r) => { cancelled = r; });
  c.abort(new DeadlineExceededError('step deadline'));
  const err = await p.then(() => null, (e: unknown) => e);
  assert.instance(err, DeadlineExceededError);
  assert.instance(cancelled, DeadlineExceededError);
  assert.is(a.parked[0]!.reply('too late'), false, 'a cancelled request cannot be answered');
});

test.run();
