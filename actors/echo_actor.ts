/**
 * `<task path>/echo`: answers `{type: 'echo', body}` with body and `{type: 'sink', body}` with
 * null. Health checks and the benchmarks' "bare ask" baseline use it.
 */
import { InvalidArgumentError } from '../lib/framework/errors.js';
import { Actor, type Envelope } from './actor.js';

export class EchoActor extends Actor {
  protected receive(env: Envelope): void {
    const msg = env.msg as { type?: string; body?: unknown };
    if (msg.type === 'echo') env.reply(msg.body ?? null);
    else if (msg.type === 'sink') env.reply(null);
    else env.fail(new InvalidArgumentError(`Echo actor ${this.path} takes 'echo' or 'sink' messages, got '${String(msg.type)}'`));
  }
}
