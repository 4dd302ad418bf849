// The data path end to end over a real serial byte stream: the simulator as an RTU slave on one end of a socat
// pty pair, the agent's `modbus-rtu` bus on the other, events to aedes. Runs when socat is
// present; under CI=true a missing socat fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Simulator } from '../src/sim/simulator.js';
import { AT_REST, findEvent, startHarness, subscribe, waitFor } from './helpers/e2e.js';
import { needTool, ptyPair } from './helpers/tools.js';

void t.test('alarms over Modbus RTU on a pty pair', async (t) => {
  const socat = needTool(t, 'socat', 'socat');
  if (!socat) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-serial-'));
  const pty = await ptyPair(socat, dir);
  const sim = new Simulator({ lifts: [{ unitId: 7, landings: 5, startFloor: 2 }], scenario: { name: 'idle', autoTrips: false, steps: [] } });
  await sim.openSerial({ path: pty.a, baudRate: 19200 });
  sim.start();
  const h = await startHarness({
    dir,
    simulator: sim,
    bus: { type: 'modbus-rtu', port: pty.b },
    lifts: [{ id: 'S', unitId: 7 }],
    rules: '  MAINS_POWER_FAILURE: { confirmMs: 300, clearMs: 300 }',
  });
  const sub = await subscribe(h.brokerPort, `${h.root}/#`);
  t.teardown(async () => {
    await sub.close();
    await h.stop({ keepDir: true });
    await pty.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const lift = sim.lift(7);
  lift.hold({ ...AT_REST });
  await waitFor(() => sub.messages.find((m) => m.topic.endsWith('/lift/S/state') && m.payload['link'] === 'ok'), 15_000, 'link ok over the pty');
  lift.hold({ mainsPower: false });
  const raised = await waitFor(() => findEvent(sub.messages, 'MAINS_POWER_FAILURE', 'raised'), 15_000, 'raised');
  t.equal(raised['floor'], '2', 'floor read from the holding registers over the serial line');
  lift.hold({ mainsPower: true });
  const cleared = await waitFor(() => findEvent(sub.messages, 'MAINS_POWER_FAILURE', 'cleared'), 15_000, 'cleared');
  t.equal(cleared['alarmId'], raised['alarmId']);
  const stats = h.composed.agent.busStats()[0];
  t.equal(stats?.state, 'open');
  t.ok((stats?.units[0]?.ok ?? 0) > 3, 'polled over the serial line');
});
