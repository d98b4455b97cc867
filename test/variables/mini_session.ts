/**
 * A minimal in-process runner for tests of the variable ops at the kernel level: it prunes the
 * graph to what the fetches need, then runs each op's CPU kernel in creation order (a valid
 * topological order) on one device with a real ResourceManager and ActorSystem. Independent
 * runners sharing one `MiniDevice` behave like two sessions on the same task.
 */
import { ActorSystem } from '../../actors/actor_system.js';
import { ResourceManager } from '../../actors/resource_manager.js';
import { findKernel } from '../../lib/framework/op_registry.js';
import { Operation, SymbolicTensor, type Graph } from '../../lib/framework/graph.js';
import type { KernelContext } from '../../lib/framework/kernel_context.js';
import { convertToTensor, type Tensor } from '../../lib/framework/tensor.js';

export const TASK = '/job:localhost/replica:0/task:0';
export const DEVICE = `${TASK}/device:CPU:0`;

export class MiniDevice {
  readonly system = new ActorSystem({ taskPath: TASK });
  readonly resources = new ResourceManager(DEVICE, this.system);
}

export class MiniSession {
  private readonly kernelStates = new Map<string, Record<string, unknown>>();
  private steps = 0;

  constructor(readonly graph: Graph, readonly device: MiniDevice = new MiniDevice()) {}

  /** Like Session.run for a single fetch or a flat list of fetches. */
  run(fetches: SymbolicTensor | Operation, feeds?: [SymbolicTensor, unknown][]): Promise<Tensor | null>;
  run(fetches: (SymbolicTensor | Operation)[], feeds?: [SymbolicTensor, unknown][]): Promise<(Tensor | null)[]>;
  async run(fetchArg: unknown, feeds: [SymbolicTensor, unknown][] = []): Promise<unknown> {
    if (!Array.isArray(fetchArg)) return (await this.run([fetchArg as SymbolicTensor], feeds))[0];
    const fetches = fetchArg as (SymbolicTensor | Operation)[];
    const fed = new Map<string, Tensor>(feeds.map(([t, v]) => [t.name, convertToTensor(v, t.dtype)]));
    const needed = new Set<Operation>();
    const visit = (op: Operation): void => {
      if (needed.has(op)) return;
      needed.add(op);
      for (const t of op.inputs) if (!fed.has(t.name)) visit(t.op);
      for (const c of op.controlInputs) visit(c);
    };
    for (const f of fetches) visit(f instanceof SymbolicTensor ? f.op : f);
    const values = new Map<string, Tensor>(fed);
    const controller = new AbortController();
    const stepId = `mini-${++this.steps}`;
    for (const op of this.graph.getOperations()) {
      if (!needed.has(op)) continue;
      const kernel = findKernel(op.type, 'CPU');
      if (!kernel) throw new Error(`no CPU kernel for ${op.type}`);
      let ks = this.kernelStates.get(op.name);
      if (!ks) this.kernelStates.set(op.name, (ks = {}));
      const ctx: KernelContext = {
        node: op.toNodeDef(),
        device: { path: DEVICE, type: 'CPU', index: 0, taskPath: TASK },
        resources: this.device.resources,
        system: this.device.system,
        step: {
          stepId, signal: controller.signal, deadline: null, sessionHandle: 'mini',
          onEnd: () => {}, onAbortAfterSuccess: () => {},
        },
        kernelState: ks,
        deviceState: new Map(),
      };
      const inputs = op.inputs.map((t) => values.get(t.name)!);
      const out = await kernel.compute(ctx, inputs);
      out.forEach((t, i) => { if (!fed.has(`${op.name}:${i}`)) values.set(`${op.name}:${i}`, t); });
    }
    return fetches.map((f) => (f instanceof SymbolicTensor ? values.get(f.name)! : null));
  }

  async run1(fetch: SymbolicTensor | Operation, feeds: [SymbolicTensor, unknown][] = []): Promise<Tensor | null> {
    return (await this.run([fetch], feeds))[0]!;
  }
}
