/**
 * The variable ops, with TensorFlow's names: VariableV2 finds or creates the variable actor on its
 * device and outputs a scalar string handle (the actor's path); VariableRead, Assign, AssignAdd,
 * AssignSub, CountUpTo and IsVariableInitialized take that handle as input 0 (so the graph
 * colocates them with the variable) and send one message to the actor per step.
 */
import { InvalidArgumentError, NotFoundError } from '../framework/errors.js';
import { asDType, tfTypeName, type DType } from '../framework/dtypes.js';
import { registerKernel, registerOp, type InferenceInput, type KernelFn, type OutputSpec, type StaticShape } from '../framework/op_registry.js';
import type { KernelContext } from '../framework/kernel_context.js';
import { needsReadback, Tensor, toHostTensor } from '../framework/tensor.js';
import { VariableActor, type VariableRequest } from '../../actors/variable_actor.js';
import { mergeShapes } from './variable_shapes.js';

/** The ResourceManager kind under which variables live. */
export const VARIABLE_KIND = 'variable';

export const VARIABLE_OP_TYPES = [
  'VariableV2', 'VariableRead', 'VariableInitializedValue', 'Assign', 'AssignAdd', 'AssignSub', 'CountUpTo', 'IsVariableInitialized',
  'UninitializedVariableNames',
] as const;

function checkHandle(info: InferenceInput): void {
  const h = info.inputs[0];
  if (!h || h.dtype !== 'string' || (h.shape !== null && h.shape.length !== 0)) {
    throw new InvalidArgumentError(`${info.type} '${info.name}' needs a variable handle (a scalar string from VariableV2) as input 0`, { op: info.name });
  }
}

function checkValue(info: InferenceInput, dtype: DType): OutputSpec {
  const v = info.inputs[1];
  if (!v) throw new InvalidArgumentError(`${info.type} '${info.name}' needs a value as input 1`, { op: info.name });
  if (v.dtype !== dtype) {
    throw new InvalidArgumentError(
      `Input 'value' of '${info.type}' Op has type ${tfTypeName(v.dtype)} that does not match type ${tfTypeName(dtype)} of the variable (op '${info.name}')`,
      { op: info.name });
  }
  return v;
}

registerOp({
  type: 'VariableV2',
  resource: 'variable',
  stateful: true,
  inferOutputs: ({ attrs }) => {
    asDType(attrs['dtype']);
    return [{ dtype: 'string', shape: [] }];
  },
});

registerOp({
  type: 'VariableRead',
  stateful: true,
  resourceInputs: [0],
  inferOutputs: (info) => {
    checkHandle(info);
    return [{ dtype: asDType(info.attrs['dtype']), shape: (info.attrs['shape'] as StaticShape) ?? null }];
  },
});

/**
 * `v.initializedValue()`: the value when the variable is initialized, else its initial value
 * (input 1). TensorFlow builds this as a cond over IsVariableInitialized; one op does the same
 * here, since the executor has no Switch/Merge.
 */
registerOp({
  type: 'VariableInitializedValue',
  stateful: true,
  resourceInputs: [0],
  inferOutputs: (info) => {
    checkHandle(info);
    const dtype = asDType(info.attrs['dtype']);
    const v = checkValue(info, dtype);
    return [{ dtype, shape: (info.attrs['shape'] as StaticShape) ?? v.shape }];
  },
});

registerOp({
  type: 'Assign',
  stateful: true,
  resourceInputs: [0],
  inferOutputs: (info) => {
    checkHandle(info);
    const dtype = asDType(info.attrs['T']);
    const v = checkValue(info, dtype);
    if (info.attrs['read_value'] === false) return [];
    const varShape = (info.attrs['var_shape'] as StaticShape) ?? null;
    const shape = info.attrs['validate_shape'] === false ? v.shape : mergeShapes(varShape, v.shape, info.name, 'Assign');
    return [{ dtype, shape }];
  },
});

for (const type of ['AssignAdd', 'AssignSub'] as const) {
  registerOp({
    type,
    stateful: true,
    resourceInputs: [0],
    inferOutputs: (info) => {
      checkHandle(info);
      const dtype = asDType(info.attrs['T']);
      if (dtype === 'string' || dtype === 'bool') {
        throw new InvalidArgumentError(`${type} does not support dtype ${dtype} (op '${info.name}')`, { op: info.name });
      }
      const v = checkValue(info, dtype);
      const shape = mergeShapes((info.attrs['var_shape'] as StaticShape) ?? null, v.shape, info.name, type);
      return info.attrs['read_value'] === false ? [] : [{ dtype, shape }];
    },
  });
}

registerOp({
  type: 'CountUpTo',
  stateful: true,
  resourceInputs: [0],
  inferOutputs: (info) => {
    checkHandle(info);
    const dtype = asDType(info.attrs['T']);
    if (dtype !== 'int32' && dtype !== 'int64') {
      throw new InvalidArgumentError(`Value for attr 'T' of ${tfTypeName(dtype)} is not in the list of allowed values: int32, int64 (op '${info.name}')`, { op: info.name });
    }
    const limit = info.attrs['limit'];
    if (typeof limit !== 'number' && typeof limit !== 'bigint') {
      throw new InvalidArgumentError(`CountUpTo '${info.name}' needs an integer limit`, { op: info.name });
    }
    return [{ dtype, shape: [] }];
  },
});

registerOp({
  type: 'IsVariableInitialized',
  stateful: true,
  resourceInputs: [0],
  inferOutputs: (info) => {
    checkHandle(info);
    return [{ dtype: 'bool', shape: [] }];
  },
});

/** The names (attr `names`) whose boolean input is false: tf.reportUninitializedVariables. */
registerOp({
  type: 'UninitializedVariableNames',
  inferOutputs: (info) => {
    const names = info.attrs['names'] as string[];
    if (!Array.isArray(names) || names.length !== info.inputs.length || info.inputs.some((i) => i.dtype !== 'bool')) {
      throw new InvalidArgumentError(`UninitializedVariableNames '${info.name}' needs one bool input per name`, { op: info.name });
    }
    return [{ dtype: 'string', shape: [null] }];
  },
});

// ---- kernels ------------------------------------------------------------------------------

/**
 * Registers a kernel for CPU and, unchanged, for GPU devices: a variable pinned to `/gpu:i` keeps
 * its value in host memory in that device's resource manager, so GPU-resident inputs are read
 * back first (the executor does that itself only for CPU kernels).
 */
function registerHostKernel(def: { type: string; compute: KernelFn }): void {
  registerKernel({ type: def.type, deviceType: 'CPU', compute: def.compute });
  registerKernel({
    type: def.type,
    deviceType: 'GPU',
    compute: (ctx, inputs) => (inputs.some(needsReadback)
      ? Promise.all(inputs.map(toHostTensor)).then((host) => def.compute(ctx, host))
      : def.compute(ctx, inputs)),
  });
}

interface VariableKernelState {
  actor?: VariableActor;
  handle?: Tensor;
}

registerHostKernel({
  type: 'VariableV2',
  compute: (ctx) => {
    const st = ctx.kernelState as VariableKernelState;
    // The handle stays valid until the container is reset; then the variable is made anew.
    if (st.actor && !st.actor.isStopped && st.handle) return [st.handle];
    const attrs = ctx.node.attrs;
    const dtype = asDType(attrs['dtype']);
    const shape = (attrs['shape'] as StaticShape | undefined) ?? null;
    const container = (attrs['container'] as string | undefined) ?? '';
    const sharedName = attrs['shared_name'] as string | undefined;
    const name = sharedName || ctx.node.name;
    const actor = ctx.resources.lookupOrCreate<VariableActor>(container, VARIABLE_KIND, name,
      (path) => new VariableActor(path, { name, container, device: ctx.device.path, dtype, shape }),
      (existing) => {
        existing.checkCompatible(dtype, shape);
      });
    st.actor = actor;
    st.handle = new Tensor('string', [], [actor.path]);
    return [st.handle];
  },
});

/** Sends `msg` to the variable a handle names: in process when local (the colocated case). */
function ask<R>(ctx: KernelContext, handle: Tensor | undefined, msg: VariableRequest): Promise<R> {
  const path = handle?.data[0];
  if (typeof path !== 'string') {
    return Promise.reject(new InvalidArgumentError(`${ctx.node.op} '${ctx.node.name}' got no variable handle`));
  }
  const local = ctx.system.lookup(path);
  if (local) return local.deliver<R>(msg, ctx.step.signal);
  if (ctx.system.isLocal(path)) {
    return Promise.reject(new NotFoundError(`Resource ${path} does not exist (its container may have been reset)`));
  }
  return ctx.system.ask<R>(path, msg, { signal: ctx.step.signal });
}

function opRef(ctx: KernelContext): { name: string; type: string } {
  return { name: ctx.node.name, type: ctx.node.op };
}

registerHostKernel({
  type: 'VariableRead',
  compute: async (ctx, inputs) => [await ask<Tensor>(ctx, inputs[0], { type: 'read', op: opRef(ctx) })],
});

registerHostKernel({
  type: 'VariableInitializedValue',
  compute: async (ctx, inputs) => {
    const initialized = await ask<Tensor>(ctx, inputs[0], { type: 'isInitialized' });
    if (initialized.data[0]) return [await ask<Tensor>(ctx, inputs[0], { type: 'read', op: opRef(ctx) })];
    return [inputs[1]!];
  },
});

registerHostKernel({
  type: 'Assign',
  compute: async (ctx, inputs) => {
    const readValue = ctx.node.attrs['read_value'] !== false;
    const out = await ask<Tensor | null>(ctx, inputs[0], {
      type: 'assign', value: inputs[1]!, validateShape: ctx.node.attrs['validate_shape'] !== false, readValue, op: opRef(ctx),
    });
    return readValue ? [out!] : [];
  },
});

for (const type of ['AssignAdd', 'AssignSub'] as const) {
  registerHostKernel({
    type,
    compute: async (ctx, inputs) => {
      const readValue = ctx.node.attrs['read_value'] !== false;
      const out = await ask<Tensor | null>(ctx, inputs[0], { type: type === 'AssignAdd' ? 'assignAdd' : 'assignSub', value: inputs[1]!, readValue, op: opRef(ctx) });
      return readValue ? [out!] : [];
    },
  });
}

registerHostKernel({
  type: 'CountUpTo',
  compute: async (ctx, inputs) => [await ask<Tensor>(ctx, inputs[0], { type: 'countUpTo', limit: ctx.node.attrs['limit'] as number | bigint, op: opRef(ctx) })],
});

registerHostKernel({
  type: 'IsVariableInitialized',
  compute: async (ctx, inputs) => [await ask<Tensor>(ctx, inputs[0], { type: 'isInitialized' })],
});

registerKernel({
  type: 'UninitializedVariableNames',
  deviceType: 'CPU',
  compute: (ctx, inputs) => {
    const names = ctx.node.attrs['names'] as string[];
    const out = names.filter((_n, i) => inputs[i]!.data[0] === 0);
    return [new Tensor('string', [out.length], out)];
  },
});
