/**
 * `npm run bench:transport`: actorflow's transport against gRPC (@grpc/grpc-js) and raw TCP,
 * node-to-node across two processes, in one run and interleaved (a seeded shuffle of the trials
 * in every repetition, so no contender always follows the same one). Each contender runs in a
 * pair of processes of its own (bench/transport_peer.ts and its server); this process only
 * orchestrates, so no library's heap or GC weighs on another's trials:
 *   (a) one-way float32 tensor throughput at 64 KiB, 1 MiB and 16 MiB;
 *   (b) ask/reply round trips per second with 100 in flight, and p50/p99 of sequential asks.
 * Prints medians and the ratios actorflow/gRPC and actorflow/TCP; writes bench/results/transport.json.
 * Options: --quick (about 20 s), --reps N, --seed N.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import cliProgress from 'cli-progress';
import { percentile, median, machine, writeResults } from './stats.js';
import type { PeerReply, PeerRequest } from './transport_peer.js';
import { Prng } from '../lib/ops/prng.js';


const KiB = 1024;
const MiB = 1024 * KiB;

interface Config {
  reps: number;
  seed: number;
  /** Bytes sent per throughput trial, by tensor size. */
  trialBytes: Record<number, number>;
  rateMs: number;
  latencyAsks: number;
  inFlight: number;
}

function parseArgs(argv: string[]): Config {
  const quick = argv.includes('--quick');
  const num = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : dflt;
  };
  return {
    reps: num('--reps', quick ? 3 : 5),
    seed: num('--seed', 42),
    // Long enough that one trial lasts well over 100 ms at actorflow's rate (short trials were
    // dominated by start-up of the TCP window and scheduling noise).
    trialBytes: quick
      ? { [64 * KiB]: 64 * MiB, [MiB]: 128 * MiB, [16 * MiB]: 256 * MiB }
      : { [64 * KiB]: 128 * MiB, [MiB]: 256 * MiB, [16 * MiB]: 512 * MiB },
    rateMs: quick ? 300 : 1000,
    latencyAsks: quick ? 1000 : 2000,
    inFlight: 100,
  };
}

/** A seeded generator (the op library's Prng), so the shuffles are reproducible. */
function rng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.nextDouble();
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

type Metric = 'tput64k' | 'tput1m' | 'tput16m' | 'rate' | 'p50' | 'p99';
const SIZES: [Metric, number][] = [['tput64k', 64 * KiB], ['tput1m', MiB], ['tput16m', 16 * MiB]];

interface Trial { contender: Contender; kind: 'tput' | 'rate' | 'latency'; metric?: Metric; size?: number }

/** A contender running in its own processes (bench/transport_peer.ts), driven over IPC. */
interface Contender {
  readonly name: string;
  throughput(size: number, count: number): Promise<number>;
  rate(inFlight: number, ms: number): Promise<number>;
  latency(n: number): Promise<number[]>;
  close(): Promise<void>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Bounds every IPC exchange, so a stuck contender fails the run instead of hanging it. */
const TRIAL_TIMEOUT_MS = 120_000;

function startPeer(name: string): Promise<Contender> {
  const script = fileURLToPath(new URL('./transport_peer.js', import.meta.url));
  const child: ChildProcess = fork(script, [name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (v: number | number[]) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (m: PeerReply) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if ('error' in m) w.reject(new Error(`${name}: ${m.error}`)); else w.resolve(m.value);
  });
  child.once('exit', (code) => { for (const w of waiting.values()) w.reject(new Error(`${name}'s process exited (${code})`)); waiting.clear(); });
  /** Waits for the reply with `id`; `req` (if any) is sent to ask for it. */
  const reply = <T extends number | number[]>(id: number, what: string, req?: PeerRequest): Promise<T> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => { waiting.delete(id); reject(new Error(`${name}: no answer to ${what} within ${TRIAL_TIMEOUT_MS} ms`)); }, TRIAL_TIMEOUT_MS);
    waiting.set(id, {
      resolve: (v) => { clearTimeout(timer); resolve(v as T); },
      reject: (e) => { clearTimeout(timer); reject(e); },
    });
    if (req) child.send(req);
  });
  const call = <T extends number | number[]>(req: DistributiveOmit<PeerRequest, 'id'>): Promise<T> => {
    const id = nextId++;
    return reply<T>(id, req.op, { ...req, id } as PeerRequest);
  };
  const contender: Contender = {
    name,
    throughput: (size, count) => call({ op: 'tput', size, count }),
    rate: (inFlight, ms) => call({ op: 'rate', inFlight, ms }),
    latency: (n) => call({ op: 'latency', n }),
    close: async () => {
      child.send({ op: 'close', id: nextId++ });
      await new Promise((resolve) => { if (child.exitCode !== null) resolve(null); else child.once('exit', resolve); });
    },
  };
  // The peer announces itself with id 0 once its server is up and it is connected.
  return reply(0, 'start-up').then(() => contender);
}

async function runTrial(t: Trial, cfg: Config, results: Map<string, Map<Metric, number[]>>): Promise<void> {
  const put = (m: Metric, v: number): void => { results.get(t.contender.name)!.get(m)!.push(v); };
  if (t.kind === 'tput') {
    const count = Math.max(2, Math.round(cfg.trialBytes[t.size!]! / t.size!));
    const s = await t.contender.throughput(t.size!, count);
    put(t.metric!, (count * t.size!) / s / 1e6);
  } else if (t.kind === 'rate') {
    put('rate', await t.contender.rate(cfg.inFlight, cfg.rateMs));
  } else {
    const xs = (await t.contender.latency(cfg.latencyAsks)).sort((a, b) => a - b);
    put('p50', percentile(xs, 50));
    put('p99', percentile(xs, 99));
  }
}

function fmt(v: number, metric: Metric): string {
  if (metric.startsWith('tput')) return `${(v / 1000).toFixed(2)} GB/s`;
  if (metric === 'rate') return `${Math.round(v).toLocaleString('en-US')}/s`;
  return `${v.toFixed(1)} us`;
}

const LABELS: Record<Metric, string> = {
  tput64k: 'one-way 64 KiB tensors', tput1m: 'one-way 1 MiB tensors', tput16m: 'one-way 16 MiB tensors',
  rate: 'asks/s, 100 in flight', p50: 'sequential ask p50', p99: 'sequential ask p99',
};

/** Targets from the issue, as same-run ratios: [against, comparison, bound]. */
const TARGETS: Partial<Record<Metric, [string, '>=' | '<=', number][]>> = {
  tput64k: [['gRPC', '>=', 4]],
  tput1m: [['TCP', '>=', 0.7], ['gRPC', '>=', 4]],
  tput16m: [['TCP', '>=', 0.5], ['gRPC', '>=', 4]],
  rate: [['gRPC', '>=', 10]],
  p50: [['TCP', '<=', 1.5]],
};

async function main(): Promise<void> {
  const cfg = parseArgs(process.argv.slice(2));
  const started = Date.now();
  // Other work on the machine moves every number here; the load average is reported with them.
  const loadBefore = loadavg()[0]!;
  const contenders = [await startPeer('actorflow'), await startPeer('gRPC'), await startPeer('TCP')];
  const results = new Map(contenders.map((c) => [c.name, new Map<Metric, number[]>(
    (['tput64k', 'tput1m', 'tput16m', 'rate', 'p50', 'p99'] as Metric[]).map((m) => [m, []]))]));
  const allTrials = (): Trial[] => contenders.flatMap((c) => [
    ...SIZES.map(([metric, size]) => ({ contender: c, kind: 'tput' as const, metric, size })),
    { contender: c, kind: 'rate' as const },
    { contender: c, kind: 'latency' as const },
  ]);

  // Warm-up (not recorded): JIT, connections, encode pools, TCP windows.
  const warm: Config = { ...cfg, trialBytes: { [64 * KiB]: 4 * MiB, [MiB]: 8 * MiB, [16 * MiB]: 32 * MiB }, rateMs: 150, latencyAsks: 5000 };
  const scratch = new Map(contenders.map((c) => [c.name, new Map((['tput64k', 'tput1m', 'tput16m', 'rate', 'p50', 'p99'] as Metric[]).map((m) => [m, [] as number[]]))]));
  for (const t of allTrials()) await runTrial(t, warm, scratch);

  const rand = rng(cfg.seed);
  const total = cfg.reps * allTrials().length;
  const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: 'transport bench [{bar}] {value}/{total} trials' }, cliProgress.Presets.shades_classic) : null;
  bar?.start(total, 0);
  for (let r = 0; r < cfg.reps; r++) {
    for (const t of shuffle(allTrials(), rand)) {
      await runTrial(t, cfg, results);
      bar?.increment();
    }
  }
  bar?.stop();
  for (const c of contenders) await c.close();

  const med = (name: string, m: Metric): number => median(results.get(name)!.get(m)!);
  const metrics: Metric[] = ['tput64k', 'tput1m', 'tput16m', 'rate', 'p50', 'p99'];
  const rows = metrics.map((m) => {
    const af = med('actorflow', m);
    const g = med('gRPC', m);
    const tcp = med('TCP', m);
    const checks = (TARGETS[m] ?? []).map(([against, op, bound]) => {
      const ratio = af / (against === 'TCP' ? tcp : g);
      const ok = op === '>=' ? ratio >= bound : ratio <= bound;
      return { against, op, bound, ratio, ok };
    });
    return { metric: m, label: LABELS[m], actorflow: af, gRPC: g, TCP: tcp, vsGrpc: af / g, vsTcp: af / tcp, checks };
  });

  const m = machine();
  const header = ['', 'actorflow', 'gRPC', 'raw TCP', 'af/gRPC', 'af/TCP', 'targets'];
  const lines = rows.map((r) => [
    r.label, fmt(r.actorflow, r.metric), fmt(r.gRPC, r.metric), fmt(r.TCP, r.metric),
    `${r.vsGrpc.toFixed(2)}x`, `${r.vsTcp.toFixed(2)}x`,
    r.checks.map((c) => `${c.ok ? 'ok' : 'MISSED'} ${c.against} ${c.op} ${c.bound}x`).join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\nactorflow transport benchmark: ${m['cpu']} x ${m['cores']}, ${m['os']}, node ${m['node']}`);
  const loadAfter = loadavg()[0]!;
  console.log(`load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (1-minute); ratios are same-run, absolute numbers move with load`);
  console.log(`medians of ${cfg.reps} interleaved repetitions (seed ${cfg.seed}); latency in microseconds; p99 has no target\n`);
  console.log(row(header));
  for (const l of lines) console.log(row(l));
  const file = writeResults('transport', {
    config: { ...cfg, quick: process.argv.includes('--quick') },
    loadAverage: { before: loadBefore, after: loadAfter },
    seconds: (Date.now() - started) / 1000,
    rows,
    samples: Object.fromEntries([...results].map(([k, v]) => [k, Object.fromEntries(v)])),
  });
  console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s; results in ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
