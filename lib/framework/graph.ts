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
  private readonly collectionMap = new Map<CollectionKey, unknown[]>();
  private nameStack = '';
  private deviceStack: DeviceScope[] = [];
  private containerStack: string[] = [];
  /** Open control_dependencies blocks, outermost first. */
  private controlStack: ControlDependenciesController[] = [];
  /** Ops of the open colocate_with blocks, outermost first. */
  private colocationStack: Operation[] = [];
  /** Graph-level random seed (tf.setRandomSeed). */
  seed: number | null = null;
  private opSeedCounter = 0;
  /** Bumped on every new op; sessions use it to ship only what is new. */
  get version(): number { return this.ops.length; }

  getOperations(): Operation[] { return [...this.ops]; }
  opsSince(version: number): Operation[] { return this.ops.slice(version); }

  /** TensorFlow's `get_operation_by_name`: an op name (no ':'); a tensor name is an error. */
  getOperationByName(name: string): Operation {
    if (typeof name !== 'string') {
      throw new InvalidArgumentError(`Operation names are strings (or similar), not ${typeName(name)}.`);
    }
    return this.asGraphElement(name, { allowTensor: false, allowOperation: true }) as Operation;
  }

  /** TensorFlow's `get_tensor_by_name`: names must be "<op_name>:<output_index>". */
  getTensorByName(name: string): SymbolicTensor {
    if (typeof name !== 'string') {
      throw new InvalidArgumentError(`Tensor names are strings (or similar), not ${typeName(name)}.`);
    }
    return this.asGraphElement(name, { allowTensor: true, allowOperation: false }) as SymbolicTensor;
  }

  /**
   * TensorFlow's `Graph.as_graph_element`: an Operation or tensor of this graph, given itself, its
   * name, or an object that stands for one (`_asGraphElement()`, a variable, `toSymbolic()`).
   * Errors carry TensorFlow's messages (its ValueError/TypeError/KeyError become
   * InvalidArgumentError, as the rest of graph building does).
   */
  asGraphElement(obj: unknown, opts: { allowTensor?: boolean; allowOperation?: boolean } = {}): SymbolicTensor | Operation {
    const allowTensor = opts.allowTensor ?? true;
    const allowOperation = opts.allowOperation ?? true;
    let typesStr: string;
    if (allowTensor && allowOperation) typesStr = 'Tensor or Operation';
    else if (allowTensor) typesStr = 'Tensor';
    else if (allowOperation) typesStr = 'Operation';
    else throw new InvalidArgumentError("allow_tensor and allow_operation can't both be False.");

    const converted = graphElementOf(obj);
    if (converted !== undefined) obj = converted;

    if (typeof obj === 'string') {
      const name = obj;
      if (name.includes(':') && allowTensor) {
        // Python's `op_name, out_n = name.split(":"); int(out_n)`: exactly one ':' and an integer.
        const parts = name.split(':');
        const outText = parts.length === 2 ? parts[1]!.trim() : '';
        if (parts.length !== 2 || !/^[+-]?\d+$/.test(outText)) {
          throw new InvalidArgumentError(`The name ${pyRepr(name)} looks a like a Tensor name, but is not a valid one. `
            + 'Tensor names must be of the form "<op_name>:<output_index>".');
        }
        const opName = parts[0]!;
        const op = this.byName.get(opName);
        if (!op) {
          throw new InvalidArgumentError(`The name ${pyRepr(name)} refers to a Tensor which does not exist. `
            + `The operation, ${pyRepr(opName)}, does not exist in the graph.`);
        }
        // Python list indexing: a negative index counts from the end.
        let n = Number(outText);
        if (n < 0) n += op.outputs.length;
        const t = op.outputs[n];
        if (!t) {
          throw new InvalidArgumentError(`The name ${pyRepr(name)} refers to a Tensor which does not exist. `
            + `The operation, ${pyRepr(opName)}, exists but only has ${op.outputs.length} outputs.`);
        }
        return t;
      }
      if (name.includes(':')) {
        throw new InvalidArgumentError(`Name ${pyRepr(name)} appears to refer to a Tensor, not a ${typesStr}.`);
      }
      if (allowOperation) {
        const op = this.byName.get(name);
        if (!op) throw new InvalidArgumentError(`The name ${pyRepr(name)} refers to an Operation not in the graph.`);
        return op;
      }
      const msg = this.byName.has(name)
        ? `The name ${pyRepr(name)} refers to an Operation, not a ${typesStr}.`
        : `The name ${pyRepr(name)} looks like an (invalid) Operation name, not a ${typesStr}.`;
      throw new InvalidArgumentError(`${msg} Tensor names must be of the form "<op_name>:<output_index>".`);
    }
    if (obj instanceof SymbolicTensor && allowTensor) {
      if (obj.graph !== this) throw new InvalidArgumentError(`Tensor ${obj.toString()} is not an element of this graph.`);
      return obj;
    }
    if (obj instanceof Operation && allowOperation) {
      if (obj.graph !== this) throw new InvalidArgumentError(`Operation ${obj.toString()} is not an element of this graph.`);
      return obj;
    }
    throw new InvalidArgumentError(`Can not convert a ${typeName(obj)} into a ${typesStr}.`);
  }

  /** `graph.asDefault(fn)`: makes this the default graph while fn runs; returns what fn returns. */
  asDefault<T>(fn: () => T): T {
    return withDefaultGraph(this, fn);
  }

  // ---- scopes -------------------------------------------------------------------------------

  nameScope<T>(name: string | null, fn: (scope: string) => T): T {
    const saved = this.nameStack;
    if (name === null || name === '') this.nameStack = '';
    else {
      // As TensorFlow: a scope at the root must also be a valid op name (no leading '_', '-',
      // '/'); nested ones may start with those; ':' is never allowed.
      if (!(saved === '' ? VALID_OP_NAME : VALID_SCOPE_NAME).test(name)) throw new InvalidArgumentError(`'${name}' is not a valid scope name`);
      this.nameStack = name.endsWith('/') ? name.slice(0, -1) : this.uniqueName(name, true);
    }
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

  /**
   * TensorFlow's `Graph.control_dependencies`: ops built while `fn` runs wait for `controlInputs`
   * (operations, tensors, or anything `asGraphElement` accepts); null clears the outer blocks.
   * As in TensorFlow, an op whose inputs were built inside a block gets no control inputs from
   * that block (it already waits for them through those inputs), and a control input that is
   * already one of the op's data inputs is left out.
   */
  controlDependencies<T>(controlInputs: Iterable<unknown> | null, fn: () => T): T {
    const saved = this.controlStack;
    if (controlInputs === null || controlInputs === undefined) {
      // `_new_stack`: the outer blocks neither apply to nor see the ops built inside.
      this.controlStack = [new ControlDependenciesController([])];
    } else {
      if (typeof controlInputs !== 'object' || typeof (controlInputs as Iterable<unknown>)[Symbol.iterator] !== 'function') {
        throw new InvalidArgumentError(`control_inputs must be a list of Operations or Tensors, not ${typeName(controlInputs)}.`);
      }
      // Converted to ops and deduplicated against the blocks already open, as TensorFlow does.
      const current = new Set(this.controlStack.flatMap((c) => c.controlInputs));
      const ops: Operation[] = [];
      for (const c of controlInputs) {
        if (typeof c !== 'string' && !(c instanceof SymbolicTensor) && !(c instanceof Operation) && graphElementOf(c) === undefined) {
          throw new InvalidArgumentError(`Control input must be Operation or Tensor: ${describeValue(c)}`);
        }
        const el = this.asGraphElement(c);
        const op = el instanceof SymbolicTensor ? el.op : el;
        if (!current.has(op)) {
          ops.push(op);
          current.add(op);
        }
      }
      // A fresh array rather than push/pop, so an exception or a nested null block cannot leave
      // the stack unbalanced.
      this.controlStack = [...saved, new ControlDependenciesController(ops)];
    }
    try { return fn(); } finally { this.controlStack = saved; }
  }

  /**
   * TensorFlow 1.x's `Graph.colocate_with`: ops built while `fn` runs are colocated with `op` and
   * take its device. The outer device scopes are cleared for the block (colocation is the
   * stronger constraint), but a device scope opened inside it still applies, and an op whose
   * device then differs from `op`'s keeps its own (TensorFlow only logs a warning).
   * `ignoreExisting` drops the outer colocation blocks; `op` may then be null.
   */
  colocateWith<T>(op: unknown, fn: () => T, opts: { ignoreExisting?: boolean } = {}): T {
    if ((op === null || op === undefined) && !opts.ignoreExisting) {
      throw new InvalidArgumentError('Trying to reset colocation (op is None) but ignore_existing is not True');
    }
    let target: Operation | null = null;
    if (op instanceof Operation) target = op;
    else if (op !== null && op !== undefined) {
      const el = this.asGraphElement(op);
      target = el instanceof SymbolicTensor ? el.op : el;
    }
    const savedDevices = this.deviceStack;
    const savedColocation = this.colocationStack;
    this.deviceStack = [];
    this.colocationStack = [...(opts.ignoreExisting ? [] : savedColocation), ...(target ? [target] : [])];
    try {
      return fn();
    } finally {
      this.deviceStack = savedDevices;
      this.colocationStack = savedColocation;
    }
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

  /** The keys of the collections known to this graph (TensorFlow's `Graph.collections`). */
  get collections(): CollectionKey[] { return [...this.collectionMap.keys()]; }

  addToCollection(key: CollectionKey, value: unknown): void {
    const list = this.collectionMap.get(key);
    if (list) list.push(value);
    else this.collectionMap.set(key, [value]);
  }

  /** Adds `value` to each collection once: a string is one key, a list of keys is deduplicated. */
  addToCollections(keys: CollectionKey | Iterable<CollectionKey>, value: unknown): void {
    for (const key of collectionKeys(keys)) this.addToCollection(key, value);
  }

  /**
   * A copy of the collection; with `scope`, only the items whose `name` the regular expression
   * matches at its start (Python's `re.match`), which drops items that have no name.
   */
  getCollection<T = unknown>(key: CollectionKey, scope?: string | null): T[] {
    const list = (this.collectionMap.get(key) ?? []) as T[];
    if (scope === undefined || scope === null) return [...list];
    let re: RegExp;
    try {
      // Sticky: the match must start at index 0, as re.match anchors at the start only.
      re = new RegExp(scope, 'y');
    } catch (e) {
      throw new InvalidArgumentError(`Invalid collection scope ${pyRepr(String(scope))}: ${(e as Error).message}`, { cause: e });
    }
    return list.filter((item) => {
      const name = hasName(item) ? item.name : undefined;
      if (typeof name !== 'string') return false;
      re.lastIndex = 0;
      return re.test(name);
    });
  }

  /** The collection's own list (created empty if missing): changes to it change the graph's. */
  getCollectionRef<T = unknown>(key: CollectionKey): T[] {
    let list = this.collectionMap.get(key);
    if (!list) this.collectionMap.set(key, (list = []));
    return list as T[];
  }

  /** The string keys of the collections (TensorFlow's `get_all_collection_keys`). */
  getAllCollectionKeys(): string[] {
    return [...this.collectionMap.keys()].filter((k): k is string => typeof k === 'string');
  }

  clearCollection(key: CollectionKey): void { this.collectionMap.delete(key); }

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
    }
    for (const t of givenInputs) {
      if (t.graph === this) continue;
      // TensorFlow's wording (ops_test.testInputFromDifferentGraphError matches "must be from the
      // same graph"), naming an input that is in the graph the op is built in, if there is one.
      const here = givenInputs.find((x) => x.graph === this);
      throw new InvalidArgumentError(`${t.toString()} must be from the same graph as `
        + `${here ? here.toString() : `the graph of the ${type} op being built`} (input ${t.name} is from a different graph).`);
    }
    const inputs = givenInputs.map((t, i) => (def.resourceInputs?.includes(i) ? t : this.valueOf(t)));
    // As in TensorFlow, a name ending in '/' (a scope name, e.g. 'input_producer/') is used as is.
    const name = opts.name !== undefined && opts.name.endsWith('/') && opts.name.length > 1
      ? this.exactName(opts.name.slice(0, -1)) : this.uniqueName(opts.name ?? type);
    if (!VALID_OP_NAME.test(name)) throw new InvalidArgumentError(`'${name}' is not a valid node name`);
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
    // The ops the new op reads from: both what was given and what it reads after a variable
    // handle turns into its read, so a control dependency on either is already implied.
    const inputOps = new Set<Operation>([...givenInputs.map((t) => t.op), ...inputs.map((t) => t.op)]);
    const control = [...new Set([
      ...this.controlDependenciesForInputs(inputOps),
      // Explicit control inputs (tf.group) act as one more, innermost block.
      ...(opts.controlInputs ?? []).filter((c) => !inputOps.has(c)),
    ])];
    const colocate = new Set<string>();
    const explicit: Operation[] = [...this.colocationStack, ...(opts.colocateWith ?? [])];
    for (const o of explicit) colocate.add(rootOfColocation(o));
    for (const i of def.resourceInputs ?? []) {
      const src = inputs[i];
      if (src) colocate.add(rootOfColocation(src.op));
    }
    const op = new Operation(this, this.ops.length, name, type, inputs, control, attrs, [...colocate]);
    specs.forEach((s, i) => op.outputs.push(new SymbolicTensor(op, i, s)));
    // `opts.colocateWith` stands for a colocate_with block opened by library code, which clears
    // the device scopes; inside a user's colocateWith block the stack holds only inner scopes.
    if (!opts.colocateWith?.length) this.applyDeviceScopes(op);
    // As TensorFlow 1.x's _create_op_helper: the op takes the device of the ops it is colocated
    // with, unless a device scope inside the block gave it a different one, which it keeps.
    for (const o of explicit) {
      if (!o.device) continue;
      if (op.device && op.device !== o.device) {
        warn(`Tried to colocate ${name} with an op ${o.name} that had a different device: `
          + `${op.device} vs ${o.device}. Ignoring colocation property.`);
      } else {
        op.setDevice(o.device);
      }
    }
    this.ops.push(op);
    this.byName.set(name, op);
    for (const c of this.controlStack) c.addOp(op);
    return op;
  }

  /**
   * TensorFlow's `_control_dependencies_for_inputs`: the control inputs of every open block,
   * except blocks that already built one of the op's inputs (the op waits for that block through
   * the input), and except ops that are already data inputs.
   */
  private controlDependenciesForInputs(inputOps: ReadonlySet<Operation>): Operation[] {
    const ret: Operation[] = [];
    for (const controller of this.controlStack) {
      let dominated = false;
      for (const op of inputOps) {
        if (controller.opInGroup(op)) { dominated = true; break; }
      }
      if (!dominated) ret.push(...controller.controlInputs.filter((c) => !inputOps.has(c)));
    }
    return ret;
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

/** One open control_dependencies block: its control inputs and the ops built inside it. */
class ControlDependenciesController {
  private readonly seen = new Set<Operation>();
  constructor(readonly controlInputs: readonly Operation[]) {}
  addOp(op: Operation): void { this.seen.add(op); }
  opInGroup(op: Operation): boolean { return this.seen.has(op); }
}

/** A collection key: TensorFlow allows any hashable; strings are the usual ones. */
export type CollectionKey = string | number | symbol;

/** add_to_collections' key list: a string is one key, anything else a list of keys, deduplicated. */
function collectionKeys(keys: CollectionKey | Iterable<CollectionKey>): CollectionKey[] {
  if (typeof keys === 'string' || typeof keys === 'number' || typeof keys === 'symbol') return [keys];
  if (keys === null || typeof keys !== 'object' || typeof (keys as Iterable<CollectionKey>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError(`Collection names must be a string or a list of them, not ${typeName(keys)}.`);
  }
  return [...new Set(keys)];
}

function hasName(x: unknown): x is { name: unknown } {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && 'name' in x;
}

/**
 * What an object stands for as a graph element before name lookup (TensorFlow's module-level
 * `_as_graph_element`): its `_asGraphElement()` (or `_as_graph_element()`) result; for a
 * variable, its handle (TensorFlow's Variable stands for its ref tensor, whose op is the variable
 * op); for another tensor-like object, its `toSymbolic()`. Undefined when nothing applies.
 */
function graphElementOf(obj: unknown): unknown {
  if (typeof obj !== 'object' || obj === null || obj instanceof SymbolicTensor || obj instanceof Operation) return undefined;
  const o = obj as Record<string, unknown>;
  for (const hook of ['_asGraphElement', '_as_graph_element']) {
    const fn = o[hook];
    if (typeof fn === 'function') {
      const r: unknown = fn.call(obj);
      if (r !== null && r !== undefined) return r;
    }
  }
  if (o['handle'] instanceof SymbolicTensor && o['op'] instanceof Operation) return o['handle'];
  if (typeof o['toSymbolic'] === 'function') return (o['toSymbolic'] as () => unknown).call(obj);
  return undefined;
}

/** Python's repr of a str, as TensorFlow's messages quote names. */
function pyRepr(s: string): string {
  if (s.includes("'") && !s.includes('"')) return `"${s.replace(/\\/g, '\\\\')}"`;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Python's `type(x).__name__`-like name for messages. */
function typeName(x: unknown): string {
  if (x === null) return 'NoneType';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'object';
}

function describeValue(x: unknown): string {
  if (typeof x !== 'object' || x === null) return String(x);
  const s = String(x);
  return s === '[object Object]' ? typeName(x) : s;
}

/** TensorFlow logs these graph-building warnings; they go to stderr here, as other logs do. */
function warn(message: string): void {
  process.stderr.write(`actorflow: warning: ${message}\n`);
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

// ---- collections of the default graph (TensorFlow's module-level tf.add_to_collection, ...) ----

export function addToCollection(key: CollectionKey, value: unknown): void {
  getDefaultGraph().addToCollection(key, value);
}

export function addToCollections(keys: CollectionKey | Iterable<CollectionKey>, value: unknown): void {
  getDefaultGraph().addToCollections(keys, value);
}

export function getCollection<T = unknown>(key: CollectionKey, scope?: string | null): T[] {
  return getDefaultGraph().getCollection<T>(key, scope);
}

export function getCollectionRef<T = unknown>(key: CollectionKey): T[] {
  return getDefaultGraph().getCollectionRef<T>(key);
}

export function getAllCollectionKeys(): string[] {
  return getDefaultGraph().getAllCollectionKeys();
}

/** random_seed.py's constants: seeds are kept below 2^31 - 1, the graph seed when only an op seed is given. */
const MAX_INT32 = 2147483647;
const DEFAULT_GRAPH_SEED = 87654321;

/** random_seed._truncate_seed: Python's `seed % _MAXINT32` (never negative). */
function truncateSeed(seed: number): number {
  return ((seed % MAX_INT32) + MAX_INT32) % MAX_INT32;
}

/** TensorFlow's ops.py _VALID_OP_NAME_REGEX and _VALID_SCOPE_NAME_REGEX. */
const VALID_OP_NAME = /^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$/;
const VALID_SCOPE_NAME = /^[A-Za-z0-9_.\-/>]*$/;
