import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { Tensor } from '../../lib/framework/tensor.js';
import { InvalidArgumentError } from '../../lib/framework/errors.js';
import type { DType, NumericArray, StringElement } from '../../lib/framework/dtypes.js';
import { FrameCodec, decodeValue, encodeValue, tensorDecodeStats, TENSOR_EXT_TYPE } from '../../transport/index.js';

const codec = new FrameCodec();

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });
const count = (s: number[]): number => s.reduce((a, b) => a * b, 1);

function dataArb(dtype: DType, n: number): fc.Arbitrary<NumericArray | StringElement[]> {
  const len = { minLength: n, maxLength: n };
  switch (dtype) {
    case 'float32': return fc.float32Array(len);
    case 'float64': return fc.float64Array(len);
    case 'int32': return fc.int32Array(len);
    case 'int64': return fc.bigInt64Array(len);
    case 'uint8': return fc.uint8Array(len);
    case 'bool': return fc.array(fc.boolean(), len).map((b) => Uint8Array.from(b, (x) => (x ? 1 : 0)));
    case 'string': return fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.string({ minLength: 200, maxLength: 300 })), len);
  }
}

const dtypeArb = fc.constantFrom<DType>('float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'string');
const tensorArb: fc.Arbitrary<Tensor> = fc.tuple(dtypeArb, shapeArb).chain(([dtype, shape]) =>
  dataArb(dtype, count(shape)).map((data) => new Tensor(dtype, shape, data)));

function bytesOf(a: NumericArray): Buffer { return Buffer.from(a.buffer, a.byteOffset, a.byteLength); }

function sameTensor(a: Tensor, b: unknown): boolean {
  if (!(b instanceof Tensor) || a.dtype !== b.dtype || JSON.stringify(a.shape) !== JSON.stringify(b.shape)) return false;
  if (a.dtype !== 'string') {
    if (b.data.constructor !== a.data.constructor) return false;
    return bytesOf(a.data as NumericArray).equals(bytesOf(b.data as NumericArray));
  }
  const x = a.data as StringElement[];
  const y = b.data as StringElement[];
  return x.length === y.length && x.every((e, i) => {
    const f = y[i];
    if (typeof e === 'string') return typeof f === 'string' && e === f;
    return f instanceof Uint8Array && typeof f !== 'string' && Buffer.from(e).equals(Buffer.from(f));
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Tensor) return sameTensor(a, b);
  if (a instanceof Uint8Array) return b instanceof Uint8Array && b.constructor === Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a !== null && typeof a === 'object') {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

test('every dtype and shape round-trips (property)', () => {
  fc.assert(fc.property(tensorArb, (t) => sameTensor(t, decodeValue(encodeValue(t)))), { numRuns: 400 });
});

test('arbitrary bodies with nested tensors, bigint, bytes, null and undefined round-trip (property)', () => {
  const key = fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__');
  const leaf = fc.oneof(
    fc.string(), fc.integer(), fc.double().filter((d) => !Object.is(d, -0)), fc.boolean(), fc.constant(null), fc.constant(undefined),
    fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }), fc.uint8Array({ maxLength: 20 }), tensorArb,
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
  }));
  fc.assert(fc.property(value, (v) => sameValue(v, decodeValue(encodeValue(v)))), { numRuns: 300 });
});

test('scalars, empty tensors, int64 extremes, bool and mixed string/bytes keep their exact values', () => {
  const cases = [
    new Tensor('float32', [], new Float32Array([3.5])),
    new Tensor('int64', [3], new BigInt64Array([-(2n ** 63n), 0n, 2n ** 63n - 1n])),
    new Tensor('bool', [2, 2], new Uint8Array([1, 0, 0, 1])),
    new Tensor('float64', [0, 3], new Float64Array(0)),
    new Tensor('string', [0], []),
    new Tensor('string', [], ['scalar']),
    new Tensor('string', [2], ['text', new Uint8Array([0, 255, 7])]),
  ];
  for (const t of cases) {
    const back = decodeValue(encodeValue({ t })) as { t: Tensor };
    assert.ok(sameTensor(t, back.t), `${t.dtype} [${t.shape}]`);
  }
  const s = (decodeValue(encodeValue(cases[6])) as Tensor).data as StringElement[];
  assert.type(s[0], 'string');
  assert.ok(s[1] instanceof Uint8Array);
  assert.is((decodeValue(encodeValue(cases[2])) as Tensor).toArray() instanceof Array, true);
  assert.equal((decodeValue(encodeValue(cases[2])) as Tensor).toArray(), [[true, false], [false, true]]);
});

test('tensor bytes sit 8-aligned in the frame whatever precedes them, so an aligned frame decodes to zero-copy views (property)', () => {
  fc.assert(fc.property(fc.string({ maxLength: 30 }), fc.integer({ min: 0, max: 2 ** 40 }), tensorArb.filter((t) => t.dtype !== 'string' && t.size > 0), (prefix, id, t) => {
    const frame = encodeValue([0, id, prefix, { x: t }]);
    assert.is(frame.byteOffset % 8, 0);
    const before = { ...tensorDecodeStats };
    const back = (decodeValue(frame) as [number, number, string, { x: Tensor }])[3].x;
    const data = back.data as NumericArray;
    assert.is(data.buffer, frame.buffer, 'zero-copy: a view into the frame');
    assert.is((data.byteOffset) % 8, 0);
    assert.is(tensorDecodeStats.views, before.views + 1);
    assert.is(tensorDecodeStats.copies, before.copies);
    return sameTensor(t, back);
  }), { numRuns: 200 });
});

test('spliced frames (large tensors left in place) are byte-identical to contiguous ones and keep the data 8-aligned (property)', () => {
  const big = fc.tuple(fc.constantFrom<DType>('float32', 'float64', 'int32', 'int64', 'uint8', 'bool'), fc.integer({ min: 1, max: 300 }))
    .chain(([dtype, n]) => dataArb(dtype, n).map((data) => new Tensor(dtype, [n], data)));
  const body = fc.array(fc.oneof(big, tensorArb, fc.string({ maxLength: 20 }), fc.integer()), { maxLength: 6 });
  fc.assert(fc.property(fc.string({ maxLength: 30 }), body, fc.integer({ min: 1, max: 64 }), (prefix, items, minBytes) => {
    const value = [1, prefix, items];
    const f = codec.encodeSpliced(value, minBytes);
    const plain = encodeValue(value);
    if (f === null) return true; // nothing large enough to splice: the caller encodes as usual
    const joined = Buffer.concat(f.pieces);
    assert.is(joined.byteLength, f.byteLength);
    assert.ok(joined.equals(Buffer.from(plain)), 'same bytes as the contiguous encoding');
    const aligned = new Uint8Array(new ArrayBuffer(joined.byteLength));
    aligned.set(joined);
    const before = { ...tensorDecodeStats };
    const back = decodeValue(aligned) as [number, string, unknown[]];
    assert.is(tensorDecodeStats.copies, before.copies, 'every numeric tensor decodes as a view');
    return sameValue(items, back[2]);
  }), { numRuns: 300 });
});

test('a misaligned frame costs exactly one copy per tensor', () => {
  const t = new Tensor('float64', [3], new Float64Array([1.5, -2, 1e300]));
  const frame = encodeValue([t, t]);
  for (let shift = 1; shift < 8; shift++) {
    const holder = new Uint8Array(frame.byteLength + 8);
    holder.set(frame, shift);
    const before = { ...tensorDecodeStats };
    const [a, b] = decodeValue(holder.subarray(shift, shift + frame.byteLength)) as [Tensor, Tensor];
    assert.is(tensorDecodeStats.copies - before.copies, 2);
    assert.is(tensorDecodeStats.views, before.views);
    assert.ok((a.data as Float64Array).buffer !== holder.buffer && (b.data as Float64Array).buffer !== (a.data as Float64Array).buffer);
    assert.equal(Array.from(a.data as Float64Array), [1.5, -2, 1e300]);
  }
});

test('large frames are packed into reused pooled buffers, and frames stay valid until released', () => {
  const big = new Tensor('float32', [1 << 18], new Float32Array(1 << 18).fill(2.5));
  const f1 = codec.encode([1, 'to', big]);
  const f2 = codec.encode([1, 'to', big]);
  assert.ok(f1.bytes.buffer !== f2.bytes.buffer, 'a buffer in use is never handed out twice');
  const buf1 = f1.bytes.buffer;
  f1.release();
  const f3 = codec.encode([1, 'to', big]);
  assert.is(f3.bytes.buffer, buf1, 'the released buffer is reused');
  const small = codec.encode([2, 'x', 1]);
  assert.ok(small.bytes.buffer !== buf1, 'small frames never land in pooled buffers');
  const back = codec.decode(f2.bytes) as [number, string, Tensor];
  assert.is((back[2].data as Float32Array)[12345], 2.5);
  f2.release(); f3.release(); small.release();
});

test('malformed tensor payloads are InvalidArgumentErrors naming the problem', () => {
  const good = encodeValue(new Tensor('int32', [2], new Int32Array([1, 2])));
  // ext32 header: c9 len(4) type; the payload starts at 6.
  assert.is(good[0], 0xc9);
  assert.is(good[5], TENSOR_EXT_TYPE);
  const bad = (mutate: (b: Uint8Array) => void, re: RegExp): void => {
    const b = new Uint8Array(good);
    mutate(b);
    assert.throws(() => decodeValue(b), (e: Error) => e instanceof InvalidArgumentError && re.test(e.message));
  };
  bad((b) => { b[6] = 42; }, /unknown dtype code 42/);
  bad((b) => { b[8] = 9; }, /pad 9/);
  bad((b) => { b[9] = 1; }, /unknown flags/);
  bad((b) => { b[10] = 3; }, /needs 12 data bytes/);
  const str = encodeValue(new Tensor('string', [2], ['a', 'b']));
  const s2 = new Uint8Array(str);
  s2[10] = 3; // shape says 3 elements, payload has 2
  assert.throws(() => decodeValue(s2), /shape needs 3 string elements/);
});

test('unsupported tensors are refused when encoding', () => {
  const t = new Tensor('float32', new Array(300).fill(1), new Float32Array(1));
  assert.throws(() => encodeValue(t), (e: Error) => e instanceof InvalidArgumentError && /rank 300/.test(e.message));
});

test.run();
