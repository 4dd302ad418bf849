/**
 * Device profiles (devices/*.yaml): how to read the canonical signals from one kind of Modbus
 * device. Validated against devices/schema.json, then cross-checked against the lifts that use
 * them, with every problem collected into one ConfigError.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config, DeviceProfile, InputWiring, LiftConfig, SignalSource } from './types.js';
import { DIRECTIONS, SIGNAL_NAMES, isBooleanSignal, isSignalName, type SignalName } from '../core/signals.js';
import { ConfigError, describeValue, formatPath, problemsFromAjv, type ConfigProblem, type LineOf, type PathSegment } from './errors.js';
import { displayPath, lineOfKey, packageRoot, parseYaml, uniqueByPath } from './load.js';
import { readTextFile } from './input-limits.js';
import { deviceSchemaValidator } from './validators/index.js';
import { framesConfigProblems, framesProfileProblems } from './frames-checks.js';

export interface ProfileOptions {
  /** Where profile ids are looked up; default the package's devices/. */
  devicesDir?: string;
  /** Where profile paths are resolved from; default the cwd (the config file's dir for lifts). */
  baseDir?: string;
}

export function defaultDevicesDir(): string {
  return path.join(packageRoot(), 'devices');
}

/** 'liftwatch-sim' -> <devicesDir>/liftwatch-sim.yaml; 'x/y.yaml' or 'y.yaml' -> a path from baseDir. */
export function resolveProfileFile(idOrPath: string, opts: ProfileOptions = {}): string {
  const isPath = idOrPath.includes('/') || /\.ya?ml$/.test(idOrPath);
  return isPath
    ? path.resolve(opts.baseDir ?? process.cwd(), idOrPath)
    : path.join(opts.devicesDir ?? defaultDevicesDir(), `${idOrPath}.yaml`);
}

/** Ids of the profiles in a devices directory, sorted. */
export function profileIds(devicesDir: string = defaultDevicesDir()): string[] {
  if (!fs.existsSync(devicesDir)) return [];
  return fs.readdirSync(devicesDir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

export function loadProfile(idOrPath: string, opts: ProfileOptions = {}): DeviceProfile {
  const file = resolveProfileFile(idOrPath, opts);
  const shown = displayPath(file);
  if (!fs.existsSync(file)) {
    const known = profileIds(opts.devicesDir).join(', ') || 'none';
    throw new ConfigError('PROFILE_NOT_FOUND', [
      { file: shown, path: '(top level)', message: `expected a device profile file (known profiles: ${known}), got no such file` },
    ]);
  }
  // Bounded like a config file: 1 MiB of text (./input-limits.ts).
  const { data, lineOf } = parseYaml(readTextFile(file, shown, 'device profile file', 'PROFILE_NOT_FOUND', 'PROFILE_INVALID'), shown, 'PROFILE_INVALID');
  const validate = deviceSchemaValidator(); // devices/schema.json, pre-compiled
  const problems: ConfigProblem[] = [];
  if (!validate(data)) problems.push(...problemsFromAjv(validate.errors ?? [], shown, data, lineOf));
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const raw = data as Omit<DeviceProfile, 'file'>;
    problems.push(...profileProblems(raw, path.basename(file).replace(/\.ya?ml$/, ''), shown, lineOf));
  }
  if (problems.length > 0) throw new ConfigError('PROFILE_INVALID', uniqueByPath(problems));
  return { ...(data as Omit<DeviceProfile, 'file'>), file };
}

/** Every valid profile in a devices directory, sorted by id. */
export function listProfiles(devicesDir: string = defaultDevicesDir()): DeviceProfile[] {
  const problems: ConfigProblem[] = [];
  const out: DeviceProfile[] = [];
  for (const id of profileIds(devicesDir)) {
    try {
      out.push(loadProfile(id, { devicesDir }));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError('PROFILE_INVALID', problems);
  return out;
}

type Add = (segments: PathSegment[], message: string) => void;

function collector(file: string, lineOf: LineOf, out: ConfigProblem[]): Add {
  return (segments, message) => {
    const line = lineOf(segments);
    out.push({ file, path: formatPath(segments), message, ...(line === undefined ? {} : { line }) });
  };
}

function profileProblems(p: Omit<DeviceProfile, 'file'>, fileId: string, file: string, lineOf: LineOf): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = collector(file, lineOf, out);
  if (p.id !== fileId) add(['id'], `expected "${fileId}" (the file name without .yaml), got ${describeValue(p.id)}`);
  if (p.kind === 'io-module' && p.inputs === undefined) {
    add(['inputs'], 'expected the block of inputs ({table, address, count}) for an io-module profile, got nothing');
  }
  if (p.kind === 'controller' && p.inputs !== undefined) {
    add(['inputs'], 'expected no inputs for a controller profile (inputs are for io-module profiles), got a mapping');
  }
  if (p.kind === 'controller' && Object.keys(p.signals ?? {}).length === 0) {
    add(['signals'], 'expected at least one signal mapped by a controller profile, got none');
  }
  // Also runs when the schema failed, so every problem is reported at once: skip what is malformed.
  const signals = isObject(p.signals) ? p.signals : {};
  for (const [name, src] of Object.entries(signals) as Array<[SignalName, SignalSource]>) {
    if (isSignalName(name) && isObject(src) && typeof src.table === 'string') checkSignalSource(name, src, ['signals', name], add);
  }
  framesProfileProblems(p, add); // kind frames: plain status frames
  return out;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

const REGISTER_ONLY = ['bit', 'type', 'wordOrder', 'scale', 'offset'] as const;

/** Rules for one signal source that the schema cannot express (bits only in registers, etc.). */
export function checkSignalSource(name: SignalName, src: SignalSource, at: PathSegment[], add: Add): void {
  const isRegister = src.table === 'holding' || src.table === 'input';
  if (!isRegister) {
    for (const k of REGISTER_ONLY) {
      if (src[k] !== undefined) add([...at, k], `expected no ${k} on a ${src.table} (only holding/input registers have one), got ${describeValue(src[k])}`);
    }
  } else if (src.bit !== undefined) {
    for (const k of REGISTER_ONLY.slice(1)) {
      if (src[k] !== undefined) add([...at, k], `expected no ${k} together with bit (a bit reads as a boolean), got ${describeValue(src[k])}`);
    }
  }
  const wide = src.type === 'uint32' || src.type === 'int32';
  if (wide && typeof src.address === 'number' && src.address > 65534) add([...at, 'address'], `expected at most 65534 for a 32-bit value (it spans two registers), got ${src.address}`);
  const values = isObject(src.enum) ? Object.values(src.enum) : [];
  if (isBooleanSignal(name)) {
    if (src.scale !== undefined || src.offset !== undefined) add(at, `expected no scale/offset for boolean signal ${name}, got a numeric conversion`);
    if (values.some((v) => typeof v !== 'boolean')) add([...at, 'enum'], `expected only true/false values for boolean signal ${name}, got ${values.map((v) => describeValue(v)).join(', ')}`);
    return;
  }
  if (!isRegister || src.bit !== undefined) add(at, `expected a register value (holding or input, no bit) for ${name}, got a single bit`);
  if (src.invert !== undefined) add([...at, 'invert'], `expected no invert for ${name} (only boolean signals invert), got ${String(src.invert)}`);
  if (name === 'direction') {
    const bad = values.filter((v) => !(DIRECTIONS as readonly unknown[]).includes(v));
    if (src.enum === undefined || values.length === 0) add([...at, 'enum'], `expected an enum mapping raw values onto ${DIRECTIONS.join(', ')} (e.g. {0: none, 1: up, 2: down}), got nothing`);
    else if (bad.length > 0) add([...at, 'enum'], `expected values from ${DIRECTIONS.join(', ')}, got ${bad.map((v) => describeValue(v)).join(', ')}`);
  } else if (values.some((v) => typeof v !== 'number')) {
    add([...at, 'enum'], `expected only numbers as values for numeric signal ${name}, got ${values.map((v) => describeValue(v)).join(', ')}`);
  }
}

export function isInputWiring(x: SignalSource | InputWiring): x is InputWiring {
  return (x as InputWiring).input !== undefined;
}

/** Cross-checks one lift's signal overrides and wiring against its profile. */
export function checkLiftAgainstProfile(lift: LiftConfig, index: number, profile: DeviceProfile, add: Add): void {
  const at: PathSegment[] = ['lifts', index, 'signals'];
  const signals = lift.signals ?? {};
  let wired = 0;
  for (const [name, ov] of Object.entries<SignalSource | InputWiring>(signals)) {
    if (!isSignalName(name)) {
      add([...at, name], `unknown signal "${name}" (allowed: ${SIGNAL_NAMES.join(', ')})`);
      continue;
    }
    if (!isInputWiring(ov)) {
      checkSignalSource(name, ov, [...at, name], add);
      continue;
    }
    if (profile.inputs === undefined) {
      add([...at, name], `expected a full source ({table, address, ...}) because profile ${profile.id} is a ${profile.kind} without inputs, got {input: ${ov.input}}`);
      continue;
    }
    wired++;
    if (!isBooleanSignal(name)) add([...at, name], `expected a source with a register for ${name} (an input is a single contact), got {input: ${ov.input}}`);
    if (ov.input >= profile.inputs.count) {
      add([...at, name, 'input'], `expected an input from 0 to ${profile.inputs.count - 1} for profile ${profile.id}, got ${ov.input}`);
    }
  }
  if (profile.kind === 'io-module' && wired === 0 && Object.keys(profile.signals).length === 0) {
    add(at, `expected at least one signal wired to an input of profile ${profile.id} (e.g. alarmButton: {input: 0}), got none`);
  }
}

/**
 * Loads every profile the lifts reference (keyed by the `profile` string as written) and
 * cross-checks each lift against its profile. Throws one ConfigError with all problems:
 * PROFILE_INVALID if a profile file is bad, else PROFILE_NOT_FOUND if one is missing, else
 * CONFIG_INVALID for lifts that do not fit their profile.
 */
export function loadProfilesForConfig(config: Config, opts: { devicesDir?: string } = {}): Map<string, DeviceProfile> {
  const file = displayPath(config.file);
  const lineOf: LineOf = (segments) => lineOfKey(config, segments);
  const problems: ConfigProblem[] = [];
  const add = collector(file, lineOf, problems);
  const profiles = new Map<string, DeviceProfile>();
  const missing = new Set<string>();
  const failed = new Set<string>();
  let invalid = false;
  let notFound = false;
  const baseDir = path.dirname(config.file);
  config.lifts.forEach((lift, i) => {
    const notFoundMessage = (shownFile: string): string =>
      `expected a profile id from devices/ (${profileIds(opts.devicesDir).join(', ') || 'none'}) or a path to a .yaml file, got "${lift.profile}" (${shownFile} does not exist)`;
    if (missing.has(lift.profile)) {
      add(['lifts', i, 'profile'], notFoundMessage(displayPath(resolveProfileFile(lift.profile, { ...opts, baseDir }))));
    } else if (!profiles.has(lift.profile) && !failed.has(lift.profile)) {
      try {
        profiles.set(lift.profile, loadProfile(lift.profile, { ...opts, baseDir }));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        failed.add(lift.profile);
        if (err.code === 'PROFILE_NOT_FOUND') {
          notFound = true;
          missing.add(lift.profile);
          add(['lifts', i, 'profile'], notFoundMessage(err.problems[0]?.file ?? lift.profile));
        } else {
          invalid = true;
          problems.push(...err.problems);
        }
      }
    }
    const profile = profiles.get(lift.profile);
    if (profile) checkLiftAgainstProfile(lift, i, profile, add);
  });
  framesConfigProblems(config, profiles, add); // serial-frames buses
  if (problems.length > 0) {
    throw new ConfigError(invalid ? 'PROFILE_INVALID' : notFound ? 'PROFILE_NOT_FOUND' : 'CONFIG_INVALID', problems);
  }
  return profiles;
}
