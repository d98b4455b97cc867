/**
 * How the user functions build ops, as TensorFlow's op wrappers do: pick the graph from the
 * inputs, give plain JS inputs the dtype the context fixes, name their Const ops under the op's
 * name (`add/y`), and create the op with the caller's name or the default one.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import type { DType } from '../framework/dtypes.js';
import { tfTypeName } from '../framework/dtypes.js';
import { getDefaultGraph, Operation, SymbolicTensor, type Graph } from '../framework/graph.js';
import { isConvertible, toSymbolic } from '../framework/convert.js';
import { Tensor } from '../framework/tensor.js';

/** What op functions accept as their trailing argument: a name or `{name}`. */
export type NameOpt = string | { name?: string } | undefined;

export function nameOf(opts: NameOpt): string | undefined {
  if (typeof opts === 'string') return opts;
  return opts?.name;
}

/** A value that already carries a dtype (symbolic tensors, variables, concrete tensors). */
export function isTyped(v: unknown): boolean {
  return v instanceof SymbolicTensor || isConvertible(v) || v instanceof Tensor;
}

/** The graph an op over these values belongs to: the first symbolic input's, else the default. */
export function graphOf(values: readonly unknown[]): Graph {
  for (const v of values) if (v instanceof SymbolicTensor) return v.graph;
  return getDefaultGraph();
}

export interface InputSpec {
  value: unknown;
  /** The op's parameter name ('x', 'y', 'shape'): names the Const op and error messages. */
  param: string;
  /** The dtype a plain JS value takes here; symbolic inputs are checked by the op instead. */
  dtype?: DType;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Converts one input; a conversion failure names the op type and parameter, as TensorFlow does. */
/** A list parameter's element `values[2]` becomes the constant `values_2`, as TensorFlow names it. */
function constantName(param: string): string {
  return param.replace(/\[(\d+)\]$/, '_$1');
}

export function convertInput(graph: Graph, opType: string, spec: InputSpec): SymbolicTensor {
  if (spec.value instanceof SymbolicTensor || isConvertible(spec.value)) return toSymbolic(spec.value, { graph });
  try {
    return toSymbolic(spec.value, { graph, dtype: spec.dtype, name: constantName(spec.param) });
  } catch (e) {
    if (!(e instanceof InvalidArgumentError) || spec.dtype === undefined) throw e;
    const what = Array.isArray(spec.value) ? 'list' : typeof spec.value;
    throw new InvalidArgumentError(
      `Expected ${tfTypeName(spec.dtype)} passed to parameter '${spec.param}' of op '${opType}', ` +
      `got ${describe(spec.value)} of type '${what}' instead. Error: ${e.message}`, { cause: e });
  }
}

export interface BuildOptions {
  name?: string;
  attrs?: Record<string, unknown>;
  controlInputs?: Operation[];
  colocateWith?: Operation[];
}

/**
 * Builds an op of `type` named `opts.name ?? defaultName`. Typed inputs are converted first;
 * plain values then take `dtypeFrom`'s choice (by default the first typed input's dtype when
 * `sameDType` is set, else their spec's dtype). Consts made for plain values live under the op's
 * name scope, like TensorFlow's `add/y`.
 */
export function buildOp(type: string, defaultName: string, inputs: readonly InputSpec[], opts: BuildOptions & {
  sameDType?: boolean;
  /** Dtype for plain inputs when nothing typed decides it. */
  fallbackDType?: DType;
} = {}): Operation {
  const graph = graphOf(inputs.map((i) => i.value));
  const base = opts.name ?? defaultName;
  const scoped = graph.uniqueName(base, false);
  // Typed inputs first (outside the op's scope: a variable's read op is not part of this op).
  const typed: (SymbolicTensor | null)[] = inputs.map((s) => (isTyped(s.value) ? convertInput(graph, type, s) : null));
  let shared = opts.sameDType ? (typed.find((t) => t !== null)?.dtype ?? opts.fallbackDType) : undefined;
  const converted = graph.nameScope(`${scoped}/`, () => inputs.map((s, i) => {
    const t = typed[i] ?? convertInput(graph, type, { ...s, dtype: s.dtype ?? shared });
    // With no typed input, the first plain value's dtype fixes the others' (tf.add(1n, 2)).
    if (opts.sameDType && shared === undefined) shared = t.dtype;
    return t;
  }));
  return graph.createOp(type, converted, {
    name: base, attrs: opts.attrs, controlInputs: opts.controlInputs, colocateWith: opts.colocateWith,
  });
}

/** buildOp and its first output. */
export function buildOp1(type: string, defaultName: string, inputs: readonly InputSpec[],
  opts: Parameters<typeof buildOp>[3] = {}): SymbolicTensor {
  return buildOp(type, defaultName, inputs, opts).outputs[0]!;
}

/** An op argument or a list of them as a flat list of operations (tensors stand for their op). */
export function asOperations(items: readonly unknown[]): Operation[] {
  const out: Operation[] = [];
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x instanceof Operation) out.push(x);
    else if (x instanceof SymbolicTensor) out.push(x.op);
    else if (isConvertible(x)) {
      const op = (x as { op?: unknown }).op;
      out.push(op instanceof Operation ? op : x.toSymbolic().op);
    } else {
      throw new InvalidArgumentError(`Expected an Operation or Tensor, got ${describe(x)}`);
    }
  };
  items.forEach(visit);
  return out;
}
