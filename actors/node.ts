#!/usr/bin/env node
/**
 * `node actors/node.js --job ps --task 0 --cluster cluster.json`: starts one task of a cluster.
 * The only line on stdout is the ready line; logs go to stderr. SIGINT/SIGTERM stop it cleanly.
 */
import { pino } from 'pino';
import { parseNodeArgs, USAGE } from './node_config.js';
import '../lib/index.js'; // every op and kernel registers itself on import
import { Server } from '../lib/train/server.js';
import { toOpError } from '../lib/framework/errors.js';
import type { GpuBackendKind } from '../lib/train/gpu_devices.js';

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = parseNodeArgs(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`actorflow: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (cfg.help) {
    process.stdout.write(USAGE);
    return;
  }
  const log = pino({ level: cfg.logLevel, base: { task: `/job:${cfg.job}/task:${cfg.task}` } }, pino.destination(2));
  const server = new Server(cfg.cluster, {
    jobName: cfg.job, taskIndex: cfg.task, start: false,
    gpus: cfg.gpus, gpuBackend: cfg.gpuBackend as GpuBackendKind | 'auto',
    token: cfg.token, tls: cfg.tls, bindHost: cfg.bind,
    transport: { logger: log },
  });
  try {
    await server.start();
  } catch (e) {
    log.error({ err: toOpError(e).message }, 'failed to start');
    process.stderr.write(`actorflow: ${toOpError(e).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const devices = server.listDevices().map((d) => `${d.type}:${d.index}${d.backend ? `(${d.backend})` : ''}`).join(',');
  process.stdout.write(`actorflow ${server.taskPath} listening on ${server.target} devices ${devices}\n`);
  if (!cfg.token) log.warn('no cluster token set: anyone who can reach this port can run graphs on this task');
  await server.join();
}

void main();
