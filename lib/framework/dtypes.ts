/** dtypes are plain strings, as API.md's Conventions say; `tf.float32 === 'float32'`. */
import { InvalidArgumentError } from './errors.js';

export const DTYPES = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'string'] as const;
export type DType = (typeof DTYPES)[number];
export type NumericDType = Exclude<DType, 'string'>;

export const float32 = 'float32' as const;
export const float64 = 'float64' as const;
export const int32 = 'int32' as const;
export const int64 = 'int64' as const;
export const uint8 = 'uint8' as const;
export const bool = 'bool' as const;
export const string = 'string' as const;

export type TypedArrayFor<D extends DType> =
  D extends 'float32' ? Float32Array :
  D extends 'float64' ? Float64Array :
  D extends 'int32' ? Int32Array :
  D extends 'int64' ? BigInt64Array :
  D extends 'uint8' | 'bool' ? Uint8Array :
  string[];

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
/** String tensors hold JS strings for text and Uint8Arrays for bytes. */
export type StringElement = string | Uint8Array;
export type TensorData = NumericArray | StringElement[];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

/** Accepts the dtype names TensorFlow users write ('float', 'double', 'int', DT_FLOAT...). */
export function asDType(x: unknown, what = 'dtype'): DType {
  if (isDType(x)) return x;
  const aliases: Record<string, DType> = {
    float: 'float32', double: 'float64', int: 'int32', long: 'int64', boolean: 'bool',
    DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_INT32: 'int32', DT_INT64: 'int64',
    DT_UINT8: 'uint8', DT_BOOL: 'bool', DT_STRING: 'string',
  };
  if (typeof x === 'string' && aliases[x]) return aliases[x]!;
  throw new InvalidArgumentError(`Unknown ${what} ${JSON.stringify(x)}; expected one of ${DTYPES.join(', ')}`);
}

/** Bytes per element of a numeric dtype (0 for string: strings are variable-length). */
export function dtypeSize(d: DType): number {
  switch (d) {
    case 'float32': case 'int32': return 4;
    case 'float64': case 'int64': return 8;
    case 'uint8': case 'bool': return 1;
    case 'string': return 0;
  }
}

/** TensorFlow's short names, used in error messages ("Expected float, got int32"). */
export function tfTypeName(d: DType): string {
  switch (d) {
    case 'float32': return 'float';
    case 'float64': return 'double';
    default: return d;
  }
}

export function isFloating(d: DType): boolean { return d === 'float32' || d === 'float64'; }
export function isInteger(d: DType): boolean { return d === 'int32' || d === 'int64' || d === 'uint8'; }

export function allocData(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
    case 'string': return new Array<StringElement>(n).fill('');
  }
}

/** A view of `bytes` (little-endian, as on every supported platform) as the dtype's typed array. */
export function viewData(dtype: Exclude<DType, 'string'>, buf: ArrayBuffer | SharedArrayBuffer, byteOffset: number, n: number): NumericArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buf, byteOffset, n);
    case 'float64': return new Float64Array(buf, byteOffset, n);
    case 'int32': return new Int32Array(buf, byteOffset, n);
    case 'int64': return new BigInt64Array(buf, byteOffset, n);
    case 'uint8': case 'bool': return new Uint8Array(buf, byteOffset, n);
  }
}

/** The dtype a typed array naturally carries. */
export function dtypeOfTypedArray(a: ArrayBufferView): DType | null {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'uint8';
  return null;
}
