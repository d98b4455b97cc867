/** uvu has no async `rejects`: this one awaits fn and checks the error with a predicate. */
import * as assert from 'uvu/assert';

export async function rejects(fn: () => Promise<unknown>, check: (e: Error) => boolean, msg?: string): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    if (!check(e as Error)) assert.unreachable(`${msg ?? 'wrong error'}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return e as Error;
  }
  assert.unreachable(msg ?? 'expected a rejection');
  throw new Error('unreachable');
}

/** Awaits p and returns what it rejected with (fails the test if it resolved). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.unreachable('expected a rejection');
  throw new Error('unreachable');
}

/** Awaits p and checks it rejects with an instance of cls whose message matches re. */
export async function rejectsWith<E extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => E, re: RegExp): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, cls, `expected ${cls.name}, got ${String(e)}`);
    assert.match((e as Error).message, re);
    return e as E;
  }
  assert.unreachable(`expected ${cls.name} matching ${re}`);
  throw new Error('unreachable');
}
