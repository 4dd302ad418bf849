import t from 'tap';
import ModbusSerial from 'modbus-serial';
import { SimError } from '../src/sim/errors.js';
import { decodeRegisters, type SimSignals } from '../src/sim/register-image.js';
import { runSimulator } from '../src/sim/run-simulator.js';
import { ScenarioPlayer, validateScenario, type Scenario } from '../src/sim/scenario.js';
import { demoScenario, scenarioByName } from '../src/sim/scenarios.js';
import { parseSimTarget, Simulator } from '../src/sim/simulator.js';

const ModbusRTU = ModbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

async function closeClient(c: Client): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 200);
    c.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

void t.test('the player yields steps at their times, across loop wraps', async (t) => {
  const s: Scenario = {
    name: 'x',
    loopMs: 2000,
    steps: [
      { at: 1999, unit: 1, action: 'call', landing: 3 },
      { at: 0, unit: 1, action: 'inject', behaviour: { kind: 'inspection' } },
      { at: 1000, unit: 2, action: 'remove', kind: 'inspection' },
    ],
  };
  validateScenario(s);
  const p = new ScenarioPlayer(s);
  t.same(p.advance(500).map((x) => x.at), [0]);
  t.same(p.advance(500).map((x) => x.at), [], 'steps fire in [t, t + dt): 1000 is not yet due');
  t.same(p.advance(1).map((x) => x.at), [1000]);
  t.same(p.advance(1499).map((x) => x.at), [1999, 0], 'the wrap replays the start');
  t.same(p.position(), { loop: 1, atMs: 500 });
  t.same(p.advance(10_000).length, 15, 'five loops of three steps');
  const once = new ScenarioPlayer({ name: 'once', steps: [{ at: 10, unit: 1, action: 'call', landing: 0 }] });
  t.equal(once.advance(100).length, 1);
  t.equal(once.advance(100_000).length, 0, 'a scenario without a loop plays once');
});

void t.test('malformed scenarios are rejected with SIM_BAD_SCENARIO', async (t) => {
  const bad = (s: unknown): void => validateScenario(s as Scenario);
  t.throws(() => bad({ name: 'a', loopMs: 100, steps: [{ at: 100, unit: 1, action: 'call', landing: 0 }] }), { code: 'SIM_BAD_SCENARIO' });
  t.throws(() => bad({ name: 'a', steps: [{ at: 1, unit: 1, action: 'inject', behaviour: { kind: 'explode' } }] }), { code: 'SIM_BAD_SCENARIO', message: /steps\[0\]/ });
  t.throws(() => bad({ name: 'a', steps: [{ at: -1, unit: 1, action: 'call', landing: 0 }] }), SimError);
  t.throws(() => scenarioByName('chaos', [1]), { code: 'SIM_BAD_SCENARIO' });
  t.doesNotThrow(() => validateScenario(demoScenario()));
});

void t.test('the demo scenario changes the register image at the scripted times', async (t) => {
  const sim = new Simulator({ lifts: [{ unitId: 1, landings: 6, seed: 11 }, { unitId: 2, landings: 4, seed: 12 }], scenario: demoScenario(1, 2) });
  let now = 0;
  const at = (ms: number): { u1: SimSignals; u2: SimSignals } => {
    sim.advance(ms - now);
    now = ms;
    return { u1: decodeRegisters(sim.lift(1).registers()), u2: decodeRegisters(sim.lift(2).registers()) };
  };
  t.equal(at(4_900).u2.mainsPower, true, 'mains present before 5 s');
  t.equal(at(5_100).u2.mainsPower, false, 'unit 2 loses mains at 5 s');
  t.equal(at(12_900).u2.mainsPower, false);
  t.equal(at(13_100).u2.mainsPower, true, 'mains back after 8 s');
  let s = at(15_100);
  t.match(s.u1, { moving: false, doorZone: false, alarmButton: true }, 'unit 1 stuck between floors, passenger presses the button');
  t.equal(at(19_900).u1.alarmButton, true);
  t.equal(at(20_100).u1.alarmButton, false, 'button released after 5 s');
  t.equal(at(29_900).u2.safetyChain, true);
  t.equal(at(30_100).u2.safetyChain, false, 'unit 2 chain opens at 30 s');
  t.equal(at(44_900).u2.safetyChain, false);
  t.equal(at(45_100).u2.safetyChain, true, 'chain closes after 15 s');
  s = at(59_900);
  t.match(s.u1, { moving: false, doorZone: false, endOfAlarm: false }, 'still stuck just before 60 s');
  t.equal(at(60_100).u1.endOfAlarm, true, 'end-of-alarm input pulses at 60 s');
  t.equal(at(61_100).u1.endOfAlarm, false);
  let arrived = false;
  for (let ms = 61_200; ms < 70_000; ms += 100) if (at(ms).u1.doorOpenLimit) arrived = true;
  t.ok(arrived, 'unit 1 recovers: reaches a landing and opens');
  at(70_100);
  t.same(sim.lift(2).behaviours().map((b) => b.kind), ['silent'], 'unit 2 silent from 70 s');
  at(90_100);
  t.same(sim.lift(2).behaviours(), [], 'and answers again after 20 s');
  t.equal(at(94_900).u1.faultCode, 0, 'no controller fault code before 95 s');
  t.equal(at(95_100).u1.faultCode, 120, 'unit 1 reports controller fault 120 at 95 s (profile: DRIVE_FAULT)');
  t.equal(at(105_100).u1.faultCode, 0, 'and clears it after 10 s');
  t.equal(at(125_100).u2.mainsPower, false, 'the loop replays after 2 minutes');
  t.ok(sim.lift(1).model.trips > 2 && sim.lift(2).model.trips > 2, 'normal trips in between');
  t.same(
    sim.stats().units.map((u) => u.faultsInjected),
    [4, 4],
    'faults counted per unit (unit 1: stuck, alarm, end of alarm, fault code; unit 2: mains, chain, silent, mains again)',
  );
});

void t.test('unit 2 goes silent on the wire during the demo', async (t) => {
  const sim = new Simulator({ lifts: [{ unitId: 1, landings: 6 }, { unitId: 2, landings: 4 }], scenario: demoScenario() });
  const { port } = await sim.listenTcp({ host: '127.0.0.1', port: 0, framing: 'mbap' });
  const client = new ModbusRTU();
  client.setTimeout(300);
  await client.connectTCP('127.0.0.1', { port });
  t.teardown(async () => {
    await closeClient(client);
    await sim.stop();
  });
  sim.advance(71_000);
  client.setID(1);
  t.same((await client.readHoldingRegisters(0, 5)).data, sim.lift(1).registers(), 'unit 1 answers');
  client.setID(2);
  await t.rejects(client.readHoldingRegisters(0, 5), 'unit 2 is silent');
  sim.advance(20_000);
  t.same((await client.readHoldingRegisters(0, 5)).data, sim.lift(2).registers(), 'unit 2 is back');
});

void t.test('parseSimTarget', async (t) => {
  t.same(parseSimTarget('tcp://127.0.0.1:5020'), { kind: 'tcp', framing: 'rtu', host: '127.0.0.1', port: 5020 });
  t.same(parseSimTarget('mbap://127.0.0.1:502'), { kind: 'tcp', framing: 'mbap', host: '127.0.0.1', port: 502 });
  t.same(parseSimTarget('mbap://localhost'), { kind: 'tcp', framing: 'mbap', host: 'localhost', port: 502 });
  t.same(parseSimTarget('tcp://[::1]:0'), { kind: 'tcp', framing: 'rtu', host: '::1', port: 0 });
  t.same(parseSimTarget('/dev/pts/3'), { kind: 'serial', path: '/dev/pts/3' });
  t.same(parseSimTarget('/dev/ttyUSB0@9600'), { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 });
  for (const bad of ['tcp://127.0.0.1', 'udp://1.2.3.4:5', 'tcp://h:70000', 'COM3', '']) {
    t.throws(() => parseSimTarget(bad), { code: 'SIM_BAD_TARGET' }, bad);
  }
});

void t.test('runSimulator serves every target and ticks in real time', async (t) => {
  const lines: string[] = [];
  await t.rejects(
    runSimulator({ targets: ['tcp://127.0.0.1:0', 'nope'], units: [1], landings: 3, scenario: 'idle' }),
    { code: 'SIM_BAD_TARGET' },
  );
  const sim = await runSimulator({
    targets: ['tcp://127.0.0.1:0', 'mbap://127.0.0.1:0'],
    units: [3, 4],
    landings: 5,
    scenario: 'trips',
    seed: 5,
    logger: (l) => lines.push(l),
  });
  const rtu = new ModbusRTU();
  const tcp = new ModbusRTU();
  t.teardown(async () => {
    await closeClient(rtu);
    await closeClient(tcp);
    await sim.stop();
  });
  const portOf = (scheme: string): number => Number(lines.map((l) => new RegExp(`${scheme}://127\\.0\\.0\\.1:(\\d+)`).exec(l)?.[1]).find(Boolean));
  rtu.setTimeout(500);
  tcp.setTimeout(500);
  await rtu.connectTelnet('127.0.0.1', { port: portOf('tcp') });
  await tcp.connectTCP('127.0.0.1', { port: portOf('mbap') });
  rtu.setID(3);
  tcp.setID(4);
  t.equal((await rtu.readHoldingRegisters(0, 5)).data.length, 5);
  t.equal((await tcp.readInputRegisters(0, 5)).data.length, 5);
  const before = sim.stats().simulatedMs;
  await new Promise((r) => setTimeout(r, 300));
  t.ok(sim.stats().simulatedMs - before >= 150, 'start() advances simulated time with the real clock');
  t.same(sim.units(), [3, 4]);
});

void t.test('regression: fractional real-time steps never stall the scenario clock', async (t) => {
  // The demo hung at ~3 s: performance.now() deltas made `t + left === t` in floating point
  // and ScenarioPlayer.advance spun forever, starving the event loop.
  const { ScenarioPlayer } = await import('../src/sim/scenario.js');
  const p = new ScenarioPlayer({ name: 'x', loopMs: 120_000, steps: [{ at: 5_000, unit: 1, action: 'call', landing: 2 }] });
  let fired = 0;
  for (let i = 0; i < 200; i++) fired += p.advance(50.0000001 + 1e-13 * i).length;
  fired += p.advance(5000.123456789).length;
  fired += p.advance(1e-13).length;
  t.equal(fired, 1, 'the step fires exactly once');
  t.ok(p.position().atMs > 10_000);
});
