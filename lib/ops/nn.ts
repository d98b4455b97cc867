/**
 * The `tf.nn` namespace: activations, softmax and the softmax cross-entropy loss. Kernels are in
 * nn_ops.ts; sigmoid and tanh are the math ops of the same name.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import type { SymbolicTensor } from '../framework/graph.js';
import { buildOp, buildOp1, nameOf, type NameOpt } from './op_builder.js';
import './nn_ops.js';

export { sigmoid, tanh } from './math_ops.js';

/** `tf.nn.relu(x)`: max(x, 0). */
export function relu(x: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('Relu', 'Relu', [{ value: x, param: 'features' }], { name: nameOf(opts) });
}

/** `tf.nn.relu6(x)`: min(max(x, 0), 6). */
export function relu6(x: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('Relu6', 'Relu6', [{ value: x, param: 'features' }], { name: nameOf(opts) });
}

/** `tf.nn.softmax(logits)` along the last axis. */
export function softmax(logits: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('Softmax', 'Softmax', [{ value: logits, param: 'logits' }], { name: nameOf(opts) });
}

/** `tf.nn.logSoftmax(logits)` along the last axis. */
export function logSoftmax(logits: unknown, opts?: NameOpt): SymbolicTensor {
  return buildOp1('LogSoftmax', 'LogSoftmax', [{ value: logits, param: 'logits' }], { name: nameOf(opts) });
}

export interface SoftmaxCrossEntropyArgs { labels: unknown; logits: unknown; name?: string }

/**
 * `tf.nn.softmaxCrossEntropyWithLogits({labels, logits})`: the per-example loss (a [batch]
 * vector) of rank-2 logits against a probability distribution over classes.
 */
export function softmaxCrossEntropyWithLogits(args: SoftmaxCrossEntropyArgs): SymbolicTensor {
  if (args === null || typeof args !== 'object' || args.labels === undefined || args.logits === undefined) {
    throw new InvalidArgumentError('softmaxCrossEntropyWithLogits needs named arguments {labels, logits}');
  }
  return buildOp('SoftmaxCrossEntropyWithLogits', 'SoftmaxCrossEntropyWithLogits', [
    { value: args.logits, param: 'features' }, { value: args.labels, param: 'labels' },
  ], { name: args.name, sameDType: true }).outputs[0]!;
}
