/**
 * `tf.train.ClusterSpec`: jobs mapped to task addresses, as lists (index = position) or sparse
 * `{index: address}` objects. Accessors and errors follow TF-SEMANTICS 1.11.
 */
import { InvalidArgumentError } from '../framework/errors.js';

export type JobTasks = readonly string[] | Readonly<Record<number | string, string>>;
export type ClusterDict = Readonly<Record<string, JobTasks>>;

export class ClusterSpec {
  private readonly jobMap = new Map<string, Map<number, string>>();

  constructor(cluster: ClusterSpec | ClusterDict | { job?: { name: string; tasks: Record<number, string> }[] } = {}) {
    if (cluster instanceof ClusterSpec) {
      for (const [job, tasks] of cluster.jobMap) this.jobMap.set(job, new Map(tasks));
      return;
    }
    if (typeof cluster !== 'object' || cluster === null) {
      throw new InvalidArgumentError(`ClusterSpec needs a dict of jobs, got ${typeof cluster}`);
    }
    const def = (cluster as { job?: unknown }).job;
    if (Array.isArray(def) && def.every((j) => typeof j === 'object' && j !== null && 'name' in j && 'tasks' in j)) {
      // A ClusterDef-shaped object: {job: [{name, tasks: {0: addr}}]}.
      for (const j of def as { name: string; tasks: Record<number, string> }[]) this.addJob(j.name, j.tasks);
      return;
    }
    for (const job of Object.keys(cluster).sort()) this.addJob(job, (cluster as ClusterDict)[job]!);
  }

  private addJob(job: string, tasks: unknown): void {
    const m = new Map<number, string>();
    if (Array.isArray(tasks)) {
      tasks.forEach((addr, i) => m.set(i, checkAddress(job, addr)));
    } else if (typeof tasks === 'object' && tasks !== null) {
      for (const [k, addr] of Object.entries(tasks)) {
        if (!/^\d+$/.test(k)) throw badTasks(job);
        m.set(Number(k), checkAddress(job, addr));
      }
    } else {
      throw badTasks(job);
    }
    this.jobMap.set(job, new Map([...m].sort((a, b) => a[0] - b[0])));
  }

  /** Job names, sorted. */
  get jobs(): string[] { return [...this.jobMap.keys()].sort(); }

  get isEmpty(): boolean { return this.jobMap.size === 0; }

  numTasks(job: string): number { return this.tasksOf(job).size; }

  taskIndices(job: string): number[] { return [...this.tasksOf(job).keys()].sort((a, b) => a - b); }

  taskAddress(job: string, index: number): string {
    const addr = this.tasksOf(job).get(index);
    if (addr === undefined) throw new InvalidArgumentError(`No task with index ${index} in job '${job}'`);
    return addr;
  }

  /** A list of length max index + 1, with null holes for a sparse job. */
  jobTasks(job: string): (string | null)[] {
    const tasks = this.tasksOf(job);
    const max = Math.max(-1, ...tasks.keys());
    return Array.from({ length: max + 1 }, (_, i) => tasks.get(i) ?? null);
  }

  /**
   * Lists where indices are 0..n-1, else `{index: address}` objects. A job with no tasks is `{}`,
   * because TF's as_dict tests "no task indices" before "indices are 0..n-1" (which an empty list
   * would otherwise satisfy).
   */
  asDict(): Record<string, string[] | Record<number, string>> {
    const out: Record<string, string[] | Record<number, string>> = {};
    for (const job of this.jobs) {
      const tasks = this.tasksOf(job);
      const idx = [...tasks.keys()];
      if (idx.length === 0) out[job] = {};
      else if (idx.every((k, i) => k === i)) out[job] = idx.map((k) => tasks.get(k)!);
      else out[job] = Object.fromEntries(tasks);
    }
    return out;
  }

  asClusterDef(): { job: { name: string; tasks: Record<number, string> }[] } {
    return { job: this.jobs.map((name) => ({ name, tasks: Object.fromEntries(this.tasksOf(name)) })) };
  }

  equals(other: unknown): boolean {
    if (!(other instanceof ClusterSpec)) return false;
    return JSON.stringify(this.asClusterDef()) === JSON.stringify(other.asClusterDef());
  }

  /** Every (job, task, address), jobs sorted by name and tasks by index. */
  allTasks(): { job: string; task: number; address: string }[] {
    const out: { job: string; task: number; address: string }[] = [];
    for (const job of this.jobs) for (const [task, address] of this.tasksOf(job)) out.push({ job, task, address });
    return out;
  }

  /** A copy with one task's address replaced (a server bound to port 0 learns its real port). */
  withAddress(job: string, task: number, address: string): ClusterSpec {
    const c = new ClusterSpec(this);
    c.tasksOf(job).set(task, address);
    return c;
  }

  toString(): string { return `ClusterSpec(${JSON.stringify(this.asDict())})`; }

  private tasksOf(job: string): Map<number, string> {
    const t = this.jobMap.get(job);
    if (!t) throw new InvalidArgumentError(`No such job in cluster: '${job}'`);
    return t;
  }
}

function badTasks(job: string): InvalidArgumentError {
  return new InvalidArgumentError(`The tasks for job '${job}' must be a list or a dictionary from integers to strings.`);
}

function checkAddress(job: string, addr: unknown): string {
  if (typeof addr !== 'string') throw badTasks(job);
  return addr;
}

/** Parses `ps=h:p;worker=h:p,h:p` (the CLI's short form). */
export function parseClusterShorthand(s: string): ClusterSpec {
  const dict: Record<string, string[]> = {};
  for (const part of s.split(';').map((x) => x.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`Bad cluster job '${part}': expected job=host:port[,host:port...]`);
    dict[part.slice(0, eq).trim()] = part.slice(eq + 1).split(',').map((x) => x.trim()).filter(Boolean);
  }
  return new ClusterSpec(dict);
}

/** Splits `host:port` (IPv6 in brackets) and checks the port. */
export function splitHostPort(address: string): { host: string; port: number } {
  const a = address.replace(/^(grpc|ws|wss):\/\//, '');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(a) ?? /^([^:]+):(\d+)$/.exec(a);
  if (!m) throw new InvalidArgumentError(`Address '${address}' has no port: expected host:port`);
  const port = Number(m[2]);
  if (port > 65535) throw new InvalidArgumentError(`Address '${address}' has an invalid port ${port}`);
  return { host: m[1]!, port };
}
