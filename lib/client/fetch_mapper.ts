/**
 * Flattens a `sess.run` fetch structure (any nesting of arrays and objects of symbolic tensors,
 * operations, variables or names) into tensor names and targets, and rebuilds the same
 * structure from the results; an operation fetches null.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { Graph, Operation, SymbolicTensor } from '../framework/graph.js';
import { isConvertible } from '../framework/convert.js';
import type { Tensor } from '../framework/tensor.js';

class TensorLeaf { constructor(readonly index: number) {} }
class OpLeaf {}
type Shape = TensorLeaf | OpLeaf | Shape[] | { [k: string]: Shape };

export interface FlatFetches {
  tensors: SymbolicTensor[];
  targets: Operation[];
  rebuild(values: Tensor[]): unknown;
}

export function flattenFetches(fetches: unknown, graph: Graph): FlatFetches {
  const tensors: SymbolicTensor[] = [];
  const tensorIndex = new Map<SymbolicTensor, number>();
  const targets = new Set<Operation>();
  const visit = (f: unknown): Shape => {
    if (typeof f === 'string') f = f.includes(':') ? graph.getTensorByName(f) : graph.getOperationByName(f);
    if (isConvertible(f) && !(f instanceof SymbolicTensor)) f = f.toSymbolic();
    // A variable's own tensor ('v:0') fetches its value, as a TensorFlow 1.x ref tensor does.
    if (f instanceof SymbolicTensor) f = f.graph.valueOf(f);
    if (f instanceof SymbolicTensor) {
      if (f.graph !== graph) throw new InvalidArgumentError(`Fetch ${f.name} is not an element of this session's graph`);
      let i = tensorIndex.get(f);
      if (i === undefined) {
        i = tensors.length;
        tensors.push(f);
        tensorIndex.set(f, i);
      }
      return new TensorLeaf(i);
    }
    if (f instanceof Operation) {
      if (f.graph !== graph) throw new InvalidArgumentError(`Fetch ${f.name} is not an element of this session's graph`);
      targets.add(f);
      return new OpLeaf();
    }
    if (Array.isArray(f)) return f.map(visit);
    if (f !== null && typeof f === 'object' && Object.getPrototypeOf(f) === Object.prototype) {
      const out: Record<string, Shape> = {};
      for (const [k, v] of Object.entries(f)) out[k] = visit(v);
      return out;
    }
    throw new InvalidArgumentError(`Fetch argument ${String(f)} has invalid type ${f === null ? 'null' : typeof f}; must be a tensor, an operation, or a list/object of them`);
  };
  const shape = visit(fetches);
  const rebuild = (values: Tensor[]): unknown => {
    const build = (s: Shape): unknown => {
      if (Array.isArray(s)) return s.map(build);
      if (s instanceof TensorLeaf) return values[s.index];
      if (s instanceof OpLeaf) return null;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s as Record<string, Shape>)) out[k] = build(v);
      return out;
    };
    return build(shape);
  };
  return { tensors, targets: [...targets], rebuild };
}
