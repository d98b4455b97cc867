/**
 * `new tf.RandomShuffleQueue({capacity, minAfterDequeue, dtypes, shapes?, names?, seed?,
 * sharedName?, name?})`: dequeues in random order, keeping at least minAfterDequeue elements while
 * open. Seeds follow random_seed.get_seed; with a graph seed, no op seed and a sharedName, seed2 is
 * derived from md5(seed + sharedName) so every user of the shared queue agrees.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph } from '../framework/graph.js';
import { QueueBase } from './queue_base.js';
import { asNameList, asShapeList, asTypeList, shapesAttr } from './queue_args.js';
import { checkCapacity, checkShapeCount } from './queue_checks.js';
import { UNBOUNDED_CAPACITY } from '../../actors/queue/queue_config.js';

export interface RandomShuffleQueueOptions {
  capacity: number;
  /** Elements a dequeue leaves in the queue while it is open (default 0). */
  minAfterDequeue?: number;
  dtypes: unknown;
  shapes?: unknown;
  names?: string | string[] | null;
  /** Op-level seed (with the graph seed, as tf.setRandomSeed). */
  seed?: number | null;
  sharedName?: string | null;
  /** Op name; default 'random_shuffle_queue'. */
  name?: string;
}

/** The (seed, seed2) attrs of a RandomShuffleQueue, as data_flow_ops.py computes them. */
export function randomShuffleSeeds(graphSeed: [number, number], opSeed: number | null | undefined, sharedName: string | null | undefined): [number, number] {
  const [s1, s2] = graphSeed;
  if (s1 === 0 && s2 === 0) return [0, 0];
  if ((opSeed === undefined || opSeed === null) && sharedName) {
    const hex = createHash('md5').update(`${s1}${sharedName}`, 'utf8').digest('hex');
    return [s1, parseInt(hex.slice(0, 8), 16) & 0x7fffffff];
  }
  return [s1, s2];
}

export class RandomShuffleQueue extends QueueBase {
  constructor(opts: RandomShuffleQueueOptions) {
    const dtypes = asTypeList(opts.dtypes);
    const shapes = asShapeList(opts.shapes);
    const names = asNameList(opts.names, dtypes);
    checkShapeCount(shapes, dtypes);
    const capacity = checkCapacity(opts.capacity);
    const min = opts.minAfterDequeue ?? 0;
    if (!Number.isInteger(min)) throw new InvalidArgumentError(`min_after_dequeue must be an integer, got ${JSON.stringify(min)}`);
    // The kernel's checks, made at once (API.md: bad arguments throw when built).
    if (min < 0) throw new InvalidArgumentError(`min_after_dequeue ${min} must be >= 0`);
    const cap = capacity < 0 ? UNBOUNDED_CAPACITY : capacity;
    if (min >= cap) throw new InvalidArgumentError(`min_after_dequeue ${min} must be < capacity ${cap}`);
    const graph = getDefaultGraph();
    const [seed, seed2] = randomShuffleSeeds(graph.getSeed(opts.seed ?? null), opts.seed, opts.sharedName);
    const op = graph.createOp('RandomShuffleQueueV2', [], {
      name: opts.name ?? 'random_shuffle_queue',
      attrs: {
        component_types: dtypes, shapes: shapesAttr(shapes), capacity, min_after_dequeue: min,
        seed, seed2, shared_name: opts.sharedName ?? '',
      },
    });
    super(dtypes, shapes, names, op.outputs[0]!);
  }
}
