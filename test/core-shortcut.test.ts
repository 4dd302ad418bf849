/**
 * The unchanged-sample shortcut (src/core/engine.ts, for the field-bus benchmark): a sample equal to the lift's
 * last one, with nothing of the lift due, records the sample's time and runs no rule. It must
 * change nothing else: long random traces with jittered (and fractional) timing are replayed in
 * lockstep through `step` and `stepReference` (every sample evaluated in full), and every
 * effect must be byte-identical, every nextDeadline the same and every state equal in value.
 *
 * The traces are busy on purpose: contact bounce below the debounce holds, chattering contacts
 * (windows short enough to expire inside the trace), faults that come and go, alarm presses
 * held and released (filtered, trapped, bypass), end of alarm and acknowledgements, failed
 * polls and link loss, controller fault codes, repeated faults, test calls, and ticks at odd
 * instants, over several lifts with different poll intervals. Between changes the samples
 * repeat, as they do on a real bus.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { initialState, step, stepReference, type CoreConfig, type CoreState, type StepResult } from '../src/core/engine.js';
import { sequentialIds } from './helpers/trace.js';
import type { AlarmCode, CoreInput, IdSource, Instant } from '../src/core/types.js';
import type { BooleanSignal, SignalValues } from '../src/core/signals.js';
import { Prng } from '../src/sim/prng.js';

/** Deterministic PRNG: the simulator's mulberry32 (src/sim/prng.ts), so a trace replays. */
function rng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

const M0 = 5_000;
const W0 = 1_800_000_000_000;
const IDLE: SignalValues = {
  safetyChain: true, doorZone: true, doorOpenLimit: false, doorClosedLimit: true, doorLocked: true, moving: false,
  alarmButton: false, inspection: false, fireService: false, outOfService: false, overload: false, mainsPower: true,
  endOfAlarm: false, controlVoltage: true, carLight: true, alarmDeviceFault: false, callRegistered: false,
  doorOpenCommand: false, floor: 0, direction: 'none', faultCode: 0,
};
const TOGGLES: readonly BooleanSignal[] = [
  'safetyChain', 'doorZone', 'doorOpenLimit', 'doorClosedLimit', 'doorLocked', 'moving', 'inspection', 'fireService',
  'outOfService', 'overload', 'mainsPower', 'controlVoltage', 'carLight', 'alarmDeviceFault', 'callRegistered', 'doorOpenCommand',
];

/** Short windows and confirms, so counting rules fill, raise and expire within the trace. */
const rules: CoreConfig['rules'] = {
  SIGNAL_CHATTERING: { count: 4, windowMs: 20_000 },
  REPEATED_FAULT: { count: 2, windowMs: 90_000 },
  DOOR_CLOSE_FAULT: { count: 2, windowMs: 30_000 },
  LEVELLING_FAULT: { count: 2, windowMs: 40_000 },
  ALARM_DEVICE_FAULT: { windowMs: 600_000 },
  CONTROLLER_COMM_LOST: { confirmMs: 2_000 },
  STOPPED_BETWEEN_FLOORS: { confirmMs: 4_000 },
  PASSENGER_TRAPPED: { confirmMs: 1_500, bypassMs: 8_000 },
  MAINS_POWER_FAILURE: { confirmMs: 1_000, clearMs: 1_500 },
};
const cfg: CoreConfig = {
  lifts: [
    { id: 'L1', pollIntervalMs: 50, landings: 6 },
    { id: 'L2', pollIntervalMs: 120, landings: 6, rules: { SIGNAL_CHATTERING: { count: 3 } }, faultCodes: { 120: 'DRIVE_FAULT', 7: 'OVERLOAD' } },
    { id: 'L3', pollIntervalMs: 300, landings: 4 },
  ],
  rules,
  debounce: {
    doorZone: { riseMs: 40, fallMs: 40 },
    doorClosedLimit: { riseMs: 30, fallMs: 60 },
    mainsPower: { riseMs: 200, fallMs: 500 },
    safetyChain: { riseMs: 0, fallMs: 100 },
  },
};

interface Lane {
  state: CoreState;
  next: number | null;
  last: Instant;
  effects: string[];
}

interface Replay {
  samples: number;
  shortcuts: number;
  steps: number;
  mismatches: string[];
  effects: number;
  hash: string;
  events: Set<string>;
}

/** Generates inputs on the fly (acknowledgements pick alarm ids the core has raised) and feeds both lanes in lockstep. */
function replay(seed: number, samplesWanted: number, lateDriver = false): Replay {
  const rand = rng(seed);
  const late = rng(seed + 1_000); // its own sequence, so the trace is the same with or without

  const ids: [IdSource, IdSource] = [sequentialIds(), sequentialIds()];
  const lanes: [Lane, Lane] = [
    { state: initialState(cfg, { mono: M0, wall: W0 }), next: null, last: { mono: M0, wall: W0 }, effects: [] },
    { state: initialState(cfg, { mono: M0, wall: W0 }), next: null, last: { mono: M0, wall: W0 }, effects: [] },
  ];
  const out: Replay = { samples: 0, shortcuts: 0, steps: 0, mismatches: [], effects: 0, hash: '', events: new Set() };
  const active = new Set<string>();
  const hash = createHash('sha256');

  const apply = (input: CoreInput): void => {
    const results = lanes.map((lane, k): StepResult => {
      const fn = k === 0 ? step : stepReference;
      const r = fn(cfg, lane.state, input, ids[k as 0 | 1]);
      lane.state = r.state;
      lane.next = r.nextDeadline;
      lane.last = input.at;
      return r;
    }) as [StepResult, StepResult];
    out.steps++;
    if (input.kind === 'sample') out.samples++;
    if (results[0].shortcut) out.shortcuts++;
    const a = JSON.stringify(results[0].effects);
    const b = JSON.stringify(results[1].effects);
    if (out.mismatches.length < 5) {
      if (a !== b) out.mismatches.push(`step ${out.steps} (${input.kind} at ${input.at.mono}): effects differ\n${a}\n${b}`);
      else if (results[0].nextDeadline !== results[1].nextDeadline) out.mismatches.push(`step ${out.steps}: nextDeadline ${results[0].nextDeadline} vs ${results[1].nextDeadline}`);
      else if (!isDeepStrictEqual(lanes[0].state, lanes[1].state)) out.mismatches.push(`step ${out.steps} (${input.kind} at ${input.at.mono}): states differ`);
    }
    hash.update(b);
    for (const e of results[1].effects) {
      out.effects++;
      if (e.type !== 'event') continue;
      out.events.add(`${e.event.code}:${e.event.lifecycle}`);
      if (e.event.lifecycle === 'raised' && e.event.severity !== 'info') active.add(e.event.alarmId);
      if (e.event.lifecycle === 'cleared' || e.event.lifecycle === 'end_of_alarm') active.delete(e.event.alarmId);
    }
  };
  /**
   * As TraceDriver.feed: tick every deadline strictly before the input, then the input. A late
   * driver (a busy event loop: the agent's timer fires after the next poll answer) mostly
   * skips the ticks, so deadlines, often another lift's, fall due inside a sample's step.
   */
  const feed = (input: CoreInput): void => {
    const ref = lanes[1];
    if (lateDriver && late() < 0.8) {
      apply(input);
      return;
    }
    while (ref.next !== null && ref.next < input.at.mono) {
      apply({ kind: 'tick', at: { mono: ref.next, wall: ref.last.wall + (ref.next - ref.last.mono) } });
    }
    apply(input);
  };

  // Per lift: current raw values, next poll, scheduled reversions (bounce, chatter, presses).
  type Pending = { at: number; change: SignalValues };
  const lifts = cfg.lifts.map((l) => ({
    id: l.id,
    poll: l.pollIntervalMs,
    values: { ...IDLE },
    nextPoll: rand() * l.pollIntervalMs,
    pending: [] as Pending[],
    failing: 0,
  }));
  const at = (ms: number): Instant => ({ mono: M0 + ms, wall: W0 + ms });
  let now = 0;
  feed({ kind: 'tick', at: at(0) });
  while (out.samples < samplesWanted) {
    // The lift polled next (earliest due).
    let lift = lifts[0]!;
    for (const l of lifts) if (l.nextPoll < lift.nextPoll) lift = l;
    now = Math.max(now, lift.nextPoll);
    // Jitter: whole or fractional milliseconds, sometimes late by a lot.
    const jitter = rand() < 0.1 ? rand() * 400 : rand() * 20;
    lift.nextPoll = now + lift.poll + jitter;
    for (const p of lift.pending.filter((p) => p.at <= now)) lift.values = { ...lift.values, ...p.change };
    lift.pending = lift.pending.filter((p) => p.at > now);

    const r = rand();
    if (lift.failing > 0) {
      lift.failing--;
      feed({ kind: 'pollFailed', liftId: lift.id, at: at(now), reason: 'TIMEOUT: no answer' });
      continue;
    }
    if (r < 0.004) {
      lift.failing = 1 + Math.floor(rand() * (rand() < 0.3 ? 60 : 4)); // a short dropout, or a link loss
    } else if (r < 0.012) {
      // A real change: a contact toggles and stays (a fault, a door, a trip step).
      const s = TOGGLES[Math.floor(rand() * TOGGLES.length)]!;
      lift.values = { ...lift.values, [s]: !lift.values[s] };
      if (rand() < 0.5) lift.pending.push({ at: now + 500 + rand() * 15_000, change: { [s]: !lift.values[s] } });
    } else if (r < 0.016) {
      lift.values = { ...lift.values, floor: Math.floor(rand() * 7), direction: (['none', 'up', 'down'] as const)[Math.floor(rand() * 3)]! };
    } else if (r < 0.019) {
      // Bounce: one sample flipped, back at the next one (below or around the debounce hold).
      const s = (['doorZone', 'doorClosedLimit', 'mainsPower', 'safetyChain'] as const)[Math.floor(rand() * 4)]!;
      lift.values = { ...lift.values, [s]: !lift.values[s] };
      lift.pending.push({ at: now + rand() * 120, change: { [s]: lift.values[s] === false } });
    } else if (r < 0.0205) {
      // Chatter: a contact toggling every 1-4 s for half a minute.
      const s = (['mainsPower', 'doorLocked', 'safetyChain', 'controlVoltage'] as const)[Math.floor(rand() * 4)]!;
      let v = lift.values[s] === true;
      for (let t = 1000 + rand() * 3000; t < 30_000; t += 1000 + rand() * 3000) {
        v = !v;
        lift.pending.push({ at: now + t, change: { [s]: v } });
      }
      lift.pending.push({ at: now + 31_000, change: { [s]: true } });
    } else if (r < 0.024) {
      // An alarm press: a tap, a confirmed press, or one held past the bypass time.
      lift.values = { ...lift.values, alarmButton: true };
      lift.pending.push({ at: now + [300, 2_500, 12_000][Math.floor(rand() * 3)]! * (0.5 + rand()), change: { alarmButton: false } });
    } else if (r < 0.026) {
      const code = [0, 120, 7, 33][Math.floor(rand() * 4)]!;
      lift.values = { ...lift.values, faultCode: code };
      if (code !== 0) lift.pending.push({ at: now + 1_000 + rand() * 20_000, change: { faultCode: 0 } });
    } else if (r < 0.0268) {
      lift.values = { ...lift.values, endOfAlarm: true };
      lift.pending.push({ at: now + 200 + rand() * 1000, change: { endOfAlarm: false } });
    } else if (r < 0.0275) {
      feed({ kind: 'endOfAlarm', liftId: lift.id, at: at(now), source: 'cli', by: 'tester' });
    } else if (r < 0.0285 && active.size > 0) {
      const list = [...active];
      feed({ kind: 'acknowledge', alarmId: list[Math.floor(rand() * list.length)]!, at: at(now), by: 'facility' });
    } else if (r < 0.029) {
      feed({ kind: 'testCall', liftId: lift.id, at: at(now), source: 'schedule' });
    } else if (r < 0.04) {
      feed({ kind: 'tick', at: at(now) });
    }
    feed({ kind: 'sample', liftId: lift.id, at: at(now), values: lift.values });
  }
  // Let every pending deadline fall due, as a long quiet spell would.
  feed({ kind: 'tick', at: at(now + 3_600_000) });
  out.hash = hash.digest('hex');
  return out;
}

// A few seconds of CPU; the shared test machines can stretch that.
t.setTimeout(300_000);

for (const seed of [1, 2]) {
  void t.test(`seed ${seed}: 60,000 samples, shortcut and full evaluation give the same effects and states`, async (t) => {
    const r = replay(seed, 60_000);
    t.same(r.mismatches, [], 'no effect, deadline or state differs');
    t.ok(r.shortcuts > r.samples / 2, `the shortcut was taken (${r.shortcuts} of ${r.samples} samples)`);
    t.ok(r.shortcuts < r.samples, 'and not for every sample');
    // The trace reaches the rules the shortcut must not bypass.
    const seen = [...r.events];
    const need: AlarmCode[] = ['SIGNAL_CHATTERING', 'REPEATED_FAULT', 'CONTROLLER_COMM_LOST', 'PASSENGER_TRAPPED', 'MAINS_POWER_FAILURE', 'DRIVE_FAULT'];
    for (const code of need) t.ok(seen.includes(`${code}:cleared`) || seen.includes(`${code}:end_of_alarm`), `${code} raised and ended within the trace`);
    t.comment(`seed ${seed}: ${r.steps} steps, ${r.effects} effects, ${r.events.size} kinds of event, sha256 ${r.hash}`);
  });
}

void t.test('a late driver: deadlines of other lifts falling due inside a sample step are processed by it, shortcut or not', async (t) => {
  const r = replay(3, 30_000, true);
  t.same(r.mismatches, [], 'no effect, deadline or state differs');
  t.ok(r.shortcuts > r.samples / 4, `the shortcut was taken (${r.shortcuts} of ${r.samples} samples)`);
});

void t.test('a sample equal to the last one is a shortcut; a changed one, a due deadline or a failed poll is not', async (t) => {
  const one: CoreConfig = { lifts: [{ id: 'L1', pollIntervalMs: 50, landings: 6 }], rules: { STOPPED_BETWEEN_FLOORS: { confirmMs: 1_000 } } };
  const ids = sequentialIds();
  const at = (ms: number): Instant => ({ mono: M0 + ms, wall: W0 + ms });
  const sample = (ms: number, v: SignalValues = {}): CoreInput => ({ kind: 'sample', liftId: 'L1', at: at(ms), values: { ...IDLE, ...v } });
  let st = initialState(one, at(0));
  const go = (input: CoreInput): StepResult => {
    const r = step(one, st, input, ids);
    st = r.state;
    return r;
  };
  t.notOk(go(sample(0)).shortcut, 'the first sample is evaluated');
  const same = go(sample(50));
  t.ok(same.shortcut, 'an equal sample is a shortcut');
  t.same(same.effects, [], 'with no effect');
  t.equal(st.lifts[0]?.comm.lastSampleWall, W0 + 50, 'but the sample time is recorded');
  t.notOk(go(sample(100, { doorZone: false })).shortcut, 'a changed sample is evaluated');
  t.ok(go(sample(150, { doorZone: false })).shortcut, 'the same again is a shortcut while STOPPED_BETWEEN_FLOORS is pending');
  // The confirm deadline (1,100) falls due before this sample: the step evaluates the lift at
  // that instant first (the raise), then the sample, equal to the last, needs nothing more.
  const due = go(sample(1_100, { doorZone: false }));
  t.same(due.effects.flatMap((e) => (e.type === 'event' ? [e.event.code] : [])), ['STOPPED_BETWEEN_FLOORS'], 'the due confirm raises');
  t.notOk(go({ kind: 'pollFailed', liftId: 'L1', at: at(1_150), reason: 'TIMEOUT' }).shortcut);
  t.notOk(go(sample(1_200, { doorZone: false })).shortcut, 'the first good sample after a failed poll is evaluated');
  t.ok(go(sample(1_250, { doorZone: false })).shortcut, 'the next equal one is a shortcut again');
});

void t.test('a state settled under one config and stepped under another is evaluated under the other', async (t) => {
  // Four flips of the mains monitor: not chattering at 10 per window, chattering at 3.
  const lenient: CoreConfig = { lifts: [{ id: 'L1', pollIntervalMs: 50, landings: 6 }], rules: { SIGNAL_CHATTERING: { count: 10 } } };
  const strict: CoreConfig = { lifts: [{ id: 'L1', pollIntervalMs: 50, landings: 6 }], rules: { SIGNAL_CHATTERING: { count: 3 } } };
  const ids = sequentialIds();
  const at = (ms: number): Instant => ({ mono: M0 + ms, wall: W0 + ms });
  const sample = (ms: number, mainsPower: boolean): CoreInput => ({ kind: 'sample', liftId: 'L1', at: at(ms), values: { ...IDLE, mainsPower } });
  let st = initialState(lenient, at(0));
  [true, false, true, false, true, true].forEach((v, i) => (st = step(lenient, st, sample(i * 100, v), ids).state));
  const codes = (r: StepResult): string[] => r.effects.flatMap((e) => (e.type === 'event' ? [`${e.event.code}:${e.event.lifecycle}`] : []));
  const reference = stepReference(strict, st, sample(1_400, true), sequentialIds('R')); // the glitch burst settles at 1.4 s
  t.same(codes(reference), ['SIGNAL_CHATTERING:raised'], 'the strict config finds the mains monitor chattering');
  const r = step(strict, st, sample(1_400, true), sequentialIds('R'));
  t.notOk(r.shortcut, 'no shortcut across configs');
  t.same(r.effects, reference.effects, 'the same effects as the full evaluation');
});

void t.test('an unchanged sample at the very instant a confirm deadline raises an alarm still publishes the snapshot with that alarm', async (t) => {
  // The deadline is processed first in the step; the sample that follows it must not take the
  // unchanged-sample shortcut, whose lift keeps its previous (alarm-free) snapshot.
  const one: CoreConfig = { lifts: [{ id: 'L1', pollIntervalMs: 100, landings: 6 }], rules: {} };
  const at = (ms: number): Instant => ({ mono: M0 + ms, wall: W0 + ms });
  const sample = (ms: number): CoreInput => ({ kind: 'sample', liftId: 'L1', at: at(ms), values: { ...IDLE, mainsPower: false } });
  const ids = sequentialIds();
  let st = initialState(one, at(0));
  for (let ms = 0; ms < 2_000; ms += 100) st = step(one, st, sample(ms), ids).state;
  const r = step(one, st, sample(2_000), ids); // MAINS_POWER_FAILURE confirms at 2 s: this very instant
  t.same(r.effects.flatMap((e) => (e.type === 'event' ? [e.event.code] : [])), ['MAINS_POWER_FAILURE'], 'raised at the deadline');
  const snaps = r.effects.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot.activeAlarms.map((a) => a.code)] : []));
  t.same(snaps, [['MAINS_POWER_FAILURE']], 'the snapshot with the new alarm is published in the same step');
});
