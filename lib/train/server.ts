/**
 * `tf.train.Server`: one task of a cluster, in process. It hosts the task actor, the master, a
 * CPU:0 device actor (and GPU devices when asked), and one WebSocket server for its peers and
 * clients. `createLocalServer()` gives a one-task cluster on a free port.
 */
import { InvalidArgumentError, UnknownError, toOpError } from '../framework/errors.js';
import { devicePath, taskPath as makeTaskPath } from '../framework/device_spec.js';
import { ActorSystem } from '../../actors/actor_system.js';
import { DeviceActor } from '../../actors/device_actor.js';
import { MasterActor } from '../../actors/master.js';
import { EchoActor } from '../../actors/echo_actor.js';
import { TaskActor, type DeviceDescription } from '../../actors/task_actor.js';
import { ClusterSpec, splitHostPort, type ClusterDict } from './cluster_spec.js';
import type { WsTransport } from '../../transport/ws_transport.js';
import type { TransportOptions } from '../../transport/options.js';
import { createGpuDevices, type GpuBackendKind } from './gpu_devices.js';
import { registerServer, unregisterServer } from '../client/local_servers.js';
import '../../actors/send_recv.js';

export interface ServerOptions {
  jobName?: string;
  taskIndex?: number;
  /** Begin listening at once (default true). */
  start?: boolean;
  /** Number of GPU devices (`/device:GPU:0..n-1`), or a GPU_VISIBLE_DEVICES-style list ("0,1"; "" = none). */
  gpus?: number | string;
  /** gpu.js backend for GPU devices (default 'auto': webgpu where an adapter exists, else webasm). */
  gpuBackend?: GpuBackendKind | 'auto';
  /** Cluster token: required from every peer and client when set. */
  token?: string | null;
  /** Serve wss:// with this certificate and key (PEM text or file paths). */
  tls?: { cert: string; key: string; ca?: string } | null;
  /** Host to bind (default: the host of this task's address in the cluster spec). */
  bindHost?: string;
  /** Further transport options (frame size, heartbeats, timeouts...). */
  transport?: Partial<TransportOptions>;
  /** Internal: an embedded cluster that never listens on the network. */
  listen?: boolean;
}

type ServerDef = { cluster: ClusterSpec | ClusterDict; jobName?: string; taskIndex?: number };

export class Server {
  readonly jobName: string;
  readonly taskIndex: number;
  readonly taskPath: string;
  readonly system: ActorSystem;
  private clusterSpec: ClusterSpec;
  private readonly opts: ServerOptions;
  private transport: WsTransport | null = null;
  private readonly devices: DeviceActor[] = [];
  private readonly descriptions: DeviceDescription[] = [];
  private readonly gpuBackends: { dispose(): void }[] = [];
  private started: Promise<void> | null = null;
  private stopped = false;
  private joinResolve!: () => void;
  private readonly joined = new Promise<void>((r) => { this.joinResolve = r; });
  private url: string | null = null;

  constructor(clusterOrDef: ClusterSpec | ClusterDict | ServerDef, opts: ServerOptions = {}) {
    const def = clusterOrDef as ServerDef;
    const isDef = typeof clusterOrDef === 'object' && clusterOrDef !== null && !(clusterOrDef instanceof ClusterSpec) && 'cluster' in clusterOrDef && typeof def.cluster === 'object';
    this.clusterSpec = new ClusterSpec(isDef ? def.cluster : (clusterOrDef as ClusterSpec | ClusterDict));
    this.opts = { ...opts, jobName: opts.jobName ?? (isDef ? def.jobName : undefined), taskIndex: opts.taskIndex ?? (isDef ? def.taskIndex : undefined) };
    const jobs = this.clusterSpec.jobs;
    if (this.opts.jobName === undefined || this.opts.jobName === null) {
      if (jobs.length !== 1) throw new InvalidArgumentError('Must specify an explicit `job_name`.');
      this.jobName = jobs[0]!;
    } else {
      this.jobName = this.opts.jobName;
    }
    if (this.opts.taskIndex === undefined || this.opts.taskIndex === null) {
      const idx = this.clusterSpec.taskIndices(this.jobName);
      if (idx.length !== 1) throw new InvalidArgumentError('Must specify an explicit `task_index`.');
      this.taskIndex = idx[0]!;
    } else {
      this.taskIndex = this.opts.taskIndex;
    }
    const address = this.clusterSpec.taskAddress(this.jobName, this.taskIndex);
    if (this.opts.listen !== false) splitHostPort(address); // "port" errors at construction, as TF
    this.taskPath = makeTaskPath(this.jobName, this.taskIndex);
    this.system = new ActorSystem({ taskPath: this.taskPath, resolveAddress: (p) => this.addressOf(p) });
    this.addDevice('CPU', 0);
    this.system.register(new TaskActor(this.taskPath, () => this.devices, () => this.descriptions, () => this.status()));
    this.system.register(new EchoActor(`${this.taskPath}/echo`));
    this.system.register(new MasterActor(`${this.taskPath}/master`, this.system, () => this.clusterSpec,
      { job: this.jobName, task: this.taskIndex }));
    if (this.opts.start !== false) {
      this.start().catch((e: unknown) => {
        process.stderr.write(`actorflow: server ${this.taskPath} failed to start: ${toOpError(e).message}\n`);
      });
    }
  }

  /** One-task cluster on a free port (`{local: ['localhost:0']}`), listening when resolved. */
  static async createLocalServer(opts: Omit<ServerOptions, 'jobName' | 'taskIndex'> = {}): Promise<Server> {
    const s = new Server({ local: ['localhost:0'] }, { ...opts, jobName: 'local', taskIndex: 0, start: false });
    await s.start();
    return s;
  }

  get cluster(): ClusterSpec { return this.clusterSpec; }

  /** `ws://host:port` (wss:// with TLS), once started. */
  get target(): string {
    if (this.url) return this.url;
    const { host, port } = splitHostPort(this.clusterSpec.taskAddress(this.jobName, this.taskIndex));
    return `${this.opts.tls ? 'wss' : 'ws'}://${host}:${port}`;
  }

  get masterPath(): string { return `${this.taskPath}/master`; }

  /** Resolves when the server accepts connections; safe to call twice. */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new InvalidArgumentError(`Server ${this.taskPath} was stopped`));
    this.started ??= this.doStart();
    return this.started;
  }

  private async doStart(): Promise<void> {
    await this.addGpuDevices();
    registerServer(this);
    if (this.opts.listen === false) return;
    const address = this.clusterSpec.taskAddress(this.jobName, this.taskIndex);
    const { host, port } = splitHostPort(address);
    // Loaded on demand: an embedded cluster never touches the network stack.
    const { WsTransport } = await import('../../transport/ws_transport.js');
    const hostPart = host.includes(':') ? `[${host}]` : host;
    const advertiseUrl = port !== 0 ? `${this.opts.tls ? 'wss' : 'ws'}://${hostPart}:${port}` : null;
    this.transport = new WsTransport({ ...(this.opts.transport ?? {}), token: this.opts.token ?? null, tls: this.opts.tls ?? null, advertiseUrl },
      (to, body, ctx) => this.system.deliverLocal(to === '' || to === 'master' ? this.masterPath : to, body, ctx.cancel));
    this.system.transport = this.transport;
    try {
      const r = await this.transport.listen(this.opts.bindHost ?? host, port);
      this.clusterSpec = this.clusterSpec.withAddress(this.jobName, this.taskIndex, `${hostPart}:${r.port}`);
      this.url = `${this.opts.tls ? 'wss' : 'ws'}://${hostPart}:${r.port}`;
      registerServer(this);
    } catch (e) {
      const err = toOpError(e);
      throw new UnknownError(`Could not start server ${this.taskPath} on ${address}: ${err.message}`, { cause: e });
    }
  }

  private addDevice(type: string, index: number, extra: Partial<DeviceDescription> = {}): DeviceActor {
    const info = { path: devicePath(this.jobName, this.taskIndex, type, index), type, index, taskPath: this.taskPath };
    const d = new DeviceActor(info, this.system);
    this.devices.push(d);
    this.descriptions.push({ ...info, ...extra });
    this.system.register(d);
    return d;
  }

  private async addGpuDevices(): Promise<void> {
    if (this.devices.some((d) => d.info.type === 'GPU')) return;
    const gpus = await createGpuDevices(this.opts.gpus, this.opts.gpuBackend ?? 'auto');
    gpus.forEach((g, i) => {
      const d = this.addDevice('GPU', i, { backend: g.backendName, description: g.description });
      g.attach(d.runtime.deviceState);
      this.gpuBackends.push(g);
    });
  }

  /** The devices of this task, as `listDevices` reports them. */
  listDevices(): DeviceDescription[] { return [...this.descriptions]; }

  private addressOf(taskPath: string): string | null {
    const m = /^\/job:([^/]+)\/replica:\d+\/task:(\d+)$/.exec(taskPath);
    if (!m) return null;
    try {
      const { host, port } = splitHostPort(this.clusterSpec.taskAddress(m[1]!, Number(m[2])));
      return `${this.opts.tls ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    } catch {
      return null;
    }
  }

  private status(): Record<string, unknown> {
    return {
      task: this.taskPath, target: this.url, devices: this.descriptions.map((d) => d.path),
      linkStats: this.transport?.linkStats() ?? {},
    };
  }

  /** Bytes and frames exchanged with each peer address over the network. */
  linkStats(): Record<string, { bytesSent: number; bytesReceived: number; framesSent: number; framesReceived: number }> {
    return this.transport?.linkStats() ?? {};
  }

  /** Resolves after stop() (TensorFlow's join blocks until the server stops). */
  join(): Promise<void> { return this.joined; }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    unregisterServer(this);
    await this.system.shutdown(new UnknownError(`Server ${this.taskPath} is shutting down`));
    for (const g of this.gpuBackends.splice(0)) {
      try { g.dispose(); } catch { /* the process may be exiting anyway */ }
    }
    this.joinResolve();
  }
}
