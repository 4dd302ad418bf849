// The simulator as an RTU slave on a serial device: one end of a socat pty pair, with a
// modbus-serial master on the other end. Skipped when socat is missing, except in CI.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import ModbusSerial from 'modbus-serial';
import { Simulator } from '../src/sim/simulator.js';
import { onPath } from './helpers/tools.js';
import { waitFor } from './helpers/wait.js';

const ModbusRTU = ModbusSerial.default;


const socat = onPath('socat');
const inCi = process.env.CI === 'true';

if (!socat && inCi) {
  t.fail('socat is required in CI (apt-get install socat) for the serial simulator test');
} else if (!socat) {
  void t.test('serial simulator over a socat pty pair', { skip: 'socat not on PATH' }, async () => undefined);
} else {
  void t.test('RTU over a pty pair answers a modbus-serial master', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-sim-'));
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    const child: ChildProcess = spawn(socat, ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: 'ignore',
    });
    const sim = new Simulator({ lifts: [{ unitId: 1, landings: 5, seed: 3 }, { unitId: 2, landings: 5, seed: 4 }] });
    const client = new ModbusRTU();
    t.teardown(async () => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 300);
        client.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await sim.stop();
      const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      child.kill();
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    });
    t.ok(await waitFor(() => fs.existsSync(a) && fs.existsSync(b), 5000, 'socat created the pty pair'), 'socat created the pty pair');

    await sim.openSerial({ path: a, baudRate: 19200 });
    client.setTimeout(500);
    await client.connectRTUBuffered(b, { baudRate: 19200 });
    sim.lift(2).hold({ floor: 2, alarmButton: true, doorZone: false, moving: false });

    client.setID(1);
    t.same((await client.readHoldingRegisters(0, 5)).data, sim.lift(1).registers(), 'unit 1 holding registers');
    client.setID(2);
    const hr = await client.readInputRegisters(0, 5);
    t.same(hr.data, sim.lift(2).registers(), 'unit 2 input registers');
    t.equal(hr.data[1], 2, 'floor');
    t.equal((await client.readDiscreteInputs(6, 1)).data[0], true, 'alarm button input');

    sim.lift(2).inject({ kind: 'bad-crc' });
    await t.rejects(client.readHoldingRegisters(0, 5), { message: /CRC/ }, 'a corrupted CRC is detected by the master');
    sim.lift(2).remove('bad-crc');
    t.same((await client.readHoldingRegisters(0, 5)).data, sim.lift(2).registers(), 'clean again');

    client.setID(9);
    await t.rejects(client.readHoldingRegisters(0, 5), 'unknown unit: silence on the bus');
    client.setID(1);
    t.same((await client.readHoldingRegisters(0, 5)).data, sim.lift(1).registers(), 'bus still usable');
  });
}
