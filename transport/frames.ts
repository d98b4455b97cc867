/**
 * Frame kinds. Every WebSocket message is one binary MessagePack array whose first element is
 * the kind (docs/PROTOCOL.md, "Frames").
 */
export const FrameKind = {
  /** [0, id, to, body]: a request; the peer answers with REPLY or ERROR carrying the same id. */
  REQUEST: 0,
  /** [1, to, body]: a one-way message, acknowledged in batches by ACK. */
  TELL: 1,
  /** [2, id, body]: the successful answer to REQUEST id. */
  REPLY: 2,
  /** [3, id, {code, message, op, device}]: the failed answer to REQUEST id. */
  ERROR: 3,
  /** [4, id]: the requester gave up on REQUEST id; the handler's signal aborts. */
  CANCEL: 4,
  /** [5, frames, bytes]: that many TELL frames (and their bytes) have been handled. */
  ACK: 5,
} as const;

/** WebSocket close codes the transport uses. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** No frame could be read (heartbeat timeout): set locally, never sent. */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
} as const;
