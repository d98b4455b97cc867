/**
 * The checksums that wrap a deflate stream: CRC-32 (gzip trailer, reflected polynomial 0xEDB88320)
 * and Adler-32 (zlib trailer). The TFRecord writer emits its compressed stream piece by piece, so
 * it keeps these running itself instead of handing the whole stream to zlib at once.
 */
import { crcExtend, makeTables } from './crc32c.js';

const CRC32_TABLES = makeTables(0xedb88320);

/** CRC-32 (ISO-HDLC, as gzip) of data, extending a previous CRC-32 `init`. */
export function crc32(data: Uint8Array, init = 0): number {
  return crcExtend(CRC32_TABLES, init, data);
}

/** Adler-32 of data, extending a previous Adler-32 `init` (1 for an empty prefix). */
export function adler32(data: Uint8Array, init = 1): number {
  let a = init & 0xffff;
  let b = init >>> 16;
  const NMAX = 5552; // the most bytes before a and b must be reduced mod 65521 to stay exact
  let i = 0;
  while (i < data.length) {
    const end = Math.min(data.length, i + NMAX);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
