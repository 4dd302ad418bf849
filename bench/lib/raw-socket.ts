/**
 * The runtime floor of the field-bus benchmark (benchmark 4): the same request frames
 * written to the same simulator on a plain net.Socket, each answer awaited until its expected
 * length has arrived, on the bus poller's schedule (bench/lib/floor-phase.ts). No Modbus
 * library, no CRC check, no decoding: only what Node itself costs this process per
 * request/response exchange at that rate (a timer, a write, a wake-up in epoll, a read, a
 * promise). No program on this runtime and machine polls for less; what the agent spends
 * above it is the agent's own CPU.
 */
import net from 'node:net';
import type { ReadPlan } from '../../src/field/read-plan.js';
import { appendCrc } from '../../src/protocol/modbus/crc16.js';
import { scheduledPhase, type FloorPhase, type FloorSchedule } from './floor-phase.js';
import { responseBytes } from './wire.js';

const FUNCTION_CODE = { coil: 1, discrete: 2, holding: 3, input: 4 } as const;

export async function rawSocketPhase(o: FloorSchedule & { port: number; req: ReadPlan['requests'][number]; timeoutMs: number }): Promise<FloorPhase> {
  const { table, address, count } = o.req;
  const frames = Array.from({ length: o.units }, (_, i) =>
    appendCrc(Uint8Array.from([i + 1, FUNCTION_CODE[table], address >> 8, address & 0xff, count >> 8, count & 0xff])),
  );
  const expect = responseBytes(o.req);
  const socket = net.connect(o.port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  let got = 0;
  let unitAsked = 0;
  let pending: { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  socket.on('data', (d: Buffer) => {
    // An answer starts with the unit address: a late answer to a request that timed out (another
    // unit) must not count towards this one.
    if (got === 0 && d[0] !== unitAsked) return;
    got += d.length;
    if (got < expect || !pending) return;
    const p = pending;
    pending = null;
    clearTimeout(p.timer);
    p.resolve();
  });
  try {
    return await scheduledPhase(o, (unit) =>
      new Promise<void>((resolve, reject) => {
        got = 0;
        unitAsked = unit;
        // A timeout as any client keeps one (modbus-serial does too), so the floor pays for it.
        const timer = setTimeout(() => {
          pending = null;
          reject(new Error('timeout'));
        }, o.timeoutMs);
        pending = { resolve, reject, timer };
        socket.write(frames[unit - 1] as Buffer);
      }),
    );
  } finally {
    socket.destroy();
  }
}
