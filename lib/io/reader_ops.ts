/**
 * Reader ops with TensorFlow's names: the resource ops (TextLineReaderV2, FixedLengthRecordReaderV2,
 * TFRecordReaderV2, IdentityReaderV2, WholeFileReaderV2) output a scalar string handle holding the
 * reader actor's path; ReaderReadV2, ReaderReadUpToV2, ReaderResetV2, ReaderNumRecordsProducedV2,
 * ReaderNumWorkUnitsCompletedV2, ReaderSerializeStateV2 and ReaderRestoreStateV2 take it as input 0
 * and so run on the reader's device, where the files are read. The filename queue (input 1 of the
 * reads) may live anywhere: the reader asks it through the actor system.
 */
import { privateResourceName } from '../framework/private_resource.js';
import { InvalidArgumentError, NotFoundError } from '../framework/errors.js';
import { registerKernel, registerOp, type InferenceInput, type KernelFn, type OutputSpec } from '../framework/op_registry.js';
import type { KernelContext } from '../framework/kernel_context.js';
import { Tensor } from '../framework/tensor.js';
import { ReaderActor, type ReadReply, type ReaderMessage } from '../../actors/reader/reader_actor.js';
import type { ReaderFormat } from '../../actors/reader/record_source.js';
import { textLineFormat } from '../../actors/reader/text_line_format.js';
import { fixedLengthFormat } from '../../actors/reader/fixed_length_format.js';
import { tfRecordFormat } from '../../actors/reader/tf_record_format.js';
import { identityFormat } from '../../actors/reader/identity_format.js';
import { wholeFileFormat } from '../../actors/reader/whole_file_format.js';
import { compressionTypeString } from './compression.js';

const handle: OutputSpec = { dtype: 'string', shape: [] };

function intAttr(attrs: Readonly<Record<string, unknown>>, key: string, dflt: number): number {
  const v = attrs[key];
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new InvalidArgumentError(`Attr ${key} must be an integer, got ${String(v)}`);
  return n;
}

/** The attr checks TensorFlow's reader kernels make when constructed (here also when built). */
export function checkReaderAttrs(type: string, attrs: Readonly<Record<string, unknown>>): void {
  if (type === 'TextLineReaderV2') {
    const skip = intAttr(attrs, 'skip_header_lines', 0);
    if (skip < 0) throw new InvalidArgumentError(`skip_header_lines must be >= 0 not ${skip}`);
  } else if (type === 'FixedLengthRecordReaderV2') {
    for (const k of ['header_bytes', 'record_bytes', 'footer_bytes', 'hop_bytes']) {
      const v = intAttr(attrs, k, 0);
      if (v < 0) throw new InvalidArgumentError(`${k} must be >= 0 not ${v}`);
    }
    // A zero-byte record would be read forever from any file.
    if (intAttr(attrs, 'record_bytes', 0) === 0) throw new InvalidArgumentError('record_bytes must be > 0 not 0');
    compressionTypeString(attrs['encoding'] ?? '', 'encoding');
  } else if (type === 'TFRecordReaderV2') {
    compressionTypeString(attrs['compression_type'] ?? '', 'compression_type');
  }
}

function formatFor(type: string, attrs: Readonly<Record<string, unknown>>): ReaderFormat {
  checkReaderAttrs(type, attrs);
  switch (type) {
    case 'TextLineReaderV2': return textLineFormat({ skipHeaderLines: intAttr(attrs, 'skip_header_lines', 0) });
    case 'FixedLengthRecordReaderV2': return fixedLengthFormat({
      headerBytes: intAttr(attrs, 'header_bytes', 0),
      recordBytes: intAttr(attrs, 'record_bytes', 0),
      footerBytes: intAttr(attrs, 'footer_bytes', 0),
      hopBytes: intAttr(attrs, 'hop_bytes', 0),
      encoding: compressionTypeString(attrs['encoding'] ?? '', 'encoding'),
    });
    case 'TFRecordReaderV2': return tfRecordFormat({ compressionType: compressionTypeString(attrs['compression_type'] ?? '') });
    case 'IdentityReaderV2': return identityFormat;
    case 'WholeFileReaderV2': return wholeFileFormat;
    default: throw new InvalidArgumentError(`Unknown reader op ${type}`);
  }
}

export const READER_OP_TYPES = [
  'TextLineReaderV2', 'FixedLengthRecordReaderV2', 'TFRecordReaderV2', 'IdentityReaderV2', 'WholeFileReaderV2',
] as const;

for (const type of READER_OP_TYPES) {
  registerOp({
    type, resource: 'reader', stateful: true,
    inferOutputs: (info) => { checkReaderAttrs(type, info.attrs); return [handle]; },
  });
  registerKernel({ type, deviceType: 'CPU', compute: readerResourceKernel(type) });
}

function readerResourceKernel(type: string): KernelFn {
  return (ctx) => {
    const attrs = ctx.node.attrs;
    const container = (attrs['container'] as string | undefined) ?? '';
    let name = (attrs['shared_name'] as string | undefined) ?? '';
    if (name === '') name = privateResourceName(ctx, 'reader');
    const actor = ctx.resources.lookupOrCreate<ReaderActor>(container, 'reader', name,
      (path) => new ReaderActor(path, {
        format: formatFor(type, attrs), nodeName: ctx.node.name, system: ctx.system, taskPath: ctx.device.taskPath,
      }),
      (existing) => {
        if (!(existing instanceof ReaderActor)) throw new InvalidArgumentError(`Resource '${name}' is not a reader`);
      });
    return [new Tensor('string', [], [actor.path])];
  };
}

// ---- ops on a reader ----------------------------------------------------------------------

function requireStringInput(info: InferenceInput, i: number, what: string): void {
  const t = info.inputs[i];
  if (!t || t.dtype !== 'string') {
    throw new InvalidArgumentError(`${info.type} '${info.name}' needs ${what} (a string tensor) as input ${i}`);
  }
}

function requireScalarIfKnown(info: InferenceInput, i: number): void {
  const s = info.inputs[i]?.shape;
  if (s && s.length !== 0) throw new InvalidArgumentError(`Shape must be rank 0 but is rank ${s.length}`);
}

registerOp({
  type: 'ReaderReadV2', stateful: true, blocking: true, resourceInputs: [0],
  inferOutputs: (info) => {
    requireStringInput(info, 0, 'a reader handle');
    requireStringInput(info, 1, 'a queue handle');
    return [{ dtype: 'string', shape: [] }, { dtype: 'string', shape: [] }];
  },
});
registerOp({
  type: 'ReaderReadUpToV2', stateful: true, blocking: true, resourceInputs: [0],
  inferOutputs: (info) => {
    requireStringInput(info, 0, 'a reader handle');
    requireStringInput(info, 1, 'a queue handle');
    const n = info.inputs[2];
    if (!n || (n.dtype !== 'int64' && n.dtype !== 'int32')) {
      throw new InvalidArgumentError(`${info.type} '${info.name}' needs an int64 num_records as input 2`);
    }
    requireScalarIfKnown(info, 2);
    const c = info.constantInputs[2];
    if (c && Number(c.data[0]) < 0) {
      throw new InvalidArgumentError(`ReaderReadUpTo requested ${String(c.data[0])} records; num_records must be >= 0`);
    }
    return [{ dtype: 'string', shape: [null] }, { dtype: 'string', shape: [null] }];
  },
});
registerOp({
  type: 'ReaderResetV2', stateful: true, resourceInputs: [0],
  inferOutputs: (info) => { requireStringInput(info, 0, 'a reader handle'); return []; },
});
for (const type of ['ReaderNumRecordsProducedV2', 'ReaderNumWorkUnitsCompletedV2']) {
  registerOp({
    type, stateful: true, resourceInputs: [0],
    inferOutputs: (info) => { requireStringInput(info, 0, 'a reader handle'); return [{ dtype: 'int64', shape: [] }]; },
  });
}
registerOp({
  type: 'ReaderSerializeStateV2', stateful: true, resourceInputs: [0],
  inferOutputs: (info) => { requireStringInput(info, 0, 'a reader handle'); return [{ dtype: 'string', shape: [] }]; },
});
registerOp({
  type: 'ReaderRestoreStateV2', stateful: true, resourceInputs: [0],
  inferOutputs: (info) => {
    requireStringInput(info, 0, 'a reader handle');
    requireStringInput(info, 1, 'a state');
    requireScalarIfKnown(info, 1);
    return [];
  },
});

function handlePath(t: Tensor | undefined, what: string): string {
  const p = t?.dtype === 'string' && t.size === 1 ? t.data[0] : undefined;
  if (typeof p !== 'string') throw new InvalidArgumentError(`Expected a ${what} handle (a scalar string tensor)`);
  return p;
}

/** Sends a message to the reader: in process when it lives here (the colocated case). */
function askReader<R>(ctx: KernelContext, handleTensor: Tensor | undefined, msg: ReaderMessage): Promise<R> {
  const path = handlePath(handleTensor, 'reader');
  const local = ctx.system.lookup(path);
  if (local) return local.deliver<R>(msg, ctx.step.signal);
  if (ctx.system.isLocal(path)) {
    return Promise.reject(new NotFoundError(`Resource ${path} does not exist (its container may have been reset)`));
  }
  return ctx.system.ask<R>(path, msg, { signal: ctx.step.signal, timeoutMs: 0 });
}

registerKernel({
  type: 'ReaderReadV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    const r = await askReader<ReadReply>(ctx, inputs[0], { type: 'read', queue: handlePath(inputs[1], 'queue') });
    return [new Tensor('string', [], [r.keys[0]!]), new Tensor('string', [], [r.values[0]!])];
  },
});

registerKernel({
  type: 'ReaderReadUpToV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    const nt = inputs[2];
    if (!nt || nt.size !== 1) throw new InvalidArgumentError('num_records must be a scalar');
    const n = Number(nt.data[0]);
    const r = await askReader<ReadReply>(ctx, inputs[0], { type: 'readUpTo', queue: handlePath(inputs[1], 'queue'), n });
    return [new Tensor('string', [r.keys.length], r.keys), new Tensor('string', [r.values.length], r.values)];
  },
});

registerKernel({
  type: 'ReaderResetV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => { await askReader(ctx, inputs[0], { type: 'reset' }); return []; },
});

for (const [type, msgType] of [['ReaderNumRecordsProducedV2', 'numRecordsProduced'], ['ReaderNumWorkUnitsCompletedV2', 'numWorkUnitsCompleted']] as const) {
  registerKernel({
    type, deviceType: 'CPU',
    compute: async (ctx, inputs) => {
      const n = await askReader<number>(ctx, inputs[0], { type: msgType });
      return [new Tensor('int64', [], BigInt64Array.of(BigInt(n)))];
    },
  });
}

registerKernel({
  type: 'ReaderSerializeStateV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => [new Tensor('string', [], [await askReader<Uint8Array>(ctx, inputs[0], { type: 'serializeState' })])],
});

registerKernel({
  type: 'ReaderRestoreStateV2', deviceType: 'CPU',
  compute: async (ctx, inputs) => {
    const st = inputs[1]!;
    if (st.shape.length !== 0) {
      throw new InvalidArgumentError(`Reader state must be scalar, but had shape: [${st.shape.join(',')}]`);
    }
    await askReader(ctx, inputs[0], { type: 'restoreState', state: st.data[0] as string | Uint8Array });
    return [];
  },
});
