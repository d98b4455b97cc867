/**
 * The array ops the input producers and batching build. They come from the op library
 * (lib/ops); DynamicPartition (TensorFlow's _select_which_to_enqueue, for maybe* with a vector
 * keepInput) is registered here, on first use, unless the library has registered it by then.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { allocData } from '../framework/dtypes.js';
import { type SymbolicTensor } from '../framework/graph.js';
import { findKernel, hasOpDef, registerKernel, registerOp } from '../framework/op_registry.js';
import { toSymbolic } from '../framework/convert.js';
import { Tensor } from '../framework/tensor.js';
import { gather, shape } from '../ops/array_ops.js';

export { identity, shape, size, gather, expandDims } from '../ops/array_ops.js';
export { randomShuffle } from '../ops/random_ops.js';
export { assert } from '../ops/control_flow_ops.js';
export { cast, mul, greater, range } from '../ops/math_ops.js';

/** The size of dimension 0 of `x`: a constant when known statically, else Shape + Gather. */
export function rowCount(x: SymbolicTensor): SymbolicTensor {
  const d = x.shape !== null && x.shape.length > 0 ? x.shape[0] : null;
  if (d !== null && d !== undefined) return toSymbolic(d, { dtype: 'int32', graph: x.graph, name: 'rows' });
  return gather(shape(x), toSymbolic(0, { dtype: 'int32', graph: x.graph }));
}

function ensureDynamicPartition(): void {
  if (!hasOpDef('DynamicPartition')) {
    registerOp({
      type: 'DynamicPartition',
      inferOutputs: ({ inputs, attrs }) => {
        const ds = inputs[0]!.shape;
        const ps = inputs[1]!.shape;
        const rest = ds === null || ps === null ? null : [null, ...ds.slice(ps.length)];
        return Array.from({ length: Number(attrs['num_partitions']) }, () => ({ dtype: inputs[0]!.dtype, shape: rest }));
      },
    });
  }
  if (findKernel('DynamicPartition', 'CPU')) return;
  registerKernel({
    type: 'DynamicPartition',
    deviceType: 'CPU',
    compute: (ctx, [d, p]) => {
      const n = Number(ctx.node.attrs['num_partitions']);
      const rows = p!.size;
      const row = rows === 0 ? 0 : d!.size / rows;
      const rest = d!.shape.slice(p!.shape.length);
      const pick: number[][] = Array.from({ length: n }, () => []);
      for (let i = 0; i < rows; i++) {
        const k = Number(p!.data[i]);
        if (!(k >= 0 && k < n)) {
          throw new InvalidArgumentError(`partitions[${i}] = ${k} is not in [0, ${n})`, { op: ctx.node.name });
        }
        pick[k]!.push(i);
      }
      const src = d!.data as unknown as { [i: number]: unknown };
      return pick.map((idx) => {
        const out = allocData(d!.dtype, idx.length * row) as unknown as { [i: number]: unknown };
        idx.forEach((r, j) => { for (let c = 0; c < row; c++) out[j * row + c] = src[r * row + c]; });
        return new Tensor(d!.dtype, [idx.length, ...rest], out as unknown as Tensor['data']);
      });
    },
  });
}

/** TensorFlow's dynamic_partition: rows of `data` split by `partitions` (int32, a prefix of data's shape). */
export function dynamicPartition(data: SymbolicTensor, partitions: SymbolicTensor, numPartitions: number): SymbolicTensor[] {
  ensureDynamicPartition();
  return data.graph.createOp('DynamicPartition', [data, partitions], {
    name: 'DynamicPartition', attrs: { T: data.dtype, num_partitions: numPartitions },
  }).outputs;
}
