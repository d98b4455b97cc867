/**
 * The master service of a task (`<task path>/master`): sessions connect here. It keeps each
 * session's graph, places and partitions what a step needs (once per distinct feeds/fetches/
 * targets signature, then cached), registers each partition with its device, and runs a step as
 * one message per involved device. It never carries tensors between devices.
 */
import {
  AbortedError, CancelledError, DeadlineExceededError, InvalidArgumentError, NotFoundError, UnavailableError,
  errorToWire, toOpError, type OpError,
} from '../lib/framework/errors.js';
import type { NodeDef } from '../lib/framework/node_def.js';
import type { Tensor } from '../lib/framework/tensor.js';
import type { DeviceInfo } from '../lib/framework/kernel_context.js';
import type { ClusterSpec } from '../lib/train/cluster_spec.js';
import { Actor, abortReason, type Envelope } from './actor.js';
import { Cancellation } from '../lib/framework/cancellation.js';
import type { ActorSystem } from './actor_system.js';
import { placeNodes, type PlacementContext } from './placer.js';
import { partitionGraph, pruneGraph } from './graph_partition.js';

export interface SessionConfig {
  allowSoftPlacement?: boolean;
  operationTimeoutMs?: number;
  logDevicePlacement?: boolean;
}

export interface MasterOptions {
  /** Deadline for control messages to other tasks (register, list devices), ms (default 10000). */
  controlTimeoutMs?: number;
}

interface StepPlan {
  devices: { device: string; handle: string; feeds: string[]; }[];
  fetchSlots: ({ device: string; index: number } | { feed: string })[];
  placement: Map<string, string>;
  crossEdges: number;
}

interface MasterSession {
  handle: string;
  nodes: Map<string, NodeDef>;
  config: SessionConfig;
  plans: Map<string, Promise<StepPlan>>;
  inflight: Set<Cancellation>;
  handles: Set<{ device: string; handle: string }>;
}

let handleCounter = 0;

export class MasterActor extends Actor {
  private readonly sessions = new Map<string, MasterSession>();
  /** Sessions closed by a reset: their next use is AbortedError. */
  private readonly resetSessions = new Set<string>();
  private readonly deviceCache = new Map<string, DeviceInfo[]>();
  private readonly unreachable = new Map<string, OpError>();
  private stepCounter = 0;
  /** Partitions registered with devices so far (a registered step is never registered again). */
  private registrations = 0;
  private readonly controlTimeoutMs: number;

  constructor(path: string, private readonly system: ActorSystem, private readonly cluster: () => ClusterSpec,
    private readonly self: { job: string; task: number }, opts: MasterOptions = {}) {
    super(path);
    this.controlTimeoutMs = opts.controlTimeoutMs ?? 10_000;
  }

  protected receive(env: Envelope): void | Promise<void> {
    const msg = env.msg as Record<string, unknown>;
    switch (msg['type']) {
      case 'createSession': return this.createSession(env, (msg['config'] as SessionConfig) ?? {});
      case 'runStep': void this.runStep(env, msg); return;
      case 'closeSession': return this.closeSession(env, msg['handle'] as string);
      case 'reset': void this.reset(env, (msg['containers'] as string[] | null) ?? null); return;
      case 'stats': env.reply({ sessions: this.sessions.size, steps: this.stepCounter, registrations: this.registrations }); return;
      case 'listDevices': void this.listAllDevices().then((d) => env.reply([...d.values()].flat()), (e) => env.fail(e)); return;
      default: env.fail(new InvalidArgumentError(`Master ${this.path} does not understand message type '${String(msg['type'])}'`));
    }
  }

  private createSession(env: Envelope, config: SessionConfig): void {
    const handle = `${this.path}/session:${++handleCounter}`;
    this.sessions.set(handle, { handle, nodes: new Map(), config, plans: new Map(), inflight: new Set(), handles: new Set() });
    env.reply({ handle });
  }

  private session(handle: string): MasterSession {
    const s = this.sessions.get(handle);
    if (s) return s;
    if (this.resetSessions.has(handle)) {
      throw new AbortedError(`Session ${handle} was closed by a reset of the cluster's resource containers`);
    }
    throw new AbortedError(`Session ${handle} is not found on ${this.path} (closed, or the server restarted)`);
  }

  private async runStep(env: Envelope, msg: Record<string, unknown>): Promise<void> {
    let s: MasterSession;
    try {
      s = this.session(msg['handle'] as string);
      for (const n of (msg['extend'] as NodeDef[] | undefined) ?? []) s.nodes.set(n.name, n);
    } catch (e) {
      env.fail(e);
      return;
    }
    const feeds = (msg['feeds'] as [string, Tensor][]) ?? [];
    const fetches = (msg['fetches'] as string[]) ?? [];
    const targets = (msg['targets'] as string[]) ?? [];
    const timeoutMs = (msg['timeoutMs'] as number | undefined) ?? s.config.operationTimeoutMs ?? 0;
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : null;
    const feedNames = feeds.map((f) => f[0]);
    const attempt = async (): Promise<{ plan: StepPlan; outputs: Tensor[]; stepId: string; holding: string[] }> => {
      const plan = await this.planFor(s, feedNames, fetches, targets);
      const step = this.stepController(s, env, deadline);
      try {
        return { plan, ...await this.execute(s, plan, new Map(feeds), step.controller, deadline) };
      } finally {
        step.dispose();
      }
    };
    try {
      let result;
      try {
        result = await attempt();
      } catch (e) {
        if (!isStalePlan(e)) throw e;
        // A task restarted (or was unreachable): register the graph again; retry once if it is back.
        this.forgetPlan(s, feedNames, fetches, targets);
        if (e instanceof UnavailableError) throw e;
        result = await attempt();
      }
      const reply: Record<string, unknown> = { outputs: result.outputs };
      if (msg['tracePlacement']) reply['placement'] = Object.fromEntries(result.plan.placement);
      if (!env.reply(reply)) this.undo(result.plan, result.stepId, abortReason(env.signal));
      else this.stepDone(result.holding, result.stepId);
    } catch (e) {
      env.fail(e);
    }
  }

  /**
   * The step's one Cancellation: aborted by its deadline, by the client going away, by the
   * session closing, or by the first failing partition (which then cancels the others).
   */
  private stepController(s: MasterSession, env: Envelope, deadline: number | null): { controller: Cancellation; dispose(): void } {
    const controller = new Cancellation();
    s.inflight.add(controller);
    const clientSignal = env.signal;
    const onClientGone = (): void => controller.abort(abortReason(clientSignal));
    if (clientSignal.aborted) onClientGone();
    else clientSignal.addEventListener('abort', onClientGone, { once: true });
    const timer = deadline !== null
      ? setTimeout(() => controller.abort(new DeadlineExceededError('Timed out waiting for notification')), Math.max(0, deadline - Date.now()))
      : null;
    return {
      controller,
      dispose: () => {
        if (timer) clearTimeout(timer);
        clientSignal.removeEventListener('abort', onClientGone);
        s.inflight.delete(controller);
      },
    };
  }

  // ---- planning -----------------------------------------------------------------------------

  /** The plan cache's key: every name length-prefixed, so no choice of names makes two lists collide. */
  private planKey(feeds: string[], fetches: string[], targets: string[]): string {
    const list = (xs: string[]): string => {
      let out = `${xs.length}|`;
      for (const x of xs) out += `${x.length}:${x}`;
      return out;
    };
    const sorted = (xs: string[]): string[] => (xs.length < 2 ? xs : [...xs].sort());
    return list(sorted(feeds)) + list(fetches) + list(sorted(targets));
  }

  private forgetPlan(s: MasterSession, feeds: string[], fetches: string[], targets: string[]): void {
    s.plans.delete(this.planKey(feeds, fetches, targets));
    this.deviceCache.clear();
  }

  private planFor(s: MasterSession, feeds: string[], fetches: string[], targets: string[]): Promise<StepPlan> {
    const key = this.planKey(feeds, fetches, targets);
    let p = s.plans.get(key);
    if (!p) {
      p = this.buildPlan(s, feeds, fetches, targets);
      s.plans.set(key, p);
      p.catch(() => s.plans.delete(key));
    }
    return p;
  }

  private async buildPlan(s: MasterSession, feedList: string[], fetches: string[], targets: string[]): Promise<StepPlan> {
    const feeds = new Set(feedList);
    for (const f of feedList) {
      const op = f.split(':')[0]!;
      if (!s.nodes.has(op)) throw new InvalidArgumentError(`Cannot feed '${f}': it is not in the graph`);
    }
    const needed = pruneGraph(s.nodes, feeds, fetches, targets);
    const ctx: PlacementContext = {
      master: this.self,
      resourceDefault: this.resourceDefault(),
      devices: await this.listAllDevices(),
      unreachable: this.unreachable,
      allowSoftPlacement: s.config.allowSoftPlacement ?? false,
    };
    const placement = placeNodes(s.nodes, needed, ctx);
    const { partitions, fetchDevices, crossEdges } = partitionGraph(s.nodes, needed, placement, feeds, fetches);
    const devices: StepPlan['devices'] = [];
    await Promise.all([...partitions].map(async ([device, plan]) => {
      const handle = `${s.handle}/graph:${++handleCounter}`;
      await this.system.ask(device, { type: 'registerGraph', handle, plan }, { timeoutMs: this.controlTimeoutMs });
      s.handles.add({ device, handle });
      this.registrations++;
      devices.push({ device, handle, feeds: plan.feeds });
    }));
    const seen = new Map<string, number>();
    const fetchSlots = fetches.map((f, i) => {
      const d = fetchDevices[i];
      if (d === null || d === undefined) return { feed: f };
      const index = seen.get(d) ?? 0;
      seen.set(d, index + 1);
      return { device: d, index };
    });
    const shown = new Map([...placement].filter(([n]) => needed.has(n)));
    if (s.config.logDevicePlacement) for (const [n, d] of shown) process.stderr.write(`${n}: ${d}\n`);
    return { devices, fetchSlots, placement: shown, crossEdges };
  }

  private resourceDefault(): { job: string; task: number } {
    const c = this.cluster();
    if (c.jobs.includes('ps')) return { job: 'ps', task: c.taskIndices('ps')[0] ?? 0 };
    const job = c.jobs[0] ?? this.self.job;
    return { job, task: c.jobs.length ? c.taskIndices(job)[0] ?? 0 : this.self.task };
  }

  /** Every task's devices (cached; a task that cannot be reached is simply absent). */
  private async listAllDevices(): Promise<Map<string, DeviceInfo[]>> {
    const c = this.cluster();
    await Promise.all(c.allTasks().map(async ({ job, task }) => {
      const path = `/job:${job}/replica:0/task:${task}`;
      if (this.deviceCache.has(path)) return;
      try {
        const list = await this.system.ask<DeviceInfo[]>(path, { type: 'listDevices' }, { timeoutMs: this.controlTimeoutMs });
        this.deviceCache.set(path, list);
        this.unreachable.delete(path);
      } catch (e) {
        // Unreachable now: placement on it fails with this error; asked again next time.
        this.unreachable.set(path, toOpError(e));
      }
    }));
    return this.deviceCache;
  }

  // ---- execution ----------------------------------------------------------------------------

  /** Runs one step; `controller` is the step's own (a failure of one partition aborts the rest). */
  private async execute(s: MasterSession, plan: StepPlan, feeds: Map<string, Tensor>, controller: Cancellation,
    deadline: number | null): Promise<{ outputs: Tensor[]; stepId: string; holding: string[] }> {
    const stepId = `${this.path}#${++this.stepCounter}`;
    /** Devices that keep undo actions for this step until told it is done. */
    const holding: string[] = [];
    let firstError: OpError | null = null;
    const results = await Promise.allSettled(plan.devices.map(async (d) => {
      try {
        const r = await this.system.ask<{ outputs: Tensor[]; undo?: boolean }>(d.device, {
          type: 'runGraph', handle: d.handle, stepId, sessionHandle: s.handle, deadline,
          feeds: d.feeds.map((f) => [f, feeds.get(f)!]),
        }, { signal: controller });
        if (r.undo) holding.push(d.device);
        return { device: d.device, outputs: r.outputs };
      } catch (e) {
        const err = toOpError(e);
        if (!firstError) {
          firstError = err;
          if (!controller.aborted) controller.abort(err);
        }
        throw err;
      }
    }));
    if (firstError) {
      this.undo(plan, stepId, firstError);
      throw firstError;
    }
    const byDevice = new Map<string, Tensor[]>();
    for (const r of results) if (r.status === 'fulfilled') byDevice.set(r.value.device, r.value.outputs);
    const outputs = plan.fetchSlots.map((slot) => ('feed' in slot ? feeds.get(slot.feed)! : byDevice.get(slot.device)![slot.index]!));
    return { outputs, stepId, holding };
  }

  /** Tells every device of a failed (or undeliverable) step to abort it and undo what succeeded. */
  private undo(plan: StepPlan, stepId: string, err: OpError): void {
    for (const d of plan.devices) void this.system.tell(d.device, { type: 'abortStep', stepId, error: errorToWire(err) }).catch(() => {});
  }

  private stepDone(devices: string[], stepId: string): void {
    for (const d of devices) void this.system.tell(d, { type: 'stepDone', stepId }).catch(() => {});
  }

  // ---- session lifecycle --------------------------------------------------------------------

  private closeSession(env: Envelope, handle: string): void {
    const s = this.sessions.get(handle);
    if (s) this.dropSession(s, new CancelledError('Step was cancelled because its session was closed (Session::Close)'));
    env.reply(null);
  }

  private dropSession(s: MasterSession, reason: OpError): void {
    this.sessions.delete(s.handle);
    for (const c of s.inflight) c.abort(reason);
    for (const { device, handle } of s.handles) {
      void this.system.tell(device, { type: 'deregisterGraph', handle }).catch(() => {});
    }
  }

  /** Session.reset: frees containers on every task and closes every session of this master. */
  private async reset(env: Envelope, containers: string[] | null): Promise<void> {
    for (const s of [...this.sessions.values()]) {
      this.resetSessions.add(s.handle);
      this.dropSession(s, new AbortedError('Session was closed by a reset of the resource containers'));
    }
    const errors: OpError[] = [];
    await Promise.all(this.cluster().allTasks().map(async ({ job, task }) => {
      try {
        await this.system.ask(`/job:${job}/replica:0/task:${task}`, { type: 'resetContainers', containers }, { timeoutMs: this.controlTimeoutMs });
      } catch (e) {
        errors.push(toOpError(e));
      }
    }));
    if (errors.length) env.fail(errors[0]);
    else env.reply(null);
  }
}

/** Errors after which the cached registration of a step is no longer valid. */
function isStalePlan(e: unknown): boolean {
  return e instanceof UnavailableError || (e instanceof NotFoundError && e.message.startsWith('Graph handle'));
}
