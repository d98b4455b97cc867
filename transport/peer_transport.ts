/** The PeerTransport that actors/actor_system.ts uses: WsTransport (kept under this name for the actor system's reference). */
export { WsTransport as PeerTransportImpl, WsTransport } from './ws_transport.js';
export type { InboundHandler, InboundContext, LinkStats } from './connection.js';
