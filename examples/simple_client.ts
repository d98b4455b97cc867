/**
 * The book's simple_client.py: `node examples/simple_client.js ws://127.0.0.1:2222 init` prints 1,
 * then `node examples/simple_client.js ws://127.0.0.1:2223` prints 2: the variable `x` lives in
 * the cluster (on /job:ps/task:0), not in the client or the session.
 */
import * as tf from 'actorflow';

const [target, mode] = process.argv.slice(2);
if (!target) {
  process.stderr.write('usage: node examples/simple_client.js <target> [init]\n');
  process.exit(2);
}

const x = new tf.Variable(0.0, { name: 'x' });
const incrementX = tf.assign(x, tf.add(x, 1));

{
  await using sess = new tf.Session(target);
  if (mode === 'init') await sess.run(x.initializer);
  await sess.run(incrementX);
  console.log(String((await x.eval(sess)).toArray()));
}
