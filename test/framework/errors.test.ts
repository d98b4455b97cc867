/** tf.errors: names, codes, both constructor forms, the wire round trip. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { errorFromWire, errorToWire } from '../../lib/framework/errors.js';

const CLASSES: [string, number, string][] = [
  ['CancelledError', 1, 'CANCELLED'], ['UnknownError', 2, 'UNKNOWN'], ['InvalidArgumentError', 3, 'INVALID_ARGUMENT'],
  ['DeadlineExceededError', 4, 'DEADLINE_EXCEEDED'], ['NotFoundError', 5, 'NOT_FOUND'], ['AlreadyExistsError', 6, 'ALREADY_EXISTS'],
  ['PermissionDeniedError', 7, 'PERMISSION_DENIED'], ['ResourceExhaustedError', 8, 'RESOURCE_EXHAUSTED'],
  ['FailedPreconditionError', 9, 'FAILED_PRECONDITION'], ['AbortedError', 10, 'ABORTED'], ['OutOfRangeError', 11, 'OUT_OF_RANGE'],
  ['UnimplementedError', 12, 'UNIMPLEMENTED'], ['InternalError', 13, 'INTERNAL'], ['UnavailableError', 14, 'UNAVAILABLE'],
  ['DataLossError', 15, 'DATA_LOSS'], ['UnauthenticatedError', 16, 'UNAUTHENTICATED'],
];

type Ctor = new (...a: unknown[]) => tf.errors.OpError;
const cls = (name: string): Ctor => (tf.errors as unknown as Record<string, Ctor>)[name]!;

test('every class: its name, canonical code and number; built as (message, opts) and as TensorFlow\'s (node_def, op, message)', () => {
  for (const [name, n, code] of CLASSES) {
    const ours = new (cls(name))('boom', { op: 'x', device: '/job:ps/replica:0/task:0/device:CPU:0' });
    const theirs = new (cls(name))(null, null, 'First');
    for (const e of [ours, theirs]) {
      assert.ok(e instanceof tf.errors.OpError && e instanceof Error);
      assert.is(e.name, name);
      assert.is(e.errorCode, n);
      assert.is(e.code, code);
    }
    assert.is(ours.message, 'boom');
    assert.is(ours.op, 'x');
    assert.is(theirs.message, 'First');
    assert.is(theirs.op, null);
  }
});

test("OpError(node_def, op, message, error_code): the op's name is kept and the code chosen by number", () => {
  const e = new tf.errors.OpError(null, { name: 'enqueue' }, 'it failed', 11);
  assert.is(e.message, 'it failed');
  assert.is(e.op, 'enqueue');
  assert.is(e.code, 'OUT_OF_RANGE');
  assert.is(e.errorCode, 11);
  assert.is(new tf.errors.OpError('plain').code, 'UNKNOWN');
});

test('an error crosses the wire as the same class with op and device', () => {
  for (const [name] of CLASSES) {
    const back = errorFromWire(errorToWire(new (cls(name))('m', { op: 'o', device: 'd' })));
    assert.ok(back instanceof cls(name), name);
    assert.equal([back.message, back.op, back.device], ['m', 'o', 'd']);
  }
});

test("a Coordinator treats TensorFlow-built OutOfRangeError(None, None, 'First') as a clean stop (coordinator_test.testJoinIgnoresOutOfRange)", async () => {
  const coord = new tf.train.Coordinator();
  coord.requestStop(new tf.errors.OutOfRangeError(null, null, 'First'));
  assert.ok(coord.shouldStop());
  await coord.join([]);
});

test.run();
