/** Const and Placeholder: the leaves of every graph. */
import { InvalidArgumentError } from '../framework/errors.js';
import { registerOp, registerKernel, type StaticShape } from '../framework/op_registry.js';
import { asDType, type DType } from '../framework/dtypes.js';
import { getDefaultGraph, type SymbolicTensor } from '../framework/graph.js';
import { constantOp } from '../framework/convert.js';
import { tensor, type Tensor } from '../framework/tensor.js';

registerOp({
  type: 'Const',
  inferOutputs: ({ attrs }) => {
    const v = attrs['value'] as Tensor;
    return [{ dtype: v.dtype, shape: [...v.shape] }];
  },
});
registerKernel({ type: 'Const', deviceType: 'CPU', compute: (ctx) => [ctx.node.attrs['value'] as Tensor] });

registerOp({
  type: 'Placeholder',
  inferOutputs: ({ attrs }) => [{ dtype: attrs['dtype'] as DType, shape: attrs['shape'] as StaticShape }],
});
registerKernel({
  type: 'Placeholder',
  deviceType: 'CPU',
  compute: (ctx) => {
    const t = ctx.node.attrs['dtype'] as DType;
    throw new InvalidArgumentError(
      `You must feed a value for placeholder tensor '${ctx.node.name}' with dtype ${t === 'float32' ? 'float' : t}`,
      { op: ctx.node.name });
  },
});

export interface ConstantOptions {
  dtype?: DType | string;
  shape?: readonly number[];
  name?: string;
}

/** `tf.constant(value, {dtype, shape, name})`. */
export function constant(value: unknown, opts: ConstantOptions = {}): SymbolicTensor {
  const t = tensor(value, { dtype: opts.dtype, shape: opts.shape });
  return constantOp(getDefaultGraph(), t, opts.name);
}

/** `tf.placeholder(dtype, shape?, name?)`; shape null/undefined = unknown rank. */
export function placeholder(dtype: DType | string, shape?: readonly (number | null)[] | null, name?: string): SymbolicTensor {
  const d = asDType(dtype);
  const s: StaticShape = shape === undefined || shape === null ? null : shape.map((x) => (x === undefined || x === null || x < 0 ? null : x));
  return getDefaultGraph().createOp('Placeholder', [], { name: name ?? 'Placeholder', attrs: { dtype: d, shape: s } }).outputs[0]!;
}
