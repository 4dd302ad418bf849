/**
 * The simulator's ASCII status protocol, shaped like a controller's fault-printer port
 * (devices/ascii-printer-example.yaml is its profile; change both together). Unprompted:
 *   every period, per unit:  ST <unit> F<floor:2> S<status:4 hex> A<aux:1 hex> D<U|D|N> E<fault:3>
 *   when the fault code changes:  FLT <unit> <code:3> CONTROLLER FAULT   /   CLR <unit> <code:3>
 * Lines end with CR LF. Status bits are the Modbus map's HR0 bits (register-image.ts), aux bit 0
 * call registered, bit 1 door-open command.
 */
import { encodeRegisters, type SimSignals } from '../register-image.js';

const DIR: Record<SimSignals['direction'], string> = { none: 'N', up: 'U', down: 'D' };

export function statusLine(unit: number, s: SimSignals): string {
  const [status = 0, , , , aux = 0] = encodeRegisters(s);
  const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, '0');
  const floor = String(Math.min(99, Math.max(0, s.floor))).padStart(2, '0');
  const fault = String(Math.min(999, s.faultCode)).padStart(3, '0');
  return `ST ${unit} F${floor} S${hex(status, 4)} A${hex(aux, 1)} D${DIR[s.direction]} E${fault}\r\n`;
}

export function faultLine(unit: number, code: number): string {
  return `FLT ${unit} ${String(code).padStart(3, '0')} CONTROLLER FAULT\r\n`;
}

export function clearLine(unit: number, code: number): string {
  return `CLR ${unit} ${String(code).padStart(3, '0')}\r\n`;
}
