import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { binaryFrame } from '../../transport/ws_frame.js';

// ws exports its Receiver at run time but not in its type definitions.
const Receiver = createRequire(import.meta.url)('ws').Receiver as new (opts: object) => Writable;

/** Parses frames with ws's own Receiver (server side expects masked frames, client side unmasked). */
function parse(frame: Buffer, isServer: boolean): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const r = new Receiver({ isServer, skipUTF8Validation: true, maxPayload: 0 });
    r.on('message', (data: Buffer, isBinary: boolean) => { if (!isBinary) reject(new Error('text frame')); got.push(Buffer.from(data)); });
    r.on('error', reject);
    r.write(frame, () => resolve(got));
  });
}

const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 70000];

test('every length class (7-bit, 16-bit, 64-bit) parses back as one binary message, masked and not', async () => {
  for (const n of SIZES) {
    const payload = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
    for (const masked of [false, true]) {
      const msgs = await parse(binaryFrame(payload, masked), masked);
      assert.is(msgs.length, 1, `n=${n} masked=${masked}`);
      assert.ok(Buffer.from(payload).equals(msgs[0]!), `payload n=${n} masked=${masked}`);
    }
  }
});

test('header sizes follow RFC 6455 5.2 (2 / 4 / 10 bytes, plus 4 for the zero mask)', () => {
  assert.is(binaryFrame(new Uint8Array(125), false).length, 127);
  assert.is(binaryFrame(new Uint8Array(126), false).length, 130);
  assert.is(binaryFrame(new Uint8Array(65536), false).length, 65546);
  const masked = binaryFrame(new Uint8Array([1, 2, 3]), true);
  assert.equal([...masked], [0x82, 0x83, 0, 0, 0, 0, 1, 2, 3]);
});

test('property: back-to-back frames of random payloads parse in order and unchanged', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 8 }), fc.boolean(), async (payloads, masked) => {
    const msgs = await parse(Buffer.concat(payloads.map((p) => binaryFrame(p, masked))), masked);
    assert.is(msgs.length, payloads.length);
    payloads.forEach((p, i) => assert.ok(Buffer.from(p).equals(msgs[i]!)));
  }), { numRuns: 100 });
});

test.run();
