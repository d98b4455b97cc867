/**
 * A forward-only byte stream over one file, read in chunks so that a file of any size is read with
 * bounded memory (one chunk, plus the record being assembled). Plain files are read with positioned
 * reads into one reused buffer; ZLIB and GZIP files go through node:zlib's streaming inflater.
 * Every value handed out is a copy, so no caller ever pins a chunk.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip, createInflate } from 'node:zlib';
import { pipeline } from 'node:stream';
import type { CompressionType } from './compression.js';

/** Default chunk size: TensorFlow's readers buffer 256 KiB as well. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

export interface ByteStreamOptions {
  /** '' (default), 'ZLIB' or 'GZIP': the whole file is one compressed stream. */
  compression?: CompressionType;
  /** Bytes read from the file per chunk (default 256 KiB). */
  chunkBytes?: number;
}

/** Where chunks come from: null at the end of the stream. */
interface ChunkSource {
  next(): Promise<Buffer | null>;
  close(): Promise<void>;
}

class PlainSource implements ChunkSource {
  private position = 0;
  private readonly buffer: Buffer;
  constructor(private readonly fh: FileHandle, chunkBytes: number) {
    this.buffer = Buffer.allocUnsafeSlow(chunkBytes);
  }
  async next(): Promise<Buffer | null> {
    // The stream copies everything out of a chunk before asking for the next, so one buffer serves.
    const { bytesRead } = await this.fh.read(this.buffer, 0, this.buffer.length, this.position);
    if (bytesRead === 0) return null;
    this.position += bytesRead;
    return this.buffer.subarray(0, bytesRead);
  }
  close(): Promise<void> { return this.fh.close(); }
}

class InflateSource implements ChunkSource {
  private readonly iter: AsyncIterator<Buffer>;
  private readonly inflater: NodeJS.ReadWriteStream & { destroy(): void };
  constructor(private readonly fh: FileHandle, compression: 'ZLIB' | 'GZIP', chunkBytes: number) {
    const raw = fh.createReadStream({ highWaterMark: chunkBytes, autoClose: false, start: 0 });
    const z = compression === 'GZIP' ? createGunzip({ chunkSize: Math.min(chunkBytes, 64 * 1024) }) : createInflate({ chunkSize: Math.min(chunkBytes, 64 * 1024) });
    this.inflater = z;
    // pipeline forwards a read error into the inflater, whose iterator then throws it.
    pipeline(raw, z, () => { /* errors surface through the iterator */ });
    this.iter = z[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }
  async next(): Promise<Buffer | null> {
    const r = await this.iter.next();
    return r.done ? null : r.value;
  }
  async close(): Promise<void> {
    this.inflater.destroy();
    await this.fh.close();
  }
}

export class ByteStream {
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  private consumed = 0;
  private ended = false;
  private closed = false;

  private constructor(private readonly source: ChunkSource, readonly path: string) {}

  /** Opens `path`; fs errors (ENOENT, EACCES, ...) are thrown as they come (see fileError). */
  static async open(path: string, opts: ByteStreamOptions = {}): Promise<ByteStream> {
    const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const fh = await open(path, 'r');
    try {
      // Opening a directory succeeds on Linux; reading it fails later with EISDIR. Fail now instead.
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
    } catch (e) {
      await fh.close();
      throw e;
    }
    const compression = opts.compression ?? '';
    const source = compression === '' ? new PlainSource(fh, chunkBytes) : new InflateSource(fh, compression, chunkBytes);
    return new ByteStream(source, path);
  }

  /** Bytes consumed so far: the position in the (uncompressed) stream. */
  get position(): number { return this.consumed + this.pos; }

  /** Loads the next chunk; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    this.consumed += this.chunk.length;
    this.pos = 0;
    this.chunk = Buffer.alloc(0);
    const next = await this.source.next();
    if (next === null) {
      this.ended = true;
      return false;
    }
    this.chunk = next;
    return true;
  }

  private get available(): number { return this.chunk.length - this.pos; }

  /**
   * Copies exactly n bytes into a new Uint8Array; fewer (possibly 0) only at the end of the stream.
   */
  async read(n: number): Promise<Uint8Array> {
    if (n <= this.available) {
      const out = new Uint8Array(n);
      out.set(this.chunk.subarray(this.pos, this.pos + n));
      this.pos += n;
      return out;
    }
    let out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      if (this.available === 0 && !(await this.fill())) break;
      const take = Math.min(n - got, this.available);
      out.set(this.chunk.subarray(this.pos, this.pos + take), got);
      this.pos += take;
      got += take;
    }
    if (got < n) out = out.slice(0, got);
    return out;
  }

  /** Reads n bytes into `dst` at `offset` (a small header, say); returns how many were read. */
  async readInto(dst: Uint8Array, offset: number, n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      if (this.available === 0 && !(await this.fill())) break;
      const take = Math.min(n - got, this.available);
      dst.set(this.chunk.subarray(this.pos, this.pos + take), offset + got);
      this.pos += take;
      got += take;
    }
    return got;
  }

  /**
   * The current chunk and the offset of the next byte, if the next n bytes all lie in it (nothing
   * is consumed); null if they do not (then use the async reads). Lets parsers handle whole
   * records without awaiting.
   */
  peek(n: number): { buf: Uint8Array; at: number } | null {
    return n <= this.available ? { buf: this.chunk, at: this.pos } : null;
  }

  /** Consumes n bytes that peek() showed. */
  advance(n: number): void {
    if (n > this.available) throw new RangeError(`advance(${n}) past the ${this.available} buffered bytes`);
    this.pos += n;
  }

  /**
   * The next line if it ends inside the current chunk (no I/O needed), else undefined: the
   * synchronous fast path of readLine().
   */
  tryReadLineSync(): string | undefined {
    if (this.available === 0) return undefined;
    const nl = this.chunk.indexOf(10, this.pos);
    if (nl < 0) return undefined;
    const end = nl > this.pos && this.chunk[nl - 1] === 13 ? nl - 1 : nl;
    const line = this.chunk.toString('utf8', this.pos, end);
    this.pos = nl + 1;
    return line;
  }

  /** Skips n bytes; returns how many were skipped (fewer only at the end of the stream). */
  async skip(n: number): Promise<number> {
    let done = 0;
    while (done < n) {
      if (this.available === 0 && !(await this.fill())) break;
      const take = Math.min(n - done, this.available);
      this.pos += take;
      done += take;
    }
    return done;
  }

  /**
   * The next line decoded as UTF-8, without its "\n" or "\r\n" (TensorFlow's InputBuffer::ReadLine):
   * a last line without a newline is still returned; null once nothing is left.
   */
  async readLine(): Promise<string | null> {
    let parts: Buffer[] | null = null;
    for (;;) {
      if (this.available === 0 && !(await this.fill())) break;
      const nl = this.chunk.indexOf(10, this.pos);
      if (nl >= 0) {
        let line: string;
        if (parts === null) {
          const end = nl > this.pos && this.chunk[nl - 1] === 13 ? nl - 1 : nl;
          line = this.chunk.toString('utf8', this.pos, end);
        } else {
          parts.push(Buffer.from(this.chunk.subarray(this.pos, nl)));
          line = joinStripCR(parts);
        }
        this.pos = nl + 1;
        return line;
      }
      // No newline in this chunk: keep a copy of the rest and look in the next one.
      (parts ??= []).push(Buffer.from(this.chunk.subarray(this.pos)));
      this.pos = this.chunk.length;
    }
    if (parts === null) return null;
    const line = joinStripCR(parts);
    return line === '' ? null : line;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.source.close();
  }
}

function joinStripCR(parts: Buffer[]): string {
  const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const end = all.length > 0 && all[all.length - 1] === 13 ? all.length - 1 : all.length;
  return all.toString('utf8', 0, end);
}
