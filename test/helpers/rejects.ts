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
