/**
 * CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial and final xor 0xFFFFFFFF), as
 * TensorFlow's tensorflow/core/lib/hash/crc32c, with the record-format mask. Table-driven with
 * slicing-by-8, so checking TFRecord payloads costs little next to reading them.
 */

const TABLES = makeTables(0x82f63b78);

/**
 * Eight 256-entry tables for slicing-by-8 over a reflected polynomial. Int32Array (not Uint32Array)
 * keeps every value a small integer for V8: unsigned values above 2^31 would become heap doubles.
 */
export function makeTables(poly: number): Int32Array[] {
  const t0 = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t0[i] = c;
  }
  const tables = [t0];
  for (let s = 1; s < 8; s++) {
    const prev = tables[s - 1]!;
    const t = new Int32Array(256);
    for (let i = 0; i < 256; i++) t[i] = (prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!;
    tables.push(t);
  }
  return tables;
}

/** Below this many bytes, viewing the data as 32-bit words costs more than it saves. */
const WORD_PATH_MIN = 64;

/**
 * Extends a CRC (already finalised, as returned by a previous call) over more bytes. Slicing-by-8:
 * eight bytes per step through eight tables, read as two little-endian 32-bit words from an
 * aligned Int32Array view when the input is long enough (every supported platform is
 * little-endian, as lib/framework/dtypes.ts assumes too).
 */
export function crcExtend(tables: Int32Array[], init: number, data: Uint8Array, start = 0, end = data.length): number {
  const t0 = tables[0]!, t1 = tables[1]!, t2 = tables[2]!, t3 = tables[3]!;
  const t4 = tables[4]!, t5 = tables[5]!, t6 = tables[6]!, t7 = tables[7]!;
  let c = ~init | 0;
  let i = start;
  if (end - i >= WORD_PATH_MIN) {
    while (((data.byteOffset + i) & 3) !== 0) c = (c >>> 8) ^ t0[(c ^ data[i++]!) & 0xff]!;
    const nw = ((end - i) >> 3) << 1;
    const words = new Int32Array(data.buffer, data.byteOffset + i, nw);
    for (let w = 0; w < nw; w += 2) {
      const lo = c ^ words[w]!;
      const hi = words[w + 1]!;
      c = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]!
        ^ t3[hi & 0xff]! ^ t2[(hi >>> 8) & 0xff]! ^ t1[(hi >>> 16) & 0xff]! ^ t0[hi >>> 24]!;
    }
    i += nw * 4;
  } else {
    const end8 = end - 7;
    while (i < end8) {
      const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
      c = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]!
        ^ t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!;
      i += 8;
    }
  }
  while (i < end) c = (c >>> 8) ^ t0[(c ^ data[i++]!) & 0xff]!;
  return ~c >>> 0;
}

/** CRC-32C of `data[start:end]`. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return crcExtend(TABLES, 0, data, start, end);
}

/** CRC-32C of more bytes following data whose CRC-32C was `init` (crc32c::Extend). */
export function crc32cExtend(init: number, data: Uint8Array, start = 0, end = data.length): number {
  return crcExtend(TABLES, init, data, start, end);
}

const MASK_DELTA = 0xa282ead8;

/**
 * The masked CRC stored in TFRecord files: rotating and adding a constant keeps a CRC of data that
 * itself embeds CRCs from being trivially zero (crc32c::Mask).
 */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** The inverse of maskCrc (crc32c::Unmask). */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** The masked CRC-32C of `data[start:end]`, as written after a TFRecord's length and payload. */
export function maskedCrc32c(data: Uint8Array, start = 0, end = data.length): number {
  return maskCrc(crc32c(data, start, end));
}
