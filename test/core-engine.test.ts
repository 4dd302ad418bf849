/**
 * Unit tests of the fault core's API contract beyond the scenario corpus: nextDeadline,
 * snapshot effects, immutability, clocks, restored alarms, and a long randomized trace of
 * normal operation that must raise nothing.
 */
import t from 'tap';
import { initialState, snapshots, step, type CoreConfig, type CoreState } from '../src/core/engine.js';
import { TraceDriver, sequentialIds } from './helpers/trace.js';
import type { AlarmEvent, CoreEffect, CoreInput, Instant } from '../src/core/types.js';
import type { SignalValues } from '../src/core/signals.js';
import { Prng } from '../src/sim/prng.js';

const M0 = 1_000;
const W0 = 1_700_000_000_000;
const at = (ms: number, wallShift = 0): Instant => ({ mono: M0 + ms, wall: W0 + ms + wallShift });
const cfg: CoreConfig = { lifts: [{ id: 'L1', pollIntervalMs: 500, landings: 6 }], rules: {} };
const IDLE: SignalValues = {
  safetyChain: true, doorZone: true, doorOpenLimit: false, doorClosedLimit: true, doorLocked: true,
  moving: false, alarmButton: false, inspection: false, mainsPower: true, endOfAlarm: false, floor: 0, faultCode: 0,
};
const sample = (ms: number, v: SignalValues, liftId = 'L1'): CoreInput => ({ kind: 'sample', liftId, at: at(ms), values: { ...IDLE, ...v } });
/** EN 81-28 test interval: with no test call, ALARM_DEVICE_FAULT's clock is the next deadline of an idle lift. */
const TEST_DUE = M0 + 3 * 24 * 3_600_000;
const eventsOf = (effects: CoreEffect[]): AlarmEvent[] => effects.flatMap((e) => (e.type === 'event' ? [e.event] : []));

void t.test('nextDeadline names the instant the driver must tick', async (t) => {
  const ids = sequentialIds();
  let st = initialState(cfg, at(0));
  let r = step(cfg, st, sample(0, {}), ids);
  t.equal(r.nextDeadline, TEST_DUE, 'idle lift: only the 3-day test-call clock is pending');
  r = step(cfg, r.state, sample(1000, { doorZone: false }), ids);
  t.equal(r.nextDeadline, M0 + 1_500, 'a contact change is judged for chatter once it has settled for 0.5 s');
  r = step(cfg, r.state, { kind: 'tick', at: at(1_500) }, ids);
  t.equal(r.nextDeadline, M0 + 31_000, 'stopped outside the zone: confirm in 30 s');
  r = step(cfg, r.state, sample(2000, { doorZone: false, alarmButton: true }), ids);
  t.equal(r.nextDeadline, M0 + 5_000, 'unfiltered press: 3 s');
  r = step(cfg, r.state, { kind: 'tick', at: at(4_999) }, ids);
  t.equal(eventsOf(r.effects).length, 0, 'nothing before the deadline');
  r = step(cfg, r.state, { kind: 'tick', at: at(5_000) }, ids);
  t.same(eventsOf(r.effects).map((e) => e.code), ['PASSENGER_TRAPPED'], 'raised exactly at the deadline');
  t.equal(r.nextDeadline, M0 + 31_000);
  st = r.state;
  r = step(cfg, st, { kind: 'tick', at: at(90_000) }, ids);
  const late = eventsOf(r.effects);
  t.same(late.map((e) => [e.code, e.at - W0]), [['STOPPED_BETWEEN_FLOORS', 31_000]], 'a late tick raises at the deadline instant, not at the tick');
  t.equal(late[0]?.confirmedAt, W0 + 31_000);
  t.equal(r.nextDeadline, TEST_DUE);
});

void t.test('comm-lost deadline appears only after the third failed poll', async (t) => {
  const ids = sequentialIds();
  let r = step(cfg, initialState(cfg, at(0)), sample(0, {}), ids);
  for (const ms of [500, 1000]) {
    r = step(cfg, r.state, { kind: 'pollFailed', liftId: 'L1', at: at(ms), reason: 'timeout' }, ids);
    t.equal(r.nextDeadline, TEST_DUE, `${ms}: fewer than 3 failures`);
  }
  r = step(cfg, r.state, { kind: 'pollFailed', liftId: 'L1', at: at(1500), reason: 'timeout' }, ids);
  t.equal(r.nextDeadline, M0 + 10_000, '10 s after the last good sample');
});

void t.test('snapshots: every lift on the first step, then only on change', async (t) => {
  const two: CoreConfig = { lifts: [{ id: 'A', pollIntervalMs: 500, landings: 3 }, { id: 'B', pollIntervalMs: 500, landings: 3 }], rules: {} };
  const ids = sequentialIds();
  let r = step(two, initialState(two, at(0)), { kind: 'tick', at: at(0) }, ids);
  t.same(r.effects.map((e) => e.type === 'snapshot' && [e.snapshot.liftId, e.snapshot.link]), [['A', 'unknown'], ['B', 'unknown']]);
  r = step(two, r.state, sample(100, {}, 'A'), ids);
  t.same(r.effects.map((e) => e.type === 'snapshot' && e.snapshot.liftId), ['A'], 'A went from unknown to ok');
  r = step(two, r.state, sample(600, {}, 'A'), ids);
  t.same(r.effects, [], 'same values again: no snapshot although lastSampleAt moved');
  t.equal(snapshots(r.state)[0]?.lastSampleAt, W0 + 600, 'snapshots() still reports the newest sample time');
  r = step(two, r.state, sample(1100, { doorClosedLimit: false, doorLocked: false, doorOpenLimit: true }, 'A'), ids);
  const snaps = r.effects.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
  t.equal(snaps.length, 1);
  t.equal(snaps[0]?.doors, 'open');
});

void t.test('step never mutates the state it is given', async (t) => {
  const ids = sequentialIds();
  let st: CoreState = initialState(cfg, at(0));
  const inputs: CoreInput[] = [
    sample(0, {}), sample(1000, { doorZone: false, alarmButton: true }), { kind: 'tick', at: at(40_000) },
    { kind: 'acknowledge', alarmId: 'A1', at: at(41_000) }, { kind: 'pollFailed', liftId: 'L1', at: at(42_000), reason: 'x' },
    { kind: 'endOfAlarm', liftId: 'L1', at: at(43_000), source: 'cli' },
  ];
  for (const input of inputs) {
    const before = JSON.stringify(st);
    const r = step(cfg, st, input, ids);
    t.equal(JSON.stringify(st), before, `${input.kind}: input state unchanged`);
    st = r.state;
  }
});

void t.test('durations use mono time: a wall-clock jump neither fires nor stalls a confirm', async (t) => {
  const ids = sequentialIds();
  let r = step(cfg, initialState(cfg, at(0)), sample(0, {}), ids);
  r = step(cfg, r.state, { kind: 'sample', liftId: 'L1', at: at(1000), values: { ...IDLE, mainsPower: false } }, ids);
  // NTP steps the wall clock back one hour; mono keeps counting.
  r = step(cfg, r.state, { kind: 'sample', liftId: 'L1', at: at(1500, -3_600_000), values: { ...IDLE, mainsPower: false } }, ids);
  t.equal(eventsOf(r.effects).length, 0);
  r = step(cfg, r.state, { kind: 'tick', at: at(3000, -3_600_000) }, ids);
  const [ev] = eventsOf(r.effects);
  t.equal(ev?.code, 'MAINS_POWER_FAILURE', 'raised 2 s of mono time after the edge');
  t.equal(ev?.occurredAt, W0 + 1000, 'occurredAt is the wall time of the edge');
});

void t.test('event fields: ids, floor, controller code, evidence', async (t) => {
  const d = new TraceDriver(cfg, at(0), sequentialIds('X'));
  d.feed(sample(0, { floor: 4, faultCode: 0 }));
  d.feed(sample(1000, { floor: 4, safetyChain: false, faultCode: 231 }));
  d.feed(sample(20_000, { floor: 4, safetyChain: true, faultCode: 0 }));
  d.runUntil(M0 + 30_000);
  const [raised, cleared] = d.events().filter((e) => e.code === 'SAFETY_CHAIN_OPEN');
  const drive = d.events().filter((e) => e.code === 'DRIVE_FAULT');
  t.match(drive, [{ lifecycle: 'raised', controllerCode: 231, at: W0 + 1000 }, { lifecycle: 'cleared', controllerCode: 231, at: W0 + 22_000 }],
    'an unmapped controller code is DRIVE_FAULT, the raw code passed through');
  t.match(raised, {
    alarmId: 'X2', lifecycle: 'raised', code: 'SAFETY_CHAIN_OPEN', severity: 'major', liftId: 'L1', floor: 4,
    occurredAt: W0 + 1000, confirmedAt: W0 + 6000, clearedAt: null, at: W0 + 6000, controllerCode: 231,
    evidence: { heldMs: 5000, signals: { safetyChain: false, moving: false, inspection: false } },
  });
  t.match(raised?.evidence?.rule, /safety chain open/);
  t.match(cleared, { alarmId: 'X2', lifecycle: 'cleared', clearedAt: W0 + 22_000, controllerCode: null, confirmedAt: W0 + 6000 });
});

void t.test('inputs for unknown lifts and ticks before any sample are harmless', async (t) => {
  const ids = sequentialIds();
  let r = step(cfg, initialState(cfg, at(0)), sample(0, {}, 'nope'), ids);
  r = step(cfg, r.state, { kind: 'endOfAlarm', liftId: 'nope', at: at(1), source: 'cli' }, ids);
  r = step(cfg, r.state, { kind: 'pollFailed', liftId: 'nope', at: at(2), reason: 'x' }, ids);
  t.equal(eventsOf(r.effects).length, 0);
  t.equal(snapshots(r.state)[0]?.link, 'unknown');
});

void t.test('restored alarms: unknown lifts and finished incidents are dropped; each other alarm continues under its rule, and only a code without one is an orphan', async (t) => {
  const ev = (alarmId: string, code: AlarmEvent['code'], severity: AlarmEvent['severity'], lifecycle: AlarmEvent['lifecycle'] = 'raised', liftId = 'L1'): AlarmEvent => ({
    alarmId, lifecycle, code, severity, liftId, floor: 2, occurredAt: W0 - 9000, confirmedAt: W0 - 9000, clearedAt: null,
    at: W0 - 9000, controllerCode: null, evidence: null,
  });
  const restored = [
    ev('gone', 'PASSENGER_TRAPPED', 'critical', 'raised', 'other-lift'),
    ev('done', 'PASSENGER_TRAPPED', 'critical', 'end_of_alarm'),
    ev('filtered', 'ALARM_FILTERED', 'info'),
    { ...ev('rep', 'REPEATED_FAULT', 'critical'), detail: 'MAINS_POWER_FAILURE repeated 3 times' },
    ev('lev', 'LEVELLING_FAULT', 'minor'),
    // A controller trip without its raw code cannot be followed by the fault-code rule.
    ev('trip', 'SAFETY_DEVICE_TRIP', 'critical'),
    ev('tc', 'TEST_CALL', 'info'),
  ];
  const d = new TraceDriver(cfg, at(0), sequentialIds(), restored, restored);
  t.same(d.snapshots()[0]?.activeAlarms.map((a) => a.alarmId), ['lev', 'rep', 'trip', 'tc']);
  d.feed(sample(1000, {}));
  t.same(d.events().map((e) => [e.alarmId, e.lifecycle, e.detail]), [
    ['tc', 'cleared', 'restored alarm not evaluated by this core version'],
    ['rep', 'cleared', 'MAINS_POWER_FAILURE raised 0 times within the window'],
  ], 'the orphan clears at the first good sample; REPEATED_FAULT clears by its rule: its history holds no raise of that fault');
  d.feed({ kind: 'acknowledge', alarmId: 'trip', at: at(2000) });
  d.feed({ kind: 'endOfAlarm', liftId: 'L1', at: at(3000), source: 'input' });
  t.same(d.events().slice(2).map((e) => [e.alarmId, e.lifecycle]), [['trip', 'acknowledged'], ['trip', 'end_of_alarm']], 'a critical orphan ends only by end of alarm');
  t.same(d.snapshots()[0]?.activeAlarms.map((a) => a.alarmId), ['lev'], 'LEVELLING_FAULT continues until its quiet window has passed');
});

/** Deterministic PRNG: the simulator's mulberry32 (src/sim/prng.ts), so a trace replays. */
function rng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

void t.test('300 random trips of normal operation raise nothing', async (t) => {
  const rand = rng(42);
  const inputs: CoreInput[] = [];
  let now = 0;
  let floor = 0;
  let v: SignalValues = { ...IDLE };
  const emit = (dt: number, change: SignalValues) => {
    now += dt;
    v = { ...v, ...change };
    inputs.push({ kind: 'sample', liftId: 'L1', at: at(now), values: v });
    if (rand() < 0.3) inputs.push({ kind: 'tick', at: at(now + Math.floor(rand() * 200)) });
  };
  emit(0, {});
  for (let trip = 0; trip < 300; trip++) {
    let to = Math.floor(rand() * 6);
    if (to === floor) to = (floor + 1) % 6;
    const dir = to > floor ? 'up' : 'down';
    emit(500 + rand() * 20_000, { callRegistered: true });
    emit(300, { moving: true, direction: dir, doorZone: false });
    while (floor !== to) {
      floor += dir === 'up' ? 1 : -1;
      emit(1500 + rand() * 1000, { doorZone: true, floor, doorOpenCommand: floor === to });
      if (floor !== to) emit(400 + rand() * 200, { doorZone: false });
    }
    emit(300 + rand() * 300, { moving: false, direction: 'none', doorLocked: false, doorClosedLimit: false });
    emit(1000 + rand() * 1000, { doorOpenLimit: true, callRegistered: false });
    if (rand() < 0.2) {
      emit(500, { alarmButton: true });
      emit(500 + rand() * 2000, { alarmButton: false }); // filtered tap
    }
    emit(3000 + rand() * 10_000, { doorOpenLimit: false, doorOpenCommand: false });
    emit(1000 + rand() * 1000, { doorClosedLimit: true, doorLocked: true });
    if (rand() < 0.2) {
      emit(500, { alarmButton: true });
      emit(200 + rand() * 2500, { alarmButton: false }); // short tap, doors closed
    }
  }
  inputs.sort((a, b) => a.at.mono - b.at.mono);
  const d = new TraceDriver(cfg, at(0), sequentialIds());
  for (const i of inputs) d.feed(i);
  const alarms = d.events().filter((e) => e.code !== 'ALARM_FILTERED');
  t.same(alarms, [], 'no alarm in normal operation');
  t.ok(d.events().every((e) => e.code === 'ALARM_FILTERED'), 'only filtered presses were logged');
  t.ok(now > 3_600_000, 'the trace covers more than an hour');
});

void t.test('a retrofit without a running contact: a missing `moving` signal counts as stationary', async (t) => {
  const d = new TraceDriver(cfg, at(0), sequentialIds());
  const { moving: _m, ...noMoving } = IDLE;
  d.feed({ kind: 'sample', liftId: 'L1', at: at(0), values: noMoving });
  d.feed({ kind: 'sample', liftId: 'L1', at: at(1000), values: { ...noMoving, alarmButton: true } });
  d.runUntil(M0 + 10_000);
  t.same(d.events().map((e) => e.code), ['PASSENGER_TRAPPED']);
  t.equal(d.snapshots()[0]?.moving, null, 'the snapshot says it does not know');
});
