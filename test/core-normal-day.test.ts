/**
 * Busy is not broken (docs/taxonomy.md, "Normal traffic"): a long normal-operation trace (at
 * least a simulated day of trips, with realistic contact bounce) must produce no alarm at all.
 *
 * The trips come from the simulator's seeded trip model (src/sim/lift-model.ts): random calls,
 * travel through the door zones of the landings passed, doors opening, dwelling, closing and
 * locking. Every contact transition may bounce (1 to 3 reversals within 10 ms, as a relay or a
 * door limit switch does), and the lift is read the way a dry-contact retrofit reads it: polled
 * every 500 ms (+-50 ms jitter) and, in addition, on every raw change (a change-of-state input
 * module), so the bounces reach the core. The debounce holds are those an installer sets for
 * bouncy dry contacts (40 ms, below any door or travel time); chatter detection and every rule run
 * with their taxonomy defaults. The core must stay silent for 25 simulated hours.
 */
import t from 'tap';
import { LiftModel, type TripState } from '../src/sim/lift-model.js';
import { Prng } from '../src/sim/prng.js';
import { TraceDriver, sequentialIds } from './helpers/trace.js';
import type { CoreConfig } from '../src/core/engine.js';
import type { BooleanSignal, SignalValues } from '../src/core/signals.js';

const HOURS = 25;
const STEP_MS = 10;
const POLL_MS = 500;
const M0 = 10_000;
const W0 = Date.UTC(2026, 0, 5, 0, 0, 0);
/** Contacts that bounce: door limits, lock, door zone vane, the running relay. */
const CONTACTS: readonly BooleanSignal[] = ['doorZone', 'doorOpenLimit', 'doorClosedLimit', 'doorLocked', 'moving'];
const BOUNCE_HOLD = { riseMs: 40, fallMs: 40 };

function signalsOf(s: TripState): SignalValues {
  return {
    safetyChain: true, doorZone: s.doorZone, doorOpenLimit: s.doorOpenLimit, doorClosedLimit: s.doorClosedLimit,
    doorLocked: s.doorLocked, moving: s.moving, alarmButton: false, inspection: false, fireService: false,
    outOfService: false, overload: false, mainsPower: true, endOfAlarm: false, controlVoltage: true, carLight: true,
    alarmDeviceFault: false, callRegistered: s.callRegistered, doorOpenCommand: s.doorOpenCommand,
    floor: s.floor, direction: s.direction, faultCode: 0,
  };
}

// About 9 s of CPU; the shared test machines can stretch that well past tap's 30 s default.
t.setTimeout(240_000);

void t.test(`${HOURS} simulated hours of trips with contact bounce raise no alarm at all`, async (t) => {
  const cfg: CoreConfig = {
    lifts: [{ id: 'L1', pollIntervalMs: POLL_MS, landings: 8 }],
    rules: {},
    debounce: Object.fromEntries(CONTACTS.map((c) => [c, BOUNCE_HOLD])),
  };
  const model = new LiftModel({ landings: 8, seed: 20260105, timing: { minIdleMs: 2000, maxIdleMs: 15000 } });
  const prng = new Prng(7);
  const at = (ms: number) => ({ mono: M0 + ms, wall: W0 + ms });
  const d = new TraceDriver(cfg, at(0), sequentialIds());
  let clean = signalsOf(model.state());
  d.feed({ kind: 'sample', liftId: 'L1', at: at(0), values: clean });
  const end = HOURS * 3_600_000;
  let nextPoll = POLL_MS;
  let samples = 1;
  let bounces = 0;
  for (let now = STEP_MS; now <= end; now += STEP_MS) {
    model.step(STEP_MS);
    const next = signalsOf(model.state());
    const changed = CONTACTS.filter((c) => next[c] !== clean[c]);
    if (changed.length > 0 || next.floor !== clean.floor || next.doorOpenCommand !== clean.doorOpenCommand || next.callRegistered !== clean.callRegistered) {
      // The change itself, seen by the change-of-state module, then its bounces within 10 ms.
      const edgeAt = now - STEP_MS + 1; // inputs stay in time order: the bounces end before `now`
      const reversals = changed.length > 0 && prng.next() < 0.4 ? prng.int(1, 3) : 0;
      const bouncing = changed[prng.int(0, Math.max(0, changed.length - 1))];
      d.feed({ kind: 'sample', liftId: 'L1', at: at(edgeAt), values: next });
      samples++;
      if (bouncing !== undefined) {
        for (let r = 1; r <= reversals * 2; r++) {
          const v: SignalValues = { ...next, [bouncing]: r % 2 === 1 ? clean[bouncing] : next[bouncing] };
          d.feed({ kind: 'sample', liftId: 'L1', at: at(edgeAt + Math.ceil((r * 8) / (reversals * 2))), values: v });
          samples++;
          bounces++;
        }
      }
      clean = next;
    }
    if (now >= nextPoll) {
      d.feed({ kind: 'sample', liftId: 'L1', at: at(now), values: clean });
      samples++;
      nextPoll = now + POLL_MS + prng.int(-50, 50);
    }
  }
  d.runUntil(M0 + end + 1);
  const evs = d.events();
  t.same(evs.map((e) => `${e.code} ${e.lifecycle} at ${e.at - W0} ms: ${e.evidence?.rule ?? ''}`), [], 'no event at all');
  t.ok(model.trips > 3000, `a busy day: ${model.trips} trips`);
  t.ok(bounces > 1000, `contacts bounced: ${bounces} bounce samples among ${samples}`);
  t.same(d.snapshots()[0]?.activeAlarms, [], 'nothing active at the end');
});
