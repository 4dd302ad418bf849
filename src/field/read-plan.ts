/**
 * Turns a device profile plus a lift's overrides into the fewest Modbus read requests, and
 * decodes their answers into canonical signal values. Pure: no I/O, no clock.
 */
import type { DeviceProfile, LiftConfig, ModbusTable, SignalSource } from '../config/types.js';
import { DIRECTIONS, isBooleanSignal, type Direction, type SignalName, type SignalValues } from '../core/signals.js';
import { resolveSources } from '../config/resolve-sources.js';

export interface ReadRequest {
  table: ModbusTable;
  address: number;
  count: number;
}

export interface ReadPlan {
  requests: ReadRequest[];
  /** results[i] answers requests[i]: booleans for coil/discrete, uint16 numbers for holding/input. */
  decode(results: Array<number[] | boolean[]>): SignalValues;
}

/**
 * Largest quantity per request. Modbus Application Protocol v1.1b3 6.1/6.2: read coils and
 * discrete inputs 1..2000 (0x7D0); 6.3/6.4: read holding and input registers 1..125 (0x7D).
 */
export const MAX_READ_COUNT: Readonly<Record<ModbusTable, number>> = { coil: 2000, discrete: 2000, holding: 125, input: 125 };

const TABLE_ORDER: readonly ModbusTable[] = ['coil', 'discrete', 'holding', 'input'];

export const DEFAULT_MAX_GAP = 16;

function isWide(src: SignalSource): boolean {
  return src.bit === undefined && (src.type === 'uint32' || src.type === 'int32');
}

/** Greedy left-to-right merge of sorted addresses (optimal for "fewest requests"). */
export function coalesce(table: ModbusTable, addresses: Iterable<number>, maxGap: number = DEFAULT_MAX_GAP): ReadRequest[] {
  const limit = MAX_READ_COUNT[table];
  const sorted = [...new Set(addresses)].sort((a, b) => a - b);
  const out: ReadRequest[] = [];
  let cur: ReadRequest | undefined;
  for (const a of sorted) {
    const hole = cur ? a - cur.address - cur.count : Infinity;
    if (cur && hole <= maxGap && a - cur.address + 1 <= limit) {
      cur.count = a - cur.address + 1;
    } else {
      cur = { table, address: a, count: 1 };
      out.push(cur);
    }
  }
  return out;
}

type Lookup = (table: ModbusTable, address: number) => number | boolean | undefined;

function toWord(x: number | boolean): number {
  return typeof x === 'boolean' ? (x ? 1 : 0) : x & 0xffff;
}

/** The raw reading: a boolean for a coil, discrete input or register bit, else a number. */
function readRaw(src: SignalSource, get: Lookup): number | boolean | undefined {
  const first = get(src.table, src.address);
  if (first === undefined) return undefined;
  if (src.table === 'coil' || src.table === 'discrete') return typeof first === 'boolean' ? first : first !== 0;
  const w0 = toWord(first);
  if (src.bit !== undefined) return ((w0 >> src.bit) & 1) === 1;
  const type = src.type ?? 'uint16';
  if (type === 'uint16') return w0;
  if (type === 'int16') return w0 >= 0x8000 ? w0 - 0x10000 : w0;
  const second = get(src.table, src.address + 1);
  if (second === undefined) return undefined;
  const w1 = toWord(second);
  // 'big': high word at the lower address, the usual Modbus convention for 32-bit values.
  const [hi, lo] = src.wordOrder === 'little' ? [w1, w0] : [w0, w1];
  const u = hi * 0x10000 + lo;
  return type === 'int32' && u >= 0x80000000 ? u - 0x100000000 : u;
}

/** Decodes one signal; undefined when unread, unmapped by its enum, or of the wrong kind. */
export function decodeSignal(name: SignalName, src: SignalSource, get: Lookup): boolean | number | Direction | undefined {
  const raw = readRaw(src, get);
  if (raw === undefined) return undefined;
  let v: unknown;
  if (src.enum !== undefined) {
    const key = String(typeof raw === 'boolean' ? Number(raw) : raw);
    v = Object.hasOwn(src.enum, key) ? src.enum[key] : undefined;
  } else {
    v = typeof raw === 'number' ? raw * (src.scale ?? 1) + (src.offset ?? 0) : raw;
  }
  if (isBooleanSignal(name)) {
    const b = typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : undefined;
    return b === undefined ? undefined : src.invert === true ? !b : b;
  }
  if (name === 'direction') return (DIRECTIONS as readonly unknown[]).includes(v) ? (v as Direction) : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function buildReadPlan(profile: DeviceProfile, lift: LiftConfig, opts: { maxGap?: number } = {}): ReadPlan {
  const sources = resolveSources(profile, lift);
  const wanted = new Map<ModbusTable, number[]>();
  for (const [, src] of sources) {
    const list = wanted.get(src.table) ?? [];
    list.push(src.address);
    if (isWide(src)) list.push(src.address + 1);
    wanted.set(src.table, list);
  }
  const requests = TABLE_ORDER.flatMap((table) => coalesce(table, wanted.get(table) ?? [], opts.maxGap ?? DEFAULT_MAX_GAP));

  function decode(results: Array<number[] | boolean[]>): SignalValues {
    // Looked up in the answers directly (no per-poll maps of every value read: the agent's CPU
    // per transaction in the field-bus benchmark). Requests of one table do not overlap; were they to, the
    // later request's value wins, as before.
    const get: Lookup = (table, address) => {
      let found: number | boolean | undefined;
      for (let i = 0; i < requests.length; i++) {
        const r = requests[i];
        const res = results[i];
        if (r === undefined || r.table !== table || !res) continue;
        const j = address - r.address;
        if (j >= 0 && j < Math.min(r.count, res.length)) {
          const x = res[j];
          if (x !== undefined) found = x;
        }
      }
      return found;
    };
    const values: Record<string, unknown> = {};
    for (const [name, src] of sources) {
      const v = decodeSignal(name, src, get);
      if (v !== undefined) values[name] = v;
    }
    return values;
  }

  return { requests, decode };
}

/**
 * Whether two sets of answers to one plan's requests are equal value for value. The bus poller
 * decodes a lift's answers only when they differ from the previous poll's and otherwise hands
 * on the values it decoded then (the same frozen object): at a 50 ms poll most answers repeat
 * (the field-bus benchmark, docs/performance.md), and `decode` is a pure function of them.
 */
export function sameResults(a: ReadonlyArray<readonly (number | boolean)[]>, b: ReadonlyArray<readonly (number | boolean)[]>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
