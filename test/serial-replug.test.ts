/**
 * A serial adapter unplugged and replugged (serial adapter vanishes, crash loops after unplugging,
 * zigbee2mqtt #20231, #3334): the RS-485 adapter of a running agent disappears (the socat
 * pty pair killed) and comes back (socat restarted on the same paths). CONTROLLER_COMM_LOST
 * is raised while it is gone and cleared once it is back; the agent runs throughout.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Simulator } from '../src/sim/simulator.js';
import { needTool, ptyPair } from './helpers/tools.js';
import { AT_REST, findEvent, startHarness, subscribe, waitFor } from './helpers/e2e.js';

void t.test('adapter unplugged and replugged: COMM_LOST raised and cleared, agent alive', async (t) => {
  const socat = needTool(t, 'socat', 'socat');
  if (!socat) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liftwatch-replug-'));
  let pty = await ptyPair(socat, dir);
  const newSim = async (): Promise<Simulator> => {
    const s = new Simulator({ lifts: [{ unitId: 1, landings: 5, startFloor: 1 }], scenario: { name: 'idle', autoTrips: false, steps: [] } });
    await s.openSerial({ path: pty.b });
    s.start();
    s.lift(1).hold({ ...AT_REST });
    return s;
  };
  let sim = await newSim();
  const h = await startHarness({
    bus: { type: 'modbus-rtu', port: pty.a },
    simulator: sim,
    rules: '  CONTROLLER_COMM_LOST: { confirmMs: 1000 }',
  });
  const sub = await subscribe(h.brokerPort, `${h.root}/#`);
  t.teardown(async () => {
    await sub.close();
    await h.stop({ keepSim: true });
    await sim.stop();
    await pty.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const linkOk = (): boolean => h.composed.agent.snapshots().some((s) => s.liftId === 'A' && s.link === 'ok');
  await waitFor(linkOk, 10_000, 'lift A polled over the pty');

  // Unplug: the adapter and its device node vanish.
  await sim.stop();
  await pty.stop();
  t.notOk(fs.existsSync(pty.a), 'device node gone');
  const lost = await waitFor(() => findEvent(sub.messages, 'CONTROLLER_COMM_LOST', 'raised'), 20_000, 'CONTROLLER_COMM_LOST raised');
  t.equal(lost['lift'] && (lost['lift'] as { id: string }).id, 'A');
  const opensBefore = h.composed.agent.busStats()[0]!.openFailures;
  await waitFor(() => h.composed.agent.busStats()[0]!.openFailures > opensBefore, 10_000, 'reopen attempts while unplugged');

  // Replug: a new pty pair on the same paths, the controller answering again.
  pty = await ptyPair(socat, dir);
  sim = await newSim();
  const cleared = await waitFor(() => findEvent(sub.messages, 'CONTROLLER_COMM_LOST', 'cleared'), 30_000, 'CONTROLLER_COMM_LOST cleared after the replug');
  t.equal(cleared['alarmId'], lost['alarmId'], 'the same incident ends');
  await waitFor(linkOk, 10_000, 'link ok again');
  const stats = h.composed.agent.busStats()[0]!;
  t.ok(stats.opens >= 2, `bus reopened (${stats.opens} opens, ${stats.openFailures} failed attempts)`);
  t.ok(stats.openFailures < 60, 'backed off rather than spinning');
});
