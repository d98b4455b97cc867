/**
 * IdentityReader (identity_reader_op.cc): each work unit is one record whose key and value are
 * the work unit itself, and one completed unit.
 */
import type { ReaderFormat, RecordSource } from './record_source.js';

export const identityFormat: ReaderFormat = {
  kind: 'IdentityReader',
  serializable: true,
  async open(work): Promise<RecordSource> {
    return {
      next: async () => ({ key: work, value: work, last: true }),
      close: async () => { /* nothing was opened */ },
    };
  },
};
