/**
 * Builds one complete RFC 6455 binary frame (FIN set, opcode 2) around a small payload, so a
 * small message leaves in a single socket write instead of ws's header + payload writev; or
 * just the header of one, for a payload written as several buffers (zero-copy tensors). Only
 * for the frames ws would send unmasked (server side) or with the all-zero mask of the
 * `zeroMask` option (client side): a zero mask leaves the payload bytes as they are.
 */
const FIN_BINARY = 0x82;
const MASK_BIT = 0x80;

/** Header bytes for a payload of `n` bytes (RFC 6455 5.2), plus 4 for a (zero) masking key. */
function headerBytes(n: number, masked: boolean): number {
  return (n < 126 ? 2 : n < 0x10000 ? 4 : 10) + (masked ? 4 : 0);
}

export function binaryFrame(payload: Uint8Array, masked: boolean): Buffer {
  const n = payload.byteLength;
  const frame = Buffer.allocUnsafe(headerBytes(n, masked) + n);
  frame.set(payload, writeHeader(frame, n, masked));
  return frame;
}

/** Just the header of a binary frame whose payload of `n` bytes the caller writes after it. */
export function binaryFrameHeader(n: number, masked: boolean): Buffer {
  const header = Buffer.allocUnsafe(headerBytes(n, masked));
  writeHeader(header, n, masked);
  return header;
}

/** Writes the header for a payload of `n` bytes at the start of `frame`; returns where the payload goes. */
function writeHeader(frame: Buffer, n: number, masked: boolean): number {
  frame[0] = FIN_BINARY;
  const mask = masked ? MASK_BIT : 0;
  let p: number;
  if (n < 126) {
    frame[1] = mask | n;
    p = 2;
  } else if (n < 0x10000) {
    frame[1] = mask | 126;
    frame.writeUInt16BE(n, 2);
    p = 4;
  } else {
    frame[1] = mask | 127;
    frame.writeUInt32BE(Math.floor(n / 0x100000000), 2);
    frame.writeUInt32BE(n >>> 0, 6);
    p = 10;
  }
  if (masked) { frame.writeUInt32BE(0, p); p += 4; }
  return p;
}
