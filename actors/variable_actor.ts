/**
 * A variable: one actor per (container, name) on the device that owns it, holding a dtype, a
 * shape (possibly partial until the first assignment) and a value, or nothing while
 * uninitialised. Every read and update is one message handled inside the mailbox, so updates are
 * atomic and concurrent steps never race.
 *
 * Memory: the value lives in one buffer the actor owns. Reads hand out the live tensor without a
 * copy and mark it lent (copy-on-write): the next update then computes into a fresh buffer and
 * leaves the lent one untouched for whoever holds it, so an update costs an allocation only when
 * a read happened since the last update, and is done in place otherwise. Assign always copies the
 * incoming value once into the owned buffer, since that value may be a constant or a client's
 * array that others still hold.
 */
import {
  FailedPreconditionError, InvalidArgumentError, OutOfRangeError, type OpError,
} from '../lib/framework/errors.js';
import { allocData, tfTypeName, type DType, type NumericArray, type TensorData } from '../lib/framework/dtypes.js';
import type { StaticShape } from '../lib/framework/op_registry.js';
import { Tensor } from '../lib/framework/tensor.js';
import { formatShape, isFullyDefined, shapeFits, shapesEqual } from '../lib/variables/variable_shapes.js';
import { Actor, type Envelope } from './actor.js';

/** The op on whose behalf a message is sent: named in error messages as TensorFlow does. */
export interface OpRef {
  name: string;
  type: string;
}

export type VariableRequest =
  | { type: 'read'; op?: OpRef }
  | { type: 'assign'; value: Tensor; validateShape?: boolean; readValue?: boolean; op?: OpRef }
  | { type: 'assignAdd' | 'assignSub'; value: Tensor; readValue?: boolean; op?: OpRef }
  | { type: 'countUpTo'; limit: number | bigint; op?: OpRef }
  | { type: 'isInitialized' }
  | { type: 'info' };

export interface VariableInfo {
  name: string;
  container: string;
  device: string;
  dtype: DType;
  /** The value's shape once initialised, else the declared (possibly partial) shape. */
  shape: StaticShape;
  initialized: boolean;
  /** Bytes held by the value buffer (0 for string variables and uninitialised ones). */
  bytes: number;
  stats: VariableStats;
}

/** Counters that show where memory traffic goes (tests and bench/variables.ts read them). */
export interface VariableStats {
  /** Updates computed in place in the owned buffer. */
  inPlaceUpdates: number;
  /** Updates that had to compute into a fresh buffer because a read had lent the old one. */
  copyOnWriteUpdates: number;
  /** Values copied into the variable by Assign. */
  assignCopies: number;
  /** Reads served (each lends the live buffer, no copy). */
  reads: number;
}

export interface VariableActorOptions {
  /** The resource name (shared_name, else the VariableV2 node name). */
  name: string;
  container: string;
  /** The owning device's canonical path. */
  device: string;
  dtype: DType;
  /** Declared shape; null (unknown rank) when validate_shape is false. */
  shape: StaticShape;
}

const NUMERIC_UPDATE: ReadonlySet<DType> = new Set(['float32', 'float64', 'int32', 'int64', 'uint8']);

/** Value buffers that reads have handed out (weakly held: a dropped read frees its entry). */
const lentBuffers = new WeakSet<object>();

/**
 * True when `t` shares its buffer with a variable's storage (a read's result, or a tensor that
 * wraps the same array). Later updates never change such a buffer (copy-on-write), but writing
 * into it would change the variable: an in-process client that hands fetches to user code can
 * copy exactly these, as a remote client's decode does anyway.
 */
export function sharesVariableStorage(t: Tensor): boolean {
  return typeof t.data === 'object' && t.data !== null && lentBuffers.has(t.data);
}

export class VariableActor extends Actor {
  readonly name: string;
  readonly container: string;
  readonly device: string;
  readonly dtype: DType;
  readonly declaredShape: StaticShape;
  private value: Tensor | null = null;
  /** A read handed out the live buffer since the last update: the next update must not touch it. */
  private lent = false;
  readonly stats: VariableStats = { inPlaceUpdates: 0, copyOnWriteUpdates: 0, assignCopies: 0, reads: 0 };

  constructor(path: string, opts: VariableActorOptions) {
    super(path);
    this.name = opts.name;
    this.container = opts.container;
    this.device = opts.device;
    this.dtype = opts.dtype;
    this.declaredShape = opts.shape === null ? null : [...opts.shape];
  }

  get initialized(): boolean { return this.value !== null; }

  /** A VariableV2 op naming this resource again must agree on dtype and on a fully known shape. */
  checkCompatible(dtype: DType, shape: StaticShape): void {
    if (dtype !== this.dtype) {
      throw new InvalidArgumentError(
        `Trying to share variable ${this.name}, but specified dtype ${tfTypeName(dtype)} and found dtype ${tfTypeName(this.dtype)}.`,
        { device: this.device });
    }
    // Against the shape it was declared with, when that is known: an assign with validateShape
    // false may have changed the value's shape since, which TensorFlow allows (and reads then).
    const have = isFullyDefined(this.declaredShape) ? this.declaredShape : (this.value?.shape ?? this.declaredShape);
    if (isFullyDefined(shape) && isFullyDefined(have) && !shapesEqual(shape, have)) {
      throw new InvalidArgumentError(
        `Trying to share variable ${this.name}, but specified shape ${formatShape(shape)} and found shape ${formatShape(have)}.`,
        { device: this.device });
    }
  }

  protected receive(env: Envelope): void {
    env.reply(this.handle(env.msg as VariableRequest));
  }

  /** Handles one request synchronously (the mailbox serialises calls); throws typed errors. */
  handle(msg: VariableRequest): unknown {
    switch (msg.type) {
      case 'read': return this.read(msg.op);
      case 'assign': return this.assign(msg.value, msg.validateShape ?? true, msg.readValue ?? true, msg.op);
      case 'assignAdd': return this.update(msg.value, false, msg.readValue ?? true, msg.op);
      case 'assignSub': return this.update(msg.value, true, msg.readValue ?? true, msg.op);
      case 'countUpTo': return this.countUpTo(msg.limit, msg.op);
      case 'isInitialized': return new Tensor('bool', [], new Uint8Array([this.value ? 1 : 0]));
      case 'info': return this.info();
      default:
        throw new InvalidArgumentError(`Variable ${this.name} does not understand message type '${String((msg as { type: unknown }).type)}'`);
    }
  }

  info(): VariableInfo {
    const v = this.value;
    return {
      name: this.name, container: this.container, device: this.device, dtype: this.dtype,
      shape: v ? [...v.shape] : this.declaredShape,
      initialized: v !== null,
      bytes: v && ArrayBuffer.isView(v.data) ? v.data.byteLength : 0,
      stats: { ...this.stats },
    };
  }

  private read(op?: OpRef): Tensor {
    const v = this.live(op);
    if (!this.lent) lentBuffers.add(v.data);
    this.lent = true;
    this.stats.reads++;
    return v;
  }

  private assign(rhs: Tensor, validateShape: boolean, readValue: boolean, op?: OpRef): Tensor | null {
    this.checkDType(rhs, op);
    const lhsShape: StaticShape = this.value ? this.value.shape : this.declaredShape;
    if (validateShape && !shapeFits(lhsShape, rhs.shape)) {
      throw new InvalidArgumentError(
        `Assign requires shapes of both tensors to match. lhs shape= ${formatShape(lhsShape)} rhs shape= ${formatShape(rhs.shape)}`,
        { device: this.device, op: op?.name ?? null });
    }
    const cur = this.value;
    if (cur && !this.lent && cur.size === rhs.size && ArrayBuffer.isView(cur.data)) {
      (cur.data as NumericArray as Float32Array).set(rhs.data as NumericArray as Float32Array);
      if (!shapesEqual(cur.shape, rhs.shape)) this.value = new Tensor(this.dtype, [...rhs.shape], cur.data);
    } else {
      this.value = new Tensor(this.dtype, [...rhs.shape], copyData(rhs.data));
      this.lent = false;
    }
    this.stats.assignCopies++;
    return readValue ? this.read(op) : null;
  }

  private update(delta: Tensor, subtract: boolean, readValue: boolean, op?: OpRef): Tensor | null {
    const cur = this.live(op);
    this.checkDType(delta, op);
    if (!NUMERIC_UPDATE.has(this.dtype)) {
      throw new InvalidArgumentError(`${subtract ? 'AssignSub' : 'AssignAdd'} does not support variables of dtype ${this.dtype} (variable ${this.name})`,
        { device: this.device, op: op?.name ?? null });
    }
    if (!shapesEqual(cur.shape, delta.shape)) {
      throw new InvalidArgumentError(
        `Parameters and update must be the same size: variable ${this.name} has shape ${formatShape(cur.shape)}, update has shape ${formatShape(delta.shape)}`,
        { device: this.device, op: op?.name ?? null });
    }
    const a = cur.data as NumericArray;
    const d = delta.data as NumericArray;
    if (this.lent) {
      const out = allocData(this.dtype, cur.size) as NumericArray;
      applyUpdate(out, a, d, subtract);
      this.value = new Tensor(this.dtype, cur.shape, out);
      this.lent = false;
      this.stats.copyOnWriteUpdates++;
    } else {
      applyUpdate(a, a, d, subtract);
      this.stats.inPlaceUpdates++;
    }
    return readValue ? this.read(op) : null;
  }

  /** CountUpTo: returns the value before the increment; at `limit` fails with OutOfRange. */
  private countUpTo(limit: number | bigint, op?: OpRef): Tensor {
    const cur = this.live(op);
    if (cur.shape.length !== 0) {
      throw new InvalidArgumentError(`input is not a scalar: ${formatShape(cur.shape)}`, { device: this.device, op: op?.name ?? null });
    }
    if (this.dtype !== 'int32' && this.dtype !== 'int64') {
      throw new InvalidArgumentError(`CountUpTo needs an int32 or int64 variable; ${this.name} is ${this.dtype}`, { device: this.device, op: op?.name ?? null });
    }
    const before = cur.data[0] as number | bigint;
    const reached = typeof before === 'bigint' ? before >= BigInt(limit) : before >= Number(limit);
    if (reached) throw new OutOfRangeError(`Reached limit of ${String(limit)}`, { device: this.device, op: op?.name ?? null });
    const next = allocData(this.dtype, 1) as Int32Array | BigInt64Array;
    (next as unknown as (number | bigint)[])[0] = typeof before === 'bigint' ? before + 1n : before + 1;
    if (this.lent) {
      this.value = new Tensor(this.dtype, [], next);
      this.lent = false;
      this.stats.copyOnWriteUpdates++;
    } else {
      (cur.data as unknown as (number | bigint)[])[0] = next[0]!;
      this.stats.inPlaceUpdates++;
    }
    const out = allocData(this.dtype, 1) as unknown as (number | bigint)[];
    out[0] = before;
    return new Tensor(this.dtype, [], out as unknown as TensorData);
  }

  private live(op?: OpRef): Tensor {
    if (this.value) return this.value;
    const node = op ? `\n\t [[Node: ${op.name} = ${op.type}[_class=["loc:@${this.name}"], _device="${this.device}"](${this.name})]]` : ` on ${this.device}`;
    throw new FailedPreconditionError(`Attempting to use uninitialized value ${this.name}${node}`,
      { device: this.device, op: op?.name ?? null });
  }

  private checkDType(t: Tensor, op?: OpRef): void {
    if (t.dtype !== this.dtype) {
      throw new InvalidArgumentError(
        `Variable ${this.name} has dtype ${tfTypeName(this.dtype)}; cannot update it with a ${tfTypeName(t.dtype)} tensor`,
        { device: this.device, op: op?.name ?? null });
    }
  }

  protected override onStop(_reason: OpError): void {
    // A reset container frees the value even if a kernel still holds this actor.
    this.value = null;
    this.lent = false;
  }
}

function copyData(src: TensorData): TensorData {
  return ArrayBuffer.isView(src) ? (src as Float32Array).slice() : [...src];
}

/** out = a ± d, element-wise; `out` may be `a` (in place). Float paths are kept monomorphic. */
function applyUpdate(out: NumericArray, a: NumericArray, d: NumericArray, subtract: boolean): void {
  if (out instanceof Float32Array) return subtract ? subF32(out, a as Float32Array, d as Float32Array) : addF32(out, a as Float32Array, d as Float32Array);
  if (out instanceof Float64Array) return subtract ? subF64(out, a as Float64Array, d as Float64Array) : addF64(out, a as Float64Array, d as Float64Array);
  if (out instanceof BigInt64Array) {
    const x = a as BigInt64Array;
    const y = d as BigInt64Array;
    for (let i = 0; i < out.length; i++) out[i] = subtract ? x[i]! - y[i]! : x[i]! + y[i]!;
    return;
  }
  // int32 and uint8 wrap on store, as TensorFlow's integer arithmetic does.
  const x = a as Int32Array;
  const y = d as Int32Array;
  const o = out as Int32Array;
  for (let i = 0; i < o.length; i++) o[i] = subtract ? x[i]! - y[i]! : x[i]! + y[i]!;
}

function addF32(o: Float32Array, a: Float32Array, d: Float32Array): void { for (let i = 0; i < o.length; i++) o[i] = a[i]! + d[i]!; }
function subF32(o: Float32Array, a: Float32Array, d: Float32Array): void { for (let i = 0; i < o.length; i++) o[i] = a[i]! - d[i]!; }
function addF64(o: Float64Array, a: Float64Array, d: Float64Array): void { for (let i = 0; i < o.length; i++) o[i] = a[i]! + d[i]!; }
function subF64(o: Float64Array, a: Float64Array, d: Float64Array): void { for (let i = 0; i < o.length; i++) o[i] = a[i]! - d[i]!; }
