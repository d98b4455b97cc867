/**
 * Transfer instrumentation: how often tensors cross between host and GPU memory, so tests and
 * benchmarks can check that a chain of GPU ops uploads its inputs once and reads back only what
 * leaves the device. Each backend keeps its own counters; `gpuStats()` sums all backends alive
 * in this process.
 */
export interface GpuStats {
  /** Host tensors copied to the device (one per distinct host tensor per step). */
  uploads: number;
  uploadBytes: number;
  /** Device results copied back to the host. */
  downloads: number;
  downloadBytes: number;
  /** gpu.js kernels compiled (one per op and shape). */
  kernelBuilds: number;
  /** Kernel launches (an op may launch several, e.g. a two-stage reduction). */
  kernelRuns: number;
}

export function emptyStats(): GpuStats {
  return { uploads: 0, uploadBytes: 0, downloads: 0, downloadBytes: 0, kernelBuilds: 0, kernelRuns: 0 };
}

const global = emptyStats();

/** Counts into a backend's own stats and into the process-wide total. */
export function count(own: GpuStats, key: keyof GpuStats, n = 1): void {
  own[key] += n;
  global[key] += n;
}

/** A snapshot of the process-wide counters. */
export function gpuStats(): GpuStats {
  return { ...global };
}

export function resetGpuStats(): void {
  Object.assign(global, emptyStats());
}
