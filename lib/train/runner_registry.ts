/**
 * Which QueueRunners exist per graph and which were started per session, so that a step that is
 * blocked dequeuing from a queue whose runners were never started does not hang silently
 * (TF-SEMANTICS 3: "Forgetting start_queue_runners makes dequeue/batch block forever with no
 * error"). The session calls `watchForUnstartedRunners` around each run; after `delayMs` of
 * blocking it warns once per (session, queue) naming the queue.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { Operation, SymbolicTensor, type Graph } from '../framework/graph.js';
import { addRunObserver } from '../client/run_hooks.js';

/** What the registry needs to know of a QueueRunner. */
export interface RegisteredRunner {
  /** The queue's name (QueueRunner.name). */
  readonly name: string;
  /** The op that creates the queue resource (FIFOQueueV2 ...), or null if unknown. */
  readonly queueOp: Operation | null;
}

const runnersByGraph = new WeakMap<Graph, Set<RegisteredRunner>>();
const startedBySession = new WeakMap<object, WeakSet<RegisteredRunner>>();
const warnedBySession = new WeakMap<object, Set<string>>();

/** Default time a step may block before the warning (ms). */
export const UNSTARTED_RUNNER_WARNING_DELAY_MS = 2000;
let warningDelayMs = UNSTARTED_RUNNER_WARNING_DELAY_MS;

/** How long a session run may block before the warning (default 2000 ms); returns the old value. */
export function setUnstartedRunnerWarningDelay(ms: number): number {
  if (!(ms >= 0)) throw new InvalidArgumentError(`warning delay must be >= 0 ms, got ${ms}`);
  const old = warningDelayMs;
  warningDelayMs = ms;
  return old;
}

/** Op types that wait for elements of a queue given as one of their inputs. */
const CONSUMER_OP = /^(QueueDequeue|ReaderRead)/;

/** Called by the QueueRunner constructor. */
export function registerRunner(graph: Graph, runner: RegisteredRunner): void {
  let set = runnersByGraph.get(graph);
  if (!set) runnersByGraph.set(graph, (set = new Set()));
  set.add(runner);
}

/** Called when one of the runner's threads starts for `session`. */
export function markRunnerStarted(session: object, runner: RegisteredRunner): void {
  let set = startedBySession.get(session);
  if (!set) startedBySession.set(session, (set = new WeakSet()));
  set.add(runner);
}

export function runnerStarted(session: object, runner: RegisteredRunner): boolean {
  return startedBySession.get(session)?.has(runner) ?? false;
}

/**
 * The names of the QueueRunners of `queueName`'s queue (by queue name or queue op name) in
 * `graph` that were never started for `session` (empty when all were started or none exist).
 */
export function runnersNotStarted(session: object, graph: Graph, queueName: string): string[] {
  const out: string[] = [];
  for (const r of runnersByGraph.get(graph) ?? []) {
    if ((r.name === queueName || r.queueOp?.name === queueName) && !runnerStarted(session, r)) out.push(r.name);
  }
  return out;
}

/**
 * The queues (by QueueRunner name) that the given fetched ops wait on (directly or through the
 * ops they depend on) and whose runners were never started for `session`.
 */
export function blockedQueuesWithUnstartedRunners(session: object, ops: Iterable<Operation | SymbolicTensor>): string[] {
  const roots = [...ops].map((o) => (o instanceof SymbolicTensor ? o.op : o)).filter((o): o is Operation => o instanceof Operation);
  if (roots.length === 0) return [];
  const unstarted = new Map<string, string>();
  for (const r of runnersByGraph.get(roots[0]!.graph) ?? []) {
    if (r.queueOp && !runnerStarted(session, r)) unstarted.set(r.queueOp.name, r.name);
  }
  if (unstarted.size === 0) return [];
  const found = new Set<string>();
  const seen = new Set<Operation>();
  const stack = [...roots];
  while (stack.length) {
    const op = stack.pop()!;
    if (seen.has(op)) continue;
    seen.add(op);
    const consumer = CONSUMER_OP.test(op.type);
    for (const t of op.inputs) {
      const name = unstarted.get(t.op.name);
      if (consumer && name !== undefined) found.add(name);
      stack.push(t.op);
    }
    stack.push(...op.controlInputs);
  }
  return [...found];
}

/**
 * Arms the "runners were never started" warning for one session run over `ops` (the fetched and
 * target ops). Call the returned function when the run settles. If the run is still going after
 * `delayMs`, each queue it waits on whose runners were never started for this session is named
 * in a warning (process.emitWarning, type 'QueueRunnerWarning'), once per session and queue.
 * Costs one unref'd timer per run when the graph has QueueRunners, nothing otherwise.
 */
export function watchForUnstartedRunners(session: object, ops: Iterable<Operation | SymbolicTensor> | Operation | SymbolicTensor,
  delayMs: number = warningDelayMs): () => void {
  const list = ops instanceof Operation || ops instanceof SymbolicTensor ? [ops] : [...ops];
  const first = list[0];
  if (first === undefined) return noop;
  const graph = first.graph;
  if (!runnersByGraph.get(graph)?.size) return noop;
  const timer = setTimeout(() => warnBlocked(session, list), delayMs);
  timer.unref();
  return () => clearTimeout(timer);
}

function warnBlocked(session: object, ops: (Operation | SymbolicTensor)[]): void {
  let warned = warnedBySession.get(session);
  for (const queue of blockedQueuesWithUnstartedRunners(session, ops)) {
    if (!warned) warnedBySession.set(session, (warned = new Set()));
    if (warned.has(queue)) continue;
    warned.add(queue);
    process.emitWarning(
      `A session run has been blocked for a while dequeuing from queue '${queue}', which has QueueRunners that were ` +
      `never started for this session, so it may wait forever. Start them with tf.train.startQueueRunners(sess, coord) ` +
      `(or queueRunner.createThreads(sess, {coord, start: true})) before running ops that read from '${queue}'.`,
      { type: 'QueueRunnerWarning', code: 'ACTORFLOW_QUEUE_RUNNERS_NOT_STARTED' });
  }
}

function noop(): void { /* nothing armed */ }

// Every Session.run reports its ops to the run observers (lib/client/run_hooks.ts).
addRunObserver((session, ops) => watchForUnstartedRunners(session, ops));
