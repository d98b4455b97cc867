/**
 * Pruning and partitioning: the master keeps only what the fetches and targets need (fed tensors
 * cut the graph), then splits it per device and puts a _Send/_Recv pair on every edge that
 * crosses devices, one pair per (tensor, consuming device), so each tensor moves once per edge.
 */
import { InvalidArgumentError } from '../lib/framework/errors.js';
import type { NodeDef } from '../lib/framework/node_def.js';
import type { PartitionPlan } from './executor.js';
import { splitName } from './executor.js';

/** Names of the nodes needed to compute `fetches` and run `targets` given `feeds`. */
export function pruneGraph(all: Map<string, NodeDef>, feeds: Set<string>, fetches: string[], targets: string[]): Set<string> {
  const needed = new Set<string>();
  const stack: string[] = [];
  for (const f of fetches) if (!feeds.has(f)) stack.push(splitName(f)[0]);
  stack.push(...targets);
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    const node = all.get(name);
    if (!node) throw new InvalidArgumentError(`Fetch or target '${name}' is not in the graph`);
    needed.add(name);
    for (const input of node.inputs) {
      if (input.startsWith('^')) stack.push(input.slice(1));
      else if (!feeds.has(input)) stack.push(splitName(input)[0]);
    }
  }
  return needed;
}

export interface PartitionResult {
  /** Device path -> its partition. */
  partitions: Map<string, PartitionPlan>;
  /** For each fetch (in order): the device that returns it, or null if it is fed. */
  fetchDevices: (string | null)[];
  /** Count of tensors that cross devices (for tests and traces). */
  crossEdges: number;
}

export function partitionGraph(all: Map<string, NodeDef>, needed: Set<string>, placement: Map<string, string>,
  feeds: Set<string>, fetches: string[]): PartitionResult {
  const partitions = new Map<string, PartitionPlan>();
  const part = (device: string): PartitionPlan => {
    let p = partitions.get(device);
    if (!p) partitions.set(device, (p = { nodes: [], feeds: [], fetches: [] }));
    return p;
  };
  const recvNames = new Map<string, string>(); // `${tensorOrCtrl}|${dstDevice}` -> recv node name
  let crossEdges = 0;

  const crossing = (srcRef: string, isControl: boolean, src: string, dst: string): string => {
    const k = `${srcRef}|${dst}`;
    const existing = recvNames.get(k);
    if (existing) return existing;
    crossEdges++;
    const safe = `${srcRef}`.replace(/[:^]/g, '_');
    const key = `${srcRef};${src};${dst}`;
    const sendName = `_send/${safe}/to/${recvNames.size}`;
    const recvName = `_recv/${safe}/from/${recvNames.size}`;
    const [op, idx] = splitName(srcRef);
    const dtype = isControl ? 'bool' : all.get(op)!.outputDtypes?.[idx] ?? 'float32';
    part(src).nodes.push({
      name: sendName, op: '_Send', device: src,
      inputs: [isControl ? `^${op}` : srcRef],
      attrs: { key, recvDevice: dst },
    });
    part(dst).nodes.push({
      name: recvName, op: '_Recv', device: dst, inputs: [],
      attrs: { key, dtype, shape: null }, outputDtypes: [dtype],
    });
    recvNames.set(k, recvName);
    return recvName;
  };

  for (const name of needed) {
    const node = all.get(name)!;
    const dev = placement.get(name)!;
    const p = part(dev);
    const inputs: string[] = [];
    for (const input of node.inputs) {
      if (input.startsWith('^')) {
        const src = input.slice(1);
        const srcDev = placement.get(src)!;
        inputs.push(srcDev === dev ? input : `^${crossing(src, true, srcDev, dev)}`);
      } else if (feeds.has(input)) {
        if (!p.feeds.includes(input)) p.feeds.push(input);
        inputs.push(input);
      } else {
        const srcDev = placement.get(splitName(input)[0])!;
        inputs.push(srcDev === dev ? input : `${crossing(input, false, srcDev, dev)}:0`);
      }
    }
    p.nodes.push({ ...node, device: dev, inputs });
  }

  const fetchDevices = fetches.map((f) => {
    if (feeds.has(f)) return null;
    const dev = placement.get(splitName(f)[0])!;
    part(dev).fetches.push(f);
    return dev;
  });
  return { partitions, fetchDevices, crossEdges };
}
