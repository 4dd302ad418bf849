/**
 * The library floor of the field-bus benchmark (issue 7, benchmark 4): a bare modbus-serial
 * client polling the same simulator over the same transport (RTU frames over TCP,
 * `connectTelnet`, as src/field/modbus-serial-link.ts opens a modbus-rtu-over-tcp bus), the same
 * read per unit, scheduled like the bus poller (earliest-due unit first, no inter-frame gap) -
 * and nothing else: no core, no store, no uplink. Its CPU per transaction is what any agent
 * built on modbus-serial pays on this machine; the agent's figure minus this one is ours.
 */
import ModbusSerial from 'modbus-serial';
import type { ReadPlan } from '../../src/field/read-plan.js';
import { sleep } from './env.js';

const ModbusRTU = ModbusSerial.default;

export interface BarePhase {
  txPerSec: number;
  cpuUsPerTx: number;
  failed: number;
}

export async function bareModbusPhase(o: {
  port: number;
  units: number;
  req: ReadPlan['requests'][number];
  pollIntervalMs: number;
  seconds: number;
  warmupMs: number;
  timeoutMs: number;
}): Promise<BarePhase> {
  const client = new ModbusRTU();
  client.on('error', () => undefined);
  await client.connectTelnet('127.0.0.1', { port: o.port, timeout: o.timeoutMs });
  const nextDue = Array.from({ length: o.units }, () => 0);
  let ok = 0;
  let failed = 0;
  let running = true;
  const read = (unit: number): Promise<unknown> => {
    const { table, address, count } = o.req;
    client.setID(unit);
    client.setTimeout(o.timeoutMs);
    if (table === 'holding') return client.readHoldingRegisters(address, count);
    if (table === 'input') return client.readInputRegisters(address, count);
    if (table === 'coil') return client.readCoils(address, count);
    return client.readDiscreteInputs(address, count);
  };
  const loop = (async () => {
    while (running) {
      let u = 0;
      for (let i = 1; i < nextDue.length; i++) if ((nextDue[i] ?? 0) < (nextDue[u] ?? 0)) u = i;
      const wait = (nextDue[u] ?? 0) - performance.now();
      if (wait > 0) await sleep(wait);
      const t0 = performance.now();
      try {
        await read(u + 1);
        ok++;
      } catch {
        failed++;
      }
      nextDue[u] = t0 + o.pollIntervalMs;
    }
  })();
  try {
    await sleep(o.warmupMs);
    const n0 = ok;
    const f0 = failed;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(o.seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const ms = performance.now() - t0;
    const tx = ok - n0;
    return { txPerSec: (tx / ms) * 1000, cpuUsPerTx: (cpu.user + cpu.system) / Math.max(1, tx), failed: failed - f0 };
  } finally {
    running = false;
    await loop;
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}
