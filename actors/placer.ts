/**
 * Placement, as TensorFlow's master does it: explicit devices from device scopes, colocation
 * groups (resource consumers, initialisers), then defaults: unpinned stateful resources go to the
 * cluster-wide default device, other unpinned ops to the master's default device (first GPU,
 * else CPU). A device the task lacks is an error listing what it has, unless soft placement.
 */
import { InvalidArgumentError, UnavailableError, type OpError } from '../lib/framework/errors.js';
import { DeviceSpec } from '../lib/framework/device_spec.js';
import { findKernel, getOpDef } from '../lib/framework/op_registry.js';
import type { DType } from '../lib/framework/dtypes.js';
import type { NodeDef } from '../lib/framework/node_def.js';
import type { DeviceInfo } from '../lib/framework/kernel_context.js';
import { HOST_OPS, splitName } from './executor.js';

export interface PlacementContext {
  /** `{job, task}` of the master that places the graph. */
  master: { job: string; task: number };
  /** Where unpinned resources go: `/job:ps/task:0` if a ps job exists, else the first task. */
  resourceDefault: { job: string; task: number };
  /** Devices of every task, keyed by task path `/job:J/replica:0/task:T`. */
  devices: Map<string, DeviceInfo[]>;
  allowSoftPlacement: boolean;
  /** Tasks of the cluster that could not be reached, with why. */
  unreachable?: Map<string, OpError>;
}

/** Returns a canonical device path for every node named in `names` (and their colocation roots). */
export function placeNodes(all: Map<string, NodeDef>, names: Iterable<string>, ctx: PlacementContext): Map<string, string> {
  const groups = colocationGroups(all, names);
  const placed = new Map<string, string>();
  for (const members of groups.values()) {
    const device = placeGroup(members.map((n) => all.get(n)!), all, ctx);
    for (const m of members) placed.set(m, device);
  }
  return placed;
}

function colocationGroups(all: Map<string, NodeDef>, names: Iterable<string>): Map<string, string[]> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const add = (x: string): void => {
    if (parent.has(x)) return;
    if (!all.has(x)) throw new InvalidArgumentError(`Node '${x}' is referenced for colocation but not in the graph`);
    parent.set(x, x);
    for (const c of all.get(x)!.colocate ?? []) {
      add(c);
      const a = find(x);
      const b = find(c);
      // The colocation target stays the root, so its requested device leads.
      if (a !== b) parent.set(a, b);
    }
  };
  for (const n of names) add(n);
  const groups = new Map<string, string[]>();
  for (const x of parent.keys()) {
    const r = find(x);
    const g = groups.get(r) ?? [];
    if (x === r) g.unshift(x); else g.push(x);
    groups.set(r, g);
  }
  return groups;
}

function placeGroup(members: NodeDef[], all: Map<string, NodeDef>, ctx: PlacementContext): string {
  const spec = new DeviceSpec();
  for (const m of members) {
    if (!m.device) continue;
    const s = DeviceSpec.fromString(m.device);
    // The first member that names a field decides it (the root comes first).
    if (spec.job === null) spec.job = s.job;
    if (spec.replica === null) spec.replica = s.replica;
    if (spec.task === null) spec.task = s.task;
    if (spec.deviceType === null) { spec.deviceType = s.deviceType; spec.deviceIndex = s.deviceIndex; }
  }
  const isResource = members.some((m) => getOpDef(m.op).resource !== undefined);
  const requested = spec.toString();
  if (spec.job === null) {
    const d = isResource ? ctx.resourceDefault : ctx.master;
    spec.job = d.job;
    spec.task = spec.task ?? d.task;
  }
  spec.task ??= 0;
  spec.replica ??= 0;
  const taskPath = `/job:${spec.job}/replica:${spec.replica}/task:${spec.task}`;
  const devices = ctx.devices.get(taskPath);
  if (!devices) {
    const why = ctx.unreachable?.get(taskPath);
    if (why) {
      throw new UnavailableError(`Cannot place operation '${members[0]!.name}' on ${taskPath}: the task is unreachable (${why.message})`,
        { op: members[0]!.name });
    }
    throw new InvalidArgumentError(
      `Cannot assign a device for operation '${members[0]!.name}': task ${taskPath} is not in the cluster (requested '${requested}')`,
      { op: members[0]!.name });
  }
  if (spec.deviceType === null) {
    const gpu = devices.find((d) => d.type === 'GPU');
    spec.deviceType = !isResource && gpu ? 'GPU' : 'CPU';
    spec.deviceIndex = 0;
  }
  spec.deviceIndex ??= 0;
  let path = spec.toString();
  const exists = devices.some((d) => d.path === path);
  if (!exists) {
    if (!ctx.allowSoftPlacement) {
      throw new InvalidArgumentError(
        `Cannot assign a device for operation '${members[0]!.name}': Operation was explicitly assigned to ${path} but available devices are [ ${devices.map((d) => d.path).join(', ')} ]. Make sure the device specification refers to a valid device.`,
        { op: members[0]!.name });
    }
    path = softDevice(devices, spec.deviceType);
  }
  if (!path.endsWith('/device:CPU:0') && !kernelsExist(members, all, path)) {
    if (!ctx.allowSoftPlacement) {
      const bad = members.find((m) => !hasKernel(m, all, deviceType(path)))!;
      throw new InvalidArgumentError(
        `Cannot assign a device for operation '${bad.name}': Could not satisfy explicit device specification '${path}' because no supported kernel for ${deviceType(path)} devices is available for ${bad.op} with input types [${inputDtypes(bad, all).join(', ')}]. Use allowSoftPlacement to run it on the task's CPU.`,
        { op: bad.name });
    }
    path = `${taskPath}/device:CPU:0`;
  }
  return path;
}

function softDevice(devices: DeviceInfo[], type: string): string {
  const sameType = devices.find((d) => d.type === type);
  return (sameType ?? devices.find((d) => d.type === 'CPU') ?? devices[0]!).path;
}

function deviceType(path: string): string {
  return DeviceSpec.fromString(path).deviceType ?? 'CPU';
}

function kernelsExist(members: NodeDef[], all: Map<string, NodeDef>, path: string): boolean {
  const type = deviceType(path);
  return members.every((m) => hasKernel(m, all, type));
}

function hasKernel(m: NodeDef, all: Map<string, NodeDef>, type: string): boolean {
  if (HOST_OPS.has(m.op)) return true;
  return findKernel(m.op, type, inputDtypes(m, all)) !== null;
}

function inputDtypes(m: NodeDef, all: Map<string, NodeDef>): DType[] {
  const out: DType[] = [];
  for (const i of m.inputs) {
    if (i.startsWith('^')) continue;
    const [op, idx] = splitName(i);
    const d = all.get(op)?.outputDtypes?.[idx];
    if (d) out.push(d as DType);
  }
  return out;
}
