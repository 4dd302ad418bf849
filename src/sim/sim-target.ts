/**
 * Where the simulator serves, as a one-line spec (for `liftwatch simulate --target`):
 *   tcp://127.0.0.1:5020   RTU frames over TCP (what modbus-serial's connectTelnet speaks)
 *   mbap://127.0.0.1:502   Modbus TCP (MBAP header; port defaults to 502)
 *   /dev/pts/3             a serial device, RTU (optionally `/dev/ttyUSB0@9600` for the baud rate)
 */
import { SimError } from './errors.js';

export type SimTarget =
  | { kind: 'tcp'; framing: 'rtu' | 'mbap'; host: string; port: number }
  | { kind: 'serial'; path: string; baudRate?: number };

export function parseSimTarget(spec: string): SimTarget {
  const bad = (why: string): never => {
    throw new SimError('SIM_BAD_TARGET', `bad simulator target "${spec}": ${why}`, { spec });
  };
  const text = spec.trim();
  if (text.startsWith('/')) {
    const m = /^(.*?)(?:@(\d+))?$/.exec(text);
    const path = m?.[1] ?? text;
    const baud = m?.[2];
    return baud ? { kind: 'serial', path, baudRate: Number(baud) } : { kind: 'serial', path };
  }
  const m = /^(tcp|mbap):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(text);
  if (!m) return bad('expected tcp://host:port, mbap://host[:port] or a serial device path');
  const scheme = m[1] as 'tcp' | 'mbap';
  const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
  const portText = m[3];
  if (portText === undefined && scheme === 'tcp') return bad('tcp:// needs a port');
  const port = portText === undefined ? 502 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return bad('port must be 0..65535');
  return { kind: 'tcp', framing: scheme === 'tcp' ? 'rtu' : 'mbap', host, port };
}

/**
 * A plain-frames target (a controller that speaks no Modbus): `ascii:/dev/pts/3` (the printer
 * protocol, unprompted) or `binary:/dev/pts/3@9600` (the enquiry/response protocol), on a
 * serial device.
 */
export interface FramesTarget {
  protocol: 'ascii' | 'binary';
  path: string;
  baudRate?: number;
}

export function isFramesTarget(spec: string): boolean {
  return /^(ascii|binary):/.test(spec.trim());
}

export function parseFramesTarget(spec: string): FramesTarget {
  const m = /^(ascii|binary):(\/.*?)(?:@(\d+))?$/.exec(spec.trim());
  if (!m) throw new SimError('SIM_BAD_TARGET', `bad simulator target "${spec}": expected ascii:/dev/... or binary:/dev/...[@baud]`, { spec });
  const out: FramesTarget = { protocol: m[1] as 'ascii' | 'binary', path: m[2] ?? '' };
  if (m[3]) out.baudRate = Number(m[3]);
  return out;
}
