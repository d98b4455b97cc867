/**
 * Names of private resources (a queue or reader built without shared_name): `_<k>_<node name>`,
 * with k a per-device counter shared by every kind, as TensorFlow's ResourceMgr does. The name is
 * made once per (session, node) on a device: TensorFlow keeps stateful kernels per session (its
 * OpSegment), so a session's private queue or reader keeps its state when the graph is extended
 * or run with other fetches, each of which registers a new partition (and a fresh kernelState).
 */
import type { KernelContext } from './kernel_context.js';

const COUNTER_KEY = 'resource_manager.uniqueId';

export function privateResourceName(ctx: KernelContext, kind: string): string {
  const stateKey = `${kind}.privateName`;
  const cached = ctx.kernelState[stateKey] as string | undefined;
  if (cached) return cached;
  const namesKey = `${kind}.privateNames`;
  let names = ctx.deviceState.get(namesKey) as Map<string, string> | undefined;
  if (!names) ctx.deviceState.set(namesKey, (names = new Map()));
  const key = `${ctx.step.sessionHandle}\u0000${ctx.node.name}`;
  let name = names.get(key);
  if (!name) {
    const k = (ctx.deviceState.get(COUNTER_KEY) as number | undefined) ?? 0;
    ctx.deviceState.set(COUNTER_KEY, k + 1);
    names.set(key, (name = `_${k}_${ctx.node.name}`));
  }
  ctx.kernelState[stateKey] = name;
  return name;
}
