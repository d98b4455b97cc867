/** The node CLI: --help, the three --cluster forms, TF_CONFIG, and refusing bad flags. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { NODE_JS, ROOT, clusterSpecOnFreePorts, freePort, startNode, stopNode } from '../helpers/processes.js';

const run = (args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [NODE_JS, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 15000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('--help lists every flag and exits 0', () => {
  const r = run(['--help']);
  assert.is(r.status, 0);
  for (const f of ['--job', '--task', '--cluster', '--gpus', '--gpu-backend', '--token', '--tls-cert', '--tls-key', '--bind', '--log-level']) {
    assert.ok(r.stdout.includes(f), `help mentions ${f}`);
  }
});

test('bad or missing flags exit 2 with a message naming the problem', () => {
  const r = run(['--job', 'ps', '--task', '0']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /No cluster given/);
  const unknown = run(['--jobb', 'ps']);
  assert.is(unknown.status, 2);
  const missingTask = run(['--job', 'ps', '--task', '3', '--cluster', 'ps=127.0.0.1:1']);
  assert.is(missingTask.status, 2);
  assert.match(missingTask.stderr, /No task with index 3 in job 'ps'/);
});

test('--cluster as a file, as the ps=h:p;worker=h:p form, and TF_CONFIG all start a task', async () => {
  const spec = await clusterSpecOnFreePorts({ ps: 1, worker: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-cli-'));
  const file = join(dir, 'cluster.json');
  writeFileSync(file, JSON.stringify(spec));
  const fromFile = await startNode(spec, 'ps', 0, { extraArgs: ['--cluster', file] });
  assert.match(fromFile.readyLine, new RegExp(`/job:ps/replica:0/task:0 listening on ws://${spec['ps']![0]!.replace(/\./g, '\\.')}`));
  await stopNode(fromFile);
  const shorthand = `ps=${spec['ps']![0]};worker=${spec['worker']![0]}`;
  const fromShort = await startNode(spec, 'worker', 0, { extraArgs: ['--cluster', shorthand] });
  assert.match(fromShort.readyLine, /\/job:worker\/replica:0\/task:0 listening on ws:\/\//);
  await stopNode(fromShort);
  const port = await freePort();
  const tfConfig = JSON.stringify({ cluster: { chief: [`127.0.0.1:${port}`] }, task: { type: 'chief', index: 0 } });
  const r = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [NODE_JS, '--log-level', 'warn'], { cwd: ROOT, env: { ...process.env, TF_CONFIG: tfConfig } });
    let out = '';
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('no ready line')); }, 15000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) { clearTimeout(t); child.kill('SIGTERM'); resolve(out.split('\n')[0]!); }
    });
  });
  assert.is(r, `actorflow /job:chief/replica:0/task:0 listening on ws://127.0.0.1:${port} devices CPU:0`);
});

test.run();
