/**
 * Starts real `node actors/node.js` tasks on free loopback ports for multi-process tests, waits
 * for each ready line (bounded), and kills them all at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const NODE_JS = join(ROOT, 'actors', 'node.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NodeProc {
  job: string;
  task: number;
  child: ChildProcess;
  readyLine: string;
  stderr: () => string;
}

export interface StartOptions {
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function startNode(cluster: Record<string, string[]>, job: string, task: number, opts: StartOptions = {}): Promise<NodeProc> {
  const child = spawn(process.execPath, [NODE_JS, '--job', job, '--task', String(task), '--cluster', JSON.stringify(cluster), '--log-level', 'warn', ...(opts.extraArgs ?? [])],
    { cwd: ROOT, env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${job}:${task} not ready within ${opts.timeoutMs ?? 15000} ms; stderr: ${err}`));
    }, opts.timeoutMs ?? 15000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ job, task, child, readyLine: out.slice(0, nl), stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${job}:${task} exited with ${code} before it was ready; stderr: ${err}`));
    });
  });
}

export async function stopNode(n: NodeProc, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (n.child.exitCode !== null) return n.child.exitCode;
  return new Promise((resolve) => {
    const t = setTimeout(() => n.child.kill('SIGKILL'), 5000);
    n.child.once('exit', (code) => { clearTimeout(t); resolve(code); });
    n.child.kill(signal);
  });
}

/** A ps and two workers on free loopback ports. */
export async function clusterSpecOnFreePorts(jobs: Record<string, number>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [job, n] of Object.entries(jobs)) {
    out[job] = [];
    for (let i = 0; i < n; i++) out[job]!.push(`127.0.0.1:${await freePort()}`);
  }
  return out;
}

/** Runs a client script (ESM source) in a child process; resolves with its stdout. */
export function runClient(source: string, args: string[] = [], timeoutMs = 20000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runNode(['--input-type=module', '-e', source, '--', ...args], timeoutMs);
}

/** Runs a script of the repository (e.g. examples/simple_client.js) with arguments. */
export function runScript(file: string, args: string[] = [], timeoutMs = 20000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runNode([join(ROOT, file), ...args], timeoutMs);
}

function runNode(argv: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(t); resolve({ code, stdout, stderr }); });
  });
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
