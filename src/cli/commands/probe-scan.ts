/**
 * The scan behind `liftwatch probe`: for each baud rate and parity, ask each unit id for one
 * holding register (function 03). A unit that answers, even with a Modbus exception, is there;
 * for those, read what a profile would (holding 0..4, discrete inputs 0..15). Bounded in time:
 * the scan stops at its deadline and says which settings it did not try.
 * A bad CRC at some settings is worth reporting too: something talks, at another speed/parity.
 */
import type { Parity } from '../../config/types.js';
import { FieldError } from '../../field/errors.js';
import type { ModbusLink, ReadRequestLike } from '../../ports/modbus-link.js';

export interface ProbeSettings {
  baudRate: number;
  parity: Parity;
}

export interface UnitAnswer {
  baudRate: number | null; // null over TCP
  parity: Parity | null;
  unitId: number;
  /** What it answered: register values, input bits, or the exception per function. */
  holding: number[] | string;
  discrete: boolean[] | string;
}

export interface ProbeResult {
  port: string;
  answers: UnitAnswer[];
  /** Per settings: requests sent, timeouts, CRC/garbled answers. */
  tried: Array<ProbeSettings & { requests: number; timeouts: number; garbled: number; openError?: string }>;
  notTried: ProbeSettings[];
  elapsedMs: number;
}

export interface ProbeOptions {
  port: string;
  settings: ProbeSettings[];
  units: number[];
  timeoutMs: number;
  deadlineMs: number;
  linkFor: (s: ProbeSettings) => ModbusLink;
  now: () => number;
  /** Progress lines (stderr on a terminal). */
  progress?: (line: string) => void;
}

async function ask(link: ModbusLink, unit: number, req: ReadRequestLike, timeoutMs: number): Promise<{ ok: true; values: number[] | boolean[] } | { ok: false; code: string; text: string }> {
  try {
    return { ok: true, values: await link.read(unit, req, timeoutMs) };
  } catch (err) {
    if (err instanceof FieldError) {
      const text = err.code === 'EXCEPTION' ? `exception ${err.context.modbusCode ?? '?'}` : err.code.toLowerCase();
      return { ok: false, code: err.code, text };
    }
    return { ok: false, code: 'OTHER', text: String(err) };
  }
}

export async function probeScan(o: ProbeOptions): Promise<ProbeResult> {
  const start = o.now();
  const out: ProbeResult = { port: o.port, answers: [], tried: [], notTried: [], elapsedMs: 0 };
  for (const s of o.settings) {
    if (o.now() - start >= o.deadlineMs) {
      out.notTried.push(s);
      continue;
    }
    const stat: ProbeResult['tried'][number] = { ...s, requests: 0, timeouts: 0, garbled: 0 };
    out.tried.push(stat);
    o.progress?.(`probing ${o.port} at ${s.baudRate} baud, parity ${s.parity}, units ${o.units[0]}..${o.units[o.units.length - 1]}`);
    const link = o.linkFor(s);
    try {
      await link.open();
    } catch (err) {
      stat.openError = err instanceof Error ? err.message : String(err);
      continue;
    }
    try {
      for (const unit of o.units) {
        if (o.now() - start >= o.deadlineMs) break;
        stat.requests++;
        const first = await ask(link, unit, { table: 'holding', address: 0, count: 1 }, o.timeoutMs);
        if (!first.ok && first.code !== 'EXCEPTION') {
          if (first.code === 'TIMEOUT') stat.timeouts++;
          else stat.garbled++;
          continue;
        }
        const holding = await ask(link, unit, { table: 'holding', address: 0, count: 5 }, o.timeoutMs);
        const discrete = await ask(link, unit, { table: 'discrete', address: 0, count: 16 }, o.timeoutMs);
        stat.requests += 2;
        out.answers.push({
          baudRate: s.baudRate || null,
          parity: s.baudRate ? s.parity : null,
          unitId: unit,
          holding: holding.ok ? (holding.values as number[]) : holding.text,
          discrete: discrete.ok ? (discrete.values as boolean[]) : discrete.text,
        });
      }
    } finally {
      await link.close().catch(() => undefined);
    }
  }
  out.elapsedMs = o.now() - start;
  return out;
}
