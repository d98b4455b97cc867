/**
 * The book's "Pinning Operations Across Tasks": `a` on the ps's CPU, `b` on worker 0, `c` on the
 * master's default device. Run against a cluster started as the README shows:
 *   node examples/pinning.js ws://127.0.0.1:2223
 */
import * as tf from 'actorflow';

const target = process.argv[2] ?? 'ws://127.0.0.1:2223';
const a = tf.device('/job:ps/task:0/cpu:0', () => tf.constant(1.0));
const b = tf.device('/job:worker/task:0', () => tf.add(a, 2));
const c = tf.add(a, b);

{
  await using sess = new tf.Session(target);
  const md: tf.RunMetadata = {};
  console.log(String((await sess.run(c, undefined, { runMetadata: md })).toArray()));
  for (const t of [a, b, c]) console.log(`${t.op.name}: ${md.placement![t.op.name]}`);
}
