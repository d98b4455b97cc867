/**
 * `new tf.PriorityQueue({capacity, types, shapes?, names?, sharedName?, name?})`: every element
 * is (int64 priority, ...components); `types`/`shapes` describe the components after the priority.
 * Elements come out smallest priority first.
 */
import { getDefaultGraph } from '../framework/graph.js';
import { QueueBase } from './queue_base.js';
import { asNameList, asShapeList, asTypeList, shapesAttr } from './queue_args.js';
import { checkCapacity } from './queue_checks.js';
import { InvalidArgumentError } from '../framework/errors.js';

export interface PriorityQueueOptions {
  capacity: number;
  /** dtypes of the components after the priority. */
  types: unknown;
  shapes?: unknown;
  /** Names of all components, the priority's first. */
  names?: string | string[] | null;
  sharedName?: string | null;
  /** Op name; default 'priority_queue'. */
  name?: string;
}

export class PriorityQueue extends QueueBase {
  constructor(opts: PriorityQueueOptions) {
    const types = asTypeList(opts.types ?? []);
    const shapes = asShapeList(opts.shapes);
    if (shapes !== null && shapes.length !== types.length) {
      throw new InvalidArgumentError('Queue shapes must have the same length as dtypes');
    }
    const op = getDefaultGraph().createOp('PriorityQueueV2', [], {
      name: opts.name ?? 'priority_queue',
      attrs: {
        component_types: types, shapes: shapesAttr(shapes), capacity: checkCapacity(opts.capacity),
        shared_name: opts.sharedName ?? '',
      },
    });
    const dtypes = ['int64' as const, ...types];
    super(dtypes, shapes === null || shapes.length === 0 ? null : [[], ...shapes], asNameList(opts.names, dtypes), op.outputs[0]!);
  }
}
