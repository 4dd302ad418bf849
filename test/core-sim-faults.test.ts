/**
 * The fault core against the simulator's own trip model and behaviours (src/sim): the signal
 * timing of a real trip - the drive stopping in the same poll the chain opens, a door reversing
 * half-way - rather than hand-written traces. Polled every 100 ms like the end-to-end tests,
 * in simulated time (no sockets, no clock).
 */
import t from 'tap';
import { SimulatedLift } from '../src/sim/simulated-lift.js';
import type { BehaviourSpec } from '../src/sim/behaviours.js';
import { TraceDriver, sequentialIds } from './helpers/trace.js';
import type { CoreConfig } from '../src/core/engine.js';
import type { AlarmEvent } from '../src/core/types.js';

const POLL = 100;
const cfg: CoreConfig = { lifts: [{ id: 'L1', pollIntervalMs: POLL, landings: 6 }], rules: {} };
const at = (ms: number) => ({ mono: 1_000 + ms, wall: 1_800_000_000_000 + ms });

/** Runs the lift for `ms`, polling the core; `when` injects behaviours at a trip phase. */
function run(ms: number, setup: (lift: SimulatedLift, now: number) => void): AlarmEvent[] {
  const lift = new SimulatedLift({ unitId: 1, landings: 6, seed: 3, autoTrips: false, startFloor: 0 });
  const d = new TraceDriver(cfg, at(0), sequentialIds());
  for (let now = 0; now <= ms; now += POLL) {
    setup(lift, now);
    d.feed({ kind: 'sample', liftId: 'L1', at: at(now), values: lift.signals() });
    lift.step(POLL);
  }
  return d.events();
}

const codes = (evs: AlarmEvent[]) => evs.map((e) => `${e.code} ${e.lifecycle}`);

void t.test('a normal trip with the simulator model raises nothing', async (t) => {
  t.same(run(60_000, (lift, now) => now === 1000 && lift.call(4)), []);
});

void t.test('safety-chain-open injected while the car runs: SAFETY_CHAIN_OPEN_IN_TRAVEL, not SAFETY_CHAIN_OPEN', async (t) => {
  let injected = false;
  const evs = run(20_000, (lift, now) => {
    if (now === 1000) lift.call(5);
    if (!injected && lift.trip().moving && lift.trip().position > 1.5) {
      lift.inject({ kind: 'safety-chain-open', durationMs: 5000 });
      injected = true;
    }
  });
  t.ok(injected);
  t.same(codes(evs).filter((c) => c.startsWith('SAFETY')), ['SAFETY_CHAIN_OPEN_IN_TRAVEL raised', 'SAFETY_CHAIN_OPEN_IN_TRAVEL cleared']);
  t.match(evs[0], { code: 'SAFETY_CHAIN_OPEN_IN_TRAVEL', evidence: { heldMs: 300 } });
});

void t.test('door-lock-lost injected while the car runs: DOOR_LOCK_LOST_IN_TRAVEL; normal arrivals unlock silently', async (t) => {
  let injected = false;
  const evs = run(30_000, (lift, now) => {
    if (now === 500) lift.call(1);                 // one normal trip with an arrival first
    if (now === 15_000) lift.call(5);
    if (!injected && now > 15_000 && lift.trip().moving && lift.trip().position > 2.5) {
      lift.inject({ kind: 'door-lock-lost', durationMs: 3000 } satisfies BehaviourSpec);
      injected = true;
    }
  });
  t.same(codes(evs).filter((c) => c.startsWith('DOOR')), ['DOOR_LOCK_LOST_IN_TRAVEL raised', 'DOOR_LOCK_LOST_IN_TRAVEL cleared']);
});

void t.test('door-reopen (obstruction): DOOR_CLOSE_FAULT on the third reopen cycle within 60 s', async (t) => {
  const evs = run(60_000, (lift, now) => {
    if (now === 0) lift.inject({ kind: 'door-reopen' });
    if (now === 500) lift.call(0); // a call at the landing where the car stands opens the doors
  });
  const raised = evs.find((e) => e.code === 'DOOR_CLOSE_FAULT' && e.lifecycle === 'raised');
  t.ok(raised, 'raised');
  t.match(raised?.detail, /reopened 3 times/);
  t.same(evs.filter((e) => e.code !== 'DOOR_CLOSE_FAULT'), [], 'nothing else');
});

void t.test('a mains monitor flickering (300 ms off, 300 ms on): one SIGNAL_CHATTERING, no MAINS_POWER_FAILURE', async (t) => {
  const evs = run(120_000, (lift, now) => {
    if (now === 0) lift.inject({ kind: 'chatter', signal: 'mainsPower', periodMs: 600, durationMs: 60_000 });
  });
  t.same(codes(evs).filter((c) => c.startsWith('SIGNAL')), ['SIGNAL_CHATTERING raised', 'SIGNAL_CHATTERING cleared']);
  t.same(evs.filter((e) => e.code === 'MAINS_POWER_FAILURE'), [], 'each 300 ms drop is shorter than the 2 s confirm; held while chattering');
});

void t.test('a mains supply that really fails for 2.5 s every 5 s is a mains fault, not a chattering monitor', async (t) => {
  const evs = run(40_000, (lift, now) => {
    if (now === 0) lift.inject({ kind: 'chatter', signal: 'mainsPower', periodMs: 5000, durationMs: 30_000 });
  });
  t.same(evs.filter((e) => e.code === 'SIGNAL_CHATTERING'), [], 'changes that each last seconds are no glitch');
  t.ok(evs.filter((e) => e.code === 'MAINS_POWER_FAILURE' && e.lifecycle === 'raised').length >= 3, 'each outage raised');
});
