/**
 * Operator-like methods on symbolic tensors. JavaScript has no operator overloading, so the
 * book's `b = a + 2` is `tf.add(a, 2)` or `a.add(2)`, and `p1 = 2 * s` is `tf.mul(2, s)`.
 * Added by declaration merging so graph.ts stays free of op imports (and of an import cycle).
 */
import { SymbolicTensor } from '../framework/graph.js';
import { add, div, mul, neg, sub } from './math_ops.js';
import type { NameOpt } from './op_builder.js';

declare module '../framework/graph.js' {
  interface SymbolicTensor {
    /** `tf.add(this, y)`. */
    add(y: unknown, opts?: NameOpt): SymbolicTensor;
    /** `tf.sub(this, y)`. */
    sub(y: unknown, opts?: NameOpt): SymbolicTensor;
    /** `tf.mul(this, y)`. */
    mul(y: unknown, opts?: NameOpt): SymbolicTensor;
    /** `tf.div(this, y)` (TensorFlow 1.x division: floor division for integers). */
    div(y: unknown, opts?: NameOpt): SymbolicTensor;
    /** `tf.neg(this)`. */
    neg(opts?: NameOpt): SymbolicTensor;
  }
}

const methods: Record<string, (this: SymbolicTensor, ...args: never[]) => SymbolicTensor> = {
  add(this: SymbolicTensor, y: unknown, opts?: NameOpt) { return add(this, y, opts); },
  sub(this: SymbolicTensor, y: unknown, opts?: NameOpt) { return sub(this, y, opts); },
  mul(this: SymbolicTensor, y: unknown, opts?: NameOpt) { return mul(this, y, opts); },
  div(this: SymbolicTensor, y: unknown, opts?: NameOpt) { return div(this, y, opts); },
  neg(this: SymbolicTensor, opts?: NameOpt) { return neg(this, opts); },
};
for (const [name, fn] of Object.entries(methods)) {
  // Never shadow a method the core class defines itself.
  if (!(name in SymbolicTensor.prototype)) {
    Object.defineProperty(SymbolicTensor.prototype, name, { value: fn, writable: true, configurable: true });
  }
}
