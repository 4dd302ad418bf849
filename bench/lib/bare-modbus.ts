/**
 * The library floor of the field-bus benchmark (benchmark 4): a bare modbus-serial
 * client polling the same simulator over the same transport (RTU frames over TCP,
 * `connectTelnet`, as src/field/modbus-serial-link.ts opens a modbus-rtu-over-tcp bus), the same
 * read per unit, scheduled like the bus poller (bench/lib/floor-phase.ts) - and nothing else:
 * no core, no store, no uplink. Its CPU per transaction is what any agent built on
 * modbus-serial pays on this machine; the agent's figure minus this one is ours.
 */
import ModbusSerial from 'modbus-serial';
import type { ReadPlan } from '../../src/field/read-plan.js';
import { scheduledPhase, type FloorPhase, type FloorSchedule } from './floor-phase.js';

const ModbusRTU = ModbusSerial.default;

export async function bareModbusPhase(o: FloorSchedule & { port: number; req: ReadPlan['requests'][number]; timeoutMs: number }): Promise<FloorPhase> {
  const client = new ModbusRTU();
  client.on('error', () => undefined);
  await client.connectTelnet('127.0.0.1', { port: o.port, timeout: o.timeoutMs });
  const { table, address, count } = o.req;
  try {
    return await scheduledPhase(o, (unit) => {
      client.setID(unit);
      client.setTimeout(o.timeoutMs);
      if (table === 'holding') return client.readHoldingRegisters(address, count);
      if (table === 'input') return client.readInputRegisters(address, count);
      if (table === 'coil') return client.readCoils(address, count);
      return client.readDiscreteInputs(address, count);
    });
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}
