/**
 * Turns a task's `gpus` setting into GPU device backends. Each GPU device gets its own gpu.js
 * backend; a backend that cannot run fails the start with a clear error (never a silent fallback).
 */
import { InvalidArgumentError } from '../framework/errors.js';
import type { GpuBackend, GpuBackendKind } from '../gpu/index.js';

export type { GpuBackendKind };

export interface GpuDevice {
  backendName: string;
  /** What the backend runs on, e.g. `webgpu (nvidia nvidia-h200, dawn default)`. */
  description: string;
  attach(deviceState: Map<string, unknown>): void;
  dispose(): void;
}

/** `gpus`: a count, or a GPU_VISIBLE_DEVICES-style list ("0,1"; "" exposes none). */
export function parseGpuCount(gpus: number | string | undefined): number {
  if (gpus === undefined) return 0;
  if (typeof gpus === 'number') {
    if (!Number.isInteger(gpus) || gpus < 0) throw new InvalidArgumentError(`gpus must be a non-negative integer, got ${gpus}`);
    return gpus;
  }
  const s = gpus.trim();
  if (s === '') return 0;
  if (/^\d+$/.test(s) && !s.includes(',')) return Number(s);
  const ids = s.split(',').map((x) => x.trim());
  if (ids.some((x) => !/^\d+$/.test(x))) throw new InvalidArgumentError(`Bad GPU list '${gpus}': expected a count or ids like "0,1"`);
  return ids.length;
}

export async function createGpuDevices(gpus: number | string | undefined, kind: GpuBackendKind | 'auto'): Promise<GpuDevice[]> {
  const n = parseGpuCount(gpus);
  const out: GpuDevice[] = [];
  if (n === 0) return out;
  // gpu.js loads only on tasks that expose GPUs.
  const { createGpuBackend, GPU_STATE_KEY } = await import('../gpu/index.js');
  for (let i = 0; i < n; i++) {
    const backend: GpuBackend = await createGpuBackend(kind, { deviceIndex: i });
    out.push({
      backendName: backend.name,
      description: backend.describe(),
      attach: (state) => state.set(GPU_STATE_KEY, backend),
      dispose: () => backend.dispose(),
    });
  }
  return out;
}
