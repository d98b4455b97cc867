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

  /**
   * Parses `spec` into this object, as TF 1.x's parse_from_string: every field is cleared first
   * (TF calls `_clear()`), so a field the string does not name ends up null.
   *
   * Keys are matched case-sensitively (`job`, `replica`, `task`, `device`), except the short
   * `cpu`/`gpu` form, which TF compares after `.upper()`. A part whose key is empty (`''`, `':x'`)
   * is skipped, as TF's `elif ly and y[0] != ""` skips it; anything else unknown, including
   * `device:TYPE` without an index or `job` without a value, is "Unknown attribute".
   */
  parseFrom(spec: string): this {
    if (typeof spec !== 'string') throw new InvalidArgumentError(`Device spec must be a string, got ${typeof spec}`);
    this.job = null;
    this.replica = null;
    this.task = null;
    this.deviceType = null;
    this.deviceIndex = null;
    for (const part of spec.split('/')) {
      const y = part.split(':');
      const ly = y.length;
      const key = y[0]!;
      if (ly === 2 && key === 'job') {
        this.job = y[1]!;
      } else if (ly === 2 && key === 'replica') {
        this.replica = pyInt(y[1]!, spec);
      } else if (ly === 2 && key === 'task') {
        this.task = pyInt(y[1]!, spec);
      } else if ((ly === 1 || ly === 2) && (key.toUpperCase() === 'CPU' || key.toUpperCase() === 'GPU')) {
        // TF tests `device_type is not None`; a cleared spec has no type, so any type seen
        // earlier in this string (even an empty `device::0` one) counts.
        if (this.deviceType !== null) throw new InvalidArgumentError(`Cannot specify multiple device types: ${spec}`);
        this.deviceType = key.toUpperCase();
        if (ly === 2 && y[1] !== '*') this.deviceIndex = pyInt(y[1]!, spec);
      } else if (ly === 3 && key === 'device') {
        if (this.deviceType !== null) throw new InvalidArgumentError(`Cannot specify multiple device types: ${spec}`);
        this.deviceType = y[1]!;
        if (y[2] !== '*') this.deviceIndex = pyInt(y[2]!, spec);
      } else if (key !== '') {
        // TensorFlow names the key (y[0]) of the unknown part, not the whole part.
        throw new InvalidArgumentError(`Unknown attribute: '${key}' in '${spec}'`);
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

/**
 * TF 1.x's constructor upper-cases exactly "cpu" and "gpu" (a backwards-compatibility shim); any
 * other spelling, "Cpu" included, is kept verbatim like every other device type.
 */
function normaliseType(t: string | null): string | null {
  return t === 'cpu' || t === 'gpu' ? t.toUpperCase() : t;
}

/**
 * Python's int(s) for the decimal strings a device spec can hold: surrounding whitespace, a sign
 * and single underscores between digits are accepted; anything else is TF's ValueError.
 */
function pyInt(s: string, spec: string): number {
  const t = s.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) {
    throw new InvalidArgumentError(`invalid literal for int() with base 10: '${s}' in device spec '${spec}'`);
  }
  return Number.parseInt(t.replace(/_/g, ''), 10);
}

/** Canonical path of a whole task: `/job:J/replica:0/task:T`. */
export function taskPath(job: string, task: number, replica = 0): string {
  return `/job:${job}/replica:${replica}/task:${task}`;
}

/** Canonical path of one device: `/job:J/replica:0/task:T/device:TYPE:I`. */
export function devicePath(job: string, task: number, type: string, index: number, replica = 0): string {
  return `${taskPath(job, task, replica)}/device:${type}:${index}`;
}
