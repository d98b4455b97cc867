/**
 * What a kernel sees when it runs: its node, its device (with the device's resource manager and
 * the actor system, for resource ops), and its step (cancellation and deadline).
 */
import type { NodeDef } from './node_def.js';
import type { ResourceManager } from '../../actors/resource_manager.js';
import type { ActorSystem } from '../../actors/actor_system.js';
import type { CancelSignal } from './cancellation.js';

export interface DeviceInfo {
  /** Canonical path, e.g. `/job:ps/replica:0/task:0/device:CPU:0`. */
  path: string;
  type: string;
  index: number;
  /** The task path that owns this device, e.g. `/job:ps/replica:0/task:0`. */
  taskPath: string;
}

export interface StepContext {
  stepId: string;
  /** Aborted when the step is cancelled (session closed), times out, or fails elsewhere. */
  signal: CancelSignal;
  /** Epoch ms after which the step is past its deadline, or null. */
  deadline: number | null;
  sessionHandle: string;
  /** Registers cleanup that runs when the step ends on this device (success or failure). */
  onEnd(fn: () => void): void;
  /**
   * Registers an undo action for a side effect whose result might not reach the client (a
   * dequeue's elements): it runs if the step fails after the kernel succeeded, so nothing
   * accepted is silently lost.
   */
  onAbortAfterSuccess(fn: () => void): void;
}

export interface KernelContext {
  node: NodeDef;
  device: DeviceInfo;
  resources: ResourceManager;
  system: ActorSystem;
  step: StepContext;
  /**
   * State that persists for this node across steps, for as long as its partition stays
   * registered (TensorFlow's kernel instance): a private queue remembers its resource here.
   */
  kernelState: Record<string, unknown>;
  /** Per-device scratch shared by the kernels of one device (GPU backends keep state here). */
  deviceState: Map<string, unknown>;
}
