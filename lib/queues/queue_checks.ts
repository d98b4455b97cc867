/** Build-time argument checks shared by the queue constructors. */
import { InvalidArgumentError } from '../framework/errors.js';
import type { DType } from '../framework/dtypes.js';
import type { StaticShape } from '../framework/op_registry.js';

export function checkCapacity(capacity: unknown): number {
  if (typeof capacity !== 'number' || !Number.isInteger(capacity)) {
    throw new InvalidArgumentError(`Queue capacity must be an integer, got ${JSON.stringify(capacity)}`);
  }
  return capacity;
}

export function checkShapeCount(shapes: StaticShape[] | null, dtypes: readonly DType[]): void {
  if (dtypes.length === 0) throw new InvalidArgumentError('A queue needs at least one component dtype');
  if (shapes !== null && shapes.length !== dtypes.length) {
    throw new InvalidArgumentError('Queue shapes must have the same length as dtypes');
  }
}
