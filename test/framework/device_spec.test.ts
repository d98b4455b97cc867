import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '../../lib/index.js';
import { DeviceSpec } from '../../lib/framework/device_spec.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import { throwsError } from '../ops/op_test_util.js';

// ---- generators ---------------------------------------------------------------------------

const job = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const idx = fc.nat({ max: 64 });
const deviceType = fc.constantFrom('CPU', 'GPU', 'TPU', 'XLA_GPU');

/** Spec fields that print and parse back (an index is only printed together with a type). */
const fields = fc.record({
  job: fc.option(job, { nil: null }),
  replica: fc.option(idx, { nil: null }),
  task: fc.option(idx, { nil: null }),
  deviceType: fc.option(deviceType, { nil: null }),
  deviceIndex: fc.option(idx, { nil: null }),
}).map((f) => (f.deviceType === null ? { ...f, deviceIndex: null } : f));

const spec = fields.map((f) => new DeviceSpec(f));

function plain(s: DeviceSpec): Record<string, unknown> {
  return { job: s.job, replica: s.replica, task: s.task, deviceType: s.deviceType, deviceIndex: s.deviceIndex };
}

/** The parts of a spec string in any order and any accepted spelling. */
const partsOf = (f: ReturnType<typeof plain>): fc.Arbitrary<string> => {
  const parts: fc.Arbitrary<string>[] = [];
  if (f['job'] !== null) parts.push(fc.constant(`job:${f['job']}`));
  if (f['replica'] !== null) parts.push(fc.constant(`replica:${f['replica']}`));
  if (f['task'] !== null) parts.push(fc.constant(`task:${f['task']}`));
  if (f['deviceType'] !== null) {
    const t = f['deviceType'] as string;
    const i = f['deviceIndex'] === null ? '*' : String(f['deviceIndex']);
    const spellings: fc.Arbitrary<string>[] = [fc.constant(`device:${t}:${i}`)];
    if (t === 'CPU' || t === 'GPU') {
      spellings.push(fc.constant(`${t.toLowerCase()}:${i}`), fc.constant(`${t}:${i}`));
      if (i === '*') spellings.push(fc.constant(t.toLowerCase()));
    }
    parts.push(fc.oneof(...spellings));
  }
  return fc.tuple(...parts, fc.boolean()).chain((xs) => {
    const chosen = xs.slice(0, -1) as string[];
    return fc.shuffledSubarray(chosen, { minLength: chosen.length, maxLength: chosen.length })
      .map((order) => (xs[xs.length - 1] ? '/' : '') + order.join('/'));
  });
};

// ---- properties ---------------------------------------------------------------------------

test('property: printing then parsing gives the same fields, and the canonical string is a fixed point', () => {
  fc.assert(fc.property(spec, (s) => {
    const str = s.toString();
    const back = DeviceSpec.fromString(str);
    assert.equal(plain(back), plain(s));
    assert.is(back.toString(), str);
  }), { numRuns: 300 });
});

test('property: any order and spelling of the parts parses to the same spec', () => {
  fc.assert(fc.property(fields.chain((f) => fc.tuple(fc.constant(f), partsOf(f))), ([f, str]) => {
    const parsed = DeviceSpec.fromString(str);
    assert.equal(plain(parsed), plain(new DeviceSpec(f)), str);
  }), { numRuns: 300 });
});

test('property: the canonical form orders job, replica, task, device', () => {
  fc.assert(fc.property(spec, (s) => {
    const str = s.toString();
    const keys = str.split('/').filter(Boolean).map((p) => p.split(':')[0]);
    const order = ['job', 'replica', 'task', 'device'];
    assert.equal(keys, order.filter((k) => keys.includes(k)));
    if (s.deviceType !== null) assert.match(str, new RegExp(`/device:${s.deviceType}:(\\d+|\\*)$`));
  }), { numRuns: 200 });
});

test('property: mergeFrom takes each field set in the other spec, keeps the rest, and returns this', () => {
  fc.assert(fc.property(spec, spec, (a, b) => {
    const before = plain(a);
    const m = a.mergeFrom(b);
    assert.is(m, a);
    for (const k of Object.keys(before)) {
      const bv = (b as unknown as Record<string, unknown>)[k];
      assert.is((m as unknown as Record<string, unknown>)[k], bv !== null ? bv : before[k], k);
    }
  }), { numRuns: 300 });
});

test('property: merging is associative and idempotent; the empty spec is its identity', () => {
  fc.assert(fc.property(spec, spec, spec, (a, b, c) => {
    const left = a.clone().mergeFrom(b).mergeFrom(c);
    const right = a.clone().mergeFrom(b.clone().mergeFrom(c));
    assert.is(left.toString(), right.toString());
    assert.is(a.clone().mergeFrom(a).toString(), a.toString());
    assert.is(a.clone().mergeFrom(new DeviceSpec()).toString(), a.toString());
    assert.is(new DeviceSpec().mergeFrom(a).toString(), a.toString());
  }), { numRuns: 200 });
});

test('property: two device parts in one string are refused', () => {
  const dev = fc.constantFrom('cpu:0', 'gpu:1', 'device:GPU:2', 'CPU', 'device:TPU:*');
  fc.assert(fc.property(dev, dev, fc.option(job, { nil: null }), (d1, d2, j) => {
    const str = `${j === null ? '' : `/job:${j}`}/${d1}/${d2}`;
    const e = throwsError(() => DeviceSpec.fromString(str), InvalidArgumentError, /Cannot specify multiple device types/);
    assert.is(e.message, `Cannot specify multiple device types: ${str}`);
  }), { numRuns: 100 });
});

test('property: an unknown key is refused naming the key and the whole spec', () => {
  const bad = fc.stringMatching(/^[a-z]{2,6}$/).filter((k) => !['job', 'replica', 'task', 'cpu', 'gpu', 'device'].includes(k));
  fc.assert(fc.property(bad, fc.option(idx, { nil: null }), (k, v) => {
    const str = `/job:w/${k}${v === null ? '' : `:${v}`}`;
    const e = throwsError(() => DeviceSpec.fromString(str), InvalidArgumentError, /Unknown attribute/);
    assert.is(e.message, `Unknown attribute: '${k}' in '${str}'`);
  }), { numRuns: 100 });
});

// ---- TF-SEMANTICS 1.9, case by case --------------------------------------------------------

test('canonical strings for the usual spellings', () => {
  const cases: [string, string][] = [
    ['/job:ps/replica:0/task:0/device:CPU:0', '/job:ps/replica:0/task:0/device:CPU:0'],
    ['/cpu:0', '/device:CPU:0'],
    ['/gpu:1', '/device:GPU:1'],
    ['/GPU:1', '/device:GPU:1'],
    ['/gpu:*', '/device:GPU:*'],
    ['gpu', '/device:GPU:*'],
    ['/task:1/job:worker', '/job:worker/task:1'],
    ['/job:worker/gpu:1', '/job:worker/device:GPU:1'],
    ['/device:XLA_GPU:0', '/device:XLA_GPU:0'],
    ['//job:a//task:2/', '/job:a/task:2'],
    ['', ''],
    ['/', ''],
  ];
  for (const [input, want] of cases) assert.is(DeviceSpec.fromString(input).toString(), want, input);
});

test('fields: unset is null, a wildcard index is null, the constructor uppercases cpu/gpu', () => {
  const s = DeviceSpec.fromString('/job:ps/gpu:*');
  assert.equal(plain(s), { job: 'ps', replica: null, task: null, deviceType: 'GPU', deviceIndex: null });
  assert.is(new DeviceSpec({ deviceType: 'cpu', deviceIndex: 0 }).toString(), '/device:CPU:0');
  assert.is(new DeviceSpec({ deviceType: 'gpu' }).toString(), '/device:GPU:*');
  assert.is(new DeviceSpec({ job: 'worker', task: 3 }).toString(), '/job:worker/task:3');
  assert.is(new DeviceSpec().toString(), '');
  assert.is(tf.DeviceSpec, DeviceSpec);
});

test('merge cases of TF-SEMANTICS 1.9: type and index merge independently', () => {
  const gpu7 = () => DeviceSpec.fromString('/job:w/device:GPU:7');
  assert.is(gpu7().mergeFrom(DeviceSpec.fromString('/device:GPU:*')).toString(), '/job:w/device:GPU:7');
  assert.is(gpu7().mergeFrom(DeviceSpec.fromString('/device:CPU:*')).toString(), '/job:w/device:CPU:7');
  assert.is(gpu7().mergeFrom('/task:2').toString(), '/job:w/task:2/device:GPU:7');
  assert.is(gpu7().mergeFrom('/job:ps/gpu:0').toString(), '/job:ps/device:GPU:0');
  assert.is(DeviceSpec.fromString('/job:ps/task:0').mergeFrom('/job:worker').toString(), '/job:worker/task:0');
});

test('errors: multiple device types, unknown attribute, non-integer task or replica', () => {
  throwsError(() => DeviceSpec.fromString('/job:muu/device:GPU:2/cpu:0'), InvalidArgumentError,
    /^Cannot specify multiple device types: \/job:muu\/device:GPU:2\/cpu:0$/);
  throwsError(() => DeviceSpec.fromString('/job:foo/bar'), InvalidArgumentError, /^Unknown attribute: 'bar' in '\/job:foo\/bar'$/);
  throwsError(() => DeviceSpec.fromString('/bar:baz'), InvalidArgumentError, /^Unknown attribute: 'bar' in '\/bar:baz'$/);
  throwsError(() => DeviceSpec.fromString('/job:a/task:x'), InvalidArgumentError, /invalid literal for int\(\)/);
  throwsError(() => DeviceSpec.fromString('/replica:1.5'), InvalidArgumentError, /invalid literal for int\(\)/);
  throwsError(() => DeviceSpec.fromString('/gpu:a'), InvalidArgumentError, /invalid literal for int\(\)/);
});

// ---- TF 1.x parse_from_string, exactly -----------------------------------------------------

test('strict: device:TYPE needs an index part, and malformed arities are unknown attributes', () => {
  const cases: [string, string][] = [
    ['/device:GPU', 'device'],
    ['/job:a/device:CPU', 'device'],
    ['/device:GPU:0:1', 'device'],
    ['/device', 'device'],
    ['/gpu:1:2', 'gpu'],
    ['/job', 'job'],
    ['/job:a:b', 'job'],
    ['/task', 'task'],
    ['/replica:0:1', 'replica'],
  ];
  for (const [str, key] of cases) {
    const e = throwsError(() => DeviceSpec.fromString(str), InvalidArgumentError, /Unknown attribute/);
    assert.is(e.message, `Unknown attribute: '${key}' in '${str}'`, str);
  }
});

test('strict: job, replica, task and device are case-sensitive; only the cpu/gpu short form is not', () => {
  for (const [str, key] of [['/JOB:foo', 'JOB'], ['/Job:foo', 'Job'], ['/REPLICA:0', 'REPLICA'],
    ['/Task:1', 'Task'], ['/DEVICE:GPU:0', 'DEVICE'], ['/job:w/Device:CPU:0', 'Device']] as const) {
    const e = throwsError(() => DeviceSpec.fromString(str), InvalidArgumentError, /Unknown attribute/);
    assert.is(e.message, `Unknown attribute: '${key}' in '${str}'`, str);
  }
  // TF compares y[0].upper() with "CPU"/"GPU", so any casing of the short form is upper-cased.
  assert.is(DeviceSpec.fromString('/Gpu:1').toString(), '/device:GPU:1');
  assert.is(DeviceSpec.fromString('/cPu').toString(), '/device:CPU:*');
  // The device: form keeps its type verbatim, lower case included.
  assert.is(DeviceSpec.fromString('/device:Gpu:1').deviceType, 'Gpu');
});

test('property: any non-lower-case spelling of job/replica/task/device is refused', () => {
  const key = fc.constantFrom('job', 'replica', 'task', 'device').chain((k) =>
    fc.array(fc.boolean(), { minLength: k.length, maxLength: k.length })
      .map((up) => [...k].map((ch, i) => (up[i] ? ch.toUpperCase() : ch)).join(''))
      .filter((spelt) => spelt !== k));
  fc.assert(fc.property(key, (k) => {
    const str = k.toLowerCase() === 'device' ? `/${k}:CPU:0` : `/${k}:1`;
    const e = throwsError(() => DeviceSpec.fromString(str), InvalidArgumentError, /Unknown attribute/);
    assert.is(e.message, `Unknown attribute: '${k}' in '${str}'`);
  }), { numRuns: 100 });
});

test('strict: a part with an empty key is skipped, as TF skips y[0] == ""', () => {
  assert.is(DeviceSpec.fromString('/:foo').toString(), '');
  assert.is(DeviceSpec.fromString('/job:a/:x:y/task:1').toString(), '/job:a/task:1');
  assert.is(DeviceSpec.fromString(':').toString(), '');
});

test('strict: an empty device type from device::N still counts as a device type', () => {
  assert.is(DeviceSpec.fromString('/device::0').toString(), '/device::0');
  throwsError(() => DeviceSpec.fromString('/device::0/cpu:0'), InvalidArgumentError,
    /^Cannot specify multiple device types: \/device::0\/cpu:0$/);
});

test('indices are read as Python int(): sign and digit underscores accepted, anything else refused', () => {
  assert.is(DeviceSpec.fromString('/replica:+1/task:1_0/gpu:0_2').toString(), '/replica:1/task:10/device:GPU:2');
  for (const bad of ['/task:1__0', '/task:_1', '/task:1_', '/replica:', '/gpu:1.0', '/device:GPU:0x1', '/task:1e2']) {
    throwsError(() => DeviceSpec.fromString(bad), InvalidArgumentError, /invalid literal for int\(\)/);
  }
});

test('constructor upper-cases exactly "cpu" and "gpu"; other spellings are kept as given', () => {
  assert.is(new DeviceSpec({ deviceType: 'cpu', deviceIndex: 0 }).deviceType, 'CPU');
  assert.is(new DeviceSpec({ deviceType: 'gpu' }).deviceType, 'GPU');
  assert.is(new DeviceSpec({ deviceType: 'Cpu', deviceIndex: 0 }).toString(), '/device:Cpu:0');
  assert.is(new DeviceSpec({ deviceType: 'GPu' }).deviceType, 'GPu');
  assert.is(new DeviceSpec({ deviceType: 'tpu' }).deviceType, 'tpu');
});

test('TF testParse: parseFrom clears every field before reading the string', () => {
  const d = new DeviceSpec();
  assert.is(d.parseFrom('/job:foo/replica:0').toString(), '/job:foo/replica:0');
  assert.is(d.parseFrom('/replica:1/task:0/cpu:0').toString(), '/replica:1/task:0/device:CPU:0');
  assert.is(d.parseFrom('/replica:1/task:0/device:CPU:0').toString(), '/replica:1/task:0/device:CPU:0');
  assert.is(d.parseFrom('/job:muu/gpu:2').toString(), '/job:muu/device:GPU:2');
  throwsError(() => d.parseFrom('/job:muu/gpu:2/cpu:0'), InvalidArgumentError, /Cannot specify multiple device/);
  assert.is(d.parseFrom('').toString(), '');
});

test('TF testCheckValid and testCanonicalName', () => {
  DeviceSpec.fromString('/job:foo/replica:0');
  throwsError(() => DeviceSpec.fromString('/job:j/replica:foo'), InvalidArgumentError, /invalid literal for int/);
  throwsError(() => DeviceSpec.fromString('/job:j/task:bar'), InvalidArgumentError, /invalid literal for int/);
  throwsError(() => DeviceSpec.fromString('/bar:muu/baz:2'), InvalidArgumentError, /Unknown attribute: 'bar'/);
  throwsError(() => DeviceSpec.fromString('/cpu:0/gpu:2'), InvalidArgumentError, /Cannot specify multiple device/);
  const canon: [string, string][] = [
    ['/job:foo/replica:0', '/job:foo/replica:0'],
    ['/replica:0/job:foo', '/job:foo/replica:0'],
    ['/job:foo/task:0/replica:0', '/job:foo/replica:0/task:0'],
    ['/device:CPU:0', '/device:CPU:0'],
    ['/device:GPU:2', '/device:GPU:2'],
    ['/job:foo/replica:0/task:0/gpu:0', '/job:foo/replica:0/task:0/device:GPU:0'],
    ['/gpu:0/task:0/replica:0/job:foo', '/job:foo/replica:0/task:0/device:GPU:0'],
  ];
  for (const [input, want] of canon) assert.is(DeviceSpec.fromString(input).toString(), want, input);
});

test.run();
