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

  constructor(message: string, code: ErrorCodeName = 'UNKNOWN', opts: OpErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.errorCode = ErrorCode[code];
    this.op = opts.op ?? null;
    this.device = opts.device ?? null;
    this.name = new.target.name;
  }
}

export class CancelledError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'CANCELLED', opts); }
}
export class UnknownError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'UNKNOWN', opts); }
}
export class InvalidArgumentError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'INVALID_ARGUMENT', opts); }
}
export class DeadlineExceededError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'DEADLINE_EXCEEDED', opts); }
}
export class NotFoundError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'NOT_FOUND', opts); }
}
export class AlreadyExistsError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'ALREADY_EXISTS', opts); }
}
export class PermissionDeniedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'PERMISSION_DENIED', opts); }
}
export class ResourceExhaustedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'RESOURCE_EXHAUSTED', opts); }
}
export class FailedPreconditionError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'FAILED_PRECONDITION', opts); }
}
export class AbortedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'ABORTED', opts); }
}
export class OutOfRangeError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'OUT_OF_RANGE', opts); }
}
export class UnimplementedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'UNIMPLEMENTED', opts); }
}
export class InternalError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'INTERNAL', opts); }
}
export class UnavailableError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'UNAVAILABLE', opts); }
}
export class DataLossError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'DATA_LOSS', opts); }
}
export class UnauthenticatedError extends OpError {
  constructor(message: string, opts?: OpErrorOptions) { super(message, 'UNAUTHENTICATED', opts); }
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
