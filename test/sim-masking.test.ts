/**
 * The masking corpus (src/sim/behaviours.ts): faults whose contact pattern a monitor could
 * report as the wrong thing. Each test checks the behaviour leaves its signature on the
 * signals, so a core test built on it exercises what it claims to. Pure model, simulated time.
 */
import t from 'tap';
import { parseBehaviourArg } from '../src/sim/behaviour-arg.js';
import { validateScenario, type Scenario } from '../src/sim/scenario.js';
import { scenarioByName } from '../src/sim/scenarios.js';
import { Simulator } from '../src/sim/simulator.js';
import type { BehaviourSpec } from '../src/sim/behaviours.js';
import { STATUS_BITS, type SimSignals } from '../src/sim/register-image.js';
import { SimulatedLift } from '../src/sim/simulated-lift.js';
import { TRAFFIC } from '../src/sim/traffic.js';
import type { BooleanSignal } from '../src/core/signals.js';

const STEP = 1;

function runFor(l: SimulatedLift, ms: number, each: (s: SimSignals, now: number) => void): void {
  for (let now = STEP; now <= ms; now += STEP) {
    l.step(STEP);
    each(l.signals(), now);
  }
}

function runUntil(l: SimulatedLift, pred: () => boolean, maxMs: number): boolean {
  for (let ms = 0; ms <= maxMs; ms += 10) {
    if (pred()) return true;
    l.step(10);
  }
  return false;
}

/** Spells during which `signal` read `value`, as [start, length] in ms. */
function spells(l: SimulatedLift, ms: number, signal: BooleanSignal, value: boolean, also?: (s: SimSignals) => void): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let since: number | null = null;
  runFor(l, ms, (s, now) => {
    also?.(s);
    if (s[signal] === value && since === null) since = now;
    if (s[signal] !== value && since !== null) {
      out.push([since, now - since]);
      since = null;
    }
  });
  return out;
}

void t.test('an obstructed door reported as a chattering limit: door-obstructed leaves and regains the open limit without the closed limit, ~6 times in 45 s, raising the open command at each reopen', async (t) => {
  const l = new SimulatedLift({ unitId: 1, landings: 6, seed: 8, autoTrips: false });
  l.call(0); // doors open at the landing where the car stands
  t.ok(runUntil(l, () => l.trip().phase === 'dwell', 10_000));
  l.inject({ kind: 'door-obstructed' });
  t.ok(runUntil(l, () => !l.signals().doorOpenLimit, 10_000), 'the door starts closing');
  let reopens = 0;
  let closedLimit = 0;
  let commandRises = 0;
  let moved = 0;
  let prev = l.signals();
  runFor(l, 45_000, (s) => {
    if (s.doorOpenLimit && !prev.doorOpenLimit) reopens++;
    if (s.doorOpenCommand && !prev.doorOpenCommand) commandRises++;
    if (s.doorClosedLimit) closedLimit++;
    if (s.moving) moved++;
    prev = s;
  });
  t.ok(reopens >= 5 && reopens <= 9, `${reopens} reopens in 45 s`);
  t.equal(closedLimit, 0, 'the closed limit is never reached');
  t.equal(moved, 0, 'the car never leaves');
  t.equal(commandRises, reopens, 'the door-open command is raised again at each reopen');
  t.notOk((STATUS_BITS as readonly string[]).includes('doorOpenCommand'), 'a DI-module view (the status bits) does not carry the command');
  l.remove('door-obstructed');
  t.ok(runUntil(l, () => l.signals().doorLocked, 20_000), 'closes and locks once the obstruction is gone');
});

void t.test('door-obstructed on a shuttle keeps reopening at the shuttle door speed', async (t) => {
  const traffic = TRAFFIC.shuttle;
  const l = new SimulatedLift({ unitId: 1, landings: 2, seed: 3, traffic, autoTrips: false });
  l.call(0);
  t.ok(runUntil(l, () => l.trip().phase === 'dwell', 10_000));
  l.inject({ kind: 'door-obstructed' });
  let reopens = 0;
  let prevOpen = true;
  runFor(l, 45_000, () => {
    const s = l.settledSignals();
    if (s.doorOpenLimit && !prevOpen) reopens++;
    prevOpen = s.doorOpenLimit;
    if (s.doorClosedLimit) t.fail('closed limit reached');
  });
  t.ok(reopens >= 10, `${reopens} reopens in 45 s`);
});

void t.test('a stalled door taken for a closed one: door-stalled stops part-way, neither limit made, and stays', async (t) => {
  const l = new SimulatedLift({ unitId: 1, landings: 6, seed: 8, autoTrips: false });
  l.call(0);
  t.ok(runUntil(l, () => l.trip().phase === 'dwell', 10_000));
  l.inject({ kind: 'door-stalled' });
  t.ok(runUntil(l, () => !l.signals().doorOpenLimit, 10_000));
  l.step(5000);
  let limits = 0;
  runFor(l, 60_000, (s) => {
    if (s.doorOpenLimit || s.doorClosedLimit || s.doorLocked || s.moving || s.doorOpenCommand) limits++;
  });
  t.equal(limits, 0, 'part-way for a minute: no limit, no lock, no command, no run');
  t.equal(l.trip().phase, 'closing');
});

void t.test('a loose contact that does not look loose: loose-contact flickers 50-400 ms every ~1-4 s at rest', async (t) => {
  for (const signal of ['safetyChain', 'doorZone'] as const) {
    const l = new SimulatedLift({ unitId: 1, landings: 6, seed: 2, autoTrips: false });
    l.inject({ kind: 'loose-contact', signal });
    const flickers = spells(l, 120_000, signal, false);
    const lengths = flickers.map(([, len]) => len);
    const gaps = flickers.slice(1).map(([at], i) => at - (flickers[i]![0] + flickers[i]![1]));
    t.ok(flickers.length >= 24 && flickers.length <= 120, `${signal}: ${flickers.length} flickers in 2 minutes at rest`);
    t.ok(Math.min(...lengths) >= 50 && Math.max(...lengths) <= 400, `${signal}: flickers ${Math.min(...lengths)}-${Math.max(...lengths)} ms`);
    t.ok(Math.min(...gaps) >= 1000 && Math.max(...gaps) <= 4000, `${signal}: gaps ${Math.min(...gaps)}-${Math.max(...gaps)} ms`);
    t.equal(l.model.trips, 0, `${signal}: the lift stays at rest`);
  }
});

void t.test('a running contact dropout taken for a stop: moving-dropout drops ~100 ms 1-3 times a run while the car keeps running', async (t) => {
  const traffic = TRAFFIC['office-peak'];
  const l = new SimulatedLift({ unitId: 1, landings: traffic.landings, seed: 6, traffic });
  l.inject({ kind: 'moving-dropout' });
  const perRun: number[] = [];
  const lengths: number[] = [];
  let drops = 0;
  let since: number | null = null;
  let prevModel = false;
  runFor(l, 5 * 60_000, (_s, now) => {
    const modelMoving = l.trip().moving;
    if (modelMoving && !prevModel) drops = 0;
    if (!modelMoving && prevModel) perRun.push(drops);
    if (modelMoving && !l.settledSignals().moving && since === null) {
      since = now;
      drops++;
    }
    if ((l.settledSignals().moving || !modelMoving) && since !== null) {
      lengths.push(now - since);
      since = null;
    }
    if (!modelMoving && l.settledSignals().moving) t.fail('a dropout behaviour made the car read moving at rest');
    prevModel = modelMoving;
  });
  t.ok(perRun.length >= 10, `${perRun.length} runs`);
  t.ok(perRun.every((n) => n >= 1 && n <= 3), `dropouts per run: ${perRun.join(', ')}`);
  t.ok(Math.min(...lengths) >= 80 && Math.max(...lengths) <= 120, `dropouts ${Math.min(...lengths)}-${Math.max(...lengths)} ms`);
});

void t.test('a worn door limit taken for a door fault: bad-door-limit flickers 50-300 ms while the car travels, never at rest', async (t) => {
  for (const signal of ['doorClosedLimit', 'doorOpenLimit'] as const) {
    const l = new SimulatedLift({ unitId: 1, landings: 6, seed: 4, timing: { minIdleMs: 1000, maxIdleMs: 3000 } });
    l.inject({ kind: 'bad-door-limit', signal });
    const runningValue = signal === 'doorClosedLimit'; // while the car runs: closed made, open not
    let atRest = 0;
    const spellsOff = spells(l, 5 * 60_000, signal, !runningValue, (s) => {
      if (s[signal] !== l.trip()[signal] && !l.trip().moving) atRest++;
    });
    // The door's own strokes and dwells last seconds; the flickers are the short spells.
    const inTravel = spellsOff.map(([, len]) => len).filter((len) => len <= 300);
    t.ok(inTravel.length >= 20, `${signal}: ${inTravel.length} flickers in travel`);
    t.ok(Math.min(...inTravel) >= 50, `${signal}: shortest ${Math.min(...inTravel)} ms`);
    t.equal(atRest, 0, `${signal}: no flicker with the car at rest`);
  }
});

void t.test('the older behaviours keep working: door-reopen reverses half-way, chatter is a square wave', async (t) => {
  const l = new SimulatedLift({ unitId: 1, landings: 4, seed: 1, autoTrips: false });
  l.call(0);
  runUntil(l, () => l.trip().phase === 'dwell', 10_000);
  l.inject({ kind: 'door-reopen' });
  let reopens = 0;
  let prev = l.signals();
  runFor(l, 40_000, (s) => {
    if (s.doorOpenLimit && !prev.doorOpenLimit) reopens++;
    if (s.doorClosedLimit) t.fail('door-reopen closed the door');
    prev = s;
  });
  t.ok(reopens >= 3, `${reopens} reopens`);
  const c = new SimulatedLift({ unitId: 1, landings: 4, seed: 1, autoTrips: false });
  c.inject({ kind: 'chatter', signal: 'carLight', periodMs: 400 });
  t.same(spells(c, 4000, 'carLight', false).map(([, len]) => len), Array(10).fill(200));
});

void t.test('--behaviour specs: KIND[:ARG...][@UNITS]', async (t) => {
  const spec = (text: string): BehaviourSpec => parseBehaviourArg(text).spec;
  t.same(parseBehaviourArg('door-obstructed'), { spec: { kind: 'door-obstructed' }, units: null });
  t.same(parseBehaviourArg('loose-contact:doorZone:60000@2,3'), { spec: { kind: 'loose-contact', signal: 'doorZone', durationMs: 60_000 }, units: [2, 3] });
  t.same(spec('loose-contact'), { kind: 'loose-contact', signal: 'safetyChain' });
  t.same(spec('bad-door-limit:doorOpenLimit'), { kind: 'bad-door-limit', signal: 'doorOpenLimit' });
  t.same(spec('fault-code:120:10000'), { kind: 'fault-code', code: 120, durationMs: 10_000 });
  t.same(spec('moving-dropout:30000'), { kind: 'moving-dropout', durationMs: 30_000 });
  for (const bad of ['explode', 'bad-door-limit:safetyChain', 'loose-contact:nope', 'fault-code', 'door-stalled:1:2', 'door-stalled@0', 'moving-dropout:doorZone']) {
    t.throws(() => parseBehaviourArg(bad), { code: 'SIM_BAD_BEHAVIOUR' }, bad);
  }
});

void t.test('the masking scenario plays every fault of the corpus on every unit; malformed fault steps are refused', async (t) => {
  const s = scenarioByName('masking', [1, 2]);
  validateScenario(s);
  const kinds = new Set(s.steps.map((step) => (step.action === 'inject' ? step.behaviour.kind : '')));
  t.same([...kinds].sort(), ['bad-door-limit', 'door-obstructed', 'door-stalled', 'loose-contact', 'moving-dropout']);
  const sim = new Simulator({ lifts: [1, 2].map((unitId) => ({ unitId, landings: 10, seed: unitId, traffic: TRAFFIC['office-peak'] })), scenario: s });
  sim.advance(600_000);
  const units = sim.stats().units;
  t.same(units.map((u) => u.faultsInjected), [6, 6], 'six injections per unit in one loop');
  t.same(units.map((u) => u.behaviours), [[], []], 'each ends by itself');
  const bad = (behaviour: unknown): void => validateScenario({ name: 'x', steps: [{ at: 0, unit: 1, action: 'inject', behaviour }] } as Scenario);
  t.throws(() => bad({ kind: 'bad-door-limit', signal: 'safetyChain' }), { code: 'SIM_BAD_SCENARIO', message: /steps\[0\]: behaviour\.signal/ });
  t.throws(() => bad({ kind: 'loose-contact', signal: 'nope' }), { code: 'SIM_BAD_SCENARIO' });
  t.throws(() => bad({ kind: 'door-obstructed', durationMs: -1 }), { code: 'SIM_BAD_SCENARIO' });
});
