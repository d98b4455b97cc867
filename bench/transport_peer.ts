/**
 * One contender of `npm run bench:transport` in a process of its own: it starts that
 * contender's server (bench/transport_server.js --only ...), connects to it, and runs the trials
 * the orchestrator (bench/transport.ts) asks for over the IPC channel. Keeping every library in
 * its own pair of processes means no contender pays for another's heap, GC or timers.
 *
 * IPC: {id, op: 'tput', size, count} -> {id, value: seconds}; {id, op: 'rate', inFlight, ms} ->
 * {id, value: asks/s}; {id, op: 'latency', n} -> {id, value: microseconds[]}; {op: 'close'}.
 *
 * Every trial starts with an unrecorded run of the same operation (an eighth of a throughput
 * trial's tensors, a quarter of a rate trial's time, half a latency trial's asks). Trials of
 * different kinds alternate in a shuffled order, and switching from bulk tensors to small asks
 * makes V8 deoptimise and re-optimise the shared code paths (a 1 MiB throughput trial left the
 * next 2,000 actorflow asks at ~2x their steady-state p50, raw TCP's at ~1.1x): the warm-up
 * keeps that re-optimisation out of the figures, for every contender alike.
 */
import { actorflowContender, grpcContender, startBenchServer, tcpContender, type Contender, type ServerName } from './transport_contenders.js';

export type PeerRequest =
  | { id: number; op: 'tput'; size: number; count: number }
  | { id: number; op: 'rate'; inFlight: number; ms: number }
  | { id: number; op: 'latency'; n: number }
  | { id: number; op: 'close' };

export type PeerReply = { id: number; value: number | number[] } | { id: number; error: string };

const BUILD: Record<string, [ServerName, (port: number) => Promise<Contender>]> = {
  actorflow: ['ws', actorflowContender],
  gRPC: ['grpc', grpcContender],
  TCP: ['tcp', tcpContender],
};

/** The same tensor contents as every other contender: a float32 ramp sampled every 1024 elements. */
function tensorOf(size: number): Float32Array {
  const f = new Float32Array(size / 4);
  for (let i = 0; i < f.length; i += 1024) f[i] = i;
  return f;
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const entry = BUILD[name];
  if (!entry || !process.send) throw new Error(`usage: fork transport_peer.js <${Object.keys(BUILD).join('|')}> with an IPC channel`);
  const [serverName, build] = entry;
  const server = await startBenchServer(serverName);
  const contender = await build(server.ports[serverName]!);
  const tensors = new Map<number, Float32Array>();
  const serve = async (m: PeerRequest): Promise<number | number[]> => {
    switch (m.op) {
      case 'tput': {
        if (!tensors.has(m.size)) tensors.set(m.size, tensorOf(m.size));
        const data = tensors.get(m.size)!;
        await contender.throughput(data, Math.max(2, Math.ceil(m.count / 8)));
        return contender.throughput(data, m.count);
      }
      case 'rate':
        await contender.rate(m.inFlight, m.ms / 4);
        return contender.rate(m.inFlight, m.ms);
      case 'latency':
        await contender.latency(Math.ceil(m.n / 2));
        return contender.latency(m.n);
      case 'close':
        await contender.close();
        server.child.kill('SIGTERM');
        process.disconnect();
        return 0;
    }
  };
  process.on('message', (m: PeerRequest) => {
    serve(m).then(
      (value) => { if (m.op !== 'close') process.send!({ id: m.id, value } satisfies PeerReply); },
      (e: Error) => process.send!({ id: m.id, error: e.stack ?? e.message } satisfies PeerReply),
    );
  });
  process.on('disconnect', () => { server.child.kill('SIGTERM'); });
  process.send({ id: 0, value: 0 } satisfies PeerReply);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
