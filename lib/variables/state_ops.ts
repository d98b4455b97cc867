/**
 * Graph builders for the ops that read or update a variable (TensorFlow's state_ops): assign,
 * assignAdd, assignSub, countUpTo, isVariableInitialized, and a fresh read. Each is built with the
 * variable's device and no outer device scopes (TensorFlow's colocate_with), and takes the
 * variable's handle as input 0, so the graph also records the colocation.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { asDType, type DType } from '../framework/dtypes.js';
import { Operation, SymbolicTensor, type Graph } from '../framework/graph.js';
import type { StaticShape } from '../framework/op_registry.js';
import { isConvertible, toSymbolic } from '../framework/convert.js';
import './variable_ops.js';

/** What the builders need from a variable: a tf.Variable or the output of a VariableV2 op. */
export interface VariableRef {
  /** The VariableV2 op's scalar string output. */
  handle: SymbolicTensor;
  op: Operation;
  dtype: DType;
  shape: StaticShape;
  /** The name TensorFlow prints ('x' for variable 'x:0'). */
  opName: string;
}

/** Anything that stands for a variable: a tf.Variable (it has `handle`) or a VariableV2 output. */
export type VariableLike = { handle: SymbolicTensor } | SymbolicTensor;

export function isVariableLike(x: unknown): x is VariableLike {
  if (x instanceof SymbolicTensor) return x.op.type === 'VariableV2';
  const h = (x as { handle?: unknown } | null)?.handle;
  return h instanceof SymbolicTensor && h.op.type === 'VariableV2';
}

export function refOf(x: unknown, what: string): VariableRef {
  if (!isVariableLike(x)) {
    throw new InvalidArgumentError(`${what} requires a variable (a tf.Variable or the output of a VariableV2 op), got ${describe(x)}`);
  }
  const handle = x instanceof SymbolicTensor ? x : x.handle;
  const op = handle.op;
  return {
    handle, op, opName: op.name,
    dtype: asDType(op.attrs['dtype']),
    shape: (op.attrs['shape'] as StaticShape | undefined) ?? null,
  };
}

function describe(x: unknown): string {
  if (x instanceof SymbolicTensor) return `${x.toString()} (from a ${x.op.type} op)`;
  if (x === null || typeof x !== 'object') return String(x);
  return (x as object).constructor?.name ?? 'object';
}

/** Runs `fn` with the variable's device and no outer device scopes, as colocate_with does. */
export function colocatedWith<T>(ref: VariableRef, fn: () => T): T {
  const g: Graph = ref.op.graph;
  return g.device(null, () => (ref.op.device ? g.device(ref.op.device, fn) : fn()));
}

export interface AssignOptions {
  /** Check at build time and at run time that the value's shape matches the variable's (default true). */
  validateShape?: boolean;
  /** Accepted for TensorFlow compatibility: updates are always serialised by the variable's actor. */
  useLocking?: boolean;
  name?: string;
  /**
   * When false, the op has no output and the function returns the Operation (TensorFlow 2's
   * `read_value=False`): the update then never lends its buffer, so it stays in place.
   */
  readValue?: boolean;
}

type UpdateType = 'Assign' | 'AssignAdd' | 'AssignSub';

function buildUpdate(type: UpdateType, ref: unknown, value: unknown, opts: AssignOptions): SymbolicTensor | Operation {
  const r = refOf(ref, `tf.${type[0]!.toLowerCase()}${type.slice(1)}`);
  const readValue = opts.readValue !== false;
  return colocatedWith(r, () => {
    // A plain value becomes a Const beside the variable, so a step moves no data for it.
    const g = r.op.graph;
    const v = value instanceof SymbolicTensor || isConvertible(value)
      ? toSymbolic(value, { dtype: r.dtype, graph: g, what: type })
      : g.colocateWith(r.op, () => toSymbolic(value, { dtype: r.dtype, graph: g, what: type }));
    const attrs: Record<string, unknown> = { T: r.dtype, var_shape: r.shape, use_locking: opts.useLocking ?? true, read_value: readValue };
    if (type === 'Assign') attrs['validate_shape'] = opts.validateShape !== false;
    const op = r.op.graph.createOp(type, [r.handle, v], { name: opts.name ?? type, attrs });
    return readValue ? op.outputs[0]! : op;
  });
}

/** `tf.assign(ref, value, {validateShape?, name?})`: the variable's new value. */
export function assign(ref: VariableLike, value: unknown, opts?: AssignOptions & { readValue?: true }): SymbolicTensor;
export function assign(ref: VariableLike, value: unknown, opts: AssignOptions & { readValue: false }): Operation;
export function assign(ref: VariableLike, value: unknown, opts: AssignOptions = {}): SymbolicTensor | Operation {
  return buildUpdate('Assign', ref, value, opts);
}

/** `tf.assignAdd(ref, value)`: adds `value` (same shape) to the variable; the new value. */
export function assignAdd(ref: VariableLike, value: unknown, opts?: AssignOptions & { readValue?: true }): SymbolicTensor;
export function assignAdd(ref: VariableLike, value: unknown, opts: AssignOptions & { readValue: false }): Operation;
export function assignAdd(ref: VariableLike, value: unknown, opts: AssignOptions = {}): SymbolicTensor | Operation {
  return buildUpdate('AssignAdd', ref, value, opts);
}

/** `tf.assignSub(ref, value)`: subtracts `value` (same shape) from the variable; the new value. */
export function assignSub(ref: VariableLike, value: unknown, opts?: AssignOptions & { readValue?: true }): SymbolicTensor;
export function assignSub(ref: VariableLike, value: unknown, opts: AssignOptions & { readValue: false }): Operation;
export function assignSub(ref: VariableLike, value: unknown, opts: AssignOptions = {}): SymbolicTensor | Operation {
  return buildUpdate('AssignSub', ref, value, opts);
}

/**
 * `tf.countUpTo(ref, limit)`: increments an int32/int64 scalar variable and returns the value it
 * had before; once it has reached `limit` the op fails with OutOfRangeError "Reached limit of N".
 */
export function countUpTo(ref: VariableLike, limit: number, opts: { name?: string } = {}): SymbolicTensor {
  const r = refOf(ref, 'tf.countUpTo');
  if (!Number.isSafeInteger(limit)) throw new InvalidArgumentError(`tf.countUpTo: limit must be an integer, got ${String(limit)}`);
  if (r.dtype !== 'int32' && r.dtype !== 'int64') {
    throw new InvalidArgumentError(`tf.countUpTo requires an int32 or int64 variable; '${r.opName}' is ${r.dtype}`);
  }
  if (r.shape !== null && r.shape.length !== 0) {
    throw new InvalidArgumentError(`tf.countUpTo requires a scalar variable; '${r.opName}' has shape [${r.shape.map((d) => d ?? '?').join(',')}]`);
  }
  return colocatedWith(r, () =>
    r.op.graph.createOp('CountUpTo', [r.handle], { name: opts.name ?? 'CountUpTo', attrs: { T: r.dtype, limit } }).outputs[0]!);
}

/** `tf.isVariableInitialized(v)`: a bool scalar, true once the variable holds a value. */
export function isVariableInitialized(ref: VariableLike, opts: { name?: string } = {}): SymbolicTensor {
  const r = refOf(ref, 'tf.isVariableInitialized');
  return colocatedWith(r, () =>
    r.op.graph.createOp('IsVariableInitialized', [r.handle], { name: opts.name ?? 'IsVariableInitialized', attrs: { dtype: r.dtype } }).outputs[0]!);
}

/** `v.initializedValue()`: its value once initialized, else its initial value (no control dependencies). */
export function initializedValue(ref: VariableLike, initial: SymbolicTensor, opts: { name?: string } = {}): SymbolicTensor {
  const r = refOf(ref, 'initializedValue');
  return r.op.graph.controlDependencies(null, () => colocatedWith(r, () =>
    r.op.graph.createOp('VariableInitializedValue', [r.handle, initial], {
      name: opts.name ?? `${r.opName}/initialized_value`, attrs: { dtype: r.dtype, shape: r.shape },
    }).outputs[0]!));
}

/** A new read of the variable's current value (each call builds its own op). */
export function readVariable(ref: VariableLike, opts: { name?: string } = {}): SymbolicTensor {
  const r = refOf(ref, 'readVariable');
  return colocatedWith(r, () =>
    r.op.graph.createOp('VariableRead', [r.handle], { name: opts.name ?? 'read', attrs: { dtype: r.dtype, shape: r.shape } }).outputs[0]!);
}
