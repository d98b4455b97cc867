/**
 * Per-device resources (variables, queues, readers) keyed by (container, name), as TensorFlow's
 * ResourceMgr. Each resource is an actor registered with the actor system under
 * `<device path>/container:<c>/<kind>:<name>`, so it can also be reached by path.
 */
import { AbortedError, InvalidArgumentError, type OpError } from '../lib/framework/errors.js';
import type { Actor } from './actor.js';
import type { ActorSystem } from './actor_system.js';

export class ResourceManager {
  private readonly containers = new Map<string, Map<string, Actor>>();

  constructor(readonly devicePath: string, private readonly system: ActorSystem | null) {}

  resourcePath(container: string, kind: string, name: string): string {
    return `${this.devicePath}/container:${container}/${kind}:${name}`;
  }

  lookup<T extends Actor>(container: string, kind: string, name: string): T | undefined {
    return this.containers.get(container)?.get(`${kind}:${name}`) as T | undefined;
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
    let c = this.containers.get(container);
    if (!c) this.containers.set(container, (c = new Map()));
    c.set(`${kind}:${name}`, actor);
    this.system?.register(actor);
    return actor;
  }

  delete(container: string, kind: string, name: string, reason: OpError): void {
    const c = this.containers.get(container);
    const a = c?.get(`${kind}:${name}`);
    if (!a) return;
    c!.delete(`${kind}:${name}`);
    this.system?.unregister(a.path);
    a.stop(reason);
  }

  /** Frees the given containers (all when null); their actors fail pending requests. */
  cleanup(containers: string[] | null, reason: OpError = new AbortedError('Resource container was reset')): number {
    let n = 0;
    for (const [name, c] of [...this.containers]) {
      if (containers !== null && !containers.includes(name)) continue;
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
