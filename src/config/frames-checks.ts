/**
 * Checks of frames profiles and serial-frames buses that devices/schema.json and
 * config/schema.json cannot express: patterns that compile, groups that exist, hex that
 * parses, fields inside the longest frame, values of the right kind, one profile per line.
 * Called by src/config/profiles.ts; every problem names the path and what was expected.
 */
import type { AnyBusConfig, BinaryFramesSpec, Config, DeviceProfile, FieldConversion, AsciiFramesSpec } from './types.js';
import { describeValue, type PathSegment } from './errors.js';
import { DIRECTIONS, isBooleanSignal, isSignalName } from '../core/signals.js';
import { checkValue } from '../protocol/frames/convert.js';
import { binaryFraming, DEFAULT_MAX_FRAME, namedGroups } from '../protocol/frames/protocol.js';
import { minFrameLength } from '../protocol/frames/binary-framer.js';
import { parseHex, parseHexTemplate } from '../protocol/frames/hex.js';

export type Add = (segments: PathSegment[], message: string) => void;

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** Profile-level rules for kind frames (and against frames on other kinds). */
export function framesProfileProblems(p: Omit<DeviceProfile, 'file'>, add: Add): void {
  if (p.kind !== 'frames') {
    if (p.frames !== undefined) add(['frames'], `expected no frames for a ${p.kind} profile (frames are for kind frames), got a mapping`);
    return;
  }
  if (p.frames === undefined) add(['frames'], 'expected the framing ({format: ascii | binary, messages, ...}) for a frames profile, got nothing');
  if (p.inputs !== undefined) add(['inputs'], 'expected no inputs for a frames profile, got a mapping');
  if (isObject(p.signals) && Object.keys(p.signals).length > 0) {
    add(['signals'], 'expected no Modbus signals for a frames profile (map signals under frames.messages), got some');
  }
  const f = p.frames as unknown;
  if (!isObject(f) || !Array.isArray(f.messages)) return;
  if (f.format === 'ascii') asciiProblems(f as unknown as AsciiFramesSpec, add);
  else if (f.format === 'binary') binaryProblems(f as unknown as BinaryFramesSpec, add);
}

function conversionProblems(name: string, c: FieldConversion, at: PathSegment[], add: Add): void {
  if (!isSignalName(name)) return;
  const values = isObject(c.enum) ? Object.values(c.enum) : [];
  if (isBooleanSignal(name)) {
    if (c.scale !== undefined || c.offset !== undefined) add(at, `expected no scale/offset for boolean signal ${name}, got a numeric conversion`);
  } else if (c.invert !== undefined) {
    add([...at, 'invert'], `expected no invert for ${name} (only boolean signals invert), got ${String(c.invert)}`);
  }
  const bad = values.filter((v) => checkValue(name, v) === undefined);
  if (bad.length > 0) {
    const want = isBooleanSignal(name) ? 'true/false' : name === 'direction' ? DIRECTIONS.join(', ') : 'numbers';
    add([...at, 'enum'], `expected only ${want} as values for ${name}, got ${bad.map((v) => describeValue(v)).join(', ')}`);
  }
}

function setProblems(set: unknown, at: PathSegment[], add: Add): void {
  if (!isObject(set)) return;
  for (const [name, v] of Object.entries(set)) {
    if (isSignalName(name) && checkValue(name, v) === undefined) {
      add([...at, name], `expected a ${isBooleanSignal(name) ? 'boolean' : name === 'direction' ? DIRECTIONS.join('/') : 'number'} for ${name}, got ${describeValue(v)}`);
    }
  }
}

function asciiProblems(f: AsciiFramesSpec, add: Add): void {
  f.messages.forEach((m, i) => {
    const at: PathSegment[] = ['frames', 'messages', i];
    if (!isObject(m) || typeof m.pattern !== 'string') return;
    try {
      new RegExp(m.pattern);
    } catch (err) {
      add([...at, 'pattern'], `expected an ECMAScript regular expression, got ${describeValue(m.pattern)} (${(err as Error).message})`);
      return;
    }
    const groups = new Set(namedGroups(m.pattern));
    if (f.unitGroup !== undefined && !groups.has(f.unitGroup)) {
      add([...at, 'pattern'], `expected a named group (?<${f.unitGroup}>...) holding the unit (frames.unitGroup), got none`);
    }
    const signals = isObject(m.signals) ? m.signals : {};
    for (const [name, field] of Object.entries(signals)) {
      if (!isObject(field)) continue;
      const group = typeof field.group === 'string' ? field.group : name;
      if (!groups.has(group)) add([...at, 'signals', name], `expected a named group (?<${group}>...) in the pattern, got groups ${[...groups].join(', ') || 'none'}`);
      conversionProblems(name, field, [...at, 'signals', name], add);
    }
    const mapped = [...groups].filter((g) => isSignalName(g) || g === f.unitGroup || Object.values(signals).some((x) => isObject(x) && x.group === g));
    if (mapped.length === 0 && !isObject(m.set)) add([...at], `expected the message to set at least one signal (a named group called like a signal, signals or set), got none`);
    setProblems(m.set, [...at, 'set'], add);
  });
}

function binaryProblems(f: BinaryFramesSpec, add: Add): void {
  if ((f.fixedLength === undefined) === (f.length === undefined)) {
    add(['frames'], `expected exactly one of fixedLength and length, got ${f.fixedLength === undefined ? 'neither' : 'both'}`);
  }
  if (typeof f.start !== 'string') return;
  for (const key of ['start', 'end'] as const) {
    const v = f[key];
    if (typeof v !== 'string') continue;
    try {
      parseHex(v);
    } catch (err) {
      add(['frames', key], (err as Error).message);
      return;
    }
  }
  if (typeof f.enquiry === 'string') {
    try {
      parseHexTemplate(f.enquiry);
    } catch (err) {
      add(['frames', 'enquiry'], (err as Error).message);
    }
  }
  if (f.enquiryChecksum && f.checksum === undefined && f.end === undefined) {
    add(['frames', 'enquiryChecksum'], 'expected a checksum or end bytes to append to the enquiry, got neither');
  }
  const framing = binaryFraming(f);
  const max = f.maxFrameLength ?? DEFAULT_MAX_FRAME;
  const min = minFrameLength(framing);
  if (min > max) add(['frames', 'maxFrameLength'], `expected at least ${min} (the shortest frame this framing allows), got ${max}`);
  if (f.fixedLength !== undefined && f.fixedLength < min) add(['frames', 'fixedLength'], `expected at least ${min} (start, checksum and end bytes), got ${f.fixedLength}`);
  const longest = f.fixedLength ?? max;
  if (f.unitByte !== undefined && f.unitByte >= longest) add(['frames', 'unitByte'], `expected a byte inside the frame (below ${longest}), got ${f.unitByte}`);
  f.messages.forEach((m, i) => {
    const at: PathSegment[] = ['frames', 'messages', i];
    if (!isObject(m)) return;
    (m.match ?? []).forEach((x, j) => {
      if (isObject(x) && typeof x.byte === 'number' && x.byte >= longest) add([...at, 'match', j, 'byte'], `expected a byte inside the frame (below ${longest}), got ${x.byte}`);
    });
    const signals = isObject(m.signals) ? m.signals : {};
    for (const [name, field] of Object.entries(signals)) {
      if (!isObject(field) || typeof field.byte !== 'number') continue;
      const size = typeof field.size === 'number' ? field.size : 1;
      if (field.byte + size > longest) add([...at, 'signals', name, 'byte'], `expected the field to end inside the frame (byte + size <= ${longest}), got byte ${field.byte} size ${size}`);
      if (field.radix !== undefined) add([...at, 'signals', name, 'radix'], 'expected no radix on a byte field (radix is for text fields), got one');
      conversionProblems(name, field, [...at, 'signals', name], add);
    }
    if (Object.keys(signals).length === 0 && !isObject(m.set)) add([...at], 'expected the message to set at least one signal (signals or set), got none');
    setProblems(m.set, [...at, 'set'], add);
  });
}

/**
 * Config-level rules for serial-frames buses: their lifts use frames profiles (and Modbus
 * buses none), all lifts on one line share one profile, and a line whose frames carry no
 * unit address serves one lift.
 */
export function framesConfigProblems(config: Config, profiles: Map<string, DeviceProfile>, add: Add): void {
  const buses = new Map<string, AnyBusConfig>(config.buses.map((b) => [b.id, b]));
  const firstOnBus = new Map<string, number>();
  config.lifts.forEach((lift, i) => {
    const bus = buses.get(lift.bus);
    const profile = profiles.get(lift.profile);
    if (!bus || !profile) return;
    const framesBus = bus.type === 'serial-frames';
    if (framesBus !== (profile.kind === 'frames')) {
      add(['lifts', i, 'profile'], framesBus
        ? `expected a profile of kind frames for a lift on serial-frames bus "${bus.id}", got ${profile.id} (kind ${profile.kind})`
        : `expected a Modbus profile (controller or io-module) for a lift on ${bus.type} bus "${bus.id}", got ${profile.id} (kind frames: use a serial-frames bus)`);
      return;
    }
    if (!framesBus) return;
    if (Object.keys(lift.signals ?? {}).length > 0) add(['lifts', i, 'signals'], `expected no signal overrides for a frames profile (adapt a copy of ${profile.id} instead), got some`);
    const first = firstOnBus.get(bus.id);
    if (first === undefined) {
      firstOnBus.set(bus.id, i);
      return;
    }
    const other = config.lifts[first];
    if (other && other.profile !== lift.profile) {
      add(['lifts', i, 'profile'], `expected profile "${other.profile}" like lifts[${first}] on serial-frames bus "${bus.id}" (one framing per line), got "${lift.profile}"`);
    } else {
      const unaddressed = profile.frames?.format === 'ascii' ? profile.frames.unitGroup === undefined : profile.frames?.unitByte === undefined;
      if (unaddressed) add(['lifts', i, 'bus'], `expected one lift on serial-frames bus "${bus.id}" because profile ${profile.id} carries no unit address (unitGroup/unitByte), got a second one`);
    }
  });
}
