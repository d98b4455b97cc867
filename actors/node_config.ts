/**
 * Reads a node's configuration from its flags and environment: `--cluster` as a JSON file, inline
 * JSON (a ClusterSpec dict or a TF_CONFIG-shaped object) or `ps=h:p;worker=h:p,h:p`, and
 * `TF_CONFIG` for whatever the flags leave out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../lib/framework/errors.js';
import { ClusterSpec, parseClusterShorthand, type ClusterDict } from '../lib/train/cluster_spec.js';

export const USAGE = `Usage: node actors/node.js --job <name> --task <index> --cluster <spec> [options]

Starts one task of an actorflow cluster and prints one line to stdout once it accepts connections:
  actorflow /job:<job>/replica:0/task:<i> listening on ws://<host>:<port> devices <list>

Options:
  --job <name>           job of this task (e.g. ps, worker); TF_CONFIG task.type otherwise
  --task <index>         index of this task in its job; TF_CONFIG task.index otherwise
  --cluster <spec>       the cluster: a JSON file, inline JSON ({"ps": ["h:p"], "worker": [...]} or
                         {"cluster": {...}, "task": {"type": "ps", "index": 0}}), or
                         'ps=h:p;worker=h:p,h:p'; TF_CONFIG's cluster otherwise
  --gpus <n|ids>         GPU devices to expose (/device:GPU:0..n-1): a count or ids like "0,1";
                         "" exposes none (default: GPU_VISIBLE_DEVICES, else none)
  --gpu-backend <name>   webgpu | webasm | headlessgl | cpu | auto (default auto: webgpu where an
                         adapter exists, else webasm)
  --token <secret>       cluster token required from every peer and client (default: ACTORFLOW_TOKEN);
                         without one, anyone who reaches the port can run graphs on this task
  --tls-cert <file>      serve wss:// with this certificate (PEM) ...
  --tls-key <file>       ... and this key
  --bind <host>          host to bind (default: this task's host in the cluster spec)
  --log-level <level>    pino level for the logs on stderr (default info)
  -h, --help             print this help and exit
`;

export interface NodeConfig {
  job: string;
  task: number;
  cluster: ClusterSpec;
  gpus: string | undefined;
  gpuBackend: string;
  token: string | null;
  tls: { cert: string; key: string } | null;
  bind: string | undefined;
  logLevel: string;
  help: boolean;
}

interface TfConfig { cluster?: ClusterDict; task?: { type?: string; index?: number } }

export function parseNodeArgs(argv: string[], env: NodeJS.ProcessEnv): NodeConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      job: { type: 'string' }, task: { type: 'string' }, cluster: { type: 'string' },
      gpus: { type: 'string' }, 'gpu-backend': { type: 'string' }, token: { type: 'string' },
      'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, bind: { type: 'string' },
      'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const help = values.help ?? false;
  const tfConfig = env['TF_CONFIG'] ? parseJson(env['TF_CONFIG'], 'TF_CONFIG') as TfConfig : {};
  let fromFlag: TfConfig = {};
  if (values.cluster !== undefined) fromFlag = readClusterFlag(values.cluster);
  const clusterDict = fromFlag.cluster ?? tfConfig.cluster;
  const job = values.job ?? fromFlag.task?.type ?? tfConfig.task?.type;
  const taskRaw = values.task ?? fromFlag.task?.index ?? tfConfig.task?.index;
  if (help) return { help, job: '', task: 0, cluster: new ClusterSpec({}), gpus: undefined, gpuBackend: 'auto', token: null, tls: null, bind: undefined, logLevel: 'info' };
  if (!clusterDict) throw new InvalidArgumentError('No cluster given: pass --cluster or set TF_CONFIG');
  if (!job) throw new InvalidArgumentError('No job given: pass --job or set TF_CONFIG task.type');
  if (taskRaw === undefined || !/^\d+$/.test(String(taskRaw))) throw new InvalidArgumentError(`Bad or missing --task: '${taskRaw ?? ''}'`);
  const cluster = clusterDict instanceof ClusterSpec ? clusterDict : new ClusterSpec(clusterDict);
  const task = Number(taskRaw);
  cluster.taskAddress(job, task); // a task not in the cluster fails here, naming it
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new InvalidArgumentError('--tls-cert and --tls-key go together');
  }
  return {
    help, job, task, cluster,
    gpus: values.gpus ?? env['GPU_VISIBLE_DEVICES'],
    gpuBackend: values['gpu-backend'] ?? 'auto',
    token: values.token ?? env['ACTORFLOW_TOKEN'] ?? null,
    tls: values['tls-cert'] ? { cert: values['tls-cert'], key: values['tls-key']! } : null,
    bind: values.bind,
    logLevel: values['log-level'] ?? 'info',
  };
}

function readClusterFlag(v: string): TfConfig {
  const text = v.trim().startsWith('{') ? v : existsSync(v) ? readFileSync(v, 'utf8') : null;
  if (text === null) {
    if (v.includes('=')) return { cluster: parseClusterShorthand(v) as unknown as ClusterDict };
    throw new InvalidArgumentError(`--cluster '${v}' is neither a file, JSON, nor job=host:port[;...]`);
  }
  const obj = parseJson(text, '--cluster') as Record<string, unknown>;
  if (obj['cluster'] && typeof obj['cluster'] === 'object') return obj as TfConfig;
  return { cluster: obj as ClusterDict };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}
