/** The transport layer: wire codec and WebSocket transport (see docs/PROTOCOL.md). */
export { WsTransport } from './ws_transport.js';
export type { InboundHandler, InboundContext, LinkStats, ReadMode } from './connection.js';
export { DEFAULT_TRANSPORT_OPTIONS, type TransportOptions, type TlsOptions } from './options.js';
export { FrameCodec, encodeValue, decodeValue, estimateBytes, DEFAULT_CODEC_OPTIONS, type EncodedFrame, type SplicedFrame, type FrameCodecOptions } from './codec.js';
export { TENSOR_EXT_TYPE, DTYPE_CODES, tensorDecodeStats, installTensorExtension } from './tensor_extension.js';
export { FrameKind, CloseCode } from './frames.js';
export { normalizeAddress } from './address.js';
export { SUBPROTOCOL } from './auth.js';
