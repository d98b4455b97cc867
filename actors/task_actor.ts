/**
 * The task actor (`/job:ps/replica:0/task:0`): answers which devices the task has, and frees
 * resource containers on all of them when a master resets the cluster.
 */
import { InvalidArgumentError } from '../lib/framework/errors.js';
import type { DeviceInfo } from '../lib/framework/kernel_context.js';
import { Actor, type Envelope } from './actor.js';
import type { DeviceActor } from './device_actor.js';

export interface DeviceDescription extends DeviceInfo {
  /** For GPU devices: the gpu.js backend that actually runs kernels. */
  backend?: string;
  /** For GPU devices: the adapter the backend runs on. */
  description?: string;
}

export class TaskActor extends Actor {
  constructor(path: string, private readonly devices: () => DeviceActor[], private readonly describe: () => DeviceDescription[],
    private readonly status: () => Record<string, unknown>) {
    super(path);
  }

  protected receive(env: Envelope): void {
    const msg = env.msg as Record<string, unknown>;
    switch (msg['type']) {
      case 'listDevices': env.reply(this.describe()); return;
      case 'resetContainers': {
        const containers = (msg['containers'] as string[] | null) ?? null;
        let freed = 0;
        for (const d of this.devices()) freed += d.resources.cleanup(containers);
        env.reply({ freed });
        return;
      }
      case 'status': env.reply(this.status()); return;
      default: env.fail(new InvalidArgumentError(`Task ${this.path} does not understand message type '${String(msg['type'])}'`));
    }
  }
}
