/**
 * A transport node in a child process, for the transport tests and the benchmark-free failure
 * tests: `node test/transport/peer_child.js <port>` prints `READY <url>` once listening.
 * Handlers: 'echo' replies with the body, 'hang' never replies, 'pid' replies with process.pid.
 */
import { pino } from 'pino';
import { WsTransport } from '../../transport/index.js';

const port = Number(process.argv[2] ?? 0);
const t = new WsTransport({ logger: pino({ level: 'silent' }), heartbeatIntervalMs: 100, heartbeatTimeoutMs: 600 }, async (to, body) => {
  if (to === 'hang') return new Promise(() => { /* never */ });
  if (to === 'pid') return process.pid;
  return body;
});
const { url } = await t.listen('127.0.0.1', port);
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => { void t.close().then(() => process.exit(0)); });
