/**
 * Traffic profiles (src/sim/traffic.ts): the busy-but-healthy envelope a monitor must stay
 * silent through. Each test names the failure it catches: a profile that is quieter than it
 * claims would let a chatter rule that cannot tell busy from broken pass unnoticed. Pure model,
 * stepped in simulated time.
 */
import t from 'tap';
import { DEFAULT_TIMING, LiftModel } from '../src/sim/lift-model.js';
import { SimulatedLift } from '../src/sim/simulated-lift.js';
import { TRAFFIC, TRAFFIC_NAMES, trafficByName } from '../src/sim/traffic.js';

const STEP = 10;
const MINUTE = 60_000;

function lift(name: (typeof TRAFFIC_NAMES)[number], seed: number): SimulatedLift {
  const traffic = TRAFFIC[name];
  return new SimulatedLift({ unitId: 1, landings: traffic.landings, seed, traffic });
}

/** Runs `ms` of simulated time, calling `each` with the settled signals after every step. */
function run(l: SimulatedLift, ms: number, each: (now: number) => void = () => undefined): void {
  for (let now = STEP; now <= ms; now += STEP) {
    l.step(STEP);
    each(now);
  }
}

void t.test('a shuttle slower than 6 trips a minute: shuttle makes >= 6 one-floor hops a minute over 10 simulated minutes', async (t) => {
  for (const seed of [1, 2, 3]) {
    const l = lift('shuttle', seed);
    const landings = new Set<number>();
    run(l, 10 * MINUTE, () => landings.add(l.settledSignals().floor));
    const perMin = l.model.trips / 10;
    t.ok(perMin >= 6, `seed ${seed}: ${perMin} trips/min`);
    t.same([...landings].sort(), [0, 1], 'two landings, one-floor hops');
  }
  t.match(TRAFFIC.shuttle.timing, { doorTimeMs: 1000, dwellMs: 2000 }, 'door stroke 1 s, dwell 2 s');
});

void t.test('a shuttle whose chain ignores the doors: with chainIncludesDoors the chain opens exactly while the doors are not shut and locked', async (t) => {
  const l = lift('shuttle', 4);
  let openWithDoorsShut = 0;
  let closedWithDoorsOpen = 0;
  let chainOpenings = 0;
  let prevChain = true;
  run(l, 2 * MINUTE, () => {
    const s = l.settledSignals();
    const shut = s.doorClosedLimit && s.doorLocked;
    if (!s.safetyChain && shut) openWithDoorsShut++;
    if (s.safetyChain && !shut) closedWithDoorsOpen++;
    if (prevChain && !s.safetyChain) chainOpenings++;
    prevChain = s.safetyChain;
  });
  t.equal(openWithDoorsShut + closedWithDoorsOpen, 0, 'the chain follows the doors');
  t.ok(chainOpenings >= l.model.trips - 1, `the chain opens at every stop (${chainOpenings} openings, ${l.model.trips} trips)`);
  t.equal(TRAFFIC['office-peak'].chainIncludesDoors, false, 'office-peak keeps the chain closed through door cycles');
});

void t.test("an office peak that is not a peak: office-peak makes 3-4 trips a minute over several landings, door 2-3 s, dwell 3-5 s", async (t) => {
  for (const seed of [1, 2]) {
    const l = lift('office-peak', seed);
    const floors = new Set<number>();
    const dwells: number[] = [];
    let openSince: number | null = null;
    run(l, 10 * MINUTE, (now) => {
      const s = l.settledSignals();
      floors.add(s.floor);
      if (s.doorOpenLimit && openSince === null) openSince = now;
      if (!s.doorOpenLimit && openSince !== null) {
        dwells.push(now - openSince);
        openSince = null;
      }
    });
    const perMin = l.model.trips / 10;
    t.ok(perMin >= 3 && perMin <= 4, `seed ${seed}: ${perMin} trips/min`);
    t.ok(floors.size >= 6, `${floors.size} landings served`);
    t.ok(Math.min(...dwells) >= 3000 && Math.max(...dwells) <= 5000 + STEP, `dwell ${Math.min(...dwells)}-${Math.max(...dwells)} ms`);
  }
  const door = TRAFFIC['office-peak'].timing.doorTimeMs ?? 0;
  t.ok(door >= 2000 && door <= 3000, `door stroke ${door} ms`);
});

void t.test('an express car that stops at every floor: express runs pass >= 10 door zones each', async (t) => {
  const l = lift('express', 5);
  const zonesPerRun: number[] = [];
  let zones = 0;
  let prev = l.settledSignals();
  run(l, 10 * MINUTE, () => {
    const s = l.settledSignals();
    if (s.moving && !prev.moving) zones = 0;
    if (s.moving && s.doorZone && !prev.doorZone) zones++;
    if (!s.moving && prev.moving) zonesPerRun.push(zones);
    prev = s;
  });
  t.ok(zonesPerRun.length >= 8, `${zonesPerRun.length} runs in 10 minutes`);
  t.ok(Math.min(...zonesPerRun) >= 10, `door zones entered per run: ${zonesPerRun.join(', ')}`);
  t.ok(l.model.trips / 10 <= 2, `few stops (${l.model.trips / 10} trips/min)`);
});

void t.test('the default lift changed under the demo: without a profile, DEFAULT_TIMING, random landings and no bounce', async (t) => {
  const l = new SimulatedLift({ unitId: 1, landings: 6, seed: 11 });
  const bare = new LiftModel({ landings: 6, seed: 11 });
  t.same(l.model.timing, DEFAULT_TIMING);
  let differs = 0;
  let bounced = 0;
  run(l, 10 * MINUTE, () => {
    bare.step(STEP);
    const s = l.signals();
    const b = bare.state();
    if (s.doorZone !== b.doorZone || s.moving !== b.moving || s.floor !== b.floor || s.doorLocked !== b.doorLocked) differs++;
    if (JSON.stringify(s) !== JSON.stringify(l.settledSignals())) bounced++;
    if (!s.safetyChain) differs++;
  });
  t.equal(differs, 0, 'the same trips as the bare model, chain always closed');
  t.equal(bounced, 0, 'no bounce');
});

void t.test('a replay that differs: the same seed gives the same bounced trace with behaviours, another seed another', async (t) => {
  const trace = (seed: number): string => {
    const l = lift('shuttle', seed);
    l.inject({ kind: 'loose-contact', signal: 'doorZone' });
    l.inject({ kind: 'moving-dropout' });
    const out: number[] = [];
    run(l, 2 * MINUTE, () => out.push(...l.registers()));
    return out.join(',');
  };
  t.equal(trace(3), trace(3));
  t.not(trace(3), trace(4));
});

void t.test('unknown traffic profile names are refused with SIM_BAD_TRAFFIC', async (t) => {
  t.throws(() => trafficByName('rush-hour'), { code: 'SIM_BAD_TRAFFIC' });
  for (const name of TRAFFIC_NAMES) t.ok(trafficByName(name).bounce, `${name} bounces`);
});
