/**
 * File-system failures as TensorFlow's error classes, naming the file (and, inside the cluster,
 * the node that tried to read it): TensorFlow's posix file system reports "<file>; <strerror>".
 */
import {
  DataLossError, FailedPreconditionError, NotFoundError, OpError, PermissionDeniedError,
  ResourceExhaustedError, UnknownError,
} from '../framework/errors.js';

interface NodeError { code?: string; message?: string }

/** The typed error for a failure touching `file`; `node` (a task path) is named when given. */
export function fileError(err: unknown, file: string, node?: string | null): OpError {
  if (err instanceof OpError) return err;
  const e = (err ?? {}) as NodeError;
  const where = node ? ` (on ${node})` : '';
  switch (e.code) {
    case 'ENOENT': return new NotFoundError(`${file}; No such file or directory${where}`, { cause: err });
    case 'ENOTDIR': return new NotFoundError(`${file}; Not a directory${where}`, { cause: err });
    case 'EACCES': case 'EPERM': return new PermissionDeniedError(`${file}; Permission denied${where}`, { cause: err });
    case 'EISDIR': return new FailedPreconditionError(`${file}; Is a directory${where}`, { cause: err });
    case 'EMFILE': case 'ENFILE': case 'ENOSPC': case 'ENOMEM':
      return new ResourceExhaustedError(`${file}; ${e.message ?? e.code}${where}`, { cause: err });
    default:
      // zlib reports a damaged compressed stream with Z_* codes: the data is lost, not the file.
      if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
        return new DataLossError(`${file}: compressed stream is corrupted: ${e.message ?? e.code}${where}`, { cause: err });
      }
      return new UnknownError(`${file}; ${e.message ?? String(err)}${where}`, { cause: err });
  }
}
