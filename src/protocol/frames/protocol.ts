/**
 * A frames profile compiled once into what the reader needs: a framer factory, a decoder from
 * one frame to canonical signal values (and the unit it is from), and the enquiry to send.
 * Profile-described framing as data (a profile for a new controller is a file, not code); no
 * vendor code in here.
 */
import type {
  AsciiField,
  AsciiFramesSpec,
  BinaryField,
  AsciiMessage,
  BinaryFramesSpec,
  BinaryMessage,
  FramesSpec,
} from './spec.js';
import { isSignalName, type SignalName, type SignalValues } from '../../core/signals.js';
import { checksumBytes, computeChecksum } from './checksum.js';
import { BinaryFramer, type BinaryFraming } from './binary-framer.js';
import { checkValue, convertField, readInt, type SignalValue } from './convert.js';
import type { Framer } from './counters.js';
import { fillTemplate, parseHex, parseHexTemplate, type TemplateByte } from './hex.js';
import { LineFramer } from './line-framer.js';

export const DEFAULT_MAX_LINE = 256;
export const DEFAULT_MAX_FRAME = 256;

export interface Decoded {
  message: string;
  /** The unit address carried by the frame; null when the framing has none. */
  unit: number | null;
  values: SignalValues;
}

export interface FrameProtocol {
  readonly format: 'ascii' | 'binary';
  /** True when frames carry a unit address (several lifts may share the line). */
  readonly addressed: boolean;
  /** True when the controller answers only an enquiry. */
  readonly polled: boolean;
  newFramer(maxBufferBytes: number): Framer;
  /** The message a frame is, or null when it matches none of the profile's messages. */
  decode(frame: Uint8Array): Decoded | null;
  enquiry(unit: number): Buffer | null;
}

export class FramesProfileError extends Error {
  readonly code = 'FRAMES_PROFILE_INVALID';
  constructor(message: string, readonly profileId: string) {
    super(message);
    this.name = 'FramesProfileError';
  }
}

/** The part of a device profile the codecs read (DeviceProfile fits). */
export interface FramesProfile {
  id: string;
  kind: string;
  frames?: FramesSpec;
}

export function compileProtocol(profile: FramesProfile): FrameProtocol {
  const spec: FramesSpec | undefined = profile.frames;
  if (profile.kind !== 'frames' || !spec) {
    throw new FramesProfileError(`profile ${profile.id} is not a frames profile (kind: ${profile.kind})`, profile.id);
  }
  return spec.format === 'ascii' ? asciiProtocol(spec) : binaryProtocol(spec);
}

type Setter = (values: SignalValues) => void;

function setValue(values: SignalValues, name: SignalName, v: SignalValue | undefined): void {
  if (v === undefined) return;
  (values as Record<string, SignalValue>)[name] = v;
}

function constants(set: AsciiMessage['set']): Setter {
  const entries = Object.entries(set ?? {}).filter(([name]) => isSignalName(name)) as Array<[SignalName, unknown]>;
  return (values) => {
    for (const [name, v] of entries) setValue(values, name, checkValue(name, v));
  };
}

interface CompiledAscii {
  name: string;
  re: RegExp;
  /** signal, group, conversion */
  fields: Array<[SignalName, string, AsciiField]>;
  set: Setter;
}

function asciiProtocol(spec: AsciiFramesSpec): FrameProtocol {
  const terminator = spec.terminator ?? '\n';
  const maxLine = spec.maxLineLength ?? DEFAULT_MAX_LINE;
  const messages: CompiledAscii[] = spec.messages.map((m) => {
    const re = new RegExp(m.pattern);
    const explicit = Object.entries(m.signals ?? {}) as Array<[SignalName, AsciiField]>;
    const fields: CompiledAscii['fields'] = explicit.map(([name, f]) => [name, f.group ?? name, f]);
    // A named group called like a signal maps onto it without an entry.
    const groups = namedGroups(m.pattern);
    for (const g of groups) {
      if (isSignalName(g) && !fields.some(([name]) => name === g)) fields.push([g, g, {}]);
    }
    return { name: m.name, re, fields, set: constants(m.set) };
  });
  const enquiry = spec.enquiry;
  return {
    format: 'ascii',
    addressed: spec.unitGroup !== undefined,
    polled: enquiry !== undefined,
    newFramer: (cap) => new LineFramer({ terminator, maxLineLength: Math.min(maxLine, cap) }),
    decode(frame) {
      const line = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('latin1');
      for (const m of messages) {
        const match = m.re.exec(line);
        if (!match) continue;
        const g = match.groups ?? {};
        const values: SignalValues = {};
        for (const [name, group, f] of m.fields) {
          const text = g[group];
          if (text !== undefined) setValue(values, name, convertField(name, text, f));
        }
        m.set(values);
        let unit: number | null = null;
        if (spec.unitGroup !== undefined) {
          const u = g[spec.unitGroup];
          unit = u !== undefined && /^\d+$/.test(u.trim()) ? parseInt(u, 10) : null;
          if (unit === null) return null;
        }
        return { message: m.name, unit, values };
      }
      return null;
    },
    enquiry: (unit) => (enquiry === undefined ? null : Buffer.from(enquiry.replaceAll('{unit}', String(unit)), 'latin1')),
  };
}

/** Names of the named groups in a pattern, in order. */
export function namedGroups(pattern: string): string[] {
  return [...pattern.matchAll(/\(\?<([A-Za-z_$][A-Za-z0-9_$]*)>/g)].map((m) => m[1] ?? '');
}

export function binaryFraming(spec: BinaryFramesSpec): BinaryFraming {
  const f: BinaryFraming = {
    start: parseHex(spec.start),
    end: spec.end ? parseHex(spec.end) : [],
    maxFrameLength: spec.maxFrameLength ?? DEFAULT_MAX_FRAME,
  };
  if (spec.fixedLength !== undefined) f.fixedLength = spec.fixedLength;
  if (spec.length) {
    f.length = { byte: spec.length.byte, size: spec.length.size ?? 1, endian: spec.length.endian ?? 'big', adjust: spec.length.adjust ?? 0 };
  }
  if (spec.checksum) f.checksum = { type: spec.checksum.type, from: spec.checksum.from ?? 0, endian: spec.checksum.endian ?? 'little' };
  return f;
}

function binaryProtocol(spec: BinaryFramesSpec): FrameProtocol {
  const framing = binaryFraming(spec);
  const enquiry: TemplateByte[] | null = spec.enquiry ? parseHexTemplate(spec.enquiry) : null;
  const messages = spec.messages.map((m: BinaryMessage) => ({
    name: m.name,
    match: m.match ?? [],
    fields: Object.entries(m.signals ?? {}).filter(([n]) => isSignalName(n)) as Array<[SignalName, BinaryField]>,
    set: constants(m.set),
  }));
  return {
    format: 'binary',
    addressed: spec.unitByte !== undefined,
    polled: enquiry !== null,
    newFramer: (cap) => new BinaryFramer({ ...framing, maxFrameLength: Math.min(framing.maxFrameLength, cap) }),
    decode(frame) {
      for (const m of messages) {
        if (!m.match.every((x) => frame[x.byte] === x.value)) continue;
        const values: SignalValues = {};
        for (const [name, f] of m.fields) {
          const raw = readInt(frame, f.byte, f.size ?? 1, f.endian ?? 'big', f.signed ?? false);
          if (raw !== undefined) setValue(values, name, convertField(name, raw, f));
        }
        m.set(values);
        let unit: number | null = null;
        if (spec.unitByte !== undefined) {
          const u = frame[spec.unitByte];
          if (u === undefined) return null;
          unit = u;
        }
        return { message: m.name, unit, values };
      }
      return null;
    },
    enquiry(unit) {
      if (!enquiry) return null;
      const bytes = fillTemplate(enquiry, unit);
      if (spec.enquiryChecksum && framing.checksum) {
        const c = framing.checksum;
        const buf = Uint8Array.from(bytes);
        bytes.push(...checksumBytes(c.type, computeChecksum(c.type, buf, c.from, buf.length), c.endian));
      }
      if (spec.enquiryChecksum) bytes.push(...framing.end);
      return Buffer.from(bytes);
    },
  };
}
