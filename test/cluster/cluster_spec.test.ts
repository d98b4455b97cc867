import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '../../lib/index.js';
import { parseClusterShorthand } from '../../lib/train/cluster_spec.js';

const { ClusterSpec } = tf.train;

test('list jobs: accessors of TF-SEMANTICS 1.11', () => {
  const c = new ClusterSpec({ ps: ['a:2221'], worker: ['a:2222', 'b:2222'] });
  assert.equal(c.jobs, ['ps', 'worker']);
  assert.is(c.numTasks('worker'), 2);
  assert.equal(c.taskIndices('worker'), [0, 1]);
  assert.is(c.taskAddress('worker', 1), 'b:2222');
  assert.equal(c.jobTasks('ps'), ['a:2221']);
  assert.equal(c.asDict(), { ps: ['a:2221'], worker: ['a:2222', 'b:2222'] });
});

test('sparse jobs: job_tasks has holes and as_dict keeps the mapping', () => {
  const c = new ClusterSpec({ sparse: { 0: 'a:1', 2: 'c:3' } });
  assert.equal(c.taskIndices('sparse'), [0, 2]);
  assert.equal(c.jobTasks('sparse'), ['a:1', null, 'c:3']);
  assert.equal(c.asDict(), { sparse: { 0: 'a:1', 2: 'c:3' } });
  assert.throws(() => c.taskAddress('sparse', 1), (e: Error) => e instanceof tf.errors.InvalidArgumentError && e.message === "No task with index 1 in job 'sparse'");
});

test('errors: unknown job, bad task lists', () => {
  const c = new ClusterSpec({ ps: ['a:1'] });
  assert.throws(() => c.numTasks('worker'), (e: Error) => e instanceof tf.errors.InvalidArgumentError && e.message === "No such job in cluster: 'worker'");
  assert.throws(() => new ClusterSpec({ ps: 'a:1' } as never), (e: Error) => /must be a list or a dictionary from integers to strings/.test(e.message));
});

test('equality compares the mapping; list and {0:..} forms are equal; empty is empty', () => {
  assert.ok(new ClusterSpec({ ps: ['a:1'] }).equals(new ClusterSpec({ ps: { 0: 'a:1' } })));
  assert.not.ok(new ClusterSpec({ w: ['a:1', 'b:1'] }).equals(new ClusterSpec({ w: ['b:1', 'a:1'] })));
  assert.ok(new ClusterSpec({}).isEmpty);
  assert.ok(new ClusterSpec(new ClusterSpec({ ps: ['a:1'] })).equals(new ClusterSpec({ ps: ['a:1'] })));
});

test('the CLI shorthand ps=h:p;worker=h:p,h:p', () => {
  const c = parseClusterShorthand('ps=127.0.0.1:1;worker=127.0.0.1:2,127.0.0.1:3');
  assert.equal(c.asDict(), { ps: ['127.0.0.1:1'], worker: ['127.0.0.1:2', '127.0.0.1:3'] });
});

test('Server infers job and task only when unambiguous', () => {
  assert.throws(() => new tf.train.Server({ ps: ['localhost:0'], worker: ['localhost:0'] }, { start: false }),
    (e: Error) => e instanceof tf.errors.InvalidArgumentError && e.message === 'Must specify an explicit `job_name`.');
  assert.throws(() => new tf.train.Server({ worker: ['localhost:0', 'localhost:0'] }, { start: false }),
    (e: Error) => e instanceof tf.errors.InvalidArgumentError && e.message === 'Must specify an explicit `task_index`.');
  assert.throws(() => new tf.train.Server({ worker: ['localhost'] }, { start: false }), (e: Error) => /port/.test(e.message));
  const s = new tf.train.Server({ worker: ['localhost:0'] }, { start: false });
  assert.is(s.jobName, 'worker');
  assert.is(s.taskIndex, 0);
});

test('asDict: a job with no tasks is {} (TF tests "no indices" before "indices 0..n-1")', () => {
  assert.equal(new ClusterSpec({ e: [] }).asDict(), { e: {} });
  assert.equal(new ClusterSpec({ e: {} }).asDict(), { e: {} });
  assert.equal(new ClusterSpec({ e: [], ps: ['a:1'], s: { 1: 'b:1' } }).asDict(), { e: {}, ps: ['a:1'], s: { 1: 'b:1' } });
  // The empty job survives a round trip through asDict and through a ClusterDef.
  const c = new ClusterSpec({ e: [], ps: ['a:1'] });
  assert.ok(new ClusterSpec(c.asDict()).equals(c));
  assert.ok(new ClusterSpec(c.asClusterDef()).equals(c));
  assert.is(c.numTasks('e'), 0);
});

test.run();
