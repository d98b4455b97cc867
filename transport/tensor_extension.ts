/**
 * The MessagePack extension that carries a `Tensor` (ext type 0x54, 'T'). Layout of the ext
 * payload (docs/PROTOCOL.md has the byte-level description):
 *
 *   u8 dtype code | u8 rank | u8 pad | u8 flags (0) | rank x u32 LE dims | pad zero bytes | data
 *
 * Numeric data is the raw little-endian element bytes. `pad` (0-7) is chosen so that the data
 * starts 8-aligned relative to the start of the frame, which lets the receiver take a zero-copy
 * typed-array view whenever the frame's own buffer is aligned; otherwise it copies exactly once.
 * String tensors carry a MessagePack array of `str` (JS strings) and `bin` (Uint8Array bytes)
 * items, so which element was which survives the trip.
 */
import { addExtension, type Packr } from 'msgpackr';
import { InvalidArgumentError } from '../lib/framework/errors.js';
import { Tensor, numElements } from '../lib/framework/tensor.js';
import { allocData, dtypeSize, viewData, type DType, type NumericArray, type StringElement } from '../lib/framework/dtypes.js';

export const TENSOR_EXT_TYPE = 0x54;

/** Wire codes of the dtypes (stable: part of the protocol). */
export const DTYPE_CODES: Readonly<Record<DType, number>> = {
  float32: 0, float64: 1, int32: 2, int64: 3, uint8: 4, bool: 5, string: 6,
};
const DTYPE_BY_CODE: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'string'];

/** ext32 header: 0xc9, u32 BE payload length, i8 type. Always ext32 so its size is known before writing. */
const EXT_HEADER_BYTES = 6;
const MAX_DIM = 0xffffffff;

interface Allocation { target: Uint8Array; position: number }
type AllocateForWrite = (size: number) => Allocation;

/** Decoding statistics, so tests and benchmarks can see whether views were zero-copy. */
export const tensorDecodeStats = { views: 0, copies: 0 };

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // Tensor bytes travel little-endian and are viewed in place; a big-endian host would need swaps.
  throw new InvalidArgumentError('actorflow transport requires a little-endian host');
}

function headerBytes(rank: number): number { return 4 + 4 * rank; }

function writeHeader(target: Uint8Array, at: number, code: number, shape: readonly number[], pad: number): number {
  target[at] = code;
  target[at + 1] = shape.length;
  target[at + 2] = pad;
  target[at + 3] = 0;
  let p = at + 4;
  for (const d of shape) {
    target[p] = d & 0xff; target[p + 1] = (d >>> 8) & 0xff; target[p + 2] = (d >>> 16) & 0xff; target[p + 3] = (d >>> 24) & 0xff;
    p += 4;
  }
  return p;
}

function writeExtHeader(target: Uint8Array, at: number, payloadLength: number): number {
  target[at] = 0xc9;
  target[at + 1] = (payloadLength >>> 24) & 0xff;
  target[at + 2] = (payloadLength >>> 16) & 0xff;
  target[at + 3] = (payloadLength >>> 8) & 0xff;
  target[at + 4] = payloadLength & 0xff;
  target[at + 5] = TENSOR_EXT_TYPE;
  return at + EXT_HEADER_BYTES;
}

function checkShape(t: Tensor): void {
  if (t.shape.length > 255) throw new InvalidArgumentError(`Cannot send a tensor of rank ${t.shape.length}: the wire format allows rank <= 255`);
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0 || d > MAX_DIM) throw new InvalidArgumentError(`Cannot send a tensor with dimension ${d} in shape [${t.shape}]`);
  }
}

/**
 * A tensor's data left out of the packed bytes, to be written from the tensor's own memory:
 * it belongs at index `at` of `target` (the bytes after `at` follow it on the wire).
 */
export interface Splice { target: Uint8Array; at: number; data: Uint8Array }

/** While set, numeric tensors of at least `minBytes` are spliced instead of copied into the frame. */
interface SpliceMode { minBytes: number; splices: Splice[]; splicedBytes: number }
let spliceMode: SpliceMode | null = null;

/** Packs with `pack` while collecting splices (see codec.ts, encodeSpliced). */
export function packSpliced<T>(minBytes: number, pack: () => T): { result: T; splices: Splice[] } {
  const mode: SpliceMode = { minBytes, splices: [], splicedBytes: 0 };
  spliceMode = mode;
  try {
    return { result: pack(), splices: mode.splices };
  } finally {
    spliceMode = null;
  }
}

/** Writes a numeric tensor straight into msgpackr's target, padding so the data is 8-aligned in the frame. */
function packNumeric(packr: Packr, t: Tensor, allocate: AllocateForWrite): void {
  const data = t.data as NumericArray;
  const hdr = headerBytes(t.shape.length);
  const mode = spliceMode;
  const splice = mode !== null && data.byteLength >= mode.minBytes;
  // msgpackr starts every frame at an 8-aligned index of its target, so the alignment of the
  // current position within the target (plus the data spliced in before it) equals the
  // alignment within the frame.
  const before = packr.position + (mode ? mode.splicedBytes : 0);
  const pad = (8 - ((before + EXT_HEADER_BYTES + hdr) & 7)) & 7;
  const payload = hdr + pad + data.byteLength;
  const { target, position } = allocate(EXT_HEADER_BYTES + hdr + pad + (splice ? 0 : data.byteLength));
  let p = writeExtHeader(target, position, payload);
  p = writeHeader(target, p, DTYPE_CODES[t.dtype], t.shape, pad);
  target.fill(0, p, p + pad);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (splice) {
    mode.splices.push({ target, at: p + pad, data: bytes });
    mode.splicedBytes += bytes.byteLength;
  } else {
    target.set(bytes, p + pad);
  }
}

function utf8Length(s: string): number { return Buffer.byteLength(s, 'utf8'); }

function strHeaderBytes(len: number): number { return len < 32 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : 5; }
function binHeaderBytes(len: number): number { return len < 0x100 ? 2 : len < 0x10000 ? 3 : 5; }
function arrayHeaderBytes(n: number): number { return n < 16 ? 1 : n < 0x10000 ? 3 : 5; }

function writeU16(t: Uint8Array, p: number, v: number): number { t[p] = v >>> 8; t[p + 1] = v & 0xff; return p + 2; }
function writeU32(t: Uint8Array, p: number, v: number): number {
  t[p] = v >>> 24; t[p + 1] = (v >>> 16) & 0xff; t[p + 2] = (v >>> 8) & 0xff; t[p + 3] = v & 0xff; return p + 4;
}

/** String tensors: header, then a MessagePack array of str/bin items (written here, no nested packr). */
function packStrings(t: Tensor, allocate: AllocateForWrite): void {
  const elems = t.data as StringElement[];
  const lengths = new Array<number>(elems.length);
  let body = arrayHeaderBytes(elems.length);
  for (let i = 0; i < elems.length; i++) {
    const e = elems[i]!;
    if (typeof e === 'string') { const n = utf8Length(e); lengths[i] = n; body += strHeaderBytes(n) + n; }
    else if (e instanceof Uint8Array) { lengths[i] = e.byteLength; body += binHeaderBytes(e.byteLength) + e.byteLength; }
    else throw new InvalidArgumentError(`String tensor element ${i} is a ${typeof e}, expected a string or Uint8Array`);
  }
  const hdr = headerBytes(t.shape.length);
  const payload = hdr + body;
  const { target, position } = allocate(EXT_HEADER_BYTES + payload);
  let p = writeExtHeader(target, position, payload);
  p = writeHeader(target, p, DTYPE_CODES.string, t.shape, 0);
  const n = elems.length;
  if (n < 16) target[p++] = 0x90 | n;
  else if (n < 0x10000) { target[p++] = 0xdc; p = writeU16(target, p, n); }
  else { target[p++] = 0xdd; p = writeU32(target, p, n); }
  for (let i = 0; i < n; i++) {
    const e = elems[i]!;
    const len = lengths[i]!;
    if (typeof e === 'string') {
      if (len < 32) target[p++] = 0xa0 | len;
      else if (len < 0x100) { target[p++] = 0xd9; target[p++] = len; }
      else if (len < 0x10000) { target[p++] = 0xda; p = writeU16(target, p, len); }
      else { target[p++] = 0xdb; p = writeU32(target, p, len); }
      Buffer.from(target.buffer, target.byteOffset, target.byteLength).write(e, p, len, 'utf8');
    } else {
      if (len < 0x100) { target[p++] = 0xc4; target[p++] = len; }
      else if (len < 0x10000) { target[p++] = 0xc5; p = writeU16(target, p, len); }
      else { target[p++] = 0xc6; p = writeU32(target, p, len); }
      target.set(e, p);
    }
    p += len;
  }
}

function packTensor(this: Packr, t: Tensor, allocate: AllocateForWrite): void {
  checkShape(t);
  if (t.dtype === 'string') packStrings(t, allocate);
  else packNumeric(this, t, allocate);
}

const utf8 = new TextDecoder('utf-8');

function malformed(what: string): never {
  throw new InvalidArgumentError(`Malformed tensor in frame: ${what}`);
}

function readU16(d: Uint8Array, p: number): number { return (d[p]! << 8) | d[p + 1]!; }
function readU32(d: Uint8Array, p: number): number { return ((d[p]! << 24) >>> 0) + ((d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!); }

function unpackStrings(d: Uint8Array, p: number, n: number): StringElement[] {
  const need = (k: number): void => { if (p + k > d.length) malformed('string elements run past the end of the payload'); };
  need(1);
  const h = d[p++]!;
  let count: number;
  if ((h & 0xf0) === 0x90) count = h & 0x0f;
  else if (h === 0xdc) { need(2); count = readU16(d, p); p += 2; }
  else if (h === 0xdd) { need(4); count = readU32(d, p); p += 4; }
  else return malformed(`string elements must be a MessagePack array (got byte 0x${h.toString(16)})`);
  if (count !== n) malformed(`shape needs ${n} string elements, the payload has ${count}`);
  const out = new Array<StringElement>(n);
  for (let i = 0; i < n; i++) {
    need(1);
    const b = d[p++]!;
    let len: number;
    let isStr = true;
    if ((b & 0xe0) === 0xa0) len = b & 0x1f;
    else if (b === 0xd9) { need(1); len = d[p++]!; }
    else if (b === 0xda) { need(2); len = readU16(d, p); p += 2; }
    else if (b === 0xdb) { need(4); len = readU32(d, p); p += 4; }
    else {
      isStr = false;
      if (b === 0xc4) { need(1); len = d[p++]!; }
      else if (b === 0xc5) { need(2); len = readU16(d, p); p += 2; }
      else if (b === 0xc6) { need(4); len = readU32(d, p); p += 4; }
      else return malformed(`string element ${i} is neither str nor bin (byte 0x${b.toString(16)})`);
    }
    need(len);
    // bin elements are views into the frame (zero-copy), like other binary values.
    out[i] = isStr ? utf8.decode(d.subarray(p, p + len)) : new Uint8Array(d.buffer, d.byteOffset + p, len);
    p += len;
  }
  if (p !== d.length) malformed(`${d.length - p} unexpected bytes after the string elements`);
  return out;
}

function unpackNumeric(dtype: Exclude<DType, 'string'>, d: Uint8Array, p: number, n: number): NumericArray {
  const size = dtypeSize(dtype);
  const byteLength = n * size;
  if (d.length - p !== byteLength) malformed(`a ${dtype} tensor of ${n} elements needs ${byteLength} data bytes, got ${d.length - p}`);
  const abs = d.byteOffset + p;
  let data: NumericArray;
  if (abs % size === 0) {
    tensorDecodeStats.views++;
    data = viewData(dtype, d.buffer as ArrayBuffer, abs, n);
  } else {
    // The frame's buffer is not aligned for this dtype: exactly one copy into a fresh array.
    tensorDecodeStats.copies++;
    data = allocData(dtype, n) as NumericArray;
    new Uint8Array(data.buffer, 0, byteLength).set(d.subarray(p, p + byteLength));
  }
  // bool bytes are taken as they come: 0 is false, anything else true (as Tensor reads them).
  return data;
}

export function unpackTensor(d: Uint8Array): Tensor {
  if (d.length < 4) malformed(`payload of ${d.length} bytes is shorter than the 4-byte header`);
  const dtype = DTYPE_BY_CODE[d[0]!];
  if (dtype === undefined) malformed(`unknown dtype code ${d[0]}`);
  const rank = d[1]!;
  const pad = d[2]!;
  if (pad > 7) malformed(`pad ${pad} is larger than 7`);
  if (d[3] !== 0) malformed(`unknown flags 0x${d[3]!.toString(16)}`);
  const hdr = headerBytes(rank);
  if (d.length < hdr + pad) malformed(`payload of ${d.length} bytes is shorter than its rank-${rank} header`);
  const shape = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const q = 4 + 4 * i;
    shape[i] = d[q]! + (d[q + 1]! << 8) + (d[q + 2]! << 16) + (d[q + 3]! * 0x1000000);
  }
  const n = numElements(shape);
  if (!Number.isSafeInteger(n)) malformed(`shape [${shape}] has too many elements`);
  const data = dtype === 'string' ? unpackStrings(d, hdr + pad, n) : unpackNumeric(dtype, d, hdr + pad, n);
  return new Tensor(dtype, shape, data);
}

let installed = false;

/** Registers the extension with msgpackr (idempotent; msgpackr's extension table is global). */
export function installTensorExtension(): void {
  if (installed) return;
  installed = true;
  addExtension({
    Class: Tensor,
    type: TENSOR_EXT_TYPE,
    pack: packTensor as unknown as (value: unknown) => Uint8Array,
    unpack: unpackTensor,
  });
}

/** Upper bound of the bytes a tensor takes in a frame (for sizing encode buffers). */
export function tensorWireBytesEstimate(t: Tensor): number {
  const hdr = EXT_HEADER_BYTES + headerBytes(t.shape.length) + 8;
  if (t.dtype !== 'string') return hdr + t.size * dtypeSize(t.dtype);
  let n = hdr + 5;
  for (const e of t.data as StringElement[]) n += 5 + (typeof e === 'string' ? e.length * 3 : e.byteLength);
  return n;
}
