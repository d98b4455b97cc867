/**
 * Shape helpers for variables: TensorFlow's printed forms (`[2,3]`, `[?,3]`) and the static
 * compatibility rules its shape functions apply to Assign and friends.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import type { StaticShape } from '../framework/op_registry.js';

/** TensorShape::DebugString: `[2,3]`, `[]` for a scalar, `?` for an unknown dim, `<unknown>` for unknown rank. */
export function formatShape(s: StaticShape | readonly number[]): string {
  if (s === null) return '<unknown>';
  return `[${s.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

export function isFullyDefined(s: StaticShape): s is number[] {
  return s !== null && s.every((d) => d !== null);
}

/** True when `actual` (a concrete shape) fits the partially known `expected`. */
export function shapeFits(expected: StaticShape, actual: readonly number[]): boolean {
  if (expected === null) return true;
  return expected.length === actual.length && expected.every((d, i) => d === null || d === actual[i]);
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Merges two static shapes as TensorFlow's shape functions do (Assign with validate_shape,
 * AssignAdd); incompatible shapes throw InvalidArgumentError with TensorFlow's wording.
 */
export function mergeShapes(a: StaticShape, b: StaticShape, opName: string, opType: string): StaticShape {
  if (a === null) return b === null ? null : [...b];
  if (b === null) return [...a];
  const where = `for '${opName}' (op: '${opType}') with input shapes: ${formatShape(a)}, ${formatShape(b)}.`;
  if (a.length !== b.length) {
    throw new InvalidArgumentError(`Shapes must be equal rank, but are ${a.length} and ${b.length} ${where}`, { op: opName });
  }
  return a.map((d, i) => {
    const e = b[i]!;
    if (d !== null && e !== null && d !== e) {
      throw new InvalidArgumentError(
        `Dimension ${i} in both shapes must be equal, but are ${d} and ${e}. Shapes are ${formatShape(a)} and ${formatShape(b)}. ${where}`,
        { op: opName });
    }
    return d ?? e;
  });
}
