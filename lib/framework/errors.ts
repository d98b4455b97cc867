/**
 * TensorFlow's error classes (tf.errors), with canonical codes. Errors raised on a remote node
 * cross the wire as {code, message, op, device} and are rebuilt here as the same class, so
 * `instanceof` holds on the client.
 */

export const ErrorCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

export interface OpErrorOptions {
  /** Name of the op that failed, when an op failed. */
  op?: string | null;
  /** Canonical device path where it happened. */
  device?: string | null;
  cause?: unknown;
}

export class OpError extends Error {
  /** Canonical code name, e.g. 'OUT_OF_RANGE'. */
  readonly code: ErrorCodeName;
  /** Canonical code number, e.g. 11. */
  readonly errorCode: number;
  op: string | null;
  device: string | null;

  constructor(message: string, code?: ErrorCodeName, opts?: OpErrorOptions);
  /** TensorFlow's own signature, `OpError(node_def, op, message, error_code)`. */
  constructor(nodeDef: unknown, op: unknown, message: string, errorCode?: number);
  constructor(...args: unknown[]) {
    const [message, code, opts] = baseArgs(args);
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.errorCode = ErrorCode[code];
    this.op = opts.op ?? null;
    this.device = opts.device ?? null;
    this.name = new.target.name;
  }
}

type ErrorArgs = [message: string, code: ErrorCodeName, opts: OpErrorOptions];

/**
 * TensorFlow's form `(node_def, op, message[, error_code])` is told from ours
 * `(message, code?, opts?)` by its string third argument; its `op` (a name or anything with a
 * `name`) becomes `err.op`.
 */
function tfForm(args: readonly unknown[]): boolean {
  return args.length >= 3 && typeof args[2] === 'string' && typeof args[0] !== 'string';
}

function opNameOf(op: unknown): string | null {
  if (typeof op === 'string') return op;
  const name = (op as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : null;
}

function baseArgs(args: readonly unknown[]): ErrorArgs {
  if (tfForm(args)) {
    const code = (Object.keys(ErrorCode) as ErrorCodeName[]).find((k) => ErrorCode[k] === args[3]) ?? 'UNKNOWN';
    return [args[2] as string, code, { op: opNameOf(args[1]) }];
  }
  return [String(args[0] ?? ''), (args[1] as ErrorCodeName | undefined) ?? 'UNKNOWN', (args[2] as OpErrorOptions | null | undefined) ?? {}];
}

/** A subclass's arguments, in either form, with its own code. */
function subclassArgs(args: readonly unknown[], code: ErrorCodeName): ErrorArgs {
  if (tfForm(args)) return [args[2] as string, code, { op: opNameOf(args[1]) }];
  return [String(args[0] ?? ''), code, (args[1] as OpErrorOptions | null | undefined) ?? {}];
}

export class CancelledError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'CANCELLED')); }
}
export class UnknownError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'UNKNOWN')); }
}
export class InvalidArgumentError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'INVALID_ARGUMENT')); }
}
export class DeadlineExceededError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'DEADLINE_EXCEEDED')); }
}
export class NotFoundError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'NOT_FOUND')); }
}
export class AlreadyExistsError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'ALREADY_EXISTS')); }
}
export class PermissionDeniedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'PERMISSION_DENIED')); }
}
export class ResourceExhaustedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'RESOURCE_EXHAUSTED')); }
}
export class FailedPreconditionError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'FAILED_PRECONDITION')); }
}
export class AbortedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'ABORTED')); }
}
export class OutOfRangeError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'OUT_OF_RANGE')); }
}
export class UnimplementedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'UNIMPLEMENTED')); }
}
export class InternalError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'INTERNAL')); }
}
export class UnavailableError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'UNAVAILABLE')); }
}
export class DataLossError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'DATA_LOSS')); }
}
export class UnauthenticatedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions);
  constructor(nodeDef: unknown, op: unknown, message: string);
  constructor(...args: unknown[]) { super(...subclassArgs(args, 'UNAUTHENTICATED')); }
}

type OpErrorClass = new (message: string, opts?: OpErrorOptions) => OpError;

const CLASS_BY_CODE: Record<number, OpErrorClass> = {
  1: CancelledError, 2: UnknownError, 3: InvalidArgumentError, 4: DeadlineExceededError,
  5: NotFoundError, 6: AlreadyExistsError, 7: PermissionDeniedError, 8: ResourceExhaustedError,
  9: FailedPreconditionError, 10: AbortedError, 11: OutOfRangeError, 12: UnimplementedError,
  13: InternalError, 14: UnavailableError, 15: DataLossError, 16: UnauthenticatedError,
};

/** The class for a canonical code number (UnknownError for anything unrecognised). */
export function errorClassForCode(code: number): OpErrorClass {
  return CLASS_BY_CODE[code] ?? UnknownError;
}

/** The wire form of an error. */
export interface WireError {
  code: number;
  message: string;
  op?: string | null;
  device?: string | null;
}

/** Anything thrown becomes an OpError; plain JS errors become UnknownError (InternalError for bugs). */
export function toOpError(err: unknown, opts: OpErrorOptions = {}): OpError {
  if (err instanceof OpError) {
    if (opts.op && !err.op) err.op = opts.op;
    if (opts.device && !err.device) err.device = opts.device;
    return err;
  }
  if (err instanceof RangeError || err instanceof TypeError) {
    return new InternalError(`${err.name}: ${err.message}`, { ...opts, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new UnknownError(message, { ...opts, cause: err });
}

export function errorToWire(err: unknown): WireError {
  const e = toOpError(err);
  return { code: e.errorCode, message: e.message, op: e.op, device: e.device };
}

export function errorFromWire(w: WireError): OpError {
  const Cls = errorClassForCode(w.code);
  return new Cls(w.message, { op: w.op ?? null, device: w.device ?? null });
}
