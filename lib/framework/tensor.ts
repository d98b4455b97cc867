/**
 * Concrete tensors: what `session.run` returns and what travels on the wire. A tensor is a dtype,
 * a shape and a flat row-major `data` array (a typed array for numeric dtypes, string[] for strings).
 */
import { InvalidArgumentError } from './errors.js';
import {
  type DType, type TensorData, type StringElement, type NumericArray,
  allocData, asDType, dtypeOfTypedArray, tfTypeName,
} from './dtypes.js';

export type Shape = number[];

export class Tensor {
  readonly dtype: DType;
  readonly shape: Shape;
  /** Subclasses (GPU-resident tensors) may materialise data lazily by overriding `data`. */
  protected _data: TensorData;

  constructor(dtype: DType, shape: Shape, data: TensorData) {
    const n = numElements(shape);
    if (data.length !== n) {
      throw new InvalidArgumentError(`Tensor of shape [${shape}] needs ${n} values, got ${data.length}`);
    }
    this.dtype = dtype;
    this.shape = shape;
    this._data = data;
  }

  get data(): TensorData { return this._data; }

  get rank(): number { return this.shape.length; }
  get size(): number { return numElements(this.shape); }

  /** Nested JS arrays; a plain value for a scalar. bool comes back as booleans. */
  toArray(): unknown { return toNested(this); }

  /** The value of a scalar (or one-element) tensor. */
  scalar(): number | bigint | boolean | StringElement {
    if (this.data.length !== 1) {
      throw new InvalidArgumentError(`Expected a scalar, got a tensor of shape [${this.shape}]`);
    }
    return elementAt(this, 0);
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape}], ${JSON.stringify(this.toArray(), (_k, v) => typeof v === 'bigint' ? v.toString() : v)})`;
  }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function elementAt(t: Tensor, i: number): number | bigint | boolean | StringElement {
  const v = t.data[i]!;
  return t.dtype === 'bool' ? v !== 0 : v;
}

function toNested(t: Tensor): unknown {
  if (t.shape.length === 0) return elementAt(t, 0);
  const build = (dim: number, offset: number): unknown[] => {
    const n = t.shape[dim]!;
    const stride = numElements(t.shape.slice(dim + 1));
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = dim === t.shape.length - 1 ? elementAt(t, offset + i) : build(dim + 1, offset + i * stride);
    }
    return out;
  };
  return build(0, 0);
}

/** `tf.toArray(x)`: nested arrays of a concrete tensor (other values pass through). */
export function toArray(x: unknown): unknown {
  return x instanceof Tensor ? x.toArray() : x;
}

export interface TensorOptions {
  dtype?: DType | string;
  shape?: readonly number[];
}

/** `tf.tensor(values, {dtype, shape})`. */
export function tensor(values: unknown, opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype === undefined ? undefined : asDType(opts.dtype);
  const t = convertToTensor(values, dtype);
  if (opts.shape === undefined) return t;
  return reshapeForConstant(t, opts.shape);
}

/**
 * The values given to `tf.constant(value, {shape})` laid out in `shape`, as TensorFlow 1.x's
 * make_tensor_proto (verify_shape=False) and Tensor::FromProto do: the values are taken flat,
 * in row-major order, whatever their own nesting; fewer values than the shape needs are padded
 * with the last one (so a scalar fills the shape), no values at all give the dtype's zero
 * (0, false, ''), more values than the shape holds is an error (TF's ValueError), and a shape
 * with no elements takes no values at all.
 */
export function reshapeForConstant(t: Tensor, shape: readonly number[]): Tensor {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new InvalidArgumentError(`Invalid shape [${shape}]: dimensions must be non-negative integers`);
  }
  const n = numElements(shape);
  // make_tensor_proto ignores the values when the shape holds no elements (np.empty(shape)).
  if (n === 0) return new Tensor(t.dtype, [...shape], allocData(t.dtype, 0));
  if (t.size > n) {
    // TensorFlow's exact text: constant_op_test.testShapeWrong compares the whole message.
    throw new InvalidArgumentError(`Too many elements provided. Needed at most ${n}, but received ${t.size}`);
  }
  if (t.size === n) return new Tensor(t.dtype, [...shape], t.data);
  // allocData gives the dtype's zero everywhere, which is what an empty value list produces.
  const data = allocData(t.dtype, n);
  const src = t.data as ArrayLike<unknown>;
  const dst = data as unknown as { [i: number]: unknown; fill(v: unknown, start?: number): unknown };
  for (let i = 0; i < t.size; i++) dst[i] = src[i];
  if (t.size > 0) dst.fill(src[t.size - 1], t.size);
  return new Tensor(t.dtype, [...shape], data);
}

/**
 * Converts a JS value into a concrete tensor, with TensorFlow's rules: plain numbers become
 * float32 unless `dtype` says otherwise, booleans bool, strings string, bigints int64; typed
 * arrays keep their dtype unless one is given; ragged nesting is an InvalidArgumentError.
 */
export function convertToTensor(values: unknown, dtype?: DType): Tensor {
  if (values instanceof Tensor) return dtype === undefined || dtype === values.dtype ? values : castConcrete(values, dtype, true);
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    if (dtype === 'string' && values instanceof Uint8Array) return new Tensor('string', [], [values]);
    const own = dtypeOfTypedArray(values);
    if (own === null) throw new InvalidArgumentError(`Unsupported typed array ${values.constructor.name}`);
    const arr = values as unknown as NumericArray;
    const t = new Tensor(own, [arr.length], arr);
    return dtype === undefined || dtype === own ? t : castConcrete(t, dtype, true);
  }
  const shape: number[] = [];
  const flat: unknown[] = [];
  flatten(values, 0, shape, flat);
  const dt = dtype ?? inferDType(flat, values);
  return new Tensor(dt, shape, fillData(dt, flat));
}

function flatten(v: unknown, depth: number, shape: number[], out: unknown[]): void {
  if (Array.isArray(v)) {
    if (shape.length === depth) shape.push(v.length);
    else if (shape[depth] !== v.length || shape.length < depth) {
      throw new InvalidArgumentError(`Ragged nested array: dimension ${depth} has lengths ${shape[depth]} and ${v.length}`);
    }
    for (const x of v) flatten(x, depth + 1, shape, out);
    if (v.length === 0 && shape.length > depth + 1) {
      throw new InvalidArgumentError('Ragged nested array: an empty list next to non-empty ones');
    }
    return;
  }
  // Inside a list, a Uint8Array is one bytes element of a string tensor (as readers produce);
  // other typed arrays are rows of numbers.
  if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array)) {
    flatten(Array.from(v as unknown as ArrayLike<unknown>), depth, shape, out);
    return;
  }
  if (shape.length > depth) {
    throw new InvalidArgumentError(`Ragged nested array: expected a list at depth ${depth}, got ${describe(v)}`);
  }
  if (out.length > 0 && shape.length !== depth) {
    throw new InvalidArgumentError(`Ragged nested array: a scalar at depth ${depth} where lists were found deeper`);
  }
  out.push(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return `${typeof v} ${String(v)}`;
}

function inferDType(flat: unknown[], original: unknown): DType {
  if (flat.length === 0) return 'float32';
  const first = flat[0];
  const kind = (x: unknown): DType | null =>
    typeof x === 'number' ? 'float32' :
    typeof x === 'boolean' ? 'bool' :
    typeof x === 'string' || x instanceof Uint8Array ? 'string' :
    typeof x === 'bigint' ? 'int64' : null;
  const k = kind(first);
  if (k === null) throw new InvalidArgumentError(`Cannot convert ${describe(first)} to a tensor (in ${describe(original)})`);
  for (const x of flat) {
    const kx = kind(x);
    if (kx === k) continue;
    if ((k === 'float32' && kx === 'int64') || (k === 'int64' && kx === 'float32')) continue;
    throw new InvalidArgumentError(`Cannot mix ${k} and ${kx ?? describe(x)} values in one tensor`);
  }
  return k;
}

function fillData(dtype: DType, flat: unknown[]): TensorData {
  const data = allocData(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) (data as unknown[])[i] = convertScalar(flat[i], dtype);
  return data;
}

/** One JS value as an element of `dtype`, or InvalidArgumentError naming the value. */
export function convertScalar(v: unknown, dtype: DType): number | bigint | StringElement {
  const bad = (): never => {
    throw new InvalidArgumentError(`Expected ${tfTypeName(dtype)}, got ${describe(v)} of type '${typeof v}' instead`);
  };
  switch (dtype) {
    case 'float32': case 'float64':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      return bad();
    case 'int32': case 'uint8': case 'int64': {
      if (typeof v !== 'bigint' && (typeof v !== 'number' || !Number.isInteger(v))) return bad();
      // Compared as bigints: Number(2n ** 63n - 1n) would round, and the message would then
      // name a value the caller never gave.
      if (!integerFits(v, dtype)) throw new InvalidArgumentError(`Value ${v} out of range for ${dtype}`);
      if (dtype === 'int64') return typeof v === 'bigint' ? v : BigInt(v);
      return Number(v);
    }
    case 'bool':
      if (typeof v === 'boolean') return v ? 1 : 0;
      return bad();
    case 'string':
      if (typeof v === 'string' || v instanceof Uint8Array) return v;
      return bad();
  }
}

const INT_RANGES: Readonly<Record<'int32' | 'uint8' | 'int64', readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint8: [0n, 255n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * True if the integer `v` (an integral number or a bigint) lies in the range of the integer
 * dtype, checked exactly: a BigInt64Array or Int32Array would otherwise wrap it silently.
 */
export function integerFits(v: number | bigint, dtype: 'int32' | 'uint8' | 'int64'): boolean {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return false;
    // Fast path for the usual case (no bigint per element): safe integers compare exactly.
    if (Number.isSafeInteger(v)) return dtype === 'int64' || (dtype === 'int32' ? v >= -2147483648 && v <= 2147483647 : v >= 0 && v <= 255);
  }
  const b = typeof v === 'bigint' ? v : BigInt(v);
  const [lo, hi] = INT_RANGES[dtype];
  return b >= lo && b <= hi;
}

/**
 * Casts a concrete tensor. `strict` refuses lossy conversions (used when a context fixes the
 * dtype of a JS value, as TensorFlow's convert_to_tensor does); the Cast op is not strict.
 */
export function castConcrete(t: Tensor, dtype: DType, strict = false): Tensor {
  if (t.dtype === dtype) return t;
  if (dtype === 'string' || t.dtype === 'string') {
    throw new InvalidArgumentError(`Cannot convert a ${t.dtype} tensor to ${dtype}`);
  }
  if (strict) {
    const ok = (t.dtype === 'int32' || t.dtype === 'int64' || t.dtype === 'uint8')
      ? dtype !== 'bool'
      : t.dtype === 'float32' || t.dtype === 'float64' ? (dtype === 'float32' || dtype === 'float64') : false;
    if (!ok) throw new InvalidArgumentError(`Expected ${tfTypeName(dtype)}, got a ${tfTypeName(t.dtype)} tensor`);
  }
  const out = allocData(dtype, t.size);
  const src = t.data as NumericArray;
  for (let i = 0; i < t.size; i++) {
    const v = src[i]!;
    let x: number | bigint;
    if (dtype === 'int64') x = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
    else {
      const n = typeof v === 'bigint' ? Number(v) : v;
      x = dtype === 'bool' ? (n !== 0 ? 1 : 0) : dtype === 'int32' ? n | 0 : dtype === 'uint8' ? (Math.trunc(n) & 255) : n;
    }
    (out as unknown as (number | bigint)[])[i] = x;
  }
  return new Tensor(dtype, [...t.shape], out);
}

export function scalar(value: number | bigint | boolean | string, dtype?: DType): Tensor {
  return convertToTensor(value, dtype);
}

export function shapesEqual(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Tensors whose values may still sit in device memory (GPU results) implement this; the runtime
 * reads them back before a host kernel, the wire, or the client sees them.
 */
interface DeviceResident { readonly onDevice: boolean; read(): Promise<unknown> }

function isDeviceResident(t: Tensor): t is Tensor & DeviceResident {
  return typeof (t as Partial<DeviceResident>).read === 'function' && (t as Partial<DeviceResident>).onDevice === true;
}

/** True if reading `t.data` now would need an asynchronous device readback first. */
export function needsReadback(t: Tensor): boolean {
  return t.constructor !== Tensor && isDeviceResident(t);
}

/** A plain host tensor with the same values (reads device memory back when needed). */
export async function toHostTensor(t: Tensor): Promise<Tensor> {
  if (t.constructor === Tensor) return t;
  if (isDeviceResident(t)) await t.read();
  return new Tensor(t.dtype, [...t.shape], t.data);
}
