import t from 'tap';
import { decodeRegisters } from '../src/sim/register-image.js';
import { SimulatedLift } from '../src/sim/simulated-lift.js';

const STEP = 50;

function runUntil(lift: SimulatedLift, pred: () => boolean, maxMs: number): number {
  for (let ms = 0; ms <= maxMs; ms += STEP) {
    if (pred()) return ms;
    lift.step(STEP);
  }
  return -1;
}

void t.test('one simulated hour of normal service', async (t) => {
  const lift = new SimulatedLift({ unitId: 1, landings: 8, seed: 42 });
  const zone = lift.model.timing.doorZoneFloors;
  let movingSamples = 0;
  let movingInZone = 0;
  let zoneRun = 0;
  let longestZoneRunWhileMoving = 0;
  let floorChangesWhileMoving = 0;
  let arrivalsWithDoorsOpen = 0;
  let violations = 0;
  let prev = decodeRegisters(lift.registers());
  const floorsSeen = new Set<number>();
  for (let ms = 0; ms < 3_600_000; ms += STEP) {
    lift.step(STEP);
    const s = decodeRegisters(lift.registers());
    const pos = lift.trip().position;
    floorsSeen.add(s.floor);
    if (!s.safetyChain || !s.mainsPower || !s.controlVoltage || !s.carLight || s.faultCode !== 0 || s.alarmButton) violations++;
    if (s.floor < 0 || s.floor > 7) violations++;
    // doorZone true exactly near landing level, whatever the phase
    if (s.doorZone !== Math.abs(pos - Math.round(pos)) <= zone + 1e-9) violations++;
    if (s.moving) {
      movingSamples++;
      if (!s.doorClosedLimit || !s.doorLocked || s.doorOpenLimit) t.fail(`doors not shut while moving at ${ms} ms`);
      if (s.direction === 'none') violations++;
      if (s.doorZone) movingInZone++;
      zoneRun = s.doorZone ? zoneRun + STEP : 0;
      longestZoneRunWhileMoving = Math.max(longestZoneRunWhileMoving, zoneRun);
      if (prev.moving && s.floor !== prev.floor) floorChangesWhileMoving++;
    } else {
      zoneRun = 0;
      if (s.direction !== 'none') violations++;
      if (s.doorOpenLimit && s.doorZone && prev.doorOpenLimit === false) arrivalsWithDoorsOpen++;
      if (!s.doorZone && !s.doorClosedLimit) t.fail(`doors open outside the door zone at ${ms} ms`);
    }
    prev = s;
  }
  t.equal(violations, 0, 'healthy signals, consistent door zone, floor and direction');
  t.ok(lift.model.trips >= 60, `trips happen (${lift.model.trips})`);
  t.ok(arrivalsWithDoorsOpen >= lift.model.trips, 'doors open at every arrival');
  // ±0.1 floor around each landing: about a fifth of the running time, never most of it.
  t.ok(movingSamples > 0 && movingInZone / movingSamples < 0.3, `door zone only briefly while moving (${movingInZone}/${movingSamples})`);
  // Passing a landing at 1 floor / 2 s with a ±0.1 floor zone takes 400 ms.
  t.ok(longestZoneRunWhileMoving <= 450, `longest door-zone pass while moving ${longestZoneRunWhileMoving} ms`);
  t.ok(floorChangesWhileMoving > lift.model.trips, 'the floor indicator changes as landings are passed');
  t.equal(floorsSeen.size, 8, 'every landing was visited');
});

void t.test('the same seed gives the same trace, another seed another', async (t) => {
  const trace = (seed: number): string => {
    const lift = new SimulatedLift({ unitId: 1, landings: 5, seed });
    const out: number[] = [];
    for (let i = 0; i < 2000; i++) {
      lift.step(100);
      out.push(...lift.registers());
    }
    return out.join(',');
  };
  t.equal(trace(3), trace(3));
  t.not(trace(3), trace(4));
});

void t.test('stuck-between-floors stops outside the door zone until removed', async (t) => {
  const lift = new SimulatedLift({ unitId: 1, landings: 6, seed: 1, autoTrips: false });
  lift.inject({ kind: 'stuck-between-floors' });
  t.ok(runUntil(lift, () => lift.trip().phase === 'stuck', 5000) >= 0, 'gets stuck soon, even from idle');
  lift.step(60_000);
  const s = lift.signals();
  t.match(s, { moving: false, doorZone: false, doorClosedLimit: true, doorLocked: true, direction: 'none', callRegistered: true });
  const pos = lift.trip().position;
  t.ok(Math.abs(pos - Math.round(pos)) >= 0.4, `car is between floors (${pos})`);
  lift.remove('stuck-between-floors');
  t.ok(runUntil(lift, () => lift.signals().doorOpenLimit, 10_000) >= 0, 'recovers: arrives and opens');
  t.ok(lift.signals().doorZone);
});

void t.test('stuck injected during dwell cuts the dwell short', async (t) => {
  const lift = new SimulatedLift({ unitId: 1, landings: 4, seed: 1, autoTrips: false });
  lift.call(0); // same landing: doors open
  t.ok(runUntil(lift, () => lift.trip().phase === 'dwell', 5000) >= 0);
  lift.inject({ kind: 'stuck-between-floors' });
  const ms = runUntil(lift, () => lift.trip().phase === 'stuck', 10_000);
  t.ok(ms >= 0 && ms <= 4500, `stuck ${ms} ms after injection`);
});

void t.test('door-wont-close stalls the door part-way; door-wont-open keeps it shut', async (t) => {
  const lift = new SimulatedLift({ unitId: 1, landings: 4, seed: 1, autoTrips: false });
  lift.call(0);
  runUntil(lift, () => lift.trip().phase === 'dwell', 5000);
  lift.inject({ kind: 'door-wont-close' });
  lift.step(30_000);
  t.match(lift.signals(), { doorClosedLimit: false, doorOpenLimit: false, doorLocked: false, moving: false });
  lift.remove('door-wont-close');
  t.ok(runUntil(lift, () => lift.signals().doorLocked, 5000) >= 0, 'closes and locks once removed');

  lift.inject({ kind: 'door-wont-open' });
  lift.call(2);
  t.ok(runUntil(lift, () => lift.trip().phase === 'opening', 10_000) >= 0, 'arrives');
  lift.step(20_000);
  t.match(lift.signals(), { doorZone: true, moving: false, doorOpenCommand: true, doorOpenLimit: false, doorClosedLimit: true, floor: 2 });
  lift.remove('door-wont-open');
  t.ok(runUntil(lift, () => lift.signals().doorOpenLimit, 5000) >= 0, 'opens once removed');
});

void t.test('safety chain and mains loss stop the car; it resumes when they end', async (t) => {
  for (const kind of ['safety-chain-open', 'mains-lost'] as const) {
    const lift = new SimulatedLift({ unitId: 1, landings: 6, seed: 1, autoTrips: false });
    lift.call(5);
    runUntil(lift, () => lift.signals().moving, 1000);
    lift.step(1000);
    lift.inject({ kind, durationMs: 3000 });
    lift.step(STEP);
    const s = lift.signals();
    t.equal(s.moving, false, `${kind}: stops at once`);
    t.equal(kind === 'safety-chain-open' ? s.safetyChain : s.mainsPower, false, `${kind}: signal`);
    const pos = lift.trip().position;
    lift.step(2000);
    t.equal(lift.trip().position, pos, `${kind}: stays put`);
    lift.step(1000);
    t.same(lift.behaviours(), [], `${kind}: ends after its duration`);
    t.ok(runUntil(lift, () => lift.signals().moving, 500) >= 0, `${kind}: resumes the trip`);
    t.ok(lift.signals().safetyChain && lift.signals().mainsPower);
  }
});

void t.test('alarm button hold, end-of-alarm pulse, inspection, fault code', async (t) => {
  const lift = new SimulatedLift({ unitId: 1, landings: 4, seed: 9 });
  lift.inject({ kind: 'alarm-button', durationMs: 5000 });
  lift.step(4950);
  t.equal(lift.signals().alarmButton, true, 'held');
  lift.step(100);
  t.equal(lift.signals().alarmButton, false, 'released after 5 s');
  lift.inject({ kind: 'end-of-alarm' });
  t.equal(lift.signals().endOfAlarm, true);
  lift.step(1000);
  t.equal(lift.signals().endOfAlarm, false, 'default pulse is 1 s');

  runUntil(lift, () => lift.trip().phase === 'idle', 60_000);
  lift.inject({ kind: 'inspection' });
  const trips = lift.model.trips;
  lift.step(120_000);
  t.equal(lift.model.trips, trips, 'no automatic trips in inspection');
  t.equal(lift.signals().inspection, true);
  lift.remove('inspection');
  lift.inject({ kind: 'fault-code', code: 17 });
  t.equal(lift.registers()[3], 17, 'HR3 carries the fault code');
  lift.remove('fault-code');
  t.equal(lift.registers()[3], 0);
  lift.step(60_000);
  t.ok(lift.model.trips > trips, 'trips resume');
  t.equal(lift.faultsInjected, 4);
});

void t.test('hold forces signals and freezes the trip; release resumes', async (t) => {
  const lift = new SimulatedLift({ unitId: 1, landings: 6, seed: 1, autoTrips: false });
  lift.call(5);
  runUntil(lift, () => lift.signals().moving, 1000);
  lift.step(1000);
  lift.hold({ moving: false, doorZone: false, alarmButton: true });
  lift.hold({ floor: 3 });
  const pos = lift.trip().position;
  lift.step(5000);
  t.equal(lift.trip().position, pos, 'frozen');
  t.match(decodeRegisters(lift.registers()), { moving: false, doorZone: false, alarmButton: true, floor: 3 });
  lift.release();
  lift.step(STEP);
  t.equal(lift.signals().moving, true);
  t.equal(lift.signals().alarmButton, false);
});
