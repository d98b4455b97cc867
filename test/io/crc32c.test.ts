import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32c, crc32cExtend, maskCrc, unmaskCrc } from '../../lib/io/crc32c.js';
import { adler32, crc32 } from '../../lib/io/checksums.js';

/** A bit-at-a-time CRC-32C: slow, obviously right, independent of the table code. */
function crc32cBitwise(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('CRC-32C spec vectors of tensorflow/core/lib/hash/crc32c_test.cc', () => {
  assert.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  // The iSCSI read-command vector of the same test.
  const iscsi = Uint8Array.of(
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
    0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
  assert.is(crc32c(iscsi), 0xd9963a56);
  // The CRC catalogue's check value for "123456789".
  assert.is(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.is(crc32c(new Uint8Array(0)), 0);
});

test('CRC-32C: Values differ, Extend composes (crc32c_test.cc)', () => {
  const enc = new TextEncoder();
  assert.is.not(crc32c(enc.encode('a')), crc32c(enc.encode('foo')));
  assert.is(crc32c(enc.encode('hello world')), crc32cExtend(crc32c(enc.encode('hello ')), enc.encode('world')));
});

test('CRC-32C table code agrees with the bitwise definition at every length and offset', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), (data, cut) => {
    const start = Math.min(cut, data.length);
    assert.is(crc32c(data, start), crc32cBitwise(data.subarray(start)));
  }), { numRuns: 300 });
});

test('mask and unmask are inverse and masking changes the value (crc32c_test.cc Mask)', () => {
  const crc = crc32c(new TextEncoder().encode('foo'));
  assert.is.not(maskCrc(crc), crc);
  assert.is.not(maskCrc(maskCrc(crc)), crc);
  assert.is(unmaskCrc(maskCrc(crc)), crc);
  assert.is(unmaskCrc(unmaskCrc(maskCrc(maskCrc(crc)))), crc);
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (c) => unmaskCrc(maskCrc(c)) === c && maskCrc(c) === ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0));
});

test('CRC-32 and Adler-32 (the gzip and zlib trailers) match zlib', () => {
  const enc = new TextEncoder();
  assert.is(adler32(enc.encode('Wikipedia')), 0x11e60398);
  assert.is(crc32(enc.encode('123456789')), 0xcbf43926);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
    const whole = new Uint8Array(a.length + b.length);
    whole.set(a);
    whole.set(b, a.length);
    assert.is(crc32(b, crc32(a)), zlibCrc32(whole) >>> 0);
    assert.is(adler32(b, adler32(a)), adler32(whole));
  }), { numRuns: 100 });
  // Adler-32 stays exact past the 5552-byte reduction window.
  const big = new Uint8Array(20000).fill(0xff);
  let a = 1, b = 0;
  for (const x of big) { a = (a + x) % 65521; b = (b + a) % 65521; }
  assert.is(adler32(big), ((b << 16) | a) >>> 0);
});

test.run();
