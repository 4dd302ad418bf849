/**
 * Serial ports found on the box, stable names first: /dev/serial/by-id/... survives
 * re-plugging and reboots where /dev/ttyUSB0 may become ttyUSB1 (docs/taxonomy.md, field failures).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FoundPort {
  path: string;
  /** The kernel name it points at (for by-id links) or the device itself. */
  device: string;
  description: string;
}

export async function findSerialPorts(byIdDir = '/dev/serial/by-id'): Promise<FoundPort[]> {
  const { SerialPort } = await import('serialport');
  const listed = await SerialPort.list().catch(() => []);
  const info = new Map(listed.map((p) => [p.path, [p.manufacturer, p.serialNumber].filter(Boolean).join(' ')]));
  const out: FoundPort[] = [];
  const covered = new Set<string>();
  let links: string[] = [];
  try {
    links = fs.readdirSync(byIdDir).sort();
  } catch {
    // no USB serial adapters
  }
  for (const name of links) {
    const link = path.join(byIdDir, name);
    let device = link;
    try {
      device = fs.realpathSync(link);
    } catch {
      continue;
    }
    covered.add(device);
    out.push({ path: link, device, description: info.get(device) || name });
  }
  for (const p of listed) {
    if (!covered.has(p.path)) out.push({ path: p.path, device: p.path, description: info.get(p.path) || '' });
  }
  return out;
}
