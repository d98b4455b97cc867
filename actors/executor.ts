/**
 * Runs one registered partition for one step: an async dataflow executor. Every node whose inputs
 * are ready is launched at once; a kernel may return a Promise (a blocking dequeue, a _Recv), and
 * the others keep running meanwhile. The first failure aborts the rest of the step.
 */
import { InvalidArgumentError, InternalError, toOpError } from '../lib/framework/errors.js';
import type { DType } from '../lib/framework/dtypes.js';
import { findKernel, getOpDef, type KernelDef } from '../lib/framework/op_registry.js';
import type { KernelContext, DeviceInfo, StepContext } from '../lib/framework/kernel_context.js';
import type { NodeDef } from '../lib/framework/node_def.js';
import { needsReadback, toHostTensor, type Tensor } from '../lib/framework/tensor.js';
import type { ResourceManager } from './resource_manager.js';
import type { ActorSystem } from './actor_system.js';
import { abortReason } from './actor.js';

export interface DeviceRuntime {
  info: DeviceInfo;
  resources: ResourceManager;
  system: ActorSystem;
  deviceState: Map<string, unknown>;
}

/** One partition as registered: its nodes and what flows in and out of it. */
export interface PartitionPlan {
  nodes: NodeDef[];
  /** Tensor names whose values arrive with each step (client feeds). */
  feeds: string[];
  /** Tensor names this partition returns at the end of each step. */
  fetches: string[];
}

/** Ops that have no device-specific kernel and run on the host wherever they are placed. */
export const HOST_OPS = new Set(['Const', 'Placeholder', 'Identity', 'NoOp', '_Send', '_Recv', 'Shape', 'Size', 'Rank']);

interface InputRef { node: number; index: number; feed: string | null }

interface PreparedNode {
  def: NodeDef;
  inputs: InputRef[];
  /** Number of edges (data from other nodes + control) that must complete first. */
  waitCount: number;
  /** Indices of nodes that consume this one, once per edge. */
  consumers: number[];
  kernelState: Record<string, unknown>;
  kernels: Map<string, KernelDef>;
}

export class PartitionExecutor {
  private readonly nodes: PreparedNode[];
  private readonly fetchRefs: InputRef[];
  /** Nodes with no inputs to wait for, found once: every step launches them first. */
  private readonly roots: number[];

  constructor(readonly plan: PartitionPlan, private readonly device: DeviceRuntime) {
    const index = new Map(plan.nodes.map((n, i) => [n.name, i]));
    const feeds = new Set(plan.feeds);
    this.nodes = plan.nodes.map((def) => ({ def, inputs: [], waitCount: 0, consumers: [], kernelState: {}, kernels: new Map() }));
    const refOf = (name: string): InputRef => {
      if (feeds.has(name)) return { node: -1, index: 0, feed: name };
      const [op, idx] = splitName(name);
      const i = index.get(op);
      if (i === undefined) throw new InternalError(`Partition for ${device.info.path} is missing node '${op}' (needed as ${name})`);
      return { node: i, index: idx, feed: null };
    };
    this.nodes.forEach((n, i) => {
      getOpDef(n.def.op); // unknown op types fail at registration, naming the type
      for (const input of n.def.inputs) {
        if (input.startsWith('^')) {
          const src = index.get(input.slice(1));
          if (src === undefined) throw new InternalError(`Partition is missing control input '${input}' of '${n.def.name}'`);
          this.nodes[src]!.consumers.push(i);
          n.waitCount++;
          continue;
        }
        const ref = refOf(input);
        n.inputs.push(ref);
        if (ref.node >= 0) {
          this.nodes[ref.node]!.consumers.push(i);
          n.waitCount++;
        }
      }
    });
    this.fetchRefs = plan.fetches.map(refOf);
    this.roots = this.nodes.flatMap((n, i) => (n.waitCount === 0 ? [i] : []));
  }

  async run(step: StepContext, feedValues: Map<string, Tensor>): Promise<Tensor[]> {
    for (const f of this.plan.feeds) {
      if (!feedValues.has(f)) throw new InvalidArgumentError(`No value fed for ${f}`);
    }
    const outputs: (Tensor[] | undefined)[] = new Array(this.nodes.length);
    const waits = this.nodes.map((n) => n.waitCount);
    let remaining = this.nodes.length;
    if (remaining === 0) return this.collect(outputs, feedValues);
    const ended = (): Promise<Tensor[]> => this.collect(outputs, feedValues);

    return new Promise<Tensor[]>((resolve, reject) => {
      let failed = false;
      const fail = (e: unknown, node?: NodeDef): void => {
        if (failed) return;
        failed = true;
        reject(toOpError(e, { op: node?.name ?? null, device: this.device.info.path }));
      };
      if (step.signal.aborted) { fail(abortReason(step.signal)); return; }
      const onAbort = (): void => fail(abortReason(step.signal));
      step.signal.addEventListener('abort', onAbort, { once: true });

      const done = (i: number, out: Tensor[]): void => {
        if (failed) return;
        outputs[i] = out;
        for (const c of this.nodes[i]!.consumers) if (--waits[c] === 0) launch(c);
        if (--remaining === 0) {
          step.signal.removeEventListener('abort', onAbort);
          ended().then(resolve, (e) => fail(e));
        }
      };
      const launch = (i: number): void => {
        if (failed) return;
        const node = this.nodes[i]!;
        let result: Tensor[] | Promise<Tensor[]>;
        try {
          const inputs = node.inputs.map((r) => (r.feed !== null ? feedValues.get(r.feed)! : outputs[r.node]![r.index]!));
          const kernel = this.kernelFor(node, inputs);
          // Host kernels (and _Send) see host memory: GPU results are read back first.
          if (kernel.deviceType !== 'GPU' && inputs.some(needsReadback)) {
            result = Promise.all(inputs.map(toHostTensor)).then((host) => kernel.compute(this.context(node, step), host));
          } else {
            result = kernel.compute(this.context(node, step), inputs);
          }
        } catch (e) {
          fail(e, node.def);
          return;
        }
        if (result instanceof Promise) result.then((out) => done(i, out), (e) => fail(e, node.def));
        else done(i, result);
      };
      // The roots come from a list made before any runs: synchronous kernels finish inside
      // launch(), and their consumers, launched from done(), must not be launched again here.
      for (const i of this.roots) launch(i);
    });
  }

  /** The partition's fetches as host tensors (they leave the device and outlive the step). */
  private async collect(outputs: (Tensor[] | undefined)[], feeds: Map<string, Tensor>): Promise<Tensor[]> {
    // async: a missing value rejects the step instead of throwing out of a kernel's callback.
    return Promise.all(this.fetchRefs.map((r, i) => {
      const t = r.feed !== null ? feeds.get(r.feed) : outputs[r.node]?.[r.index];
      if (!t) throw new InternalError(`Fetch ${this.plan.fetches[i]} produced no value`);
      return toHostTensor(t);
    }));
  }

  private context(node: PreparedNode, step: StepContext): KernelContext {
    return {
      node: node.def,
      device: this.device.info,
      resources: this.device.resources,
      system: this.device.system,
      step,
      kernelState: node.kernelState,
      deviceState: this.device.deviceState,
    };
  }

  /** The device's kernel for these input dtypes; on a GPU, host ops and vetted fallbacks use CPU. */
  private kernelFor(node: PreparedNode, inputs: Tensor[]): KernelDef {
    const key = inputs.map((t) => t.dtype).join(',');
    const cached = node.kernels.get(key);
    if (cached) return cached;
    const dtypes = inputs.map((t) => t.dtype) as DType[];
    const type = node.def.op;
    let k = findKernel(type, this.device.info.type, dtypes);
    if (!k && this.device.info.type !== 'CPU') k = findKernel(type, 'CPU', dtypes);
    if (!k) {
      throw new InvalidArgumentError(
        `No OpKernel was registered to support Op '${type}' used by node ${node.def.name} on device ${this.device.info.path} with input types [${dtypes.join(', ')}]`,
        { op: node.def.name, device: this.device.info.path });
    }
    node.kernels.set(key, k);
    return k;
  }
}

export function splitName(name: string): [string, number] {
  const c = name.lastIndexOf(':');
  if (c < 0) return [name, 0];
  return [name.slice(0, c), Number(name.slice(c + 1))];
}

