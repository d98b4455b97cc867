/**
 * Graphs of symbolic operations, as in TensorFlow 1.x: a default graph, name scopes, device
 * scopes (with TensorFlow's merge rules), container scopes, control dependencies, collections.
 */
import { InvalidArgumentError, OpError } from './errors.js';
import type { DType } from './dtypes.js';
import { DeviceSpec } from './device_spec.js';
import { getOpDef, type OutputSpec, type StaticShape } from './op_registry.js';
import type { NodeDef } from './node_def.js';
import { Tensor } from './tensor.js';

/** A device scope entry: a spec to merge, a function of the op, or null (clears outer scopes). */
export type DeviceFunction = (op: Operation) => string | DeviceSpec | null | undefined;
export type DeviceScope = DeviceSpec | DeviceFunction | null;

export const GraphKeys = {
  GLOBAL_VARIABLES: 'variables',
  LOCAL_VARIABLES: 'local_variables',
  TRAINABLE_VARIABLES: 'trainable_variables',
  QUEUE_RUNNERS: 'queue_runners',
} as const;

/** Something a session can run: fetches reach it through this interface (avoids an import cycle). */
export interface Runner {
  run(fetches: unknown, feeds?: unknown, options?: unknown): Promise<unknown>;
}

export class SymbolicTensor {
  readonly op: Operation;
  readonly valueIndex: number;
  readonly dtype: DType;
  /** Static shape: null = unknown rank; null entries are unknown dimensions. */
  shape: StaticShape;

  constructor(op: Operation, valueIndex: number, spec: OutputSpec) {
    this.op = op;
    this.valueIndex = valueIndex;
    this.dtype = spec.dtype;
    this.shape = spec.shape === null ? null : [...spec.shape];
  }

  get name(): string { return `${this.op.name}:${this.valueIndex}`; }
  get device(): string { return this.op.device; }
  get graph(): Graph { return this.op.graph; }

  /** Runs the session to compute this tensor (TensorFlow's `Tensor.eval`). */
  eval(session: Runner, feeds?: unknown): Promise<Tensor> {
    return session.run(this, feeds) as Promise<Tensor>;
  }

  toString(): string {
    const shape = this.shape === null ? '<unknown>' : `(${this.shape.map((d) => d ?? '?').join(', ')})`;
    return `Tensor("${this.name}", shape=${shape}, dtype=${this.dtype})`;
  }
}

export class Operation {
  readonly graph: Graph;
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly inputs: SymbolicTensor[];
  readonly controlInputs: Operation[];
  readonly attrs: Record<string, unknown>;
  readonly outputs: SymbolicTensor[] = [];
  /** Names of ops whose device this op shares (resource consumers, variable initialisers). */
  readonly colocate: string[];
  private _device = '';

  constructor(graph: Graph, id: number, name: string, type: string, inputs: SymbolicTensor[],
    controlInputs: Operation[], attrs: Record<string, unknown>, colocate: string[]) {
    this.graph = graph;
    this.id = id;
    this.name = name;
    this.type = type;
    this.inputs = inputs;
    this.controlInputs = controlInputs;
    this.attrs = attrs;
    this.colocate = colocate;
  }

  /** The requested device (as device scopes left it); placement completes it at run time. */
  get device(): string { return this._device; }
  /** Used while building (device functions); not for users. */
  setDevice(d: string | DeviceSpec | null | undefined): void {
    this._device = d === null || d === undefined ? '' : typeof d === 'string' ? canonicalOrEmpty(d) : d.toString();
  }

  /** Runs this op in `session` (TensorFlow's `Operation.run`). */
  async run(session: Runner, feeds?: unknown): Promise<void> {
    await session.run(this, feeds);
  }

  toNodeDef(): NodeDef {
    const nd: NodeDef = {
      name: this.name,
      op: this.type,
      inputs: [...this.inputs.map((t) => t.name), ...this.controlInputs.map((o) => `^${o.name}`)],
      device: this._device,
      attrs: this.attrs,
      outputDtypes: this.outputs.map((t) => t.dtype),
    };
    if (this.colocate.length > 0) nd.colocate = this.colocate;
    return nd;
  }

  toString(): string { return `Operation("${this.name}", type=${this.type}, device=${this._device || "''"})`; }
}

function canonicalOrEmpty(d: string): string {
  return d === '' ? '' : DeviceSpec.fromString(d).toString();
}

export interface CreateOpOptions {
  name?: string;
  attrs?: Record<string, unknown>;
  controlInputs?: Operation[];
  /** Extra ops to colocate with. Resource inputs are colocated automatically. */
  colocateWith?: Operation[];
}

let graphCounter = 0;

export class Graph {
  readonly id = ++graphCounter;
  private readonly ops: Operation[] = [];
  private readonly byName = new Map<string, Operation>();
  /**
   * Variable handles (VariableV2 outputs) and the read each stands for where a value is wanted:
   * TensorFlow 1.x's ref tensors read implicitly, so `getTensorByName('v:0')` used as an op input
   * or fetched gives the variable's value, while assign-family ops still take the handle.
   */
  private readonly refValues = new Map<SymbolicTensor, SymbolicTensor>();
  private readonly usedNames = new Map<string, number>();
  private readonly collections = new Map<string, unknown[]>();
  private nameStack = '';
  private deviceStack: DeviceScope[] = [];
  private containerStack: string[] = [];
  private controlStack: Operation[][] = [];
  private colocationStack: Operation[][] = [];
  /** Graph-level random seed (tf.setRandomSeed). */
  seed: number | null = null;
  private opSeedCounter = 0;
  /** Bumped on every new op; sessions use it to ship only what is new. */
  get version(): number { return this.ops.length; }

  getOperations(): Operation[] { return [...this.ops]; }
  opsSince(version: number): Operation[] { return this.ops.slice(version); }

  getOperationByName(name: string): Operation {
    const op = this.byName.get(name);
    if (!op) throw new InvalidArgumentError(`The name '${name}' refers to an Operation not in the graph.`);
    return op;
  }

  getTensorByName(name: string): SymbolicTensor {
    const [opName, idx] = name.split(':');
    const op = this.getOperationByName(opName!);
    const t = op.outputs[Number(idx ?? 0)];
    if (!t) throw new InvalidArgumentError(`The name '${name}' refers to a Tensor which does not exist.`);
    return t;
  }

  /** `graph.asDefault(fn)`: makes this the default graph while fn runs; returns what fn returns. */
  asDefault<T>(fn: () => T): T {
    return withDefaultGraph(this, fn);
  }

  // ---- scopes -------------------------------------------------------------------------------

  nameScope<T>(name: string | null, fn: (scope: string) => T): T {
    const saved = this.nameStack;
    if (name === null || name === '') this.nameStack = '';
    else if (name.endsWith('/')) this.nameStack = name.slice(0, -1);
    else this.nameStack = this.uniqueName(name, true);
    try { return fn(this.nameStack === '' ? '' : `${this.nameStack}/`); } finally { this.nameStack = saved; }
  }

  get currentNameScope(): string { return this.nameStack; }

  device<T>(spec: string | DeviceSpec | DeviceFunction | null, fn: () => T): T {
    let entry: DeviceScope;
    if (spec === null || spec === undefined) entry = null;
    else if (typeof spec === 'function') entry = spec;
    else entry = typeof spec === 'string' ? DeviceSpec.fromString(spec) : spec.clone();
    this.deviceStack.push(entry);
    try { return fn(); } finally { this.deviceStack.pop(); }
  }

  container<T>(name: string, fn: () => T): T {
    this.containerStack.push(name);
    try { return fn(); } finally { this.containerStack.pop(); }
  }

  get currentContainer(): string {
    return this.containerStack.length ? this.containerStack[this.containerStack.length - 1]! : '';
  }

  controlDependencies<T>(ops: (Operation | SymbolicTensor)[] | null, fn: () => T): T {
    const list = ops === null ? null : ops.map((o) => (o instanceof SymbolicTensor ? o.op : o));
    const saved = this.controlStack;
    this.controlStack = list === null ? [] : [...saved, list];
    try { return fn(); } finally { this.controlStack = saved; }
  }

  colocateWith<T>(op: Operation | SymbolicTensor, fn: () => T): T {
    const o = op instanceof SymbolicTensor ? op.op : op;
    this.colocationStack.push([o]);
    try { return fn(); } finally { this.colocationStack.pop(); }
  }

  /** A unique op name in the current name scope ('add', 'add_1', ...). */
  uniqueName(base: string, markUsed = true): string {
    const full = this.nameStack ? `${this.nameStack}/${base}` : base;
    const key = full.toLowerCase();
    const n = this.usedNames.get(key);
    let name = full;
    if (n !== undefined) {
      let i = n;
      while (this.usedNames.has(`${key}_${i}`)) i++;
      name = `${full}_${i}`;
      if (markUsed) this.usedNames.set(key, i + 1);
    }
    if (markUsed) {
      if (n === undefined) this.usedNames.set(key, 1);
      this.usedNames.set(name.toLowerCase(), this.usedNames.get(name.toLowerCase()) ?? 1);
    }
    return name;
  }

  /** An exact op name (TensorFlow's `name='scope/'`): reserved, and an error if an op has it. */
  private exactName(name: string): string {
    if (this.byName.has(name)) throw new InvalidArgumentError(`Duplicate node name in graph: '${name}'`);
    if (!this.usedNames.has(name.toLowerCase())) this.usedNames.set(name.toLowerCase(), 1);
    return name;
  }

  /** The op-level seed pair, as random_seed.get_seed: (graph seed, op seed or a counter). */
  getSeed(opSeed?: number | null): [number, number] {
    if (this.seed !== null) {
      const seeds: [number, number] = [truncateSeed(this.seed), truncateSeed(opSeed ?? ++this.opSeedCounter)];
      // As random_seed.get_seed: kernels read (0, 0) as "pick random seeds", which seeds given
      // explicitly must not mean.
      return seeds[0] === 0 && seeds[1] === 0 ? [0, MAX_INT32] : seeds;
    }
    if (opSeed !== undefined && opSeed !== null) return [DEFAULT_GRAPH_SEED, truncateSeed(opSeed)];
    return [0, 0];
  }

  // ---- collections --------------------------------------------------------------------------

  addToCollection(key: string, value: unknown): void {
    const list = this.collections.get(key) ?? [];
    list.push(value);
    this.collections.set(key, list);
  }
  getCollection<T = unknown>(key: string): T[] {
    return [...((this.collections.get(key) ?? []) as T[])];
  }
  clearCollection(key: string): void { this.collections.delete(key); }

  // ---- op creation --------------------------------------------------------------------------

  /** Registers what a variable handle stands for as a value (its snapshot read). */
  registerRefValue(handle: SymbolicTensor, value: SymbolicTensor): void {
    this.refValues.set(handle, value);
  }

  /** The tensor `t` stands for as a value input or a fetch: a variable handle's read, else itself. */
  valueOf(t: SymbolicTensor): SymbolicTensor {
    return this.refValues.get(t) ?? t;
  }

  createOp(type: string, givenInputs: SymbolicTensor[], opts: CreateOpOptions = {}): Operation {
    const def = getOpDef(type);
    for (const t of givenInputs) {
      if (!(t instanceof SymbolicTensor)) throw new InvalidArgumentError(`${type}: inputs must be symbolic tensors`);
      if (t.graph !== this) throw new InvalidArgumentError(`${type}: input ${t.name} is from a different graph`);
    }
    const inputs = givenInputs.map((t, i) => (def.resourceInputs?.includes(i) ? t : this.valueOf(t)));
    // As in TensorFlow, a name ending in '/' (a scope name, e.g. 'input_producer/') is used as is.
    const name = opts.name !== undefined && opts.name.endsWith('/') && opts.name.length > 1
      ? this.exactName(opts.name.slice(0, -1)) : this.uniqueName(opts.name ?? type);
    const attrs: Record<string, unknown> = { ...(opts.attrs ?? {}) };
    if (def.resource && attrs['container'] === undefined) attrs['container'] = this.currentContainer;
    let specs: OutputSpec[];
    try {
      specs = def.inferOutputs({
        name, type, attrs,
        inputs: inputs.map((t) => ({ dtype: t.dtype, shape: t.shape })),
        constantInputs: inputs.map((t) => (t.op.type === 'Const' ? (t.op.attrs['value'] as Tensor) : null)),
      });
    } catch (e) {
      if (e instanceof OpError && !e.message.includes(name)) {
        throw new InvalidArgumentError(`${e.message} (while building op '${name}' of type ${type})`, { op: name, cause: e });
      }
      throw e;
    }
    const control = [...new Set([...this.controlStack.flat(), ...(opts.controlInputs ?? [])])];
    const colocate = new Set<string>();
    const explicit: Operation[] = [...this.colocationStack.flat(), ...(opts.colocateWith ?? [])];
    for (const o of explicit) colocate.add(rootOfColocation(o));
    for (const i of def.resourceInputs ?? []) {
      const src = inputs[i];
      if (src) colocate.add(rootOfColocation(src.op));
    }
    const op = new Operation(this, this.ops.length, name, type, inputs, control, attrs, [...colocate]);
    specs.forEach((s, i) => op.outputs.push(new SymbolicTensor(op, i, s)));
    // As TensorFlow's colocate_with: explicit colocation is stronger than device functions, and
    // the op reports the device of the op it is colocated with.
    if (explicit.length > 0) op.setDevice(explicit[0]!.device);
    else this.applyDeviceScopes(op);
    this.ops.push(op);
    this.byName.set(name, op);
    return op;
  }

  /** Device functions innermost first; a merge scope lets fields already set on the op win. */
  private applyDeviceScopes(op: Operation): void {
    for (let i = this.deviceStack.length - 1; i >= 0; i--) {
      const scope = this.deviceStack[i];
      if (scope === null) break;
      if (typeof scope === 'function') {
        op.setDevice(scope(op) ?? '');
      } else {
        const merged = scope.clone().mergeFrom(DeviceSpec.fromString(op.device));
        op.setDevice(merged);
      }
    }
  }
}

function rootOfColocation(op: Operation): string {
  return op.colocate.length > 0 ? op.colocate[0]! : op.name;
}

// ---- the default graph --------------------------------------------------------------------

let defaultGraph = new Graph();
const graphStack: Graph[] = [];

export function getDefaultGraph(): Graph {
  return graphStack.length ? graphStack[graphStack.length - 1]! : defaultGraph;
}

export function resetDefaultGraph(): Graph {
  if (graphStack.length) throw new InvalidArgumentError('Do not use tf.resetDefaultGraph() inside graph.asDefault()');
  defaultGraph = new Graph();
  return defaultGraph;
}

export function withDefaultGraph<T>(g: Graph, fn: () => T): T {
  graphStack.push(g);
  let popNow = true;
  try {
    const r = fn();
    if (r instanceof Promise) {
      // An async body keeps the graph default until it settles.
      popNow = false;
      return r.finally(() => removeFromStack(g)) as T;
    }
    return r;
  } finally {
    if (popNow) removeFromStack(g);
  }
}

function removeFromStack(g: Graph): void {
  const i = graphStack.lastIndexOf(g);
  if (i >= 0) graphStack.splice(i, 1);
}

export function isSymbolic(x: unknown): x is SymbolicTensor {
  return x instanceof SymbolicTensor;
}

/** random_seed.py's constants: seeds are kept below 2^31 - 1, the graph seed when only an op seed is given. */
const MAX_INT32 = 2147483647;
const DEFAULT_GRAPH_SEED = 87654321;

/** random_seed._truncate_seed: Python's `seed % _MAXINT32` (never negative). */
function truncateSeed(seed: number): number {
  return ((seed % MAX_INT32) + MAX_INT32) % MAX_INT32;
}
