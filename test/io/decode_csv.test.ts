import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import * as tf from '../../lib/index.js';
import { extractFields } from '../../lib/io/csv_fields.js';

let sess: tf.Session;
test.before(() => { sess = new tf.Session(); });
test.after(async () => { await sess.close(); });

type Opts = Omit<tf.DecodeCsvOptions, 'recordDefaults'>;

async function decode(records: unknown, recordDefaults: tf.RecordDefault[], opts: Opts = {}): Promise<tf.Tensor[]> {
  const cols = tf.decodeCsv(records, { recordDefaults, ...opts });
  return (await sess.run(cols)) as tf.Tensor[];
}

async function values(records: unknown, recordDefaults: tf.RecordDefault[], opts: Opts = {}): Promise<unknown[]> {
  return (await decode(records, recordDefaults, opts)).map((t) => t.toArray());
}

async function fails(records: unknown, recordDefaults: tf.RecordDefault[], message: string, opts: Opts = {}): Promise<void> {
  try {
    await decode(records, recordDefaults, opts);
  } catch (e) {
    assert.instance(e, tf.errors.InvalidArgumentError, String(e));
    assert.ok((e as Error).message.includes(message), `"${(e as Error).message}" should contain "${message}"`);
    return;
  }
  assert.unreachable(`expected InvalidArgumentError "${message}"`);
}

function buildFails(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof tf.errors.InvalidArgumentError && (e as Error).message.includes(message));
}

const int32 = (value?: number): tf.TypedDefault => ({ dtype: 'int32', value });

test('simple columns, quotes, scalar and 2-D records (decode_csv_op_test.py)', async () => {
  assert.equal(await values(['1', '2', '"3"'], [int32(1)]), [[1, 2, 3]]);
  assert.equal(await values(['1,4', '2,5', '3,6'], [int32(1), int32(2)]), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(await values('1,""', [int32(3), int32(4)]), [1, 4]);
  assert.equal(await values([['1', '2'], ['""', '4']], [int32(5)]), [[[1, 2], [5, 4]]]);
  assert.equal(await values(['1', '"2"'], [['']], { useQuoteDelim: false }), [['1', '"2"']]);
});

test('dtypes: float32 from JS numbers, int32/int64/float64 from typed defaults', async () => {
  const cols = await decode(['1.0,4,"ab c",7,1e300', '0.3,5,"four",8,2', '2.2,6,"SIX",9,-inf'],
    [[1.0], tf.constant([1], { dtype: 'int32' }), ['aa'], [tf.tensor([0n])], { dtype: 'float64' }]);
  assert.equal(cols.map((c) => c.dtype), ['float32', 'int32', 'string', 'int64', 'float64']);
  assert.equal(cols[0]!.toArray(), [1, Math.fround(0.3), Math.fround(2.2)]);
  assert.equal(cols[1]!.toArray(), [4, 5, 6]);
  assert.equal(cols[2]!.toArray(), ['ab c', 'four', 'SIX']);
  assert.equal([...(cols[3]!.data as BigInt64Array)], [7n, 8n, 9n]);
  assert.equal(cols[4]!.toArray(), [1e300, 2, -Infinity]);
  // absl::SimpleAtof: overflow is ±inf, inf/nan spellings in any case, no hex.
  const [f32] = await decode(['1e39', '-1e999', 'INF', '+Infinity', ' 2.5 ', '.5', '1.'], [[0]]);
  assert.equal(f32!.toArray(), [Infinity, -Infinity, Infinity, Infinity, 2.5, 0.5, 1]);
  assert.ok(Number.isNaN(((await values(['NaN'], [[0]]))[0] as number[])[0]));
  await fails(['0x10'], [[0]], 'Field 0 in record 0 is not a valid float: 0x10');
  await fails(['+ 1'], [int32(0)], 'Field 0 in record 0 is not a valid int32: + 1');
  assert.equal(await values(['1', '2', '"2147483648"', '-9223372036854775808'], [{ dtype: 'int64' }]).then((v) => (v[0] as bigint[]).map(String)),
    ['1', '2', '2147483648', '-9223372036854775808']);
  assert.equal(await values(['7'], [Int32Array.of(-1), 5n]).catch(() => 'x'), 'x'); // 1 field, 2 defaults
  const [i32, i64] = await decode(['7,'], [Int32Array.of(-1), 5n]);
  assert.equal([i32!.dtype, i32!.toArray(), i64!.dtype, String(i64!.toArray())], ['int32', [7], 'int64', '5']);
});

test('the book: [[-1], [-1], {dtype: int32, value: -1}] on my_test.csv rows, spaces around numbers', async () => {
  const rows = ['1. , 2. , 0', '4. , 5  , 1', '7. ,    , 0', '7.,,0'];
  const [x1, x2, target] = await decode(rows, [[-1.0], [-1.0], int32(-1)]);
  assert.equal([x1!.dtype, x2!.dtype, target!.dtype], ['float32', 'float32', 'int32']);
  assert.equal(x1!.toArray(), [1, 4, 7, 7]);
  assert.equal(x2!.toArray(), [2, 5, -1, -1]);
  assert.equal(target!.toArray(), [0, 1, 0, 0]);
});

test('complex quoted strings keep delimiters, newlines, doubled quotes and spaces', async () => {
  assert.equal(await values(['"1.0"', '"ab , c"', '"a\nbc"', '"ab""c"', ' abc '], [['1']]),
    [['1.0', 'ab , c', 'a\nbc', 'ab"c', ' abc ']]);
  assert.equal(await values(['a\tb', '"x\ty"\tz'], [[''], ['']], { fieldDelim: '\t' }), [['a', 'x\ty'], ['b', 'z']]);
});

test('defaults fill empty fields and naValue; required columns say which field and record', async () => {
  assert.equal(await values(['1,1,', ',2,2', '3,,3'], [int32(0), int32(0), int32(0)]), [[1, 0, 3], [1, 2, 0], [0, 2, 3]]);
  assert.equal(await values(['2.0,NA,aa', 'NA,5,bb', '3,6,NA'], [[0.0], int32(0), ['NA']], { naValue: 'NA' }),
    [[2, 0, 3], [0, 5, 6], ['aa', 'bb', 'NA']]);
  assert.equal(await values(',,,,', [int32(1), int32(2), int32(3), int32(4), int32(5)]), [1, 2, 3, 4, 5]);
  await fails(['1,2', ',3'], [[], int32(0)], 'Field 0 is required but missing in record 1!');
  await fails(['1,2', '3,'], [[1], { dtype: 'int32' }], 'Field 1 is required but missing in record 1!');
});

test("TensorFlow's parse and field-count messages", async () => {
  await fails(['1,1', '1,2', '1,234a'], [int32(0), int32(0)], 'Field 1 in record 2 is not a valid int32: 234a');
  await fails(['1', '9999999999999999999999999', '3'], [int32(0)], 'Field 0 in record 1 is not a valid int32: 9999999999999999999999999');
  await fails(['1', '2147483648'], [int32(0)], 'Field 0 in record 1 is not a valid int32: 2147483648');
  await fails(['1,1.0x'], [[0], [0]], 'Field 1 in record 0 is not a valid float: 1.0x');
  await fails(['x'], [{ dtype: 'float64', value: 0 }], 'Field 0 in record 0 is not a valid double: x');
  await fails(['9223372036854775808'], [{ dtype: 'int64', value: 0 }], 'Field 0 in record 0 is not a valid int64: 9223372036854775808');
  await fails(['1,1', '1,2', '1,2,3'], [int32(0), int32(0)], 'Expect 2 fields but have 3 in record 2');
  await fails(['1'], [int32(0), int32(0)], 'Expect 2 fields but have 1 in record 0');
  await fails([''], [int32(0)], 'Expect 1 fields but have 0 in record 0');
});

test('quote errors', async () => {
  await fails(['"1,a,"', '0.22', 'a"bc'], [['a']], 'Unquoted fields cannot have quotes/CRLFs inside');
  await fails(['a\rb'], [['a']], 'Unquoted fields cannot have quotes/CRLFs inside');
  await fails(['"a"",2'], [[''], ['']], 'Quoted field has to end with quote followed by delim or end');
  await fails(['"1"a,2'], [[''], ['']], 'Quote inside a string has to be escaped by another quote');
  await fails(['"abc'], [['']], 'Quoted field has to end with quote followed by delim or end');
  await fails(['"a"b",c'], [[''], ['']], 'Quote inside a string has to be escaped by another quote');
});

test('selectCols parses only those columns; build-time checks are InvalidArgumentError', async () => {
  assert.equal(await values(['1,2', '1,3', '1,4'], [int32(5)], { selectCols: [1] }), [[2, 3, 4]]);
  assert.equal(await values(['a,"b,c",d,e"x'], [[''], ['']], { selectCols: [1, 2] }), [['b,c'], ['d']]);
  assert.equal(await values(['1,2,'], [int32(0), int32(9)], { selectCols: [0, 2] }), [[1], [9]]);
  await fails(['1,2'], [int32(0), int32(0)], 'Expect 2 fields but have 1 in record 0', { selectCols: [1, 2] });
  buildFails(() => tf.decodeCsv(['1'], { recordDefaults: [[0], [0]], selectCols: [1, 1] }), 'select_cols is not strictly increasing.');
  buildFails(() => tf.decodeCsv(['1'], { recordDefaults: [[0], [0]], selectCols: [-1, 1] }), 'select_cols contains negative values.');
  buildFails(() => tf.decodeCsv(['1'], { recordDefaults: [[0]], selectCols: [0, 1] }), 'Length of select_cols and record_defaults do not match.');
  buildFails(() => tf.decodeCsv(['1'], { recordDefaults: [[[0]]] }), 'Shape must be at most rank 1 but is rank 2');
  buildFails(() => tf.decodeCsv(['1'], { recordDefaults: [[1, 2]] }), 'Shape of a default must be a length-0 or length-1 vector, or a scalar.');
  buildFails(() => tf.decodeCsv(['1'], { recordDefaults: [[true]] }), 'not in list of allowed values');
  buildFails(() => tf.decodeCsv(['1'], { recordDefaults: [[0]], fieldDelim: '::' }), 'field_delim should be only 1 char');
});

test('static shapes follow the records; the positional form works too', () => {
  const p = tf.placeholder('string', [null, 3]);
  const [a, b] = tf.decodeCsv(p, [[0], ['']], { name: 'parse' });
  assert.equal([a!.shape, b!.shape, a!.op.type, a!.op.name], [[null, 3], [null, 3], 'DecodeCSV', 'parse']);
});

test('fast path and character loop agree (fast-check)', () => {
  const field = fc.array(fc.constantFrom('a', '1', ' ', ',', '"', '.'), { maxLength: 6 }).map((a) => a.join(''));
  fc.assert(fc.property(fc.array(field, { maxLength: 6 }), fc.boolean(), (fields, q) => {
    const rec = fields.join(',');
    const run = (s: string): string[] | string => {
      try { return extractFields(s, ',', q, null); } catch (e) { return (e as Error).message; }
    };
    // The same record with a harmless leading newline takes the slow path.
    assert.equal(run(rec), rec === '' ? [] : run(`\n${rec}`));
  }), { numRuns: 500 });
});

test.run();
