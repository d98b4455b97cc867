/**
 * Queue elements and the tensor plumbing around them: an element is one tuple (one tensor per
 * component, without the batch dimension). enqueueMany slices a batch into elements along dim 0
 * (views, no copies); dequeueMany stacks elements back into a batch (PaddingFIFO pads first).
 */
import { allocData, type DType, type NumericArray, type StringElement, type TensorData } from '../../lib/framework/dtypes.js';
import { numElements, Tensor } from '../../lib/framework/tensor.js';

/** One queue element: one tensor per component. */
export type Element = Tensor[];

/** A component shape as a queue stores it: null entries are unknown dims (PaddingFIFO only). */
export type ComponentShape = (number | null)[];

/** TensorFlow's TensorShape::DebugString: `[2,3]`, `[]`, unknown dims as `?`. */
export function shapeString(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null || d < 0 ? '?' : String(d))).join(',')}]`;
}

/** TensorFlow's ShapeListString: `[[2], [3,4]]`. */
export function shapeListString(shapes: readonly (readonly (number | null)[])[]): string {
  return `[${shapes.map(shapeString).join(', ')}]`;
}

/** The i-th element of a batch tensor along dim 0, as a view of the batch's data. */
export function sliceRow(batch: Tensor, i: number): Tensor {
  const rowShape = batch.shape.slice(1);
  const n = numElements(rowShape);
  const data = batch.data;
  const row: TensorData = Array.isArray(data)
    ? data.slice(i * n, (i + 1) * n)
    : (data as NumericArray).subarray(i * n, (i + 1) * n);
  return new Tensor(batch.dtype, rowShape, row);
}

/** Splits a tuple of batch tensors ([B]+shape each) into B elements. */
export function splitBatch(components: readonly Tensor[]): Element[] {
  const b = components[0]?.shape[0] ?? 0;
  const out: Element[] = [];
  for (let i = 0; i < b; i++) out.push(components.map((c) => sliceRow(c, i)));
  return out;
}

/** Stacks the component `c` of each element (all of shape `shape`) into one [n]+shape tensor. */
export function stackComponent(elements: readonly Element[], c: number, dtype: DType, shape: readonly number[]): Tensor {
  const per = numElements(shape);
  const view = contiguousView(elements, c, per);
  if (view) return new Tensor(dtype, [elements.length, ...shape], view);
  const data = allocData(dtype, per * elements.length);
  for (let i = 0; i < elements.length; i++) {
    const src = elements[i]![c]!.data;
    if (Array.isArray(data)) {
      const s = src as StringElement[];
      for (let k = 0; k < per; k++) data[i * per + k] = s[k]!;
    } else {
      (data as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(src as NumericArray, i * per);
    }
  }
  return new Tensor(dtype, [elements.length, ...shape], data);
}

/**
 * Elements that are consecutive rows of one batch (an enqueueMany dequeued in order, the common
 * case of a FIFO) already lie side by side in one buffer: the batch is a view of it, no copy.
 * Tensors are immutable once made, so sharing the buffer is safe.
 */
function contiguousView(elements: readonly Element[], c: number, per: number): NumericArray | null {
  const first = elements[0]?.[c]?.data;
  if (per === 0 || first === undefined || Array.isArray(first)) return null;
  const f = first as NumericArray;
  const rowBytes = per * f.BYTES_PER_ELEMENT;
  let expected = f.byteOffset;
  for (const e of elements) {
    const d = e[c]!.data as NumericArray;
    if (Array.isArray(d) || d.buffer !== f.buffer || d.byteOffset !== expected || d.length !== per || d.constructor !== f.constructor) return null;
    expected += rowBytes;
  }
  const Ctor = f.constructor as new (b: ArrayBufferLike, o: number, n: number) => NumericArray;
  return new Ctor(f.buffer, f.byteOffset, per * elements.length);
}

/**
 * Stacks component `c` padding every dim to the batch maximum: the padding value is the zero of
 * the dtype ('' for strings, false for bool), as PaddingFIFOQueue does.
 */
export function padStackComponent(elements: readonly Element[], c: number, dtype: DType, rank: number): Tensor {
  const maxShape = new Array<number>(rank).fill(0);
  for (const e of elements) {
    const s = e[c]!.shape;
    for (let d = 0; d < rank; d++) maxShape[d] = Math.max(maxShape[d]!, s[d]!);
  }
  const per = numElements(maxShape);
  const data = allocData(dtype, per * elements.length);
  for (let i = 0; i < elements.length; i++) copyPadded(elements[i]![c]!, data, i * per, maxShape);
  return new Tensor(dtype, [elements.length, ...maxShape], data);
}

/** Copies `src` into the row-major block at `offset` of `dst`, whose block shape is `dstShape`. */
function copyPadded(src: Tensor, dst: TensorData, offset: number, dstShape: readonly number[]): void {
  const rank = dstShape.length;
  const s = src.data;
  if (src.size === 0) return;
  if (rank === 0) {
    (dst as unknown[])[offset] = s[0];
    return;
  }
  const srcShape = src.shape;
  const dstStrides = strides(dstShape);
  const srcStrides = strides(srcShape);
  const inner = srcShape[rank - 1]!;
  // Copy one innermost row at a time; rows are contiguous in both layouts.
  const outer = numElements(srcShape.slice(0, rank - 1));
  const idx = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let r = 0; r < outer; r++) {
    let so = 0;
    let d0 = offset;
    for (let d = 0; d < rank - 1; d++) {
      so += idx[d]! * srcStrides[d]!;
      d0 += idx[d]! * dstStrides[d]!;
    }
    if (Array.isArray(dst)) {
      for (let k = 0; k < inner; k++) dst[d0 + k] = (s as StringElement[])[so + k]!;
    } else {
      (dst as unknown as { set(a: ArrayLike<number | bigint>, o: number): void })
        .set((s as NumericArray).subarray(so, so + inner), d0);
    }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < srcShape[d]!) break;
      idx[d] = 0;
    }
  }
}

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = acc;
    acc *= shape[d]!;
  }
  return out;
}

/** An empty [0]+shape batch (dequeueMany(0)); unknown dims become 0. */
export function emptyBatch(dtype: DType, shape: readonly (number | null)[]): Tensor {
  return new Tensor(dtype, [0, ...shape.map((d) => (d === null || d < 0 ? 0 : d))], allocData(dtype, 0));
}
