/**
 * Per-device resources (variables, queues, readers) keyed by (container, name), as TensorFlow's
 * ResourceMgr. Each resource is an actor registered with the actor system under
 * `<device path>/container:<c>/<kind>:<name>`, so it can also be reached by path.
 *
 * The default container is written "" (as the book and the `container` attr name it); as in
 * TensorFlow, whose default container is named after the device's job, the job's name is the same
 * container: `Session.reset(target, ['worker'])` clears a worker's default container.
 */
import { AbortedError, InvalidArgumentError, type OpError } from '../lib/framework/errors.js';
import type { Actor } from './actor.js';
import type { ActorSystem } from './actor_system.js';

export class ResourceManager {
  private readonly containers = new Map<string, Map<string, Actor>>();
  private readonly jobName: string | null;

  constructor(readonly devicePath: string, private readonly system: ActorSystem | null) {
    this.jobName = /^\/job:([^/]+)/.exec(devicePath)?.[1] ?? null;
  }

  /** The container's canonical name: the job's name is the default container "". */
  private canonical(container: string): string {
    return container === this.jobName ? '' : container;
  }

  resourcePath(container: string, kind: string, name: string): string {
    return `${this.devicePath}/container:${this.canonical(container)}/${kind}:${name}`;
  }

  lookup<T extends Actor>(container: string, kind: string, name: string): T | undefined {
    return this.containers.get(this.canonical(container))?.get(`${kind}:${name}`) as T | undefined;
  }

  /** Finds the resource or creates it with `create(path)`; `check` validates a found one. */
  lookupOrCreate<T extends Actor>(container: string, kind: string, name: string,
    create: (path: string) => T, check?: (existing: T) => void): T {
    if (name === '') throw new InvalidArgumentError(`A ${kind} resource needs a name`);
    const found = this.lookup<T>(container, kind, name);
    if (found) {
      check?.(found);
      return found;
    }
    const actor = create(this.resourcePath(container, kind, name));
    const key = this.canonical(container);
    let c = this.containers.get(key);
    if (!c) this.containers.set(key, (c = new Map()));
    c.set(`${kind}:${name}`, actor);
    this.system?.register(actor);
    return actor;
  }

  delete(container: string, kind: string, name: string, reason: OpError): void {
    const c = this.containers.get(this.canonical(container));
    const a = c?.get(`${kind}:${name}`);
    if (!a) return;
    c!.delete(`${kind}:${name}`);
    this.system?.unregister(a.path);
    a.stop(reason);
  }

  /** Frees the given containers (all when null); their actors fail pending requests. */
  cleanup(containers: string[] | null, reason: OpError = new AbortedError('Resource container was reset')): number {
    let n = 0;
    const wanted = containers === null ? null : new Set(containers.map((c) => this.canonical(c)));
    for (const [name, c] of [...this.containers]) {
      if (wanted !== null && !wanted.has(name)) continue;
      for (const a of c.values()) {
        this.system?.unregister(a.path);
        a.stop(reason);
        n++;
      }
      this.containers.delete(name);
    }
    return n;
  }

  list(): { container: string; key: string }[] {
    const out: { container: string; key: string }[] = [];
    for (const [container, c] of this.containers) for (const key of c.keys()) out.push({ container, key });
    return out;
  }
}
