/** `liftwatch probe --port P`: who answers on this line, at which settings, and what. */
import type { Parity } from '../../config/types.js';
import { output } from '../format/output.js';
import { table } from '../format/table.js';
import { CODE } from './exit-codes.js';
import { probeScan, type ProbeSettings } from './probe-scan.js';

export interface ProbeOptions {
  port: string;
  bauds: string;
  parities: string;
  units: string;
  timeout: string;
  maxTime: string;
  json?: boolean;
}

/** "1-5,7" → [1,2,3,4,5,7]; null when not ids 1..247. */
export function unitList(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b > 247 || b < a) return null;
    for (let u = a; u <= b; u++) out.push(u);
  }
  return out;
}

/** Scans the port; exit 7 when no unit answered. */
export async function probe(o: ProbeOptions): Promise<number> {
  const out = output(o);
  const units = unitList(o.units);
  const bauds = o.bauds.split(',').map(Number);
  const parities = o.parities.split(',').map((p) => p.trim());
  if (!units || bauds.some((b) => !Number.isInteger(b) || b < 300) || parities.some((p) => !['none', 'even', 'odd'].includes(p))) {
    out.error('--units expects ids 1..247 like 1-10,20; --bauds numbers like 9600,19200; --parities none, even or odd');
    return CODE.USAGE;
  }
  const tcp = /^tcp:\/\/([^:/]+):(\d+)$/.exec(o.port);
  const settings: ProbeSettings[] = tcp ? [{ baudRate: 0, parity: 'none' }] : bauds.flatMap((baudRate) => parities.map((parity) => ({ baudRate, parity: parity as Parity })));
  const timeoutMs = Math.max(20, Number(o.timeout) || 150);
  const { ModbusSerialLink } = await import('../../field/modbus-serial-link.js');
  const result = await probeScan({
    port: o.port,
    settings,
    units,
    timeoutMs,
    deadlineMs: Math.max(1, Number(o.maxTime) || 60) * 1000,
    now: () => Date.now(),
    progress: out.json ? undefined : (l) => process.stderr.write(l + '\n'),
    linkFor: (s) =>
      new ModbusSerialLink(
        tcp
          ? { id: 'probe', type: 'modbus-rtu-over-tcp', host: tcp[1] as string, port: Number(tcp[2]), timeoutMs, retries: 0, interFrameGapMs: 2 }
          : { id: 'probe', type: 'modbus-rtu', port: o.port, baudRate: s.baudRate, parity: s.parity, dataBits: 8, stopBits: 1, timeoutMs, retries: 0, interFrameGapMs: 5 },
      ),
  });
  if (out.json) out.printJson(result);
  else {
    if (result.answers.length) {
      out.print(
        table(
          ['baud', 'parity', 'unit', 'holding 0..4 (fn 03)', 'discrete 0..15 (fn 02)'],
          result.answers.map((a) => [a.baudRate ?? 'tcp', a.parity, a.unitId, Array.isArray(a.holding) ? a.holding.join(' ') : a.holding, Array.isArray(a.discrete) ? a.discrete.map((b) => (b ? '1' : '0')).join('') : a.discrete]),
        ),
      );
    } else out.print(out.paint.red('No unit answered.') + ' Check A/B wiring (swap them if unsure), termination, the unit id and the baud rate set on the device.');
    for (const t of result.tried) {
      if (t.openError) out.print(out.paint.red(`cannot open at ${t.baudRate} baud: ${t.openError}`));
      else if (t.garbled) out.print(out.paint.yellow(`${t.garbled} garbled answer(s) at ${t.baudRate} baud, parity ${t.parity}: something talks at other settings`));
    }
    if (result.notTried.length) out.print(out.paint.yellow(`time limit reached; not tried: ${result.notTried.map((s) => `${s.baudRate}/${s.parity}`).join(', ')} (raise --max-time)`));
    if (!tcp && result.answers.length) out.print(out.paint.dim('note: a pty or USB loopback ignores the baud rate; on a real line only the right settings answer.'));
    out.print(`scanned in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  }
  return result.answers.length ? CODE.OK : CODE.CHECK_FAILED;
}
