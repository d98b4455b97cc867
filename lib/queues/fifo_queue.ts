/** `new tf.FIFOQueue({capacity, dtypes, shapes?, names?, sharedName?, name?})`. */
import { getDefaultGraph } from '../framework/graph.js';
import { QueueBase } from './queue_base.js';
import { asNameList, asShapeList, asTypeList, shapesAttr } from './queue_args.js';
import { checkCapacity, checkShapeCount } from './queue_checks.js';

export interface FIFOQueueOptions {
  /** Maximum number of elements (negative = unbounded). */
  capacity: number;
  dtypes: unknown;
  shapes?: unknown;
  names?: string | string[] | null;
  /** The name under which sessions share this queue (in the op's container). */
  sharedName?: string | null;
  /** Op name; default 'fifo_queue'. */
  name?: string;
}

export class FIFOQueue extends QueueBase {
  constructor(opts: FIFOQueueOptions) {
    const dtypes = asTypeList(opts.dtypes);
    const shapes = asShapeList(opts.shapes);
    const names = asNameList(opts.names, dtypes);
    checkShapeCount(shapes, dtypes);
    const op = getDefaultGraph().createOp('FIFOQueueV2', [], {
      name: opts.name ?? 'fifo_queue',
      attrs: {
        component_types: dtypes, shapes: shapesAttr(shapes), capacity: checkCapacity(opts.capacity),
        shared_name: opts.sharedName ?? '',
      },
    });
    super(dtypes, shapes, names, op.outputs[0]!);
  }
}
