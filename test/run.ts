/**
 * Runs every compiled test file (test/**\/*.test.js) in its own Node process with uvu, a few at a
 * time, and prints one closing line `N passed, M failed` summed over all files. A file that
 * crashes or exceeds its time limit counts as one failure.
 * Usage: node test/run.js [file-or-substring ...]
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const FILE_TIMEOUT_MS = Number(process.env['TEST_FILE_TIMEOUT_MS'] ?? 180_000);
const PARALLEL = Number(process.env['TEST_PARALLEL'] ?? Math.max(1, Math.min(2, availableParallelism())));

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

interface Result { file: string; passed: number; failed: number; skipped: number; output: string; ms: number }

function runFile(file: string): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => { output += `\n[runner] ${relative(root, file)} exceeded ${FILE_TIMEOUT_MS} ms; killed\n`; child.kill('SIGKILL'); }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      // uvu prints "Total: N", "Passed: N", "Skipped: N" at the end of a file's run.
      const num = (label: string): number => {
        const m = [...output.matchAll(new RegExp(`${label}:\\s+(\\d+)`, 'g'))];
        return m.length ? Number(m[m.length - 1]![1]) : 0;
      };
      const total = num('Total');
      const passed = num('Passed');
      const skipped = num('Skipped');
      let failed = Math.max(0, total - passed - skipped);
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file, passed, failed, skipped, output, ms: Date.now() - started });
    });
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  let files = findTests(here);
  if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
  const results: Result[] = [];
  const queue = [...files];
  const workers = Array.from({ length: PARALLEL }, async () => {
    while (queue.length) {
      const f = queue.shift()!;
      const r = await runFile(f);
      results.push(r);
      const tag = r.failed ? 'FAIL' : 'ok  ';
      process.stdout.write(`${tag} ${relative(root, f)}  ${r.passed} passed, ${r.failed} failed (${(r.ms / 1000).toFixed(1)} s)\n`);
      if (r.failed) process.stdout.write(r.output.split('\n').map((l) => `     | ${l}`).join('\n') + '\n');
    }
  });
  await Promise.all(workers);
  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const skipped = results.reduce((a, r) => a + r.skipped, 0);
  process.stdout.write(`\n${files.length} files\n`);
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
}

void main();
