/**
 * GPU devices with gpu.js: backends (webgpu, webasm, headlessgl, cpu), GPU-resident tensors,
 * and the float32 GPU kernels of the op registry (registered when this module is imported).
 * A GPU device actor creates one backend per device with `createGpuBackend`, stores it with
 * `setDeviceBackend(deviceState, backend)` (key GPU_STATE_KEY), and reads results that leave
 * the device with `toHost` / `hostInputs`. See docs/GPU.md.
 */
import './kernels/register.js';

export {
  createGpuBackend, GpuBackend, GPU_BACKEND_KINDS,
  type GpuBackendKind, type GpuBackendOptions, type KernelSpec, type KernelArg, type StepScope,
} from './backend.js';
export type { AdapterInfo, DawnOptions } from './dawn.js';
export { GpuTensor, toHost, hostInputs, type DeviceStore } from './gpu_tensor.js';
export { GPU_STATE_KEY, gpuBackendOf, setDeviceBackend } from './gpu_state.js';
export { gpuStats, resetGpuStats, type GpuStats } from './stats.js';
export { GPU_KERNEL_TYPES, reshapeTarget } from './kernels/register.js';
export { broadcastShape } from './kernels/elementwise.js';
export { standaloneStep, type StandaloneStep } from './standalone.js';
export { runSelfCheck, agreementCases, type CheckCase, type CheckResult } from './self_check.js';
