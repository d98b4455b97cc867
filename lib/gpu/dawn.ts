/**
 * WebGPU in Node for gpu.js: gpu.js looks for `navigator.gpu` and never loads a WebGPU
 * implementation itself, so this installs one from Dawn (the `webgpu` package). On a machine with
 * a GPU, Dawn's default backend (Vulkan on Linux) finds it; on a machine without one, Dawn's
 * OpenGL backend on Mesa (llvmpipe, through EGL with no display) runs the same code path.
 * Process-wide: gpu.js shares one GPUDevice between all its instances.
 */
import { UnavailableError } from '../framework/errors.js';
import { gpujs, type WebGpuContextPair } from './gpujs.js';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Which Dawn backend found the adapter ('default' = Vulkan/Metal/D3D as Dawn chooses). */
  dawnBackend: string;
  maxStorageBufferBindingSize: number;
}

export interface DawnOptions {
  /**
   * Dawn instance flags to try, in order; each entry is one attempt. Default: the platform's
   * native backend (`[]`), then `['backend=opengl']` in WebGPU compatibility mode.
   */
  dawnFlags?: string[][];
}

interface Attempt { flags: string[]; extra: Record<string, unknown> }

let installed: Promise<{ context: WebGpuContextPair; info: AdapterInfo }> | null = null;

function attempts(opts: DawnOptions): Attempt[] {
  const list = opts.dawnFlags ?? [[], ['backend=opengl']];
  return list.map((flags) => ({
    flags,
    // Dawn's GL backend only offers WebGPU's compatibility feature level.
    extra: flags.some((f) => f.includes('opengl')) ? { featureLevel: 'compatibility' } : {},
  }));
}

/** Installs `navigator.gpu` from Dawn and acquires gpu.js's shared device, once per process. */
export function acquireWebGpu(opts: DawnOptions = {}): Promise<{ context: WebGpuContextPair; info: AdapterInfo }> {
  if (installed) return installed;
  const p = install(opts);
  installed = p;
  // A failed attempt may be retried later (say, with other flags).
  p.catch(() => { if (installed === p) installed = null; });
  return p;
}

async function install(opts: DawnOptions): Promise<{ context: WebGpuContextPair; info: AdapterInfo }> {
  // Mesa's EGL needs a platform when there is no display; it reads this when Dawn first opens
  // EGL, which is after this point, so setting it here is enough.
  if (process.env['EGL_PLATFORM'] === undefined && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    process.env['EGL_PLATFORM'] = 'surfaceless';
  }
  let mod: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    mod = await import('webgpu') as unknown as typeof mod;
  } catch (err) {
    throw new UnavailableError(`webgpu backend unavailable: the 'webgpu' package (Dawn) could not be loaded: ${(err as Error).message}`);
  }
  const tried: string[] = [];
  for (const a of attempts(opts)) {
    const dawn = mod.create(a.flags);
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await dawn.requestAdapter(a.extra as GPURequestAdapterOptions);
    } catch {
      adapter = null;
    }
    const label = a.flags.length ? a.flags.join(',') : 'default';
    if (!adapter) { tried.push(label); continue; }
    Object.assign(globalThis, mod.globals);
    const gpu = {
      requestAdapter: (o?: GPURequestAdapterOptions) => dawn.requestAdapter({ ...a.extra, ...(o ?? {}) } as GPURequestAdapterOptions),
      getPreferredCanvasFormat: () => 'rgba8unorm',
      get wgslLanguageFeatures() { return dawn.wgslLanguageFeatures; },
    };
    const nav = (globalThis as { navigator?: object }).navigator;
    if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    const context = await gpujs().WebGPUContext.acquire();
    const ai = context.adapter.info;
    return {
      context,
      info: {
        vendor: ai.vendor, architecture: ai.architecture, device: ai.device, description: ai.description,
        dawnBackend: label,
        maxStorageBufferBindingSize: context.device.limits.maxStorageBufferBindingSize,
      },
    };
  }
  throw new UnavailableError(
    `webgpu backend unavailable: Dawn found no GPU adapter (tried: ${tried.join('; ')}). ` +
    'Without a GPU, Dawn\'s OpenGL backend needs Mesa EGL (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri) ' +
    'and EGL_PLATFORM=surfaceless; choose --gpu-backend webasm or cpu to run on the CPU');
}
