import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { FrameReader } from '../../transport/frame_reader.js';

// ws exports its Sender at run time but not in its type definitions; frames here are made by it.
const Sender = createRequire(import.meta.url)('ws').Sender as {
  frame(data: Buffer, o: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean; generateMask?: (m: Buffer) => void }): Buffer[];
};

interface FrameSpec { opcode: number; payload: Buffer; fin?: boolean; rsv1?: boolean; mask?: 'zero' | 'random' | 'none' }

function frame(f: FrameSpec): Buffer {
  const mask = f.mask ?? 'none';
  return Buffer.concat(Sender.frame(f.payload, {
    fin: f.fin ?? true, opcode: f.opcode, rsv1: f.rsv1 ?? false, readOnly: true, mask: mask !== 'none',
    ...(mask === 'zero' ? { generateMask: (m: Buffer) => { m.fill(0); } } : {}),
  }));
}

const SCRATCH = 64;

/** How the wire reaches the reader: Node's fresh chunks, a reused scratch buffer, or reads the reader directs. */
type Mode = 'chunks' | 'reused' | 'direct';

/**
 * Feeds `wire` to a reader in reads of the given sizes (cycled) and returns what it delivered
 * and forwarded. Reused memory is overwritten after each read, as the socket's next read would.
 */
function run(wire: Buffer, isServer: boolean, mode: Mode, sizes: number[], maxPayload = 0): { delivered: Buffer[]; forwarded: Buffer } {
  const delivered: Buffer[] = [];
  const forwarded: Buffer[] = [];
  const r = new FrameReader(isServer, maxPayload, (p) => delivered.push(p), (b) => { forwarded.push(b); return true; });
  const scratch = Buffer.alloc(SCRATCH);
  let p = 0;
  for (let i = 0; p < wire.length; i++) {
    const want = Math.max(1, sizes[i % sizes.length]!);
    const target = mode === 'direct' ? r.readTarget(SCRATCH) : null;
    if (target) {
      const n = Math.min(want * 4, target.length, wire.length - p);
      wire.copy(target, 0, p, p + n);
      r.filled(n);
      p += n;
    } else if (mode === 'chunks') {
      const n = Math.min(want, wire.length - p);
      r.push(Buffer.from(wire.subarray(p, p + n)));
      p += n;
    } else {
      const n = Math.min(want, SCRATCH, wire.length - p);
      wire.copy(scratch, 0, p, p + n);
      r.push(scratch.subarray(0, n), true);
      scratch.fill(0xee);
      p += n;
    }
  }
  return { delivered, forwarded: Buffer.concat(forwarded) };
}

const MODES: Mode[] = ['chunks', 'reused', 'direct'];
const bytes = (n: number, k = 1): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + k) & 0xff));

test('binary frames of every length class are delivered whole, masked (zero or random) on a server, unmasked on a client', () => {
  for (const n of [0, 1, 125, 126, 200, 65535, 65536, 70000]) {
    for (const [isServer, mask] of [[false, 'none'], [true, 'zero'], [true, 'random']] as const) {
      for (const mode of MODES) {
        const payload = bytes(n, n);
        const { delivered, forwarded } = run(frame({ opcode: 2, payload, mask }), isServer, mode, [17, 3, 100]);
        assert.is(delivered.length, 1, `n=${n} ${mask} ${mode}`);
        assert.ok(delivered[0]!.equals(payload), `payload n=${n} ${mask} ${mode}`);
        assert.is(forwarded.length, 0);
      }
    }
  }
});

test('a large message is read straight into the buffer it is delivered in', () => {
  const payload = bytes(10_000);
  const wire = frame({ opcode: 2, payload });
  const got: Buffer[] = [];
  const r = new FrameReader(false, 0, (p) => got.push(p), () => true);
  r.push(wire.subarray(0, 40), true);
  const target = r.readTarget(SCRATCH);
  assert.ok(target, 'the next read goes into the message');
  wire.copy(target!, 0, 40);
  r.filled(wire.length - 40);
  assert.is(got.length, 1);
  assert.ok(got[0]!.equals(payload));
  assert.is(got[0]!.buffer, target!.buffer, 'delivered from the memory the socket read into');
  assert.is(r.readTarget(SCRATCH), null, 'between messages, reads go to the scratch buffer');
});

test('pings and pongs go to ws as they came, and reading goes on after them', () => {
  for (const mode of MODES) {
    const ping = frame({ opcode: 9, payload: bytes(5), mask: 'random' });
    const pong = frame({ opcode: 10, payload: Buffer.alloc(0), mask: 'random' });
    const a = bytes(300, 1), b = bytes(90, 2);
    const wire = Buffer.concat([ping, frame({ opcode: 2, payload: a, mask: 'random' }), pong, frame({ opcode: 2, payload: b, mask: 'zero' })]);
    const { delivered, forwarded } = run(wire, true, mode, [5, 64, 2]);
    assert.is(delivered.length, 2, mode);
    assert.ok(delivered[0]!.equals(a) && delivered[1]!.equals(b), mode);
    assert.ok(forwarded.equals(Buffer.concat([ping, pong])), `control frames forwarded byte for byte (${mode})`);
  }
});

test('after a close, text or fragmented frame, or one that breaks the rules, every later byte goes to ws', () => {
  const later = frame({ opcode: 2, payload: bytes(20) });
  const cases: [string, Buffer, boolean][] = [
    ['close', frame({ opcode: 8, payload: Buffer.from([3, 232]) }), false],
    ['text', frame({ opcode: 1, payload: Buffer.from('hi') }), false],
    ['first fragment', frame({ opcode: 2, payload: bytes(4), fin: false }), false],
    ['RSV1 set', frame({ opcode: 2, payload: bytes(4), rsv1: true }), false],
    ['unmasked frame to a server', frame({ opcode: 2, payload: bytes(4) }), true],
    ['masked frame to a client', frame({ opcode: 2, payload: bytes(4), mask: 'zero' }), false],
    ['ping over 125 bytes', frame({ opcode: 9, payload: bytes(126) }), false],
    ['unknown opcode', frame({ opcode: 3, payload: bytes(4) }), false],
  ];
  for (const [what, bad, isServer] of cases) {
    for (const mode of MODES) {
      const first = frame({ opcode: 2, payload: bytes(10), ...(isServer ? { mask: 'zero' as const } : {}) });
      const { delivered, forwarded } = run(Buffer.concat([first, bad, later]), isServer, mode, [7]);
      assert.is(delivered.length, 1, `${what} (${mode}): only the frame before it is read here`);
      assert.ok(forwarded.equals(Buffer.concat([bad, later])), `${what} (${mode}): ws gets it and all after it`);
    }
  }
});

test('a frame over maxPayload goes to ws (which closes with 1009) instead of being read', () => {
  const big = frame({ opcode: 2, payload: bytes(5000) });
  const { delivered, forwarded } = run(big, false, 'direct', [100], 4096);
  assert.is(delivered.length, 0);
  assert.ok(forwarded.equals(big));
});

test('a message that cannot be allocated ends the connection through fail(); later bytes are dropped', () => {
  const head = Buffer.alloc(10);
  head[0] = 0x82;
  head[1] = 127;
  head.writeUInt32BE(2, 2); // 2^33 bytes: more than one Buffer can hold
  head.writeUInt32BE(0, 6);
  const failures: string[] = [];
  const delivered: Buffer[] = [];
  const forwarded: Buffer[] = [];
  const r = new FrameReader(false, 0, (p) => delivered.push(p), (b) => { forwarded.push(b); return true; }, (why) => failures.push(why));
  r.push(Buffer.concat([head, bytes(100)]));
  r.push(frame({ opcode: 2, payload: bytes(10) }));
  assert.is(failures.length, 1);
  assert.match(failures[0]!, /cannot allocate a 8589934592-byte message/);
  assert.is(delivered.length, 0);
  assert.is(forwarded.length, 0);
});

const frameArb = fc.record({
  kind: fc.constantFrom('binary', 'binary', 'binary', 'ping'),
  size: fc.oneof(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 131, max: 70_000 })),
  mask: fc.constantFrom('zero' as const, 'random' as const),
});

test('property: any mix of frames, read in any pieces and any mode, delivers every binary payload in order and forwards the rest byte-exact', () => {
  fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.constantFrom(...MODES),
    fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 6 }), (specs, isServer, mode, sizes) => {
      const payloads: Buffer[] = [];
      const controls: Buffer[] = [];
      const wire = Buffer.concat(specs.map((s, i) => {
        const mask = isServer ? s.mask : 'none';
        if (s.kind === 'ping') {
          const f = frame({ opcode: 9, payload: bytes(Math.min(s.size, 125), i), mask });
          controls.push(f);
          return f;
        }
        const payload = bytes(s.size, i);
        payloads.push(payload);
        return frame({ opcode: 2, payload, mask });
      }));
      const { delivered, forwarded } = run(wire, isServer, mode, sizes);
      assert.is(delivered.length, payloads.length);
      payloads.forEach((p, i) => assert.ok(p.equals(delivered[i]!), `payload ${i}`));
      assert.ok(forwarded.equals(Buffer.concat(controls)));
    }), { numRuns: 150 });
});

test.run();
