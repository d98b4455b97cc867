/**
 * The op registry: one definition per op type (TensorFlow's name, e.g. 'MatMul'), holding its
 * build-time inference, and a kernel registry keyed by (op type, device type), modelled on
 * tfjs-core's kernel_registry.ts. Ops register themselves by importing their module.
 */
import { InvalidArgumentError, NotFoundError } from './errors.js';
import type { DType } from './dtypes.js';
import type { Tensor } from './tensor.js';
import type { KernelContext } from './kernel_context.js';

/** A static shape: null = unknown rank; a null entry = unknown dimension. */
export type StaticShape = (number | null)[] | null;

export interface OutputSpec {
  dtype: DType;
  shape: StaticShape;
}

/** What a shape function sees while an op is being built. */
export interface InferenceInput {
  name: string;
  type: string;
  inputs: readonly OutputSpec[];
  attrs: Readonly<Record<string, unknown>>;
  /** Constant values of inputs where they are known at build time (Const ops). */
  constantInputs: readonly (Tensor | null)[];
}

export type ResourceKind = 'variable' | 'queue' | 'reader';

export interface OpDef {
  type: string;
  /** Build-time dtype/shape inference; throws InvalidArgumentError naming the op on mistakes. */
  inferOutputs(info: InferenceInput): OutputSpec[];
  /** Has side effects or state: never cached, never folded. */
  stateful?: boolean;
  /** Creates (or looks up) a resource; unpinned it goes to the cluster-wide default device. */
  resource?: ResourceKind;
  /** Input indices that carry a resource handle: the op runs on that resource's device. */
  resourceInputs?: readonly number[];
  /** Op blocks waiting on others (queue dequeue/enqueue, reader read); cancellation matters. */
  blocking?: boolean;
}

export type KernelFn = (ctx: KernelContext, inputs: Tensor[]) => Tensor[] | Promise<Tensor[]>;

export interface KernelDef {
  type: string;
  deviceType: 'CPU' | 'GPU' | string;
  /** dtypes this kernel accepts for its inputs; undefined = all. GPU kernels list float32. */
  dtypes?: readonly DType[];
  compute: KernelFn;
}

const opDefs = new Map<string, OpDef>();
const kernels = new Map<string, KernelDef[]>();

export function registerOp(def: OpDef): void {
  if (opDefs.has(def.type)) throw new InvalidArgumentError(`Op ${def.type} is registered twice`);
  opDefs.set(def.type, def);
}

export function getOpDef(type: string): OpDef {
  const d = opDefs.get(type);
  if (!d) throw new NotFoundError(`Op type not registered '${type}'`);
  return d;
}

export function hasOpDef(type: string): boolean {
  return opDefs.has(type);
}

export function registerKernel(def: KernelDef): void {
  const list = kernels.get(def.type) ?? [];
  if (list.some((k) => k.deviceType === def.deviceType)) {
    throw new InvalidArgumentError(`Kernel ${def.type} for ${def.deviceType} is registered twice`);
  }
  list.push(def);
  kernels.set(def.type, list);
}

/** The kernel for (type, device type) that accepts these dtypes, or null. */
export function findKernel(type: string, deviceType: string, dtypes?: readonly DType[]): KernelDef | null {
  const list = kernels.get(type);
  if (!list) return null;
  for (const k of list) {
    if (k.deviceType !== deviceType) continue;
    if (k.dtypes && dtypes && !dtypes.every((d) => k.dtypes!.includes(d))) continue;
    return k;
  }
  return null;
}

export function registeredOpTypes(): string[] {
  return [...opDefs.keys()].sort();
}
