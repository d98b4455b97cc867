/**
 * `new tf.PaddingFIFOQueue({capacity, dtypes, shapes, names?, sharedName?, name?})`: shapes are
 * mandatory and may have null dims, padded to the batch maximum by dequeueMany/dequeueUpTo.
 */
import { getDefaultGraph } from '../framework/graph.js';
import { QueueBase } from './queue_base.js';
import { asNameList, asShapeList, asTypeList, shapesAttr } from './queue_args.js';
import { checkCapacity, checkShapeCount } from './queue_checks.js';

export interface PaddingFIFOQueueOptions {
  capacity: number;
  dtypes: unknown;
  /** One shape per component; null dims are dynamic. */
  shapes: unknown;
  names?: string | string[] | null;
  sharedName?: string | null;
  /** Op name; default 'padding_fifo_queue'. */
  name?: string;
}

export class PaddingFIFOQueue extends QueueBase {
  constructor(opts: PaddingFIFOQueueOptions) {
    const dtypes = asTypeList(opts.dtypes);
    const shapes = asShapeList(opts.shapes, true);
    const names = asNameList(opts.names, dtypes);
    checkShapeCount(shapes, dtypes);
    const op = getDefaultGraph().createOp('PaddingFIFOQueueV2', [], {
      name: opts.name ?? 'padding_fifo_queue',
      attrs: {
        component_types: dtypes, shapes: shapesAttr(shapes), capacity: checkCapacity(opts.capacity),
        shared_name: opts.sharedName ?? '',
      },
    });
    super(dtypes, shapes, names, op.outputs[0]!);
  }
}
