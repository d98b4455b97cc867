/**
 * Normalisation of queue constructor arguments as data_flow_ops.py does (_as_type_list,
 * _as_shape_list, _as_name_list), with TensorFlow's ValueError texts thrown as
 * InvalidArgumentError, and TensorShape helpers for build-time checks.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { asDType, type DType } from '../framework/dtypes.js';
import type { StaticShape } from '../framework/op_registry.js';

/** A shape as users write it: a list of dims (null = unknown), a bare number (1-D), or null. */
export type ShapeLike = readonly (number | null)[] | number | null;

export function asTypeList(dtypes: unknown): DType[] {
  if (dtypes === undefined || dtypes === null) throw new InvalidArgumentError('Queue dtypes must be given');
  const list = Array.isArray(dtypes) ? dtypes : [dtypes];
  return list.map((d) => asDType(d));
}

/** TensorShape's Python repr in messages: `(2, 3)`, `(3,)`, `()`, unknown dims `?`, `<unknown>`. */
export function pyShape(s: StaticShape): string {
  if (s === null) return '<unknown>';
  const dims = s.map((d) => (d === null ? '?' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

function asShape(s: unknown): StaticShape {
  if (s === null || s === undefined) return null;
  if (typeof s === 'number') return [checkDim(s)];
  if (Array.isArray(s)) return s.map((d) => (d === null || d === undefined ? null : checkDim(d)));
  throw new InvalidArgumentError(`Cannot convert ${JSON.stringify(s)} to a shape`);
}

function checkDim(d: unknown): number | null {
  if (typeof d === 'number' && Number.isInteger(d)) return d < 0 ? null : d;
  throw new InvalidArgumentError(`Dimension value must be an integer or null, got ${JSON.stringify(d)}`);
}

const isDim = (x: unknown): boolean => x === null || typeof x === 'number';

/**
 * `shapes` as a list of component shapes, or null when not given. A list whose entries are all
 * dims is ONE shape (`[3, 2]` is one component of shape [3,2]; `[]` one scalar component).
 */
export function asShapeList(shapes: unknown, unknownDimAllowed = false, unknownRankAllowed = false): StaticShape[] | null {
  if (unknownDimAllowed) {
    // TensorFlow wants a list of shapes here; a bare dim in it is an error. A null entry is a
    // component of unknown rank (API.md's convention), refused below with its own message.
    if (!Array.isArray(shapes) || shapes.length === 0 || shapes.some((x) => typeof x === 'number')) {
      throw new InvalidArgumentError('When providing partial shapes, a list of shapes must be provided.');
    }
  }
  if (shapes === undefined || shapes === null) return null;
  if (!Array.isArray(shapes)) {
    if (typeof shapes === 'number') return [[checkDim(shapes)]];
    throw new InvalidArgumentError('shapes must be a TensorShape or a list or tuple of TensorShapes.');
  }
  const list: unknown[] = !unknownDimAllowed && shapes.every(isDim) ? [shapes] : shapes;
  const out = list.map(asShape);
  if (!unknownDimAllowed && out.some((s) => s !== null && s.some((d) => d === null))) {
    throw new InvalidArgumentError(`All shapes must be fully defined: [${out.map(pyShape).join(', ')}]`);
  }
  if (!unknownRankAllowed && out.some((s) => s === null)) {
    throw new InvalidArgumentError(`All shapes must have a defined rank: [${out.map(pyShape).join(', ')}]`);
  }
  return out;
}

export function asNameList(names: unknown, dtypes: readonly DType[]): string[] | null {
  if (names === undefined || names === null) return null;
  const list = Array.isArray(names) ? names : [names];
  if (list.some((n) => typeof n !== 'string')) throw new InvalidArgumentError('Queue names must be strings');
  if (list.length !== dtypes.length) {
    throw new InvalidArgumentError('List of names must have the same length as the list of dtypes');
  }
  return list as string[];
}

/** The shapes as a NodeDef stores them: unknown dims as -1; [] when unspecified. */
export function shapesAttr(shapes: StaticShape[] | null): number[][] {
  return (shapes ?? []).map((s) => (s ?? []).map((d) => (d === null ? -1 : d)));
}

export function isCompatible(a: StaticShape, b: StaticShape): boolean {
  if (a === null || b === null) return true;
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

export function assertCompatible(value: StaticShape, expected: StaticShape): void {
  if (!isCompatible(value, expected)) {
    throw new InvalidArgumentError(`Shapes ${pyShape(value)} and ${pyShape(expected)} are incompatible`);
  }
}

/** TensorFlow's _shape_common: the most specific shape both shapes are compatible with. */
export function shapeCommon(a: StaticShape, b: StaticShape): StaticShape {
  if (a === null || b === null || a.length !== b.length) return null;
  return a.map((d, i) => (d !== null && d === b[i] ? d : null));
}

/** [n] + shape (null when the shape has unknown rank). */
export function batchShape(n: number | null, s: StaticShape): StaticShape {
  return s === null ? null : [n, ...s];
}
