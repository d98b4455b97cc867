/**
 * _Send and _Recv: the ops the master inserts where an edge crosses devices. The producer's _Send
 * tells the consumer device's rendezvous directly (in process when local, else over that task's
 * connection), so a tensor never passes through the master or the client.
 */
import { registerKernel, registerOp, type StaticShape } from '../lib/framework/op_registry.js';
import type { DType } from '../lib/framework/dtypes.js';
import { Tensor } from '../lib/framework/tensor.js';
import type { Rendezvous } from './rendezvous.js';

export const RENDEZVOUS_STATE_KEY = 'rendezvous';
/** The empty tensor a control edge carries across devices. */
const CONTROL_TOKEN = new Tensor('bool', [0], new Uint8Array(0));

registerOp({ type: '_Send', stateful: true, inferOutputs: () => [] });
registerOp({
  type: '_Recv',
  stateful: true,
  blocking: true,
  inferOutputs: ({ attrs }) => [{ dtype: attrs['dtype'] as DType, shape: (attrs['shape'] as StaticShape) ?? null }],
});

registerKernel({
  type: '_Send',
  deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    const tensor = inputs[0] ?? CONTROL_TOKEN;
    const msg = { type: 'rendezvous', stepId: ctx.step.stepId, key: ctx.node.attrs['key'], tensor };
    await ctx.system.tell(ctx.node.attrs['recvDevice'] as string, msg);
    return [];
  },
});

registerKernel({
  type: '_Recv',
  deviceType: 'CPU',
  compute: async (ctx) => {
    const rv = ctx.deviceState.get(RENDEZVOUS_STATE_KEY) as Rendezvous;
    return [await rv.recv(ctx.step.stepId, ctx.node.attrs['key'] as string, ctx.step.signal)];
  },
});
