/**
 * GPU backends: one gpu.js instance per GPU device, with the backend that really runs its
 * kernels checked (gpu.js can silently fall back to its `cpu` mode; here that is an error), a
 * cache of compiled kernels (one per op and shape), and the transfers between host and device.
 */
import {
  FailedPreconditionError, InternalError, InvalidArgumentError, UnavailableError,
} from '../framework/errors.js';
import type { Tensor } from '../framework/tensor.js';
import { acquireWebGpu, type AdapterInfo, type DawnOptions } from './dawn.js';
import {
  canResolve, gpujs, type GpuJsInstance, type GpuJsKernel, type WebGpuBufferResult, type WebGpuContextPair,
} from './gpujs.js';
import { GpuTensor, type DeviceStore } from './gpu_tensor.js';
import { count, emptyStats, type GpuStats } from './stats.js';

export type GpuBackendKind = 'webgpu' | 'webasm' | 'headlessgl' | 'cpu';
export const GPU_BACKEND_KINDS: readonly (GpuBackendKind | 'auto')[] = ['webgpu', 'webasm', 'headlessgl', 'cpu', 'auto'];

export interface GpuBackendOptions extends DawnOptions {
  /** Which GPU device of the task this backend serves (for messages and `describe()`). Default 0. */
  deviceIndex?: number;
  /** Compiled kernels kept per backend; the least recently used is destroyed beyond it. Default 256. */
  maxKernels?: number;
  /**
   * Longest loop one kernel thread runs (reductions, matmul's inner dimension, softmax rows).
   * Mesa's llvmpipe stops shader loops at 65,535 iterations, so this is the default; longer
   * reductions are split into stages, longer matmul/softmax rows are refused.
   */
  maxLoopIterations?: number;
  /** Elements each thread of a reduction stage sums before the next stage. Default 1024. */
  reduceChunk?: number;
  /**
   * On webgpu, MatMul threads compute four adjacent outputs when N is a multiple of 4 (2-3x
   * fewer loads than one output per thread). Default true; false gives the naive kernel.
   * gpu.js supports four-component results only on webgpu, so other backends ignore it.
   */
  matmulVec4?: boolean;
}

/** What owns upload copies: a kernel's step (frees them when it ends). */
export interface StepScope {
  onEnd(fn: () => void): void;
}

/** What one kernel launch needs: source from the op library, output view, constants. */
export interface KernelSpec {
  source: string;
  /** Output view, row-major (TensorFlow order), rank 1 to 3. */
  output: number[];
  constants?: Record<string, number>;
}

/** A kernel argument: a device tensor seen through a row-major view of the same size. */
export interface KernelArg {
  t: GpuTensor;
  view: number[];
}

interface CompiledKernel {
  fn: GpuJsKernel;
  argViews: string[] | null;
  checked: boolean;
}

const USAGE_STORAGE = 0x0080;
const USAGE_COPY_SRC = 0x0004;
const USAGE_COPY_DST = 0x0008;
const USAGE_MAP_READ = 0x0001;
const MAP_MODE_READ = 0x0001;

export class GpuBackend {
  /** The gpu.js backend that actually runs this device's kernels (verified at creation). */
  readonly name: GpuBackendKind;
  /** The adapter (vendor, device) for webgpu; null for the host backends. */
  readonly adapterInfo: AdapterInfo | null;
  /** Transfers and launches on this backend. */
  readonly stats: GpuStats = emptyStats();
  readonly maxKernels: number;
  readonly maxLoopIterations: number;
  readonly reduceChunk: number;
  readonly deviceIndex: number;
  /** Whether MatMul uses four outputs per thread (webgpu only). */
  readonly matmulVec4: boolean;
  readonly #gpu: GpuJsInstance;
  readonly #context: WebGpuContextPair | null;
  readonly #kernels = new Map<string, CompiledKernel>();
  /** Per step, the device copies of host tensors, so each crosses once per step. */
  readonly #uploads = new WeakMap<StepScope, WeakMap<Tensor, GpuTensor>>();
  #disposed = false;

  constructor(name: GpuBackendKind, gpu: GpuJsInstance, context: WebGpuContextPair | null, adapterInfo: AdapterInfo | null, opts: GpuBackendOptions) {
    this.name = name;
    this.#gpu = gpu;
    this.#context = context;
    this.adapterInfo = adapterInfo;
    this.maxKernels = positiveInt(opts.maxKernels ?? 256, 'maxKernels');
    this.maxLoopIterations = positiveInt(opts.maxLoopIterations ?? 65535, 'maxLoopIterations');
    this.reduceChunk = positiveInt(opts.reduceChunk ?? 1024, 'reduceChunk');
    this.deviceIndex = opts.deviceIndex ?? 0;
    this.matmulVec4 = name === 'webgpu' && (opts.matmulVec4 ?? true);
    if (this.reduceChunk < 2 || this.reduceChunk > this.maxLoopIterations) {
      throw new InvalidArgumentError(`reduceChunk must be between 2 and maxLoopIterations (${this.maxLoopIterations}), got ${this.reduceChunk}`);
    }
  }

  get disposed(): boolean { return this.#disposed; }

  /** Number of compiled kernels in the cache. */
  get cachedKernels(): number { return this.#kernels.size; }

  /** A short description: `webgpu (nvidia nvidia-h200)`, `webasm`. */
  describe(): string {
    const a = this.adapterInfo;
    if (!a) return this.name;
    const what = [a.vendor, a.device || a.description].filter((s) => s).join(' ');
    return `${this.name} (${what || 'unknown adapter'}, dawn ${a.dawnBackend})`;
  }

  /**
   * The device copy of `t` for a kernel of `step`: a GpuTensor of this backend as it is; a host
   * tensor uploaded once per step (the copy is freed when the step ends); a GpuTensor of another
   * backend moved over. Without a step the caller owns (and disposes) any copy.
   */
  async resident(t: Tensor, step?: StepScope): Promise<GpuTensor> {
    this.#checkAlive();
    if (t instanceof GpuTensor && t.backend === this) return t;
    // Copies are shared within one step only: concurrent steps each free their own.
    let cache = step ? this.#uploads.get(step) : undefined;
    const cached = cache?.get(t);
    if (cached && !cached.deleted) return cached;
    let copy: GpuTensor;
    if (t instanceof GpuTensor) {
      if (this.#context && t.backend.#context === this.#context) {
        // Another device on the same Dawn device (gpu.js shares one): share the buffer.
        copy = t.backend.alias(t, [...t.shape]);
      } else {
        copy = this.#upload(await t.read(), t.shape);
      }
    } else {
      if (t.dtype !== 'float32') throw new InvalidArgumentError(`GPU kernels take float32 tensors, got ${t.dtype}`);
      copy = this.#upload(t.data as Float32Array, t.shape);
    }
    if (step) {
      if (!cache) {
        cache = new WeakMap();
        this.#uploads.set(step, cache);
      }
      cache.set(t, copy);
      step.onEnd(() => copy.dispose());
    }
    return copy;
  }

  /** A device tensor holding `data` (counted as an upload). */
  fromHost(data: Float32Array, shape: number[]): GpuTensor {
    this.#checkAlive();
    return this.#upload(data, shape);
  }

  #upload(data: Float32Array, shape: readonly number[]): GpuTensor {
    count(this.stats, 'uploads');
    count(this.stats, 'uploadBytes', data.byteLength);
    const ctx = this.#context;
    if (!ctx) return new GpuTensor(this, [...shape], { kind: 'host', data });
    const device = ctx.device;
    const byteLength = Math.max(4, data.byteLength);
    this.#checkBufferSize(byteLength);
    const buffer = device.createBuffer({ size: byteLength, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    if (data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    const handle = new (gpujs().WebGPUBufferResult)({ buffer, output: [Math.max(1, data.length)], componentCount: 1, context: ctx, kernel: null });
    return new GpuTensor(this, [...shape], { kind: 'buffer', handle });
  }

  #checkBufferSize(byteLength: number): void {
    const limits = this.#context!.device.limits;
    const max = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    if (byteLength > max) {
      throw new InvalidArgumentError(`A GPU tensor of ${byteLength} bytes exceeds this device's storage buffer limit of ${max} bytes`);
    }
  }

  /** A second GpuTensor over the same device values with another shape of the same size (reshape). */
  alias(t: GpuTensor, shape: number[]): GpuTensor {
    const s = t.store();
    if (s.kind === 'host') return new GpuTensor(this, shape, s);
    const h = s.handle;
    const handle = new (gpujs().WebGPUBufferResult)({ buffer: h.buffer, output: [...h.output], componentCount: 1, context: h.context, kernel: h.kernel });
    return new GpuTensor(this, shape, { kind: 'buffer', handle });
  }

  /** Host values of a host-resident store (counted as a download). */
  download(s: DeviceStore, n: number): Float32Array {
    if (s.kind !== 'host') throw new InternalError('download() of a WebGPU buffer must be asynchronous');
    count(this.stats, 'downloads');
    count(this.stats, 'downloadBytes', n * 4);
    return s.data;
  }

  /** Reads a WebGPU buffer back to the host. */
  async downloadAsync(s: DeviceStore, n: number): Promise<Float32Array> {
    if (s.kind === 'host') return this.download(s, n);
    count(this.stats, 'downloads');
    count(this.stats, 'downloadBytes', n * 4);
    if (n === 0) return new Float32Array(0);
    const h = s.handle;
    if (h._deleted) throw new FailedPreconditionError('GPU tensor was freed before it was read back');
    if (h.context.isLost) throw new UnavailableError('The WebGPU device was lost; its tensors are gone');
    const device = h.context.device;
    const byteLength = n * 4;
    const staging = device.createBuffer({ size: byteLength, usage: USAGE_MAP_READ | USAGE_COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(h.buffer, 0, staging, 0, byteLength);
    device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(MAP_MODE_READ, 0, byteLength);
      return new Float32Array(staging.getMappedRange(0, byteLength).slice(0));
    } finally {
      staging.destroy();
    }
  }

  /**
   * Runs one kernel built from `spec` (compiled on first use and cached by its source, output,
   * constants and argument views) over `args`, and returns the device store of its result. Each argument's
   * view is checked against the views the kernel was built with before every call: gpu.js
   * kernels called with other sizes return garbage instead of failing.
   */
  async run(spec: KernelSpec, args: KernelArg[]): Promise<DeviceStore> {
    this.#checkAlive();
    const views = args.map((a) => a.view.join(','));
    const key = `${spec.source}\u0000${spec.output.join(',')}\u0000${JSON.stringify(spec.constants ?? {})}\u0000${views.join(';')}`;
    let k = this.#kernels.get(key);
    if (k) {
      this.#kernels.delete(key);
      this.#kernels.set(key, k);
    } else {
      k = this.#build(spec);
      this.#kernels.set(key, k);
      this.#evict();
    }
    if (k.argViews === null) k.argViews = views;
    else if (views.length !== k.argViews.length || views.some((v, i) => v !== k!.argViews![i])) {
      throw new InternalError(`GPU kernel built for argument views [${k.argViews.join('] [')}] called with [${views.join('] [')}]`);
    }
    for (const a of args) {
      const n = a.view.reduce((x, y) => x * y, 1);
      if (n !== a.t.size) throw new InternalError(`GPU kernel view [${a.view}] does not cover a tensor of shape [${a.t.shape}]`);
    }
    const made: WebGpuBufferResult[] = [];
    const callArgs = args.map((a) => this.#arg(a, made));
    let result: unknown;
    try {
      result = k.fn(...callArgs);
      if (result instanceof Promise) result = await result;
    } catch (err) {
      this.#kernels.delete(key);
      throw new InternalError(`GPU kernel failed on the ${this.name} backend: ${(err as Error).message}`, { cause: err });
    } finally {
      for (const h of made) h.delete();
    }
    count(this.stats, 'kernelRuns');
    if (!k.checked) {
      const mode = ranOn(k.fn);
      if (mode !== this.name) {
        this.#kernels.delete(key);
        throw new InternalError(
          `gpu.js ran a kernel on its '${mode}' backend instead of '${this.name}'` +
          `${k.fn.kernel.fallbackReason ? ` (${k.fn.kernel.fallbackReason})` : ''}; refusing a silent fallback`);
      }
      k.checked = true;
    }
    const n = spec.output.reduce((x, y) => x * y, 1);
    return this.#wrapResult(result, n);
  }

  #build(spec: KernelSpec): CompiledKernel {
    count(this.stats, 'kernelBuilds');
    for (const d of spec.output) {
      if (!Number.isInteger(d) || d < 1) throw new InternalError(`GPU kernel output view [${spec.output}] has an empty dimension`);
    }
    if (this.#context && spec.output.length > 1) {
      // gpu.js dispatches 2-D/3-D outputs in 8x8x1 workgroups; 1-D outputs fold past the limit.
      const max = this.#context.device.limits.maxComputeWorkgroupsPerDimension;
      const r = spec.output.length;
      const y = spec.output[r - 2]!;
      const z = r === 3 ? spec.output[0]! : 1;
      if (Math.ceil(y / 8) > max || z > max) {
        throw new InvalidArgumentError(
          `A GPU kernel over a view of shape [${spec.output}] exceeds WebGPU's dispatch limit ` +
          `(${max} workgroups per dimension: at most ${max * 8} rows); reshape the tensor or run the op on the CPU`);
      }
    }
    const fn = this.#gpu.createKernel(spec.source, {
      output: [...spec.output].reverse(),
      constants: spec.constants ?? {},
      // Results stay on the device and every call gets its own buffer, which the step frees.
      pipeline: this.name !== 'headlessgl',
      immutable: true,
      precision: 'single',
      loopMaxIterations: this.maxLoopIterations,
    });
    return { fn, argViews: null, checked: false };
  }

  #evict(): void {
    while (this.#kernels.size > this.maxKernels) {
      const [oldest, k] = this.#kernels.entries().next().value as [string, CompiledKernel];
      this.#kernels.delete(oldest);
      k.fn.destroy();
    }
  }

  #arg(a: KernelArg, made: WebGpuBufferResult[]): unknown {
    const s = a.t.store();
    const dims = [...a.view].reverse();
    if (s.kind === 'host') return gpujs().input(s.data, dims);
    // A view handle over the same buffer: gpu.js indexes arguments by the handle's dims.
    const h = s.handle;
    if (h._deleted) throw new FailedPreconditionError('GPU tensor was freed before a kernel read it');
    const view = new (gpujs().WebGPUBufferResult)({ buffer: h.buffer, output: dims, componentCount: 1, context: h.context, kernel: h.kernel });
    made.push(view);
    return view;
  }

  #wrapResult(result: unknown, n: number): DeviceStore {
    if (this.#context) return { kind: 'buffer', handle: result as WebGpuBufferResult };
    return { kind: 'host', data: flattenResult(result, n) };
  }

  #checkAlive(): void {
    if (this.#disposed) throw new FailedPreconditionError(`The ${this.name} GPU backend was disposed`);
  }

  /** Destroys every compiled kernel and the gpu.js instance. Tensors already read stay readable. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const k of this.#kernels.values()) k.fn.destroy();
    this.#kernels.clear();
    await this.#gpu.destroy();
  }
}

/**
 * The backend a built gpu.js kernel really runs on. The GL kernels all report mode 'gpu', so
 * those are told apart by class (HeadlessGLKernel is the Node one).
 */
function ranOn(fn: GpuJsKernel): string {
  const cls = fn.kernel.constructor as { mode: string; name: string };
  if (cls.mode !== 'gpu') return cls.mode;
  return cls.name === 'HeadlessGLKernel' ? 'headlessgl' : cls.name;
}

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer, got ${n}`);
  return n;
}

/** gpu.js returns nested row arrays for 2-D/3-D outputs; flatten without a copy when rows are contiguous. */
function flattenResult(r: unknown, n: number): Float32Array {
  if (r instanceof Float32Array) return r.length === n ? r : r.subarray(0, n);
  const rows: Float32Array[] = [];
  const walk = (x: unknown): void => {
    if (x instanceof Float32Array) rows.push(x);
    else if (Array.isArray(x)) for (const y of x) walk(y);
    else throw new InternalError(`Unexpected gpu.js result of type ${typeof x}`);
  };
  walk(r);
  const first = rows[0];
  if (first && rows.every((row, i) => row.buffer === first.buffer && row.byteOffset === first.byteOffset + i * first.length * 4)) {
    return new Float32Array(first.buffer, first.byteOffset, n);
  }
  const out = new Float32Array(n);
  let o = 0;
  for (const row of rows) { out.set(row, o); o += row.length; }
  return out;
}

/**
 * Creates the backend for one GPU device. `auto` is webgpu where Dawn finds an adapter, else
 * webasm. A backend that cannot run here fails with UnavailableError (no adapter, no display)
 * or FailedPreconditionError (the optional `gl` addon is not installed): never a silent
 * fallback. A probe kernel checks that gpu.js really runs the requested backend.
 */
export async function createGpuBackend(kind: GpuBackendKind | 'auto' | string, opts: GpuBackendOptions = {}): Promise<GpuBackend> {
  if (!(GPU_BACKEND_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError(`Unknown GPU backend '${kind}'; expected one of ${GPU_BACKEND_KINDS.join(', ')}`);
  }
  if (kind === 'auto') {
    try {
      return await createGpuBackend('webgpu', opts);
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      return createGpuBackend('webasm', opts);
    }
  }
  const { GPU } = gpujs();
  let context: WebGpuContextPair | null = null;
  let info: AdapterInfo | null = null;
  switch (kind as GpuBackendKind) {
    case 'webgpu': {
      const got = await acquireWebGpu(opts);
      context = got.context;
      info = got.info;
      break;
    }
    case 'headlessgl':
      if (!canResolve('gl')) {
        throw new FailedPreconditionError(
          "GPU backend 'headlessgl' needs the optional 'gl' addon, which this install leaves out (.npmrc omit=optional); " +
          "install it with `npm install gl` and run under an X server (xvfb-run -a), or use --gpu-backend webgpu, webasm or cpu");
      }
      if (!process.env['DISPLAY']) {
        throw new UnavailableError(
          "GPU backend 'headlessgl' needs an X display and DISPLAY is not set; run under xvfb-run -a, " +
          'or use --gpu-backend webgpu, webasm or cpu');
      }
      break;
    case 'webasm':
      if (typeof WebAssembly !== 'object') throw new UnavailableError("GPU backend 'webasm' needs WebAssembly, which this runtime lacks");
      break;
    case 'cpu':
      break;
  }
  const gpu = new GPU({ mode: kind });
  const backend = new GpuBackend(kind as GpuBackendKind, gpu, context, info, opts);
  await probe(backend);
  return backend;
}

/** Runs a tiny kernel: the backend must really be the one requested, and must add correctly. */
async function probe(backend: GpuBackend): Promise<void> {
  const a = backend.fromHost(new Float32Array([1, 2, 3]), [3]);
  const b = backend.fromHost(new Float32Array([10, 20, 30]), [3]);
  let out: GpuTensor | null = null;
  try {
    const store = await backend.run(
      { source: 'function (a, b) { return a[this.thread.x] + b[this.thread.x]; }', output: [3] },
      [{ t: a, view: [3] }, { t: b, view: [3] }]);
    out = new GpuTensor(backend, [3], store);
    const got = Array.from(await out.read());
    if (got.join() !== '11,22,33') {
      throw new UnavailableError(`GPU backend '${backend.name}' computed [${got}] for [1,2,3]+[10,20,30]; it is not usable here`);
    }
  } catch (err) {
    await backend.dispose();
    if (err instanceof InternalError) {
      throw new UnavailableError(`GPU backend '${backend.name}' cannot run here: ${err.message}`, { cause: err });
    }
    throw err;
  } finally {
    a.dispose(); b.dispose(); out?.dispose();
  }
}
