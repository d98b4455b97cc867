/**
 * GPU-versus-CPU kernel agreement on whatever backends run here: one PASS/FAIL line per case,
 * then a summary; exits 1 if any case fails. Run from the project root:
 *   node bench/gpu_check.js [--backends webgpu,webasm,cpu] [--seed N]
 * A backend that cannot start here is reported (SKIP with the reason) and not counted.
 */
import os from 'node:os';
import { createGpuBackend, runSelfCheck, type GpuBackendKind } from '../lib/gpu/index.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const backends = (flag('backends') ?? 'webgpu,webasm,cpu').split(',').map((s) => s.trim()).filter(Boolean) as GpuBackendKind[];
  const seed = Number(flag('seed') ?? 1);
  console.log(`gpu_check on ${os.hostname()} (${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version})`);
  let passed = 0;
  let failed = 0;
  for (const kind of backends) {
    let be;
    try {
      be = await createGpuBackend(kind);
    } catch (err) {
      console.log(`SKIP ${kind}: ${(err as Error).name}: ${(err as Error).message}`);
      continue;
    }
    console.log(`backend ${be.describe()}`);
    const started = Date.now();
    const r = await runSelfCheck(be, { seed, log: (l) => console.log(l) });
    console.log(`${kind}: ${r.passed} passed, ${r.failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    passed += r.passed;
    failed += r.failed;
    await be.dispose();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  console.log(`FAIL gpu_check crashed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
});
