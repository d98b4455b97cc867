/**
 * GPU-resident tensors. A GPU kernel returns a GpuTensor that holds its backend's result (a
 * WebGPU storage buffer, or a host array on the webasm/cpu backends), so the next GPU kernel of
 * the partition reads it where it is; it reaches host memory only when something reads it.
 */
import { FailedPreconditionError } from '../framework/errors.js';
import { Tensor, numElements, type Shape } from '../framework/tensor.js';
import type { TensorData } from '../framework/dtypes.js';
import type { WebGpuBufferResult } from './gpujs.js';
import type { GpuBackend } from './backend.js';

/** Where a GpuTensor's values live. */
export type DeviceStore =
  | { kind: 'buffer'; handle: WebGpuBufferResult }
  | { kind: 'host'; data: Float32Array };

/**
 * The base constructor checks `data.length` against the shape; a GpuTensor has no host data
 * yet, so it passes an object of the right length that is never read (`data` is overridden).
 */
function lazyData(n: number): TensorData {
  return { length: n } as unknown as TensorData;
}

export class GpuTensor extends Tensor {
  readonly backend: GpuBackend;
  #store: DeviceStore | null;
  #host: Float32Array | null = null;

  constructor(backend: GpuBackend, shape: Shape, store: DeviceStore) {
    super('float32', shape, lazyData(numElements(shape)));
    this.backend = backend;
    this.#store = store;
  }

  /** True while the values are held by the device and have not been read back. */
  get onDevice(): boolean {
    return this.#store !== null && this.#host === null;
  }

  get deleted(): boolean {
    return this.#store === null && this.#host === null;
  }

  /**
   * The values on the host. On the webasm and cpu backends results already live in host memory
   * and this reads them at once; a WebGPU buffer can only be read asynchronously, so there it
   * must be read with `await t.read()` (or `toHost(t)`) first.
   */
  override get data(): TensorData {
    if (this.#host) return this.#host;
    const s = this.#store;
    if (s === null) throw this.#deletedError();
    if (s.kind === 'host') {
      this.#host = this.backend.download(s, this.size);
      return this.#host;
    }
    throw new FailedPreconditionError(
      `GPU tensor of shape [${this.shape}] on the ${this.backend.name} backend is still in device memory; ` +
      'read it with `await toHost(t)` (or `await t.read()`) before using its data');
  }

  /** Reads the values back to the host (once; later calls reuse the copy). */
  async read(): Promise<Float32Array> {
    if (this.#host) return this.#host;
    const s = this.#store;
    if (s === null) throw this.#deletedError();
    this.#host = s.kind === 'host' ? this.backend.download(s, this.size) : await this.backend.downloadAsync(s, this.size);
    return this.#host;
  }

  /** The device-side store, for the kernels of this tensor's backend. */
  store(): DeviceStore {
    if (this.#store === null) throw this.#deletedError();
    return this.#store;
  }

  /**
   * Frees the device memory (at step end). Values already read back stay readable, so a fetched
   * result outlives its step.
   */
  dispose(): void {
    const s = this.#store;
    this.#store = null;
    if (s?.kind === 'buffer') s.handle.delete();
  }

  #deletedError(): FailedPreconditionError {
    return new FailedPreconditionError(
      `GPU tensor of shape [${this.shape}] was freed at the end of its step before it was read back`);
  }
}

/** A host tensor for `t`: a GpuTensor is read back (and becomes a plain Tensor); others pass. */
export async function toHost(t: Tensor): Promise<Tensor> {
  if (!(t instanceof GpuTensor)) return t;
  return new Tensor('float32', [...t.shape], await t.read());
}

/** `toHost` for each input: what a CPU kernel (or a send to another device) needs. */
export function hostInputs(ts: readonly Tensor[]): Promise<Tensor[]> {
  return Promise.all(ts.map(toHost));
}
