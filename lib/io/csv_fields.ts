/**
 * The field splitting and number parsing of TensorFlow's DecodeCSV kernel (decode_csv_op.cc
 * ExtractFields), with its exact error messages. Records without quotes or line breaks take a
 * fast path (String.split gives the same fields there); the rest go through the character loop.
 */
import { InvalidArgumentError } from '../framework/errors.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NEEDS_SLOW_PATH = /["\r\n]/;

function unquotedError(): InvalidArgumentError {
  return new InvalidArgumentError('Unquoted fields cannot have quotes/CRLFs inside');
}

/**
 * The fields of one record. `select` (strictly increasing column indices, or null for all) keeps
 * only those columns, stopping after the last one. An empty record has no fields; a trailing
 * delimiter adds an empty last field.
 */
export function extractFields(input: string, delim: string, useQuoteDelim: boolean, select: readonly number[] | null): string[] {
  const n = input.length;
  if (n === 0) return [];
  if (!useQuoteDelim ? !/[\r\n]/.test(input) : !NEEDS_SLOW_PATH.test(input)) {
    const all = input.split(delim);
    if (select === null) return all;
    const out: string[] = [];
    for (const c of select) {
      if (c >= all.length) break;
      out.push(all[c]!);
    }
    return out;
  }
  return extractFieldsSlow(input, delim.charCodeAt(0), useQuoteDelim, select);
}

function extractFieldsSlow(input: string, delim: number, useQuote: boolean, select: readonly number[] | null): string[] {
  const result: string[] = [];
  const n = input.length;
  let i = 0;
  let parsed = 0;
  let sel = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    // Line breaks where a field would start are skipped (TensorFlow's loop does the same).
    if (c === LF || c === CR) { i++; continue; }
    const include = select === null || select[sel] === parsed;
    let field = '';
    if (useQuote && c === QUOTE) {
      i++;
      let segStart = i;
      // A quoted field ends at a quote followed by the delimiter, or at a quote ending the record.
      while (i < n - 1 && !(input.charCodeAt(i) === QUOTE && input.charCodeAt(i + 1) === delim)) {
        if (input.charCodeAt(i) !== QUOTE) {
          i++;
          continue;
        }
        if (input.charCodeAt(i + 1) !== QUOTE) {
          throw new InvalidArgumentError('Quote inside a string has to be escaped by another quote');
        }
        if (include) field += input.slice(segStart, i + 1);
        i += 2;
        segStart = i;
      }
      if (!(i < n && input.charCodeAt(i) === QUOTE && (i === n - 1 || input.charCodeAt(i + 1) === delim))) {
        throw new InvalidArgumentError('Quoted field has to end with quote followed by delim or end');
      }
      if (include) field += input.slice(segStart, i);
      i += 2;
    } else {
      const start = i;
      while (i < n) {
        const d = input.charCodeAt(i);
        if (d === delim) break;
        if ((useQuote && d === QUOTE) || d === LF || d === CR) throw unquotedError();
        i++;
      }
      if (include) field = input.slice(start, i);
      i++;
    }
    parsed++;
    if (include) {
      result.push(field);
      sel++;
      if (select !== null && sel === select.length) return result;
    }
  }
  const include = select === null || select[sel] === parsed;
  if (include && input.charCodeAt(n - 1) === delim) result.push('');
  return result;
}

const INT_RE = /^[+-]?\d+$/;
const NON_FINITE_RE = /^[+-]?(?:inf|infinity|nan)$/i;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** absl's SimpleAtoi/SimpleAtof trim ASCII whitespace around the number (no copy when none). */
function trimAscii(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isAsciiSpace(s.charCodeAt(a))) a++;
  while (b > a && isAsciiSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** An int32 as absl::SimpleAtoi reads it (sign, decimal digits, no overflow), or null. */
export function parseInt32(s: string): number | null {
  const t = trimAscii(s);
  if (!INT_RE.test(t)) return null;
  const v = Number(t);
  return v >= INT32_MIN && v <= INT32_MAX ? v : null;
}

/** An int64 as absl::SimpleAtoi reads it, or null. */
export function parseInt64(s: string): bigint | null {
  const t = trimAscii(s);
  if (!INT_RE.test(t)) return null;
  const v = BigInt(t);
  return v >= INT64_MIN && v <= INT64_MAX ? v : null;
}

/**
 * A float/double as absl::SimpleAtof reads it: decimal with optional exponent, inf/infinity/nan
 * in any case, an optional sign; overflow gives ±inf. null when it is not a number. Number() does
 * the conversion; what it accepts beyond that grammar (0x/0b/0o prefixes) is refused first.
 */
export function parseFloatField(s: string): number | null {
  const t = trimAscii(s);
  if (t === '') return null;
  const v = Number(t);
  if (v !== v) {
    // NaN from Number() means "not JS syntax": inf/nan spellings are still numbers here.
    if (!NON_FINITE_RE.test(t)) return null;
    const body = t.replace(/^[+-]/, '').toLowerCase();
    if (body === 'nan') return NaN;
    return t.startsWith('-') ? -Infinity : Infinity;
  }
  const k = t.charCodeAt(0) === 0x2b || t.charCodeAt(0) === 0x2d ? 1 : 0;
  if (t.charCodeAt(k) === 0x30 && t.length > k + 1) {
    const c = t.charCodeAt(k + 1) | 0x20; // lower case
    if (c === 0x78 || c === 0x62 || c === 0x6f) return null; // 0x.., 0b.., 0o..
  }
  return v;
}

/** True when a field holds nothing but whitespace (treated as missing for numeric columns). */
export function isBlank(s: string): boolean {
  return trimAscii(s) === '';
}
