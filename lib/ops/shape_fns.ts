/**
 * Helpers for build-time inference: TensorFlow-style shape formatting, the "for 'name' (op: 'Type')
 * with input shapes: ..." error suffix that names the op, dtype checks, shape merging and
 * NumPy-style broadcasting of static shapes with unknown dimensions.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import type { DType } from '../framework/dtypes.js';
import type { InferenceInput, StaticShape } from '../framework/op_registry.js';
import type { Tensor } from '../framework/tensor.js';

export const NUMERIC: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8'];
export const SIGNED: readonly DType[] = ['float32', 'float64', 'int32', 'int64'];
export const FLOATS: readonly DType[] = ['float32', 'float64'];
export const INDEX: readonly DType[] = ['int32', 'int64'];
export const ALL: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'string'];

/** "[2,3]", "[?,3]", or "?" for an unknown rank, as TensorFlow prints shapes in errors. */
export function fmtShape(s: StaticShape | readonly number[]): string {
  if (s === null) return '?';
  return `[${s.map((d) => (d === null ? '?' : d)).join(',')}]`;
}

/** An InvalidArgumentError whose message ends as TensorFlow's shape-function errors do. */
export function shapeError(info: InferenceInput, msg: string): InvalidArgumentError {
  const shapes = info.inputs.map((i) => fmtShape(i.shape)).join(', ');
  return new InvalidArgumentError(
    `${msg} for '${info.name}' (op: '${info.type}') with input shapes: ${shapes}.`, { op: info.name });
}

/** TensorFlow's TypeError for a dtype outside an op's allowed list. */
export function checkDType(info: InferenceInput, index: number, param: string, allowed: readonly DType[]): DType {
  const d = info.inputs[index]!.dtype;
  if (!allowed.includes(d)) {
    throw new InvalidArgumentError(
      `Value passed to parameter '${param}' has DataType ${d} not in list of allowed values: ${allowed.join(', ')} ` +
      `(op '${info.name}' of type ${info.type})`, { op: info.name });
  }
  return d;
}

/** All listed inputs share input[first]'s dtype; else TensorFlow's "does not match" TypeError. */
export function checkSameDType(info: InferenceInput, params: readonly string[], indices?: readonly number[]): DType {
  const idx = indices ?? params.map((_, i) => i);
  const first = info.inputs[idx[0]!]!.dtype;
  for (let k = 1; k < idx.length; k++) {
    const d = info.inputs[idx[k]!]!.dtype;
    if (d !== first) {
      throw new InvalidArgumentError(
        `Input '${params[k]}' of '${info.type}' Op has type ${d} that does not match type ${first} of argument '${params[0]}' ` +
        `(op '${info.name}')`, { op: info.name });
    }
  }
  return first;
}

export function rankOf(s: StaticShape): number | null {
  return s === null ? null : s.length;
}

/** Requires a known rank to equal `rank`; TensorFlow's "Shape must be rank 2 but is rank 3". */
export function checkRank(info: InferenceInput, index: number, rank: number): void {
  const s = info.inputs[index]!.shape;
  if (s !== null && s.length !== rank) throw shapeError(info, `Shape must be rank ${rank} but is rank ${s.length}`);
}

export function checkRankAtLeast(info: InferenceInput, index: number, rank: number): void {
  const s = info.inputs[index]!.shape;
  if (s !== null && s.length < rank) throw shapeError(info, `Shape must be at least rank ${rank} but is rank ${s.length}`);
}

/** Merges two dims (null = unknown) or reports them as TensorFlow does. */
export function mergeDim(info: InferenceInput, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  throw shapeError(info, `Dimensions must be equal, but are ${a} and ${b}`);
}

/** Merges two static shapes (both describe the same tensor). */
export function mergeShapes(info: InferenceInput, a: StaticShape, b: StaticShape): StaticShape {
  if (a === null) return b === null ? null : [...b];
  if (b === null) return [...a];
  if (a.length !== b.length) throw shapeError(info, `Shapes must be equal rank, but are ${a.length} and ${b.length}`);
  return a.map((d, i) => mergeDim(info, d, b[i]!));
}

/** NumPy broadcasting of static shapes; unknown dims stay unknown unless the other side decides. */
export function broadcastStatic(info: InferenceInput, a: StaticShape, b: StaticShape): StaticShape {
  if (a === null || b === null) return null;
  const n = Math.max(a.length, b.length);
  const out: (number | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === 1) out[i] = db;
    else if (db === 1) out[i] = da;
    else if (da === null) out[i] = db; // db > 1 (or unknown): a must match it or be 1; TF keeps db
    else if (db === null) out[i] = da;
    else if (da === db) out[i] = da;
    else throw shapeError(info, `Dimensions must be equal, but are ${da} and ${db}`);
  }
  return out;
}

/** The build-time value of input `i` when it comes from a Const op. */
export function constInput(info: InferenceInput, i: number): Tensor | null {
  return info.constantInputs[i] ?? null;
}

/** The integers of an int32/int64 tensor as numbers. */
export function intValues(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

export function numElementsStatic(s: StaticShape): number | null {
  if (s === null) return null;
  let n = 1;
  for (const d of s) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

/** Normalises a possibly negative axis against `rank`; null when out of [-rank, rank). */
export function normAxis(axis: number, rank: number): number | null {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) return null;
  return axis < 0 ? axis + rank : axis;
}
