/**
 * TensorFlow's ReaderBaseState protocol buffer (reader_base.proto), the serialized state of an
 * IdentityReader or WholeFileReader: work_started = 1, work_finished = 2, num_records_produced = 3
 * (int64 varints), current_work = 4 (bytes). Encoded here by hand: four fields do not need a
 * protobuf library, and the bytes match what TensorFlow writes.
 */
export interface ReaderBaseState {
  workStarted: number;
  workFinished: number;
  numRecordsProduced: number;
  currentWork: Uint8Array;
}

export function encodeReaderState(s: ReaderBaseState): Uint8Array {
  const out: number[] = [];
  const varintField = (tag: number, v: number): void => {
    if (v === 0) return; // proto3 omits default values
    out.push(tag << 3);
    writeVarint(out, BigInt.asUintN(64, BigInt(v)));
  };
  varintField(1, s.workStarted);
  varintField(2, s.workFinished);
  varintField(3, s.numRecordsProduced);
  if (s.currentWork.length > 0) {
    out.push((4 << 3) | 2);
    writeVarint(out, BigInt(s.currentWork.length));
    for (const b of s.currentWork) out.push(b);
  }
  return Uint8Array.from(out);
}

function writeVarint(out: number[], v: bigint): void {
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/** Parses a ReaderBaseState; null when the bytes are not one (ParseProtoUnlimited failing). */
export function decodeReaderState(bytes: Uint8Array): ReaderBaseState | null {
  const s: ReaderBaseState = { workStarted: 0, workFinished: 0, numRecordsProduced: 0, currentWork: new Uint8Array(0) };
  let i = 0;
  const varint = (): bigint | null => {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (i >= bytes.length) return null;
      const b = bytes[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, v);
    }
    return null;
  };
  while (i < bytes.length) {
    const key = varint();
    if (key === null) return null;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) return null;
    if (wire === 0) {
      const v = varint();
      if (v === null) return null;
      const n = Number(BigInt.asIntN(64, v));
      if (field === 1) s.workStarted = n;
      else if (field === 2) s.workFinished = n;
      else if (field === 3) s.numRecordsProduced = n;
    } else if (wire === 2) {
      const len = varint();
      if (len === null || i + Number(len) > bytes.length) return null;
      const body = bytes.slice(i, i + Number(len));
      i += Number(len);
      if (field === 4) s.currentWork = body;
    } else if (wire === 1) {
      if (i + 8 > bytes.length) return null;
      i += 8;
    } else if (wire === 5) {
      if (i + 4 > bytes.length) return null;
      i += 4;
    } else {
      return null;
    }
  }
  return s;
}

/** TensorFlow's DebugString of the state, used in restore error messages. */
export function debugString(s: ReaderBaseState): string {
  const lines: string[] = [];
  if (s.workStarted) lines.push(`work_started: ${s.workStarted}`);
  if (s.workFinished) lines.push(`work_finished: ${s.workFinished}`);
  if (s.numRecordsProduced) lines.push(`num_records_produced: ${s.numRecordsProduced}`);
  if (s.currentWork.length) lines.push(`current_work: "${Buffer.from(s.currentWork).toString('latin1')}"`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}
