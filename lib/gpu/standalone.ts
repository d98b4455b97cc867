/**
 * A kernel context for one GPU device outside a running cluster: what bench/gpu.ts and
 * bench/gpu_check.ts use to call registry kernels exactly as a GPU device actor does (the same
 * deviceState key, the same step-end cleanup), without an actor system.
 */
import type { KernelContext, StepContext } from '../framework/kernel_context.js';
import type { NodeDef } from '../framework/node_def.js';
import type { ResourceManager } from '../../actors/resource_manager.js';
import type { ActorSystem } from '../../actors/actor_system.js';
import type { GpuBackend } from './backend.js';
import { GPU_STATE_KEY } from './gpu_state.js';

export interface StandaloneStep {
  /** A context for one node of this step. */
  ctx(op: string, attrs?: Record<string, unknown>): KernelContext;
  /** Ends the step: runs the onEnd hooks (frees the step's device tensors). */
  end(): void;
}

let nextStep = 0;

export function standaloneStep(backend: GpuBackend, devicePath = '/job:localhost/replica:0/task:0/device:GPU:0'): StandaloneStep {
  const hooks: (() => void)[] = [];
  const ac = new AbortController();
  const deviceState = new Map<string, unknown>([[GPU_STATE_KEY, backend]]);
  const step: StepContext = {
    stepId: `standalone-${++nextStep}`,
    signal: ac.signal,
    deadline: null,
    sessionHandle: 'standalone',
    onEnd: (fn) => { hooks.push(fn); },
    onAbortAfterSuccess: () => {},
  };
  return {
    ctx(op, attrs = {}) {
      const node: NodeDef = { name: op, op, inputs: [], device: devicePath, attrs };
      return {
        node,
        device: { path: devicePath, type: 'GPU', index: 0, taskPath: devicePath.replace(/\/device:.*$/, '') },
        // Resource ops never run on these contexts; GPU kernels use neither.
        resources: undefined as unknown as ResourceManager,
        system: undefined as unknown as ActorSystem,
        step,
        kernelState: {},
        deviceState,
      };
    },
    end() {
      for (const fn of hooks.splice(0)) fn();
    },
  };
}
