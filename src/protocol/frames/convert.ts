/**
 * How one field of a frame (the text of a named group, or bytes of a binary frame) becomes a
 * canonical signal value. Pure. A value that cannot be read leaves the signal unknown
 * (undefined) rather than guessing, like an unlisted enum value in a Modbus profile.
 */
import type { FieldConversion } from './spec.js';
import { DIRECTIONS, isBooleanSignal, type Direction, type SignalName } from '../../core/signals.js';

export type SignalValue = boolean | number | Direction;

const TRUE_TEXT = new Set(['1', 'Y', 'YES', 'ON', 'TRUE', 'T']);
const FALSE_TEXT = new Set(['0', 'N', 'NO', 'OFF', 'FALSE', 'F']);

/** Lowest set bit of a mask (0 for mask 1). */
function shiftOf(mask: number): number {
  let s = 0;
  while (s < 32 && ((mask >>> s) & 1) === 0) s++;
  return s;
}

function parseNumber(text: string, radix: 10 | 16): number | undefined {
  const t = text.trim();
  if (radix === 16 ? !/^[0-9A-Fa-f]+$/.test(t) : !/^[+-]?\d+$/.test(t)) return undefined;
  const n = parseInt(t, radix);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Checks a value against the signal's kind; anything else leaves the signal unknown. */
export function checkValue(name: SignalName, v: unknown): SignalValue | undefined {
  if (isBooleanSignal(name)) return typeof v === 'boolean' ? v : undefined;
  if (name === 'direction') return typeof v === 'string' && (DIRECTIONS as readonly string[]).includes(v) ? (v as Direction) : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Converts a raw field (text or unsigned/signed integer) into the signal's value. */
export function convertField(name: SignalName, raw: string | number, c: FieldConversion): SignalValue | undefined {
  const text = typeof raw === 'string' ? raw.trim() : String(raw);
  // An enum on the raw text wins ("U" -> up, "E72" -> 72); numbers are looked up as decimal.
  if (c.enum && c.mask === undefined && Object.prototype.hasOwnProperty.call(c.enum, text)) {
    return finish(name, c.enum[text], c);
  }
  let n: number | undefined;
  if (typeof raw === 'number') n = raw;
  else if (c.radix !== undefined || c.mask !== undefined || !isBooleanSignal(name)) n = parseNumber(text, c.radix ?? 10);
  if (n === undefined) {
    if (isBooleanSignal(name) && c.enum === undefined) {
      const u = text.toUpperCase();
      if (TRUE_TEXT.has(u)) return finish(name, true, c);
      if (FALSE_TEXT.has(u)) return finish(name, false, c);
    }
    if (name === 'direction' && c.enum === undefined) return checkValue(name, text.toLowerCase());
    return undefined;
  }
  if (c.mask !== undefined) {
    const masked = (n & c.mask) >>> 0;
    if (isBooleanSignal(name) && c.enum === undefined) return finish(name, masked !== 0, c);
    n = masked >>> shiftOf(c.mask);
  }
  if (c.enum) {
    const key = String(n);
    return Object.prototype.hasOwnProperty.call(c.enum, key) ? finish(name, c.enum[key], c) : undefined;
  }
  if (isBooleanSignal(name)) return finish(name, n !== 0, c);
  if (name === 'direction') return undefined;
  return n * (c.scale ?? 1) + (c.offset ?? 0);
}

function finish(name: SignalName, v: unknown, c: FieldConversion): SignalValue | undefined {
  const ok = checkValue(name, v);
  if (typeof ok === 'boolean' && c.invert) return !ok;
  return ok;
}

/** Reads an integer of `size` bytes at `at`; undefined when the frame is too short. */
export function readInt(frame: Uint8Array, at: number, size: 1 | 2 | 4, endian: 'big' | 'little', signed: boolean): number | undefined {
  if (at + size > frame.length) return undefined;
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (size === 1) return signed ? b.readInt8(at) : b.readUInt8(at);
  if (size === 2) return endian === 'big' ? (signed ? b.readInt16BE(at) : b.readUInt16BE(at)) : signed ? b.readInt16LE(at) : b.readUInt16LE(at);
  return endian === 'big' ? (signed ? b.readInt32BE(at) : b.readUInt32BE(at)) : signed ? b.readInt32LE(at) : b.readUInt32LE(at);
}
