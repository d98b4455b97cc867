export { Session, type SessionOptions, type RunOptions, type RunMetadata } from './session.js';
export { configureClientTransport, closeClientTransport, clientLinkStats } from './master_channel.js';
export { addRunObserver } from './run_hooks.js';
