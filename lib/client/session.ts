/**
 * `tf.Session`: runs the graph through a master. No target means an embedded one-task cluster of
 * its own (job `localhost`); `ws://`, `wss://` and `grpc://` targets reach a cluster's master.
 * Several runs may be in flight at once; `close()` cancels the blocked ones.
 */
import { setMaxListeners } from 'node:events';
import { CancelledError, DeadlineExceededError, InvalidArgumentError, toOpError } from '../framework/errors.js';
import { getDefaultGraph, Graph, Operation, SymbolicTensor } from '../framework/graph.js';
import { isConvertible } from '../framework/convert.js';
import { convertToTensor, integerFits, needsReadback, Tensor } from '../framework/tensor.js';
import { dtypeOfTypedArray, tfTypeName, type DType, type NumericArray, type TensorData } from '../framework/dtypes.js';
import type { NodeDef } from '../framework/node_def.js';
import { Server } from '../train/server.js';
import type { SessionConfig } from '../../actors/master.js';
import { flattenFetches, type FlatFetches } from './fetch_mapper.js';
import { channelFor, localChannel, sessionClosed, sessionOpened, type MasterChannel } from './master_channel.js';
import { notifyRunStarted } from './run_hooks.js';
import { sharesVariableStorage } from '../../actors/variable_actor.js';

export interface SessionOptions {
  config?: SessionConfig;
  /** The graph to run (default: the default graph when the session is created). */
  graph?: Graph;
}

export interface RunMetadata {
  /** Op name -> canonical device it ran on, for the ops the step needed. */
  placement?: Record<string, string>;
}

export interface RunOptions {
  /** Bounds this step; a blocked step then fails with DeadlineExceededError. */
  timeoutMs?: number;
  /** Ask the master for the placement it used (filled into runMetadata and sess.lastPlacement). */
  tracePlacement?: boolean;
  runMetadata?: RunMetadata;
  signal?: AbortSignal;
}

/** `Session.reset`'s options: `config.operationTimeoutMs` as TensorFlow's config, or `timeoutMs`. */
export interface ResetOptions {
  timeoutMs?: number;
  config?: SessionConfig;
}

/** How long Session.reset waits for the master when no timeout is given. */
const DEFAULT_RESET_TIMEOUT_MS = 10_000;

export type Feeds = Map<unknown, unknown> | [unknown, unknown][] | null | undefined;

export class Session {
  readonly graph: Graph;
  readonly target: string;
  readonly config: SessionConfig;
  /** Placement of the last run that asked for it (options.tracePlacement / runMetadata). */
  lastPlacement: Record<string, string> | null = null;
  private readonly channel: MasterChannel;
  private embedded: Server | null = null;
  private handle: Promise<string> | null = null;
  private sentVersion = 0;
  private closed = false;
  /** Aborted by close(): every run in flight listens to it (one signal for all of them). */
  private readonly closing = new AbortController();
  private readonly fetchCache = new WeakMap<object, FlatFetches>();

  constructor(target?: string | null, opts: SessionOptions = {}) {
    // TensorFlow's BaseSession.__init__ raises TypeError for a graph that is not a tf.Graph, a
    // target that is not a string and a config that is not a ConfigProto; here they are
    // InvalidArgumentErrors thrown before anything (an embedded cluster) is created.
    checkSessionArguments(target, opts);
    // Any number of runs may be in flight (a QueueRunner with many threads), each listening to
    // this one signal while it lasts: no listener limit, so Node prints no leak warning.
    setMaxListeners(0, this.closing.signal);
    this.graph = opts.graph ?? getDefaultGraph();
    this.config = { ...(opts.config ?? {}) };
    if (target === undefined || target === null || target === '') {
      this.embedded = new Server({ localhost: ['localhost:0'] }, { jobName: 'localhost', taskIndex: 0, listen: false, start: false });
      this.channel = localChannel(this.embedded);
      this.target = '';
    } else {
      this.channel = channelFor(target);
      this.target = this.channel.target;
    }
    sessionOpened();
  }

  /** The embedded cluster's server (target-less sessions only). */
  get embeddedServer(): Server | null { return this.embedded; }

  /** The master's session handle, made on first use and shared by the runs that wait for it. */
  private ensureHandle(): Promise<string> {
    this.handle ??= (async () => {
      if (this.embedded) await this.embedded.start();
      const r = await this.channel.ask<{ handle: string }>({ type: 'createSession', config: this.config });
      return r.handle;
    })();
    this.handle.catch(() => { this.handle = null; });
    return this.handle;
  }

  /**
   * The handle within a run's deadline: an unreachable target fails that run with
   * DeadlineExceededError when its deadline passes, as TensorFlow's operation_timeout_in_ms
   * does, not after the transport's own timeout. Other runs keep waiting on their own terms.
   */
  private handleWithin(timeoutMs: number | undefined): Promise<string> {
    const handle = this.ensureHandle();
    if (!timeoutMs) return handle;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceededError(`Timed out after ${timeoutMs} ms waiting for the master at ${this.target || 'the embedded cluster'}`)), timeoutMs);
    });
    return Promise.race([handle, deadline]).finally(() => clearTimeout(timer));
  }

  async run(fetches: unknown, feeds?: Feeds, options: RunOptions = {}): Promise<any> {
    if (this.closed) throw new CancelledError('Attempted to use a closed Session.');
    const flat = this.flatten(fetches);
    const feedPairs = this.prepareFeeds(feeds);
    const handle = await this.handleWithin(options.timeoutMs ?? this.config.operationTimeoutMs);
    const version = this.graph.version;
    const extend: NodeDef[] = this.graph.opsSince(this.sentVersion).map((op) => op.toNodeDef());
    const signal = options.signal ? AbortSignal.any([this.closing.signal, options.signal]) : this.closing.signal;
    const done = notifyRunStarted(this, flat.tensors.map((t) => t.op).concat(flat.targets));
    try {
      const reply = await this.channel.ask<{ outputs: Tensor[]; placement?: Record<string, string> }>({
        type: 'runStep', handle, extend,
        feeds: feedPairs,
        fetches: flat.tensors.map((t) => t.name),
        targets: flat.targets.map((o) => o.name),
        timeoutMs: options.timeoutMs ?? this.config.operationTimeoutMs,
        tracePlacement: options.tracePlacement || options.runMetadata !== undefined,
      }, { signal });
      if (this.sentVersion < version) this.sentVersion = version;
      if (reply.placement) {
        this.lastPlacement = reply.placement;
        if (options.runMetadata) options.runMetadata.placement = reply.placement;
      }
      // In process, a fetched variable value may be the variable's own (lent) buffer: copy it
      // so writing into a result can never change the variable.
      const outputs = this.channel.inProcess ? reply.outputs.map(unalias) : reply.outputs;
      return flat.rebuild(outputs);
    } catch (e) {
      throw toOpError(e);
    } finally {
      done();
    }
  }

  /** Fetch structures given as one object (a tensor, an op, a variable) are flattened once. */
  private flatten(fetches: unknown): FlatFetches {
    if (typeof fetches !== 'object' || fetches === null || Array.isArray(fetches) || Object.getPrototypeOf(fetches) === Object.prototype) {
      return flattenFetches(fetches, this.graph);
    }
    let flat = this.fetchCache.get(fetches);
    if (!flat) this.fetchCache.set(fetches, (flat = flattenFetches(fetches, this.graph)));
    return flat;
  }

  private prepareFeeds(feeds: Feeds): [string, Tensor][] {
    if (feeds === undefined || feeds === null) return [];
    const entries: [unknown, unknown][] = feeds instanceof Map ? [...feeds.entries()] : Array.isArray(feeds) ? feeds : invalidFeeds(feeds);
    const seen = new Set<string>();
    return entries.map(([k, v]) => {
      let key = k;
      if (typeof key === 'string') {
        // As TensorFlow's session: a feed key names a tensor ("op:0"); a bare op name is an error.
        try {
          key = this.graph.getTensorByName(key);
        } catch (e) {
          throw new InvalidArgumentError(`Cannot interpret feed_dict key as Tensor: ${(e as Error).message}`, { cause: e });
        }
      }
      else if (isConvertible(key) && !(key instanceof SymbolicTensor)) key = key.toSymbolic();
      if (!(key instanceof SymbolicTensor)) throw new InvalidArgumentError(`Cannot interpret feed key ${String(k)} as a Tensor`);
      if (key.graph !== this.graph) throw new InvalidArgumentError(`Feed key ${key.name} is not an element of this session's graph`);
      if (seen.has(key.name)) throw new InvalidArgumentError(`Tensor ${key.name} is fed twice`);
      seen.add(key.name);
      const value = feedValue(key, v);
      checkFeedShape(key, value);
      return [key.name, value];
    });
  }

  /** Closes the session; its blocked steps fail with CancelledError. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(new CancelledError('Step was cancelled because its session was closed (Session::Close)'));
    try {
      if (this.handle) {
        const h = await this.handle.catch(() => null);
        if (h) await this.channel.ask({ type: 'closeSession', handle: h }, { timeoutMs: 5000 }).catch(() => {});
      }
      if (this.embedded) await this.embedded.stop();
    } finally {
      await sessionClosed();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> { await this.close(); }

  /** The devices of the cluster, as the master sees them. */
  async listDevices(): Promise<{ path: string; type: string; index: number; backend?: string }[]> {
    if (this.embedded) await this.embedded.start();
    return this.channel.ask({ type: 'listDevices' });
  }

  /**
   * `tf.Session.reset(target, containers?)`: frees those resource containers (all when omitted)
   * on every task of the target's cluster and closes the sessions connected to that master.
   */
  static async reset(target: string, containers?: string[] | null, opts: ResetOptions = {}): Promise<void> {
    const channel = channelFor(target);
    sessionOpened();
    try {
      const timeoutMs = opts.timeoutMs ?? opts.config?.operationTimeoutMs ?? DEFAULT_RESET_TIMEOUT_MS;
      await channel.ask({ type: 'reset', containers: containers ?? null }, { timeoutMs });
    } finally {
      await sessionClosed();
    }
  }
}

function unalias(t: Tensor): Tensor {
  if (!sharesVariableStorage(t)) return t;
  const data = Array.isArray(t.data) ? [...t.data] : (t.data as Float32Array).slice();
  return new Tensor(t.dtype, [...t.shape], data);
}

/** What a JS value is, for error messages (`null`, `number`, `Array`, `Graph`, ...). */
function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'object';
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

function checkSessionArguments(target: unknown, opts: unknown): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new InvalidArgumentError(`Session options must be an object such as {graph, config}, but got ${typeName(opts)}`);
  }
  const { graph, config } = opts as { graph?: unknown; config?: unknown };
  if (graph !== undefined && graph !== null && !(graph instanceof Graph)) {
    throw new InvalidArgumentError(`graph must be a tf.Graph, but got ${typeName(graph)}`);
  }
  if (target !== undefined && target !== null && typeof target !== 'string') {
    // The likely slip, as TensorFlow also points out: the options passed where the target goes.
    const hint = isPlainObject(target) ? '. Did you do "new tf.Session(options)" instead of "new tf.Session(null, options)"?' : '';
    throw new InvalidArgumentError(`target must be a string, but got ${typeName(target)}${hint}`);
  }
  // A SessionConfig plays the part of TensorFlow's ConfigProto: a plain object of settings.
  if (config !== undefined && config !== null && !isPlainObject(config)) {
    throw new InvalidArgumentError(`config must be a tf.ConfigProto (a plain object of session settings), but got ${typeName(config)}`);
  }
}

function invalidFeeds(f: unknown): never {
  throw new InvalidArgumentError(`feeds must be a Map or an array of [tensor, value] pairs, got ${typeof f}`);
}

/** TensorFlow's own text (session.py), which its tests match: a graph element is not a value. */
const FEED_IS_TENSOR = 'The value of a feed cannot be a tf.Tensor object. Acceptable feed values include '
  + 'Python scalars, strings, lists, numpy ndarrays, or TensorHandles.';

/**
 * A feed value as a concrete tensor of the fed tensor's dtype. As TensorFlow's BaseSession._run,
 * refuses a symbolic value (a tensor, an operation, a variable) and a number that the dtype
 * cannot hold exactly, instead of wrapping or rounding it on the way.
 */
function feedValue(key: SymbolicTensor, v: unknown): Tensor {
  checkFeedElements(v, key.dtype);
  return convertToTensor(v, key.dtype);
}

function isGraphElement(x: unknown): boolean {
  return x instanceof SymbolicTensor || x instanceof Operation || isConvertible(x);
}

function incompatibleFeed(shown: string, type: string, dtype: DType, why: string): never {
  throw new InvalidArgumentError(`Type of feed value ${shown} with type ${type} is not compatible with Tensor type ${tfTypeName(dtype)}. ${why}`);
}

const LARGER_TYPE = 'Try explicitly setting the type of the feed tensor to a larger type (e.g. int64).';

function checkFeedElements(v: unknown, dtype: DType): void {
  if (isGraphElement(v)) throw new InvalidArgumentError(FEED_IS_TENSOR);
  if (Array.isArray(v)) {
    for (const x of v) checkFeedElements(x, dtype);
  } else if (typeof v === 'number' || typeof v === 'bigint') {
    checkFeedScalar(v, dtype);
  } else if (v instanceof Tensor) {
    if (!needsReadback(v)) checkNarrowing(v.data, v.dtype, dtype);
  } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const own = dtypeOfTypedArray(v);
    if (own !== null) checkNarrowing(v as unknown as NumericArray, own, dtype);
  }
}

/**
 * A JS number or bigint fed to a numeric tensor. TensorFlow refuses a Python int whose value
 * changes when converted to the feed's dtype (testFeedPrecisionLossError); a bigint is JS's
 * explicit integer, so the same holds for it against float dtypes. Plain numbers fed to float
 * tensors round as usual; one with a fraction is refused by integer tensors rather than cut.
 */
function checkFeedScalar(x: number | bigint, dtype: DType): void {
  const type = typeof x;
  switch (dtype) {
    case 'int32': case 'uint8': case 'int64':
      if (typeof x === 'number' && !Number.isInteger(x)) {
        incompatibleFeed(String(x), type, dtype, 'Only whole numbers can be fed to an integer tensor; round the value or feed a floating-point tensor.');
      }
      if (!integerFits(x, dtype)) incompatibleFeed(String(x), type, dtype, LARGER_TYPE);
      return;
    case 'float32': case 'float64': {
      if (typeof x !== 'bigint') return;
      const n = Number(x);
      const f = dtype === 'float32' ? Math.fround(n) : n;
      if (!Number.isFinite(f) || BigInt(f) !== x) incompatibleFeed(String(x), type, dtype, LARGER_TYPE);
      return;
    }
    default:
      // bool and string feeds: the conversion itself names a value of the wrong kind.
      return;
  }
}

/** Integer tensors and typed arrays fed to a narrower integer dtype must not wrap around. */
function checkNarrowing(data: TensorData, from: DType, to: DType): void {
  if (to !== 'int32' && to !== 'uint8' && to !== 'int64') return;
  if (from !== 'int32' && from !== 'uint8' && from !== 'int64') return;
  if (from === to || to === 'int64' || (to === 'int32' && from === 'uint8')) return;
  const xs = data as ArrayLike<number | bigint>;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (!integerFits(x, to)) incompatibleFeed(String(x), `${from} element`, to, LARGER_TYPE);
  }
}

function checkFeedShape(key: SymbolicTensor, value: Tensor): void {
  const s = key.shape;
  if (s === null) return;
  const ok = s.length === value.shape.length && s.every((d, i) => d === null || d === value.shape[i]);
  if (!ok) {
    const fmt = (x: readonly (number | null)[]): string => `(${x.map((d) => d ?? '?').join(', ')}${x.length === 1 ? ',' : ''})`;
    throw new InvalidArgumentError(`Cannot feed value of shape ${fmt(value.shape)} for Tensor '${key.name}', which has shape '${fmt(s)}'`);
  }
}
