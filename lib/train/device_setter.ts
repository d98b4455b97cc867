/**
 * TensorFlow's replica_device_setter (tensorflow/python/training/device_setter.py) and its load
 * balancing strategies (tensorflow/contrib/training/python/training/device_setter.py): a device
 * function that puts variables (ps ops) on the ps tasks and everything else on the worker.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../framework/errors.js';
import { DeviceSpec } from '../framework/device_spec.js';
import { ClusterSpec, type ClusterDict } from './cluster_spec.js';
import { dtypeSize, type DType } from '../framework/dtypes.js';
import { getOpDef, hasOpDef, type StaticShape } from '../framework/op_registry.js';
import type { DeviceFunction, Operation } from '../framework/graph.js';

/** Op types placed on parameter servers by default (TensorFlow's STANDARD_PS_OPS). */
export const STANDARD_PS_OPS: readonly string[] = Object.freeze([
  'Variable', 'VariableV2', 'AutoReloadVariable', 'MutableHashTable', 'MutableHashTableV2',
  'MutableHashTableOfTensors', 'MutableHashTableOfTensorsV2', 'MutableDenseHashTable',
  'MutableDenseHashTableV2', 'VarHandleOp',
]);

/** A load-balancing strategy: an object with `call(op)` or a plain function, giving a ps task. */
export type PsStrategy = ((op: Operation) => number) | { call(op: Operation): number };

/** `GreedyLoadBalancingStrategy`: each op goes to the least loaded task (ties: lowest index). */
export class GreedyLoadBalancingStrategy {
  readonly numTasks: number;
  readonly loadFn: (op: Operation) => number;
  private readonly loads: number[];

  constructor(numTasks: number, loadFn: (op: Operation) => number = byteSizeLoadFn) {
    if (!Number.isInteger(numTasks) || numTasks <= 0) {
      throw new InvalidArgumentError(`numTasks must be a positive integer, got ${numTasks}`);
    }
    if (typeof loadFn !== 'function') throw new InvalidArgumentError('loadFn must be callable');
    this.numTasks = numTasks;
    this.loadFn = loadFn;
    this.loads = new Array<number>(numTasks).fill(0);
  }

  /** The task for `op`; its load is then added to that task. */
  call(op: Operation): number {
    let task = 0;
    for (let i = 1; i < this.loads.length; i++) if (this.loads[i]! < this.loads[task]!) task = i;
    this.loads[task]! += this.loadFn(op);
    return task;
  }

  /** The load assigned to each task so far. */
  get taskLoads(): readonly number[] { return [...this.loads]; }
}

/** `RandomStrategy(numPsTasks, seed = 0)`: int(md5(`${op.name}_${seed}`)) % numPsTasks. */
export class RandomStrategy {
  readonly numTasks: number;
  readonly seed: number;

  constructor(numPsTasks: number, seed = 0) {
    if (!Number.isInteger(numPsTasks) || numPsTasks <= 0) {
      throw new InvalidArgumentError(`numPsTasks must be a positive integer, got ${numPsTasks}`);
    }
    this.numTasks = numPsTasks;
    this.seed = seed;
  }

  call(op: Operation): number {
    const hex = createHash('md5').update(`${op.name}_${this.seed}`).digest('hex');
    return Number(BigInt(`0x${hex}`) % BigInt(this.numTasks));
  }
}

function isFullyDefined(s: StaticShape | undefined): s is number[] {
  return Array.isArray(s) && s.every((d) => typeof d === 'number' && d >= 0);
}

function fmt(s: StaticShape | undefined): string {
  return s === null || s === undefined ? '<unknown>' : `(${s.map((d) => d ?? '?').join(', ')})`;
}

/**
 * `byteSizeLoadFn(op)`: bytes of the op's single output (elements times dtype size). A variable
 * whose output is a resource handle (a scalar string) or has no fully known shape is measured by
 * its `dtype` and `shape` attrs, as TensorFlow does for scalar Variable ops.
 */
export function byteSizeLoadFn(op: Operation): number {
  const outputs = op.outputs ?? [];
  if (outputs.length !== 1) throw new InvalidArgumentError(`Op ${op.name} must have a single output`);
  const out = outputs[0]!;
  const attrs = op.attrs ?? {};
  const isResource = hasOpDef(op.type) && getOpDef(op.type).resource !== undefined;
  const attrDType = attrs['dtype'] as DType | undefined;
  let dtype: DType = out.dtype;
  let shape: StaticShape | undefined = out.shape;
  if ((isResource || out.dtype === 'string') && attrDType !== undefined && attrDType !== out.dtype) {
    dtype = attrDType;
    shape = attrs['shape'] as StaticShape | undefined;
  } else if (!isFullyDefined(shape) && attrs['shape'] !== undefined) {
    shape = attrs['shape'] as StaticShape;
  }
  if (!isFullyDefined(shape)) throw new InvalidArgumentError(`Shape ${fmt(shape)} is not fully defined`);
  return shape.reduce((n, d) => n * d, 1) * dtypeSize(dtype);
}

/**
 * What `cluster` may be, as in TF: a ClusterSpec (or anything with its `asDict()`), a
 * `{job: [addresses] | {index: address}}` dict, or a ClusterDef `{job: [{name, tasks}]}`.
 */
export type ClusterLike =
  | ClusterSpec
  | { asDict(): Record<string, unknown> }
  | { numTasks(job: string): number; jobs: readonly string[] }
  | { job: { name: string; tasks: Record<number, string> }[] }
  | Record<string, readonly string[] | Record<number, string>>;

/** Number of tasks of `job` in a cluster, or null when the cluster has no such job. */
function clusterTasks(cluster: ClusterLike, job: string | null): number | null {
  if (job === null) return null;
  const c = cluster as Record<string, unknown>;
  // Duck-typed ClusterSpec-likes (another copy of the class, a test double) are asked directly.
  if (!(cluster instanceof ClusterSpec) && typeof c['numTasks'] === 'function' && Array.isArray(c['jobs'])) {
    return (c['jobs'] as string[]).includes(job) ? (c['numTasks'] as (j: string) => number)(job) : null;
  }
  // Everything else goes through ClusterSpec, as TF's replica_device_setter does with
  // `ClusterSpec(cluster).as_dict()`: that is what tells a ClusterDef `{job: [{name, tasks}]}`
  // apart from a dict holding one job called "job", and it validates the task lists.
  const spec = cluster instanceof ClusterSpec ? cluster
    : new ClusterSpec(typeof c['asDict'] === 'function'
      ? (c['asDict'] as () => ClusterDict)()
      : cluster as ClusterDict);
  return spec.jobs.includes(job) ? spec.numTasks(job) : null;
}

export interface ReplicaDeviceSetterOptions {
  /** Number of ps tasks (ignored when `cluster` is given). Default 0. */
  psTasks?: number;
  /** Device of the ps ops. Default '/job:ps'. */
  psDevice?: string | null;
  /** Device of every other op. Default '/job:worker'. */
  workerDevice?: string | null;
  /** Merge with the op's own device (true) or keep an op's device untouched if it has one. Default true. */
  mergeDevices?: boolean;
  /** A ClusterSpec, its dict or its ClusterDef: psTasks becomes the number of tasks of psDevice's job. */
  cluster?: ClusterLike | null;
  /** Op types that go on ps tasks. Default STANDARD_PS_OPS. */
  psOps?: readonly string[] | null;
  /** Chooses the ps task of each ps op. Default: round robin over psTasks. */
  psStrategy?: PsStrategy | null;
}

/** A ps strategy as a function of the op. */
function strategyFn(s: PsStrategy): (op: Operation) => number {
  if (typeof s === 'function') return s;
  if (s !== null && typeof s === 'object' && typeof (s as { call?: unknown }).call === 'function') {
    return (op) => (s as { call(op: Operation): number }).call(op);
  }
  throw new InvalidArgumentError('ps_strategy must be callable');
}

function roundRobin(numTasks: number): (op: Operation) => number {
  let next = 0;
  return () => {
    const t = next;
    next = (next + 1) % numTasks;
    return t;
  };
}

/**
 * `tf.train.replicaDeviceSetter(opts)`: a device function for `tf.device`, or null where
 * TensorFlow returns None (no ps tasks; a cluster without the ps job), which makes
 * `tf.device(null, ...)` clear the outer device scopes, exactly as in TensorFlow.
 */
export function replicaDeviceSetter(opts: ReplicaDeviceSetterOptions = {}): DeviceFunction | null {
  const psDevice = opts.psDevice === undefined ? '/job:ps' : opts.psDevice;
  const workerDevice = opts.workerDevice === undefined ? '/job:worker' : opts.workerDevice;
  const mergeDevices = opts.mergeDevices ?? true;
  let psTasks = opts.psTasks ?? 0;
  if (opts.cluster !== undefined && opts.cluster !== null) {
    const n = clusterTasks(opts.cluster, DeviceSpec.fromString(psDevice ?? '').job);
    if (n === null) return null;
    psTasks = n;
  }
  if (!Number.isInteger(psTasks) || psTasks < 0) throw new InvalidArgumentError(`psTasks must be a non-negative integer, got ${psTasks}`);
  if (psTasks === 0) return null;
  const psOps = new Set(opts.psOps ?? STANDARD_PS_OPS);
  const defaultOps = opts.psOps === undefined || opts.psOps === null;
  const strategy = opts.psStrategy === undefined || opts.psStrategy === null
    ? roundRobin(psTasks) : strategyFn(opts.psStrategy);
  // Parse once; copies are merged per op.
  const psSpec = psDevice ? DeviceSpec.fromString(psDevice) : null;
  const workerSpec = DeviceSpec.fromString(workerDevice ?? '');

  const isPsOp = (type: string): boolean =>
    psOps.has(type) || (defaultOps && hasOpDef(type) && getOpDef(type).resource === 'variable');

  return (op: Operation): string => {
    if (!mergeDevices && op.device) return op.device;
    const current = DeviceSpec.fromString(op.device || '');
    const type = op.type ?? (op as unknown as { op: string }).op;
    if (psSpec !== null && isPsOp(type)) {
      const spec = psSpec.clone();
      // The strategy runs (and round robin advances) only when the op's own job does not
      // override the ps job.
      if (spec.job !== null && (current.job === null || current.job === spec.job)) spec.task = strategy(op);
      return spec.mergeFrom(current).toString();
    }
    return workerSpec.clone().mergeFrom(current).toString();
  };
}
