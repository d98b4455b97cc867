/**
 * tf.train.LooperThread (TF-SEMANTICS 1.6): a thread that calls a function back to back
 * (interval null) or at interval boundaries until its coordinator is asked to stop. It registers
 * itself with the coordinator; anything the function throws (or rejects with) is reported to the
 * coordinator, which ends the loop.
 */
import { defer, type Observable } from 'rxjs';
import { InvalidArgumentError } from '../framework/errors.js';
import { Coordinator } from './coordinator.js';
import { StreamThread } from './thread.js';

export type LoopTarget = (...args: unknown[]) => unknown;

let looperCounter = 0;

export class LooperThread extends StreamThread {
  readonly coord: Coordinator;
  /** Milliseconds between calls (measured from the start of each period), or null: back to back. */
  readonly intervalMs: number | null;
  private readonly target: LoopTarget | null;
  private readonly args: unknown[];

  constructor(coord: Coordinator, intervalMs: number | null, target?: LoopTarget | null, args?: unknown[] | null) {
    if (!(coord instanceof Coordinator)) {
      throw new InvalidArgumentError(`'coord' argument must be a Coordinator: ${String(coord)}`);
    }
    if ((target === undefined || target === null) && args !== undefined && args !== null && args.length > 0) {
      throw new InvalidArgumentError("'args' and 'kwargs' argument require that you also pass 'target'");
    }
    if (intervalMs !== null && (typeof intervalMs !== 'number' || !(intervalMs >= 0))) {
      throw new InvalidArgumentError(`intervalMs must be a non-negative number or null, got ${String(intervalMs)}`);
    }
    super(`LooperThread-${++looperCounter}`);
    this.daemon = true;
    this.coord = coord;
    this.intervalMs = intervalMs;
    this.target = target ?? null;
    this.args = args ? [...args] : [];
    coord.registerThread(this);
  }

  /** Creates a LooperThread and starts it. */
  static loop(coord: Coordinator, intervalMs: number | null, target: LoopTarget, args?: unknown[]): LooperThread {
    const t = new LooperThread(coord, intervalMs, target, args);
    t.start();
    return t;
  }

  /** Called once before the loop (override in subclasses). */
  startLoop(): unknown { return undefined; }

  /** Called once after the loop (override in subclasses). */
  stopLoop(): unknown { return undefined; }

  /** One iteration: calls the target (override in subclasses). */
  runLoop(): unknown {
    return this.target ? this.target(...this.args) : undefined;
  }

  protected override stream(): Observable<unknown> {
    return defer(() => this.coord.stopOnException(() => this.run()));
  }

  private async run(): Promise<void> {
    await this.startLoop();
    if (this.intervalMs === null) {
      while (!this.coord.shouldStop()) {
        await this.runLoop();
        // A synchronous target must still let timers and I/O (and the stop request) through.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } else {
      let next = Date.now();
      while (!(await this.coord.waitForStop(next - Date.now()))) {
        next += this.intervalMs;
        await this.runLoop();
        if (next <= Date.now()) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    await this.stopLoop();
  }
}
