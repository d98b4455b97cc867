// Ops: each module registers its op definitions and kernels on import.
export { constant, placeholder } from './constant.js';
export {
  add, sub, subtract, mul, multiply, div, truediv, divide, realDiv, floorDiv, floorMod, mod, pow, maximum, minimum,
  squaredDifference, greater, greaterEqual, less, lessEqual, equal, notEqual, logicalAnd, logicalOr, logicalNot,
  neg, negative, square, abs, sign, exp, log, log1p, sqrt, rsqrt, reciprocal, floor, ceil, round, sigmoid, tanh,
  addN, cast, range, matMul, matmul,
  type RangeOptions, type MatMulOptions,
} from './math_ops.js';
export {
  reduceSum, reduceMean, reduceMax, reduceMin, reduceProd, reduceAll, reduceAny, argMax, argMin,
  type Axis, type ReduceOptions, type ArgMaxOptions,
} from './reduction_ops.js';
export {
  identity, stopGradient, shape, size, rank, fill, zeros, ones, zerosLike, onesLike, reshape, stack, unstack, tile,
  gather, concat, expandDims, squeeze, slice,
  type OutTypeOptions, type UnstackOptions,
} from './array_ops.js';
export {
  randomShuffle, randomUniform, randomNormal, truncatedNormal,
  type SeedOptions, type RandomUniformOptions, type RandomNormalOptions,
} from './random_ops.js';
export { noOp, group, assert, Assert, print, Print, type AssertOptions, type PrintOptions } from './control_flow_ops.js';
export { Prng } from './prng.js';
export * as nn from './nn.js';
import './tensor_methods.js';
