/**
 * The slice of gpu.js (a CommonJS package without types for its webgpu/webasm modes) that
 * actorflow uses, typed narrowly. Loaded lazily so that importing lib/gpu costs nothing until a
 * GPU device is created.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A gpu.js pipeline handle on the webgpu backend: a refcounted GPUBuffer plus logical dims. */
export interface WebGpuBufferResult {
  buffer: GPUBuffer & { _refs?: number };
  output: number[];
  componentCount: number;
  context: WebGpuContextPair;
  kernel: unknown;
  _deleted: boolean;
  delete(): void;
}

export interface WebGpuContextPair {
  adapter: GPUAdapter;
  device: GPUDevice;
  isLost: boolean;
}

export interface GpuJsInput { value: ArrayLike<number>; size: number[] | Int32Array }

/** What `gpu.createKernel` returns: callable, with the built backend kernel at `.kernel`. */
export interface GpuJsKernel {
  (...args: unknown[]): unknown;
  kernel: { constructor: { mode: string; name: string }; fallbackReason?: string | null };
  destroy(removeCanvasReferences?: boolean): void;
}

export interface GpuJsKernelSettings {
  output: number[];
  constants?: Record<string, number>;
  pipeline?: boolean;
  immutable?: boolean;
  precision?: 'single';
  loopMaxIterations?: number;
  tactic?: 'precision' | 'balanced' | 'speed';
  dynamicOutput?: boolean;
  dynamicArguments?: boolean;
}

export interface GpuJsInstance {
  mode: string;
  createKernel(source: string, settings: GpuJsKernelSettings): GpuJsKernel;
  destroy(): Promise<void> | void;
}

export interface GpuJsModule {
  GPU: (new (settings: { mode: string }) => GpuJsInstance) & {
    isHeadlessGLSupported?: boolean;
    isWebAssemblySupported?: boolean;
  };
  input(value: ArrayLike<number>, size: number[]): GpuJsInput;
  WebGPUBufferResult: new (settings: {
    buffer: GPUBuffer; output: number[]; componentCount: number; context: WebGpuContextPair; kernel: unknown;
  }) => WebGpuBufferResult;
  WebGPUContext: { acquire(): Promise<WebGpuContextPair>; isSupported: boolean };
}

let loaded: GpuJsModule | null = null;

export function gpujs(): GpuJsModule {
  loaded ??= require('gpu.js') as GpuJsModule;
  return loaded;
}

/** Whether a package can be resolved from here (used for the optional `gl` addon). */
export function canResolve(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
