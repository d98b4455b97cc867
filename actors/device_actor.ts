/**
 * A device of a task (`/job:ps/replica:0/task:0/device:CPU:0`): the worker service. It keeps the
 * partitions registered with it, runs them per step (several steps at once: a running step is a
 * parked request), owns the device's resources and its rendezvous.
 */
import { errorFromWire, InvalidArgumentError, NotFoundError, type WireError, type OpError } from '../lib/framework/errors.js';
import type { DeviceInfo, StepContext } from '../lib/framework/kernel_context.js';
import type { Tensor } from '../lib/framework/tensor.js';
import { Actor, abortReason, type Envelope } from './actor.js';
import { Cancellation } from '../lib/framework/cancellation.js';
import type { ActorSystem } from './actor_system.js';
import { PartitionExecutor, type PartitionPlan, type DeviceRuntime } from './executor.js';
import { Rendezvous } from './rendezvous.js';
import { ResourceManager } from './resource_manager.js';
import { RENDEZVOUS_STATE_KEY } from './send_recv.js';

export interface DeviceActorOptions {
  /** How long undo actions of a finished step are kept if no stepDone arrives (ms, default 60000). */
  undoRetentionMs?: number;
}

interface ActiveStep {
  controller: Cancellation;
  ends: (() => void)[];
  undo: (() => void)[];
  timer?: NodeJS.Timeout;
}

export class DeviceActor extends Actor {
  readonly runtime: DeviceRuntime;
  readonly rendezvous = new Rendezvous();
  private readonly graphs = new Map<string, PartitionExecutor>();
  private readonly steps = new Map<string, ActiveStep>();
  private readonly undoRetentionMs: number;

  constructor(readonly info: DeviceInfo, system: ActorSystem, opts: DeviceActorOptions = {}) {
    super(info.path);
    this.undoRetentionMs = opts.undoRetentionMs ?? 60_000;
    const deviceState = new Map<string, unknown>([[RENDEZVOUS_STATE_KEY, this.rendezvous]]);
    this.runtime = { info, resources: new ResourceManager(info.path, system), system, deviceState };
  }

  get resources(): ResourceManager { return this.runtime.resources; }

  protected receive(env: Envelope): void {
    const msg = env.msg as Record<string, unknown>;
    switch (msg['type']) {
      case 'registerGraph': return this.registerGraph(env, msg['handle'] as string, msg['plan'] as PartitionPlan);
      case 'deregisterGraph': this.graphs.delete(msg['handle'] as string); env.reply(null); return;
      case 'runGraph': return this.runGraph(env, msg);
      case 'rendezvous': this.rendezvous.send(msg['stepId'] as string, msg['key'] as string, msg['tensor'] as Tensor); env.reply(null); return;
      case 'abortStep': this.abortStep(msg['stepId'] as string, errorFromWire(msg['error'] as WireError)); env.reply(null); return;
      case 'stepDone': this.stepDone(msg['stepId'] as string); env.reply(null); return;
      case 'info': env.reply({ ...this.info, graphs: this.graphs.size, resources: this.resources.list() }); return;
      default: env.fail(new InvalidArgumentError(`Device ${this.path} does not understand message type '${String(msg['type'])}'`));
    }
  }

  private registerGraph(env: Envelope, handle: string, plan: PartitionPlan): void {
    if (!this.graphs.has(handle)) this.graphs.set(handle, new PartitionExecutor(plan, this.runtime));
    env.reply(null);
  }

  /** Starts the step and parks the request; the reply comes when the partition finishes. */
  private runGraph(env: Envelope, msg: Record<string, unknown>): void {
    const exec = this.graphs.get(msg['handle'] as string);
    if (!exec) {
      env.fail(new NotFoundError(`Graph handle ${String(msg['handle'])} is not registered on ${this.path}`));
      return;
    }
    const stepId = msg['stepId'] as string;
    const active = this.activeStep(stepId);
    env.onCancel((reason) => this.abortStep(stepId, reason));
    const step: StepContext = {
      stepId,
      signal: active.controller,
      deadline: (msg['deadline'] as number | null) ?? null,
      sessionHandle: (msg['sessionHandle'] as string) ?? '',
      onEnd: (fn) => active.ends.push(fn),
      onAbortAfterSuccess: (fn) => active.undo.push(fn),
    };
    const feeds = new Map<string, Tensor>((msg['feeds'] as [string, Tensor][]) ?? []);
    exec.run(step, feeds).then(
      (outputs) => {
        this.runEnds(active);
        // `undo` tells the master whether this device waits for a stepDone before forgetting.
        if (!env.reply({ outputs, undo: active.undo.length > 0 })) this.abortStep(stepId, abortReason(env.signal));
        else this.retainUndo(stepId, active);
      },
      (err: OpError) => {
        this.runEnds(active);
        this.abortStep(stepId, err);
        env.fail(err);
      },
    );
  }

  private activeStep(stepId: string): ActiveStep {
    let s = this.steps.get(stepId);
    if (!s) this.steps.set(stepId, (s = { controller: new Cancellation(), ends: [], undo: [] }));
    return s;
  }

  private runEnds(s: ActiveStep): void {
    for (const fn of s.ends.splice(0)) {
      try { fn(); } catch { /* cleanup must not mask the step's outcome */ }
    }
  }

  /** Keeps a finished step's undo actions until the master says the client has its result. */
  private retainUndo(stepId: string, s: ActiveStep): void {
    if (s.undo.length === 0) { this.forget(stepId); return; }
    s.timer = setTimeout(() => this.forget(stepId), this.undoRetentionMs);
    s.timer.unref();
  }

  private stepDone(stepId: string): void {
    this.forget(stepId);
  }

  private forget(stepId: string): void {
    const s = this.steps.get(stepId);
    if (s?.timer) clearTimeout(s.timer);
    this.steps.delete(stepId);
    this.rendezvous.finish(stepId);
  }

  /**
   * Fails the step here and runs the undo actions of every kernel that had succeeded in it, in
   * reverse order: a dequeue whose elements will never reach the client puts them back, whether
   * this partition failed later or another one did.
   */
  abortStep(stepId: string, err: OpError): void {
    this.rendezvous.abort(stepId, err);
    const s = this.steps.get(stepId);
    if (!s) return;
    if (!s.controller.aborted) s.controller.abort(err);
    for (const fn of s.undo.splice(0).reverse()) {
      try { fn(); } catch { /* best effort: each undo is independent */ }
    }
    this.forget(stepId);
  }

  protected override onStop(reason: OpError): void {
    for (const id of [...this.steps.keys()]) this.abortStep(id, reason);
    this.resources.cleanup(null, reason);
  }
}

