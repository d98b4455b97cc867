/**
 * tf.decodeCsv and its op, DecodeCSV (TensorFlow's parsing_ops.decode_csv and decode_csv_op.cc):
 * one output per column, each with the dtype of its record default and the shape of `records`.
 *
 * Column dtypes come from the record defaults. JavaScript cannot tell `-1.` from `-1`, so:
 *   - a plain JS number (in `[v]` or alone) is float32, a bigint int64, a string string;
 *     `[]` is a required float32 column, as in TensorFlow's Python;
 *   - for any other dtype give a tensor (`tf.constant([-1], {dtype: 'int32'})`, a concrete
 *     `tf.tensor`, a typed array such as `Int32Array.of(-1)`), or `{dtype, value?}`
 *     (`{dtype: 'int32', value: -1}`; no value = a required column).
 * So the book's `[[-1.], [-1.], [-1]]` is written
 * `[[-1], [-1], {dtype: 'int32', value: -1}]` (or with `tf.constant([-1], {dtype: 'int32'})`).
 *
 * Fields that are empty or equal `naValue` take the default (or fail "Field f is required but
 * missing in record i!"). A numeric field of only spaces counts as empty too: the book's
 * `7. ,    , 0` row means "x2 missing".
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { allocData, isDType, tfTypeName, type DType, type StringElement } from '../framework/dtypes.js';
import { registerKernel, registerOp } from '../framework/op_registry.js';
import { SymbolicTensor, getDefaultGraph } from '../framework/graph.js';
import { isConvertible, toSymbolic, constantOp } from '../framework/convert.js';
import { convertToTensor, tensor, Tensor } from '../framework/tensor.js';
import { extractFields, isBlank, parseFloatField, parseInt32, parseInt64 } from './csv_fields.js';

const CSV_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'string'];

interface CsvAttrs {
  OUT_TYPE: DType[];
  field_delim: string;
  use_quote_delim: boolean;
  na_value: string;
  select_cols: number[];
}

function checkAttrs(a: Partial<CsvAttrs>): void {
  if (typeof a.field_delim !== 'string' || a.field_delim.length !== 1) {
    throw new InvalidArgumentError('field_delim should be only 1 char');
  }
  const sel = a.select_cols ?? [];
  const out = a.OUT_TYPE ?? [];
  if (sel.length > 0 && sel.length !== out.length) throw new InvalidArgumentError('select_cols should match output size');
  for (let i = 1; i < sel.length; i++) {
    if (!(sel[i - 1]! < sel[i]!)) throw new InvalidArgumentError('select_cols should be strictly increasing indices');
  }
  if (sel.length > 0 && sel[0]! < 0) throw new InvalidArgumentError('select_cols should be non-negative indices');
}

registerOp({
  type: 'DecodeCSV',
  inferOutputs: ({ inputs, attrs }) => {
    const a = attrs as Partial<CsvAttrs>;
    checkAttrs(a);
    const out = a.OUT_TYPE ?? [];
    const records = inputs[0];
    if (!records || records.dtype !== 'string') throw new InvalidArgumentError('DecodeCSV needs string records as input 0');
    if (inputs.length !== out.length + 1) {
      throw new InvalidArgumentError(`DecodeCSV needs one record default per output: ${inputs.length - 1} defaults for ${out.length} outputs`);
    }
    inputs.slice(1).forEach((d, i) => {
      if (d.dtype !== out[i]) {
        throw new InvalidArgumentError(`Record default ${i} has dtype ${tfTypeName(d.dtype)} but OUT_TYPE says ${tfTypeName(out[i]!)}`);
      }
      if (d.shape === null) return;
      if (d.shape.length > 1) throw new InvalidArgumentError(`Shape must be at most rank 1 but is rank ${d.shape.length}`);
      if (d.shape.length === 1 && d.shape[0] !== null && d.shape[0]! > 1) {
        throw new InvalidArgumentError('Shape of a default must be a length-0 or length-1 vector, or a scalar.');
      }
    });
    return out.map((dtype) => ({ dtype, shape: records.shape === null ? null : [...records.shape] }));
  },
});

function recordText(v: StringElement): string {
  return typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
}

registerKernel({
  type: 'DecodeCSV',
  deviceType: 'CPU',
  compute: (ctx, inputs) => {
    const a = ctx.node.attrs as unknown as CsvAttrs;
    checkAttrs(a);
    const records = inputs[0]!;
    const defaults = inputs.slice(1);
    defaults.forEach((d, i) => {
      if (d.shape.length > 1) throw new InvalidArgumentError('Each record default should be at most rank 1');
      if (d.size >= 2) throw new InvalidArgumentError(`There should only be 1 default per field but field ${i} has ${d.size}`);
    });
    return decodeCsvRecords(records, defaults, a);
  },
});

/** The kernel's work on concrete tensors (exported for tests and for the input benchmark). */
export function decodeCsvRecords(records: Tensor, defaults: readonly Tensor[], a: CsvAttrs): Tensor[] {
  const types = a.OUT_TYPE;
  const nRec = records.size;
  const outs = types.map((t) => allocData(t, nRec)) as unknown as unknown[][];
  const select = a.select_cols.length > 0 ? a.select_cols : null;
  const na = a.na_value;
  for (let i = 0; i < nRec; i++) {
    const fields = extractFields(recordText(records.data[i] as StringElement), a.field_delim, a.use_quote_delim, select);
    if (fields.length !== types.length) {
      throw new InvalidArgumentError(`Expect ${types.length} fields but have ${fields.length} in record ${i}`);
    }
    for (let f = 0; f < types.length; f++) {
      const field = fields[f]!;
      const dtype = types[f]!;
      let v: number | bigint | string | null = field === '' || field === na ? null : parseField(field, dtype);
      if (v === null) {
        // Empty, naValue, or (numeric columns) only spaces: the default; else a parse error.
        if (field !== '' && field !== na && !isBlank(field)) {
          throw new InvalidArgumentError(`Field ${f} in record ${i} is not a valid ${tfTypeName(dtype)}: ${field}`);
        }
        const d = defaults[f]!;
        if (d.size !== 1) throw new InvalidArgumentError(`Field ${f} is required but missing in record ${i}!`);
        v = d.data[0] as number | bigint | string;
      }
      outs[f]![i] = v;
    }
  }
  return types.map((t, f) => new Tensor(t, [...records.shape], outs[f] as never));
}

/** The field's value, or null when it does not parse as `dtype` (strings always do). */
function parseField(field: string, dtype: DType): number | bigint | string | null {
  switch (dtype) {
    case 'int32': return parseInt32(field);
    case 'int64': return parseInt64(field);
    case 'float32': case 'float64': return parseFloatField(field);
    case 'string': return field;
    default: throw new InvalidArgumentError(`csv: data type ${dtype} not supported`);
  }
}

// ---- the user function ----------------------------------------------------------------------

/** A column default with its dtype spelled out: `{dtype: 'int32', value: -1}`; no value = required. */
export interface TypedDefault {
  dtype: DType | string;
  value?: number | bigint | string;
}

export type RecordDefault = unknown[] | number | bigint | string | Tensor | SymbolicTensor | TypedDefault | ArrayBufferView;

export interface DecodeCsvOptions {
  recordDefaults: RecordDefault[];
  /** One character (default ','). */
  fieldDelim?: string;
  /** Double quotes quote fields (default true); false makes them ordinary characters. */
  useQuoteDelim?: boolean;
  /** A field equal to this is missing (default '': only empty fields are). */
  naValue?: string;
  /** Strictly increasing column indices to parse (one per default); the rest are skipped. */
  selectCols?: number[] | null;
  name?: string;
}

function isTypedDefault(x: unknown): x is TypedDefault {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x)
    && !(x instanceof Tensor) && !(x instanceof SymbolicTensor) && 'dtype' in x;
}

/** One record default as a symbolic tensor, with the dtype rule in the header comment. */
function defaultToSymbolic(d: unknown, i: number): SymbolicTensor {
  const g = getDefaultGraph();
  const name = `record_defaults_${i}`;
  if (d instanceof SymbolicTensor || isConvertible(d)) return toSymbolic(d, { graph: g });
  if (d instanceof Tensor) return constantOp(g, d, name);
  if (isTypedDefault(d)) {
    if (!isDType(d.dtype)) throw new InvalidArgumentError(`Record default ${i}: unknown dtype ${JSON.stringify(d.dtype)}`);
    return constantOp(g, tensor(d.value === undefined ? [] : [d.value], { dtype: d.dtype }), name);
  }
  if (Array.isArray(d)) {
    if (d.length === 0) return constantOp(g, tensor([], { dtype: 'float32' }), name);
    // `[tf.constant(...)]` or `[{dtype, value}]`: the typed value inside decides.
    if (d.length === 1 && (d[0] instanceof SymbolicTensor || d[0] instanceof Tensor || isTypedDefault(d[0]) || isConvertible(d[0]))) {
      return defaultToSymbolic(d[0], i);
    }
  }
  return constantOp(g, convertToTensor(d), name);
}

/**
 * `tf.decodeCsv(records, {recordDefaults, fieldDelim, useQuoteDelim, naValue, selectCols, name})`
 * (or `tf.decodeCsv(records, recordDefaults, options)`): one tensor per column.
 */
export function decodeCsv(records: unknown, optsOrDefaults: DecodeCsvOptions | RecordDefault[], more: Omit<DecodeCsvOptions, 'recordDefaults'> = {}): SymbolicTensor[] {
  const opts: DecodeCsvOptions = Array.isArray(optsOrDefaults) ? { ...more, recordDefaults: optsOrDefaults } : optsOrDefaults;
  if (!opts || !Array.isArray(opts.recordDefaults)) throw new InvalidArgumentError('decodeCsv needs recordDefaults: one default per column');
  const select = opts.selectCols ?? null;
  if (select !== null) {
    for (let i = 0; i + 1 < select.length; i++) {
      if (select[i]! >= select[i + 1]!) throw new InvalidArgumentError('select_cols is not strictly increasing.');
    }
    if (select.length > 0 && select[0]! < 0) throw new InvalidArgumentError('select_cols contains negative values.');
    if (select.length !== opts.recordDefaults.length) throw new InvalidArgumentError('Length of select_cols and record_defaults do not match.');
  }
  const recs = toSymbolic(records, { dtype: records instanceof SymbolicTensor ? undefined : 'string', name: 'records' });
  if (recs.dtype !== 'string') throw new InvalidArgumentError(`decodeCsv needs string records, got ${tfTypeName(recs.dtype)}`);
  const defaults = opts.recordDefaults.map((d, i) => defaultToSymbolic(d, i));
  defaults.forEach((d, i) => {
    if (!CSV_DTYPES.includes(d.dtype)) {
      throw new InvalidArgumentError(
        `Value passed to parameter 'record_defaults' has DataType ${d.dtype} not in list of allowed values: float32, float64, int32, int64, string (record default ${i})`);
    }
  });
  const attrs: CsvAttrs = {
    OUT_TYPE: defaults.map((d) => d.dtype),
    field_delim: opts.fieldDelim ?? ',',
    use_quote_delim: opts.useQuoteDelim ?? true,
    na_value: opts.naValue ?? '',
    select_cols: select ? [...select] : [],
  };
  const op = recs.graph.createOp('DecodeCSV', [recs, ...defaults], { name: opts.name ?? 'DecodeCSV', attrs: attrs as unknown as Record<string, unknown> });
  return op.outputs;
}
