/**
 * Test helpers for ops: run one kernel with a minimal context, evaluate a symbolic tensor by
 * walking its graph on the CPU kernels (no session), and check thrown errors.
 */
import * as assert from 'uvu/assert';
import { findKernel } from '../../lib/framework/op_registry.js';
import type { KernelContext } from '../../lib/framework/kernel_context.js';
import { Operation, SymbolicTensor } from '../../lib/framework/graph.js';
import { Tensor } from '../../lib/framework/tensor.js';
import { OpError } from '../../lib/framework/errors.js';

const DEVICE = '/job:localhost/replica:0/task:0/device:CPU:0';

export function makeCtx(name: string, type: string, attrs: Record<string, unknown> = {}, kernelState: Record<string, unknown> = {}): KernelContext {
  return {
    node: { name, op: type, inputs: [], device: DEVICE, attrs },
    device: { path: DEVICE, type: 'CPU', index: 0, taskPath: '/job:localhost/replica:0/task:0' },
    resources: null as never,
    system: null as never,
    step: {
      stepId: 'test', signal: new AbortController().signal, deadline: null, sessionHandle: 'test',
      onEnd: () => undefined, onAbortAfterSuccess: () => undefined,
    },
    kernelState,
    deviceState: new Map(),
  };
}

/** Runs the CPU kernel of `type` directly. */
export async function runKernel(type: string, inputs: Tensor[], attrs: Record<string, unknown> = {}, name = 'k'): Promise<Tensor[]> {
  const k = findKernel(type, 'CPU', inputs.map((t) => t.dtype));
  if (!k) throw new Error(`no CPU kernel for ${type}`);
  return k.compute(makeCtx(name, type, attrs), inputs);
}

/** Kernel state per op name, so stateful kernels (random ops) persist across evaluations. */
export type KernelStates = Map<string, Record<string, unknown>>;

/**
 * Evaluates `fetch` by running the CPU kernel of every op it depends on (control inputs too),
 * each once. Feeds replace tensors by name.
 */
export async function evaluate(fetch: SymbolicTensor | Operation, feeds: Map<SymbolicTensor, Tensor> = new Map(),
  states: KernelStates = new Map()): Promise<Tensor | null> {
  const done = new Map<Operation, Tensor[]>();
  const byName = new Map([...feeds].map(([k, v]) => [k.name, v]));
  const visit = async (op: Operation): Promise<Tensor[]> => {
    const have = done.get(op);
    if (have) return have;
    for (const c of op.controlInputs) await visit(c);
    const inputs: Tensor[] = [];
    for (const t of op.inputs) inputs.push(byName.get(t.name) ?? (await visit(t.op))[t.valueIndex]!);
    const k = findKernel(op.type, 'CPU', inputs.map((t) => t.dtype));
    if (!k) throw new Error(`no CPU kernel for ${op.type}`);
    const state = states.get(op.name) ?? {};
    states.set(op.name, state);
    const nd = op.toNodeDef();
    const ctx = makeCtx(nd.name, nd.op, nd.attrs, state);
    const out = await k.compute(ctx, inputs);
    done.set(op, out);
    return out;
  };
  if (fetch instanceof Operation) {
    await visit(fetch);
    return null;
  }
  const fed = byName.get(fetch.name);
  if (fed) return fed;
  return (await visit(fetch.op))[fetch.valueIndex]!;
}

/** The value of `fetch` as nested arrays. */
export async function value(fetch: SymbolicTensor, feeds?: Map<SymbolicTensor, Tensor>): Promise<unknown> {
  return (await evaluate(fetch, feeds))!.toArray();
}

/** Asserts fn throws an instance of `cls` whose message matches `re`; returns the error. */
export function throwsError<E extends Error>(fn: () => unknown, cls: new (...a: never[]) => E, re: RegExp): E {
  try {
    fn();
  } catch (e) {
    assert.instance(e, cls, `expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.match((e as Error).message, re);
    return e as E;
  }
  assert.unreachable(`expected ${cls.name} matching ${re}`);
  throw new Error('unreachable');
}

/** Async version of throwsError. */
export async function rejectsWith<E extends Error>(p: Promise<unknown> | (() => Promise<unknown>), cls: new (...a: never[]) => E, re: RegExp): Promise<E> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.instance(e, cls, `expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.match((e as Error).message, re);
    return e as E;
  }
  assert.unreachable(`expected ${cls.name} matching ${re}`);
  throw new Error('unreachable');
}

/** Asserts the error (an OpError) names op `name`, in its message or its `op` field. */
export function namesOp(e: Error, name: string): void {
  const op = e instanceof OpError ? e.op : null;
  assert.ok(op === name || e.message.includes(`'${name}'`), `error does not name op ${name}: ${e.message} (op=${op})`);
}

/** Float comparison of nested arrays. */
export function close(actual: unknown, expected: unknown, eps = 1e-5): void {
  const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [Number(x)]);
  const a = flat(actual);
  const b = flat(expected);
  assert.is(a.length, b.length, `length ${a.length} vs ${b.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= eps * Math.max(1, Math.abs(b[i]!)), `element ${i}: ${v} vs ${b[i]}`));
}
