/** The `with`-block scopes of TensorFlow as callbacks on the default graph. */
import { getDefaultGraph, type DeviceFunction, type Operation, type SymbolicTensor } from './graph.js';
import type { DeviceSpec } from './device_spec.js';

/** `tf.device(spec | fn | null, body)`: returns what body returns. */
export function device<T>(spec: string | DeviceSpec | DeviceFunction | null, fn: () => T): T {
  return getDefaultGraph().device(spec, fn);
}

/** `tf.container(name, body)`: stateful resources built inside go into that container. */
export function container<T>(name: string, fn: () => T): T {
  return getDefaultGraph().container(name, fn);
}

/** `tf.nameScope(name, body)`; body receives the scope prefix ("name/"). */
export function nameScope<T>(name: string | null, fn: (scope: string) => T): T {
  return getDefaultGraph().nameScope(name, fn);
}

/** `tf.variableScope(name, body)`: a name scope for variables and ops (no variable reuse store). */
export function variableScope<T>(name: string, fn: (scope: string) => T): T {
  return getDefaultGraph().nameScope(name, fn);
}

/** Ops, tensors, variables or names (anything graph.asGraphElement takes); null clears the outer ones. */
export function controlDependencies<T>(ops: Iterable<unknown> | null, fn: () => T): T {
  return getDefaultGraph().controlDependencies(ops, fn);
}

export function colocateWith<T>(op: Operation | SymbolicTensor | null, fn: () => T, opts: { ignoreExisting?: boolean } = {}): T {
  return getDefaultGraph().colocateWith(op, fn, opts);
}

/** `tf.setRandomSeed(seed)`: the graph-level seed. */
export function setRandomSeed(seed: number | null): void {
  getDefaultGraph().seed = seed;
}
