/**
 * TensorFlow's DeviceSpec (tensorflow/python/framework/device.py): parsing, canonical printing
 * and field-by-field merging of device paths such as `/job:ps/replica:0/task:0/device:CPU:0`.
 */
import { InvalidArgumentError } from './errors.js';

export interface DeviceSpecFields {
  job?: string | null;
  replica?: number | null;
  task?: number | null;
  deviceType?: string | null;
  deviceIndex?: number | null;
}

export class DeviceSpec {
  job: string | null;
  replica: number | null;
  task: number | null;
  deviceType: string | null;
  deviceIndex: number | null;

  constructor(fields: DeviceSpecFields = {}) {
    this.job = fields.job ?? null;
    this.replica = fields.replica ?? null;
    this.task = fields.task ?? null;
    this.deviceType = normaliseType(fields.deviceType ?? null);
    this.deviceIndex = fields.deviceIndex ?? null;
  }

  static fromString(spec: string): DeviceSpec {
    return new DeviceSpec().parseFrom(spec);
  }

  /** Parses `spec` into this object (fields it names overwrite), as TF's parse_from_string. */
  parseFrom(spec: string): this {
    if (typeof spec !== 'string') throw new InvalidArgumentError(`Device spec must be a string, got ${typeof spec}`);
    let sawDevice = false;
    for (const part of spec.split('/')) {
      if (part === '') continue;
      const ly = part.split(':');
      const key = ly[0]!.toLowerCase();
      if (ly.length === 2 && key === 'job') {
        this.job = ly[1]!;
      } else if (ly.length === 2 && key === 'replica') {
        this.replica = parseIntStrict(ly[1]!, spec);
      } else if (ly.length === 2 && key === 'task') {
        this.task = parseIntStrict(ly[1]!, spec);
      } else if ((ly.length === 1 || ly.length === 2) && (key === 'cpu' || key === 'gpu')) {
        if (sawDevice) throw new InvalidArgumentError(`Cannot specify multiple device types: ${spec}`);
        sawDevice = true;
        this.deviceType = key.toUpperCase();
        this.deviceIndex = ly.length === 2 && ly[1] !== '*' ? parseIntStrict(ly[1]!, spec) : null;
      } else if ((ly.length === 2 || ly.length === 3) && key === 'device') {
        if (sawDevice) throw new InvalidArgumentError(`Cannot specify multiple device types: ${spec}`);
        sawDevice = true;
        this.deviceType = ly[1]!;
        this.deviceIndex = ly.length === 3 && ly[2] !== '*' ? parseIntStrict(ly[2]!, spec) : null;
      } else {
        // TensorFlow names the key (y[0]) of the unknown part, not the whole part.
        throw new InvalidArgumentError(`Unknown attribute: '${ly[0]}' in '${spec}'`);
      }
    }
    return this;
  }

  /** Each field set in `other` overwrites this one's; changes this spec and returns it. */
  mergeFrom(other: DeviceSpec | string): this {
    const o = typeof other === 'string' ? DeviceSpec.fromString(other) : other;
    if (o.job !== null) this.job = o.job;
    if (o.replica !== null) this.replica = o.replica;
    if (o.task !== null) this.task = o.task;
    if (o.deviceType !== null) this.deviceType = o.deviceType;
    if (o.deviceIndex !== null) this.deviceIndex = o.deviceIndex;
    return this;
  }

  clone(): DeviceSpec {
    return new DeviceSpec(this);
  }

  toString(): string {
    let s = '';
    if (this.job !== null) s += `/job:${this.job}`;
    if (this.replica !== null) s += `/replica:${this.replica}`;
    if (this.task !== null) s += `/task:${this.task}`;
    if (this.deviceType !== null) s += `/device:${this.deviceType}:${this.deviceIndex === null ? '*' : this.deviceIndex}`;
    return s;
  }

  equals(other: DeviceSpec): boolean {
    return this.toString() === other.toString();
  }
}

function normaliseType(t: string | null): string | null {
  if (t === null) return null;
  const lower = t.toLowerCase();
  return lower === 'cpu' || lower === 'gpu' ? lower.toUpperCase() : t;
}

function parseIntStrict(s: string, spec: string): number {
  if (!/^[+-]?\d+$/.test(s.trim())) {
    throw new InvalidArgumentError(`invalid literal for int() with base 10: '${s}' in device spec '${spec}'`);
  }
  return Number.parseInt(s, 10);
}

/** Canonical path of a whole task: `/job:J/replica:0/task:T`. */
export function taskPath(job: string, task: number, replica = 0): string {
  return `/job:${job}/replica:${replica}/task:${task}`;
}

/** Canonical path of one device: `/job:J/replica:0/task:T/device:TYPE:I`. */
export function devicePath(job: string, task: number, type: string, index: number, replica = 0): string {
  return `${taskPath(job, task, replica)}/device:${type}:${index}`;
}
