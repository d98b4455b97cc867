/**
 * Control ops (TensorFlow's control_flow_ops.py / logging_ops.py): NoOp with tf.group and
 * tf.noOp, Assert (fails the step with InvalidArgumentError "assertion failed: ..."), Print.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { hasOpDef, registerKernel, registerOp } from '../framework/op_registry.js';
import { getDefaultGraph, Operation, type SymbolicTensor } from '../framework/graph.js';
import type { Tensor } from '../framework/tensor.js';
import { fmtShape } from './shape_fns.js';
import { kernelError } from './kernel_util.js';
import { asOperations, buildOp, buildOp1, nameOf, type NameOpt } from './op_builder.js';

// Guarded: lib/variables registers NoOp itself when it is used without the ops module.
if (!hasOpDef('NoOp')) {
  registerOp({ type: 'NoOp', inferOutputs: () => [] });
  registerKernel({ type: 'NoOp', deviceType: 'CPU', compute: () => [] });
}

/** At most `max` elements of t, as TensorFlow 1.x's SummarizeValue prints them ("1 2 3..."). */
export function summarize(t: Tensor, max: number): string {
  const n = t.data.length;
  const shown: string[] = [];
  for (let i = 0; i < Math.min(n, max); i++) {
    const v = t.data[i]!;
    shown.push(v instanceof Uint8Array ? new TextDecoder().decode(v) : t.dtype === 'bool' ? (v ? '1' : '0') : String(v));
  }
  return shown.join(' ') + (n > max ? '...' : '');
}

registerOp({
  type: 'Assert',
  stateful: true,
  inferOutputs: (info) => {
    const c = info.inputs[0]!;
    if (c.dtype !== 'bool') {
      throw new InvalidArgumentError(`Input 'condition' of 'Assert' Op has type ${c.dtype} that does not match expected type of bool (op '${info.name}')`, { op: info.name });
    }
    if (c.shape !== null && c.shape.length !== 0) {
      throw new InvalidArgumentError(`Shape must be rank 0 but is rank ${c.shape.length} for '${info.name}' (op: 'Assert') with input shapes: ${fmtShape(c.shape)}.`, { op: info.name });
    }
    return [];
  },
});
registerKernel({
  type: 'Assert',
  deviceType: 'CPU',
  compute: (ctx, [cond, ...data]) => {
    if (cond!.shape.length !== 0) throw kernelError(ctx, `In[0] should be a scalar: ${fmtShape(cond!.shape)}`);
    if (cond!.data[0]) return [];
    const n = Number(ctx.node.attrs['summarize'] ?? 3);
    throw kernelError(ctx, `assertion failed: ${data.map((t) => `[${summarize(t, n)}]`).join(' ')}`);
  },
});

registerOp({
  type: 'Print',
  stateful: true,
  inferOutputs: ({ inputs }) => [{ dtype: inputs[0]!.dtype, shape: inputs[0]!.shape }],
});
registerKernel({
  type: 'Print',
  deviceType: 'CPU',
  compute: (ctx, [x, ...data]) => {
    const firstN = Number(ctx.node.attrs['first_n'] ?? -1);
    const count = Number(ctx.kernelState['printed'] ?? 0);
    if (firstN < 0 || count < firstN) {
      ctx.kernelState['printed'] = count + 1;
      const n = Number(ctx.node.attrs['summarize'] ?? 3);
      const msg = String(ctx.node.attrs['message'] ?? '');
      // Logging goes to stderr, as TensorFlow's Print does.
      process.stderr.write(`${msg}${data.map((t) => `[${summarize(t, n)}]`).join('')}\n`);
    }
    return [x!];
  },
});

// ---- user functions -----------------------------------------------------------------------

/** `tf.noOp()`: an op that does nothing (a fetch target for control dependencies). */
export function noOp(opts?: NameOpt): Operation {
  return getDefaultGraph().createOp('NoOp', [], { name: nameOf(opts) ?? 'NoOp' });
}

/**
 * `tf.group(...ops)`: one NoOp that runs after all the given ops (tensors stand for their ops;
 * arrays are flattened). A trailing `{name}` object names it.
 */
export function group(...items: unknown[]): Operation {
  let name = 'group_deps';
  const last = items[items.length - 1];
  if (last !== null && typeof last === 'object' && !Array.isArray(last) && !(last instanceof Operation)
    && Object.keys(last).every((k) => k === 'name') && 'name' in last) {
    name = (last as { name: string }).name;
    items = items.slice(0, -1);
  }
  const ops = asOperations(items);
  const graph = ops[0]?.graph ?? getDefaultGraph();
  return graph.createOp('NoOp', [], { name, controlInputs: ops });
}

export interface AssertOptions { summarize?: number; name?: string }

/**
 * `tf.assert(condition, data?, {summarize?})` (TensorFlow's tf.Assert): an op that fails its step
 * with InvalidArgumentError "assertion failed: [...]" when condition is false. Strings in `data`
 * print as they are; tensors print their first `summarize` (default 3) elements.
 */
export function assert(condition: unknown, data: readonly unknown[] = [], opts: AssertOptions | string = {}): Operation {
  const o = typeof opts === 'string' ? { name: opts } : opts;
  return buildOp('Assert', 'Assert', [
    { value: condition, param: 'condition', dtype: 'bool' },
    ...data.map((d, i) => ({ value: d, param: `data_${i}` })),
  ], { name: o.name, attrs: { summarize: o.summarize ?? 3, T: data.length } });
}
export { assert as Assert };

export interface PrintOptions { message?: string; firstN?: number; summarize?: number; name?: string }

/** `tf.print(input, data, {message?, firstN?, summarize?})` (TF 1.x tf.Print): input, logging data to stderr when run. */
export function print(input: unknown, data: readonly unknown[] = [], opts: PrintOptions | string = {}): SymbolicTensor {
  const o = typeof opts === 'string' ? { message: opts } : opts;
  return buildOp1('Print', 'Print', [
    { value: input, param: 'input' }, ...data.map((d, i) => ({ value: d, param: `data_${i}` })),
  ], { name: o.name, attrs: { message: o.message ?? '', first_n: o.firstN ?? -1, summarize: o.summarize ?? 3 } });
}
export { print as Print };
