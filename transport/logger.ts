/** The default transport logger: pino, to stderr, written synchronously so reasons survive a crash. */
import { pino, type Logger } from 'pino';

let fallback: Logger | null = null;

export function defaultTransportLogger(): Logger {
  if (!fallback) {
    fallback = pino(
      { name: 'actorflow.transport', level: process.env['ACTORFLOW_LOG_LEVEL'] ?? 'info' },
      pino.destination({ dest: 2, sync: true }),
    );
  }
  return fallback;
}
