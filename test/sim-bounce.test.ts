/**
 * Contact bounce (src/sim/bounce.ts) in the traffic profiles: a monitor that treats every
 * read change as a real one is fooled by bounce, so the simulator must produce it where real
 * contacts do (after each real transition, for up to ~150 ms) and nowhere else. Pure model,
 * stepped in simulated time.
 */
import t from 'tap';
import { BOUNCING_CONTACTS, ContactBounce, DEFAULT_BOUNCE, type BouncingContact } from '../src/sim/bounce.js';
import { SimulatedLift } from '../src/sim/simulated-lift.js';
import { TRAFFIC, TRAFFIC_NAMES } from '../src/sim/traffic.js';

const STEP = 2;

void t.test('bounce missing or misplaced: every read change of a contact falls within its bounce interval after a real transition, and most transitions bounce', async (t) => {
  for (const name of TRAFFIC_NAMES) {
    const traffic = TRAFFIC[name];
    const l = new SimulatedLift({ unitId: 1, landings: traffic.landings, seed: 21, traffic });
    const lastReal = new Map<BouncingContact, number>();
    const readChangesSince = new Map<BouncingContact, number>();
    let settled = l.settledSignals();
    let read = l.signals();
    let realTransitions = 0;
    let bouncedTransitions = 0;
    let strayChanges = 0;
    let readChanges = 0;
    const close = (c: BouncingContact): void => {
      // A transition is bounced when its contact was read changing more than once for it.
      if ((readChangesSince.get(c) ?? 0) > 1) bouncedTransitions++;
    };
    for (let now = STEP; now <= 5 * 60_000; now += STEP) {
      l.step(STEP);
      const s = l.settledSignals();
      const r = l.signals();
      for (const c of BOUNCING_CONTACTS) {
        if (s[c] !== settled[c]) {
          if (lastReal.has(c)) close(c);
          lastReal.set(c, now);
          readChangesSince.set(c, 0);
          realTransitions++;
        }
        if (r[c] !== read[c]) {
          readChanges++;
          readChangesSince.set(c, (readChangesSince.get(c) ?? 0) + 1);
          const since = lastReal.get(c);
          if (since === undefined || now - since > DEFAULT_BOUNCE.maxMs) strayChanges++;
        }
      }
      settled = s;
      read = r;
    }
    t.equal(strayChanges, 0, `${name}: no read change outside a bounce interval`);
    t.ok(realTransitions > 100, `${name}: ${realTransitions} real transitions`);
    t.ok(readChanges >= realTransitions * 2, `${name}: ${readChanges} read changes for ${realTransitions} transitions`);
    t.ok(bouncedTransitions >= 0.9 * (realTransitions - BOUNCING_CONTACTS.length), `${name}: ${bouncedTransitions} transitions visibly bounced`);
  }
});

void t.test('bounce a 200 ms poll can never see: polling every 200 ms on the 10 ms real-time tick sometimes catches a bounce', async (t) => {
  const traffic = TRAFFIC['office-peak'];
  const l = new SimulatedLift({ unitId: 1, landings: traffic.landings, seed: 5, traffic });
  let caught = 0;
  let polls = 0;
  for (let now = 10; now <= 10 * 60_000; now += 10) {
    l.step(10); // the simulator's real-time tick when contacts bounce
    if (now % 200 !== 0) continue;
    polls++;
    const r = l.signals();
    const s = l.settledSignals();
    if (BOUNCING_CONTACTS.some((c) => r[c] !== s[c])) caught++;
  }
  t.ok(caught > 0, `${caught} of ${polls} polls read a contact mid-bounce`);
  t.ok(caught < polls * 0.1, 'but only a few');
});

void t.test('a bounce that ends on the wrong value: every interval settles on the new value within maxMs', async (t) => {
  const b = new ContactBounce(DEFAULT_BOUNCE, 9);
  const l = new SimulatedLift({ unitId: 1, landings: 2, seed: 1, autoTrips: false });
  const base = l.settledSignals();
  b.step(base, 0);
  let reversed = 0;
  for (let i = 0; i < 200; i++) {
    const next = { ...base, moving: i % 2 === 0 };
    b.step(next, 1);
    for (let ms = 1; ms <= DEFAULT_BOUNCE.maxMs; ms++) {
      const s = { ...next };
      b.apply(s);
      if (s.moving !== next.moving) reversed++;
      b.step(next, 1);
    }
    const s = { ...next };
    b.apply(s);
    if (s.moving !== next.moving || b.bouncing('moving')) t.fail(`transition ${i}: still bouncing after ${DEFAULT_BOUNCE.maxMs} ms`);
  }
  t.equal(b.transitions, 200, 'one interval per transition');
  t.ok(reversed > 0, 'the old value is read again within the intervals');
});

void t.test('a bounce that reads as doors open in travel: door contacts never change within 300 ms of the car starting or stopping', async (t) => {
  for (const name of TRAFFIC_NAMES) {
    const traffic = TRAFFIC[name];
    const l = new SimulatedLift({ unitId: 1, landings: traffic.landings, seed: 31, traffic });
    const doorChanges: number[] = [];
    const runChanges: number[] = [];
    let prev = l.settledSignals();
    for (let now = 10; now <= 10 * 60_000; now += 10) {
      l.step(10);
      const s = l.settledSignals();
      if (s.moving !== prev.moving) runChanges.push(now);
      if (s.doorLocked !== prev.doorLocked || s.doorClosedLimit !== prev.doorClosedLimit || s.safetyChain !== prev.safetyChain) doorChanges.push(now);
      prev = s;
    }
    let closest = Infinity;
    for (const r of runChanges) for (const d of doorChanges) closest = Math.min(closest, Math.abs(r - d));
    t.ok(runChanges.length > 10, `${name}: ${runChanges.length / 2} runs`);
    t.ok(closest >= 300, `${name}: closest door change ${closest} ms from a start or stop (bounce lasts <= ${DEFAULT_BOUNCE.maxMs} ms)`);
  }
});
