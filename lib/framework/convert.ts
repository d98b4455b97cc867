/**
 * Turns what users pass to ops (symbolic tensors, variables, plain JS values, concrete tensors)
 * into symbolic tensors, as TensorFlow's convert_to_tensor. Plain values become Const ops.
 */
import { InvalidArgumentError } from './errors.js';
import type { DType } from './dtypes.js';
import { getDefaultGraph, SymbolicTensor, type Graph } from './graph.js';
import { convertToTensor, Tensor } from './tensor.js';
import { tfTypeName } from './dtypes.js';

/** Objects such as variables that stand for a tensor when used as an op input. */
export interface SymbolicConvertible {
  toSymbolic(): SymbolicTensor;
}

export function isConvertible(x: unknown): x is SymbolicConvertible {
  return typeof x === 'object' && x !== null && typeof (x as SymbolicConvertible).toSymbolic === 'function';
}

/**
 * `value` as a symbolic tensor of the graph. `dtype` is the dtype the context fixes (the other
 * operand, a queue component): plain values take it; symbolic tensors must already have it.
 */
export function toSymbolic(value: unknown, opts: { dtype?: DType; name?: string; graph?: Graph; what?: string } = {}): SymbolicTensor {
  const graph = opts.graph ?? getDefaultGraph();
  let t: SymbolicTensor;
  if (value instanceof SymbolicTensor) t = value.graph.valueOf(value);
  else if (isConvertible(value)) t = value.toSymbolic();
  else return constantOp(graph, convertToTensor(value, opts.dtype), opts.name);
  if (opts.dtype !== undefined && t.dtype !== opts.dtype) {
    throw new InvalidArgumentError(
      `${opts.what ?? 'Tensor conversion'} requested dtype ${tfTypeName(opts.dtype)} for Tensor with dtype ${tfTypeName(t.dtype)}: '${t.name}'`);
  }
  return t;
}

export function constantOp(graph: Graph, value: Tensor, name?: string): SymbolicTensor {
  const op = graph.createOp('Const', [], { name: name ?? 'Const', attrs: { value, dtype: value.dtype } });
  return op.outputs[0]!;
}

/** The dtype a plain JS value would take on its own (for picking the dtype of a binary op). */
export function naturalDType(value: unknown): DType | null {
  if (value instanceof SymbolicTensor) return value.dtype;
  if (isConvertible(value)) return value.toSymbolic().dtype;
  if (value instanceof Tensor) return value.dtype;
  return null;
}
