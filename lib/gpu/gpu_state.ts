/** How a GPU device hands its backend to the kernels it runs. */
import { FailedPreconditionError } from '../framework/errors.js';
import type { KernelContext } from '../framework/kernel_context.js';
import { GpuBackend } from './backend.js';

/** The key under which a GPU device actor stores its GpuBackend in `ctx.deviceState`. */
export const GPU_STATE_KEY = 'gpu';

/** Installs `backend` as the GPU backend of a device's kernel state. */
export function setDeviceBackend(deviceState: Map<string, unknown>, backend: GpuBackend): void {
  deviceState.set(GPU_STATE_KEY, backend);
}

/** The backend of the device running this kernel, or FailedPreconditionError naming the device. */
export function gpuBackendOf(ctx: KernelContext): GpuBackend {
  const b = ctx.deviceState.get(GPU_STATE_KEY);
  if (!(b instanceof GpuBackend)) {
    throw new FailedPreconditionError(
      `Device ${ctx.device.path} has no GPU backend (deviceState '${GPU_STATE_KEY}'); GPU kernels run only on GPU devices`,
      { op: ctx.node.name, device: ctx.device.path });
  }
  if (b.disposed) {
    throw new FailedPreconditionError(`The GPU backend of ${ctx.device.path} was disposed`, { op: ctx.node.name, device: ctx.device.path });
  }
  return b;
}
