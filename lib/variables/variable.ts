/**
 * `tf.Variable`, as TensorFlow 1.x builds it: a VariableV2 op named after the variable (the
 * resource lives in the cluster, found by container and name, so every session and client of the
 * cluster sees the same value), an initial value `x/initial_value`, an initializer `x/Assign` and
 * a snapshot read `x/read` colocated with it, and membership of the graph's variable collections.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { asDType, type DType } from '../framework/dtypes.js';
import { getDefaultGraph, GraphKeys, type SymbolicTensor, type Graph, type Operation, type Runner } from '../framework/graph.js';
import type { StaticShape } from '../framework/op_registry.js';
import { toSymbolic, type SymbolicConvertible } from '../framework/convert.js';
import type { Tensor } from '../framework/tensor.js';
import '../ops/tensor_methods.js';
import {
  assign, assignAdd, assignSub, colocatedWith, countUpTo, initializedValue, isVariableInitialized, readVariable,
  refOf, type AssignOptions, type VariableRef,
} from './state_ops.js';

export interface VariableOptions {
  /** Op name of the variable (default 'Variable'); made unique in the graph like op names. */
  name?: string;
  /** Add to TRAINABLE_VARIABLES too (default true). */
  trainable?: boolean;
  /** Collections to join (default [GLOBAL_VARIABLES]); `[]` keeps it out of globalVariables(). */
  collections?: string[] | null;
  dtype?: DType | string;
  /**
   * Default true: the variable takes the initial value's static shape and every Assign checks it.
   * A partially known shape (a placeholder `[null, n]`) is accepted and checked dimension by
   * dimension; false leaves the shape unknown until the first assignment.
   */
  validateShape?: boolean;
}

/** A value, a concrete or symbolic tensor, or a function returning one (called in the variable's scope). */
export type InitialValue = unknown;

export class Variable implements SymbolicConvertible {
  readonly graph: Graph;
  /** The VariableV2 operation. */
  readonly op: Operation;
  /** The VariableV2 op's output: a scalar string naming the variable's actor. */
  readonly handle: SymbolicTensor;
  readonly initialValue: SymbolicTensor;
  /** Runs the initial assignment (`x/Assign`). */
  readonly initializer: Operation;
  readonly dtype: DType;
  /** Static shape: null when unknown (validateShape false). */
  readonly shape: StaticShape;
  readonly trainable: boolean;
  private readonly snapshot: SymbolicTensor;
  private readonly ref: VariableRef;
  private loader: { placeholder: SymbolicTensor; op: Operation } | null = null;

  constructor(initialValue: InitialValue, opts: VariableOptions = {}) {
    if (initialValue === undefined || initialValue === null) {
      throw new InvalidArgumentError('initial_value must be specified.');
    }
    const graph = getDefaultGraph();
    this.graph = graph;
    const base = opts.name ?? 'Variable';
    if (base === '' || base.endsWith('/')) throw new InvalidArgumentError(`Invalid variable name '${base}'`);
    const dtype = opts.dtype === undefined ? undefined : asDType(opts.dtype);
    const validateShape = opts.validateShape !== false;

    // Variables ignore the control dependencies around their creation (TensorFlow does the same).
    const built = graph.controlDependencies(null, () => {
      // The name the VariableV2 op will get ('x', or 'x_1' when taken): its ops live under 'x/'.
      const varName = graph.uniqueName(base, false);
      const initial = graph.nameScope(`${varName}/`, () => initialTensor(initialValue, dtype, graph));
      const shape: StaticShape = validateShape ? (initial.shape === null ? null : [...initial.shape]) : null;
      const op = graph.createOp('VariableV2', [], {
        name: base,
        attrs: { dtype: initial.dtype, shape, container: graph.currentContainer, shared_name: '' },
      });
      if (op.name !== varName) throw new InvalidArgumentError(`Variable name clash: expected '${varName}', built '${op.name}'`);
      const ref = refOf(op.outputs[0]!, 'tf.Variable');
      const init = graph.nameScope(`${varName}/`, () => assign(ref.handle, initial, { validateShape, name: 'Assign' }));
      const snapshot = graph.nameScope(`${varName}/`, () => readVariable(ref.handle, { name: 'read' }));
      return { op, ref, initial, init, snapshot, shape };
    });

    this.op = built.op;
    this.handle = built.op.outputs[0]!;
    this.ref = built.ref;
    this.initialValue = built.initial;
    this.initializer = built.init.op;
    this.snapshot = built.snapshot;
    graph.registerRefValue(this.handle, this.snapshot);
    this.dtype = built.initial.dtype;
    this.shape = built.shape;
    this.trainable = opts.trainable ?? true;

    const collections = [...(opts.collections ?? [GraphKeys.GLOBAL_VARIABLES])];
    if (this.trainable && !collections.includes(GraphKeys.TRAINABLE_VARIABLES)) collections.push(GraphKeys.TRAINABLE_VARIABLES);
    for (const key of new Set(collections)) graph.addToCollection(key, this);
  }

  /** 'x:0', as TensorFlow names a variable. */
  get name(): string { return `${this.op.name}:0`; }
  /** The device requested for the variable (placement completes an unpinned one). */
  get device(): string { return this.op.device; }

  /** The snapshot `x/read`: what the variable stands for when used as an op input. */
  value(): SymbolicTensor { return this.snapshot; }
  toSymbolic(): SymbolicTensor { return this.snapshot; }
  /**
   * Its value once initialized, else its initial value: for initial values built from other
   * variables (`new tf.Variable(a.initializedValue())`), whatever order the initializers run in.
   */
  initializedValue(): SymbolicTensor { return initializedValue(this, this.initialValue); }
    /** A new read op (reads after whatever control dependencies surround the call). */
  readValue(): SymbolicTensor { return readVariable(this, { name: 'read' }); }
  getShape(): StaticShape { return this.shape; }

  assign(value: unknown, opts?: AssignOptions & { readValue?: true }): SymbolicTensor;
  assign(value: unknown, opts: AssignOptions & { readValue: false }): Operation;
  assign(value: unknown, opts: AssignOptions = {}): SymbolicTensor | Operation {
    return assign(this, value, opts as AssignOptions & { readValue: false });
  }

  assignAdd(value: unknown, opts?: AssignOptions & { readValue?: true }): SymbolicTensor;
  assignAdd(value: unknown, opts: AssignOptions & { readValue: false }): Operation;
  assignAdd(value: unknown, opts: AssignOptions = {}): SymbolicTensor | Operation {
    return assignAdd(this, value, opts as AssignOptions & { readValue: false });
  }

  assignSub(value: unknown, opts?: AssignOptions & { readValue?: true }): SymbolicTensor;
  assignSub(value: unknown, opts: AssignOptions & { readValue: false }): Operation;
  assignSub(value: unknown, opts: AssignOptions = {}): SymbolicTensor | Operation {
    return assignSub(this, value, opts as AssignOptions & { readValue: false });
  }

  countUpTo(limit: number): SymbolicTensor { return countUpTo(this, limit); }

  // The operator-like methods of its value (x.add(1) reads x/read), as TensorFlow's overloads.
  add(y: unknown): SymbolicTensor { return this.snapshot.add(y); }
  sub(y: unknown): SymbolicTensor { return this.snapshot.sub(y); }
  mul(y: unknown): SymbolicTensor { return this.snapshot.mul(y); }
  div(y: unknown): SymbolicTensor { return this.snapshot.div(y); }
  neg(): SymbolicTensor { return this.snapshot.neg(); }
  isInitialized(): SymbolicTensor { return isVariableInitialized(this); }

  /** `v.eval(sess)`: the current value. */
  eval(session: Runner, feeds?: unknown): Promise<Tensor> {
    return session.run(this.snapshot, feeds) as Promise<Tensor>;
  }

  /** `v.load(value, sess)`: assigns a client value (the op is built once, on first use). */
  async load(value: unknown, session: Runner): Promise<void> {
    if (!this.loader) {
      const graph = this.graph;
      this.loader = graph.controlDependencies(null, () => graph.nameScope(`${this.op.name}/`, () => colocatedWith(this.ref, () => {
        const placeholder = graph.createOp('Placeholder', [], { name: 'load_value', attrs: { dtype: this.dtype, shape: this.shape } }).outputs[0]!;
        return { placeholder, op: assign(this, placeholder, { name: 'load', readValue: false }) };
      })));
    }
    await session.run(this.loader.op, [[this.loader.placeholder, value]]);
  }

  toString(): string {
    const shape = this.shape === null ? '<unknown>' : `(${this.shape.map((d) => d ?? '?').join(', ')})`;
    return `<tf.Variable '${this.name}' shape=${shape} dtype=${this.dtype}>`;
  }
}

function initialTensor(initialValue: InitialValue, dtype: DType | undefined, graph: Graph): SymbolicTensor {
  if (typeof initialValue === 'function') {
    // TensorFlow builds a callable's initial value under 'x/Initializer'.
    const v = graph.nameScope('Initializer', () => (initialValue as () => unknown)());
    return toSymbolic(v, { dtype, graph, name: 'initial_value', what: 'tf.Variable' });
  }
  return toSymbolic(initialValue, { dtype, graph, name: 'initial_value', what: 'tf.Variable' });
}

/** `tf.localVariable(initialValue, opts)`: not trainable, in LOCAL_VARIABLES (epoch counters). */
export function localVariable(initialValue: InitialValue, opts: Omit<VariableOptions, 'trainable'> = {}): Variable {
  return new Variable(initialValue, { ...opts, trainable: false, collections: opts.collections ?? [GraphKeys.LOCAL_VARIABLES] });
}

export function isVariable(x: unknown): x is Variable {
  return x instanceof Variable;
}

