/**
 * One lift's core state and the evaluation of every rule for it at one instant. Pure: each
 * function returns a new LiftCore (unchanged parts keep their identity) and the events.
 */
import type { AlarmCode, AlarmEvent, IdSource, Instant, LiftSnapshot } from '../types.js';
import { commitDue, nextDue, stableValues, type HoldLookup, type Tracks } from '../debounce.js';
import { deriveView, toSnapshot, type LiftView } from '../lift-state.js';
import { type ActiveAlarm } from './alarm.js';
import { CONDITION_RULES } from './catalog.js';
import { checkLost, commDeadline, type CommState } from './comm-lost.js';
import { stepTrapped, trappedDeadline, trappedOnLinkLoss, type TrappedState, type TrappedTunings } from './passenger-trapped.js';
import { holdOnLinkLoss, stepTimed, timedDeadline, type TimedState } from './timed.js';
import type { Tuning } from './tuning.js';

export interface LiftCore {
  id: string;
  landings: number;
  tracks: Tracks;
  comm: CommState;
  timed: Readonly<Partial<Record<AlarmCode, TimedState>>>;
  trapped: TrappedState;
  /** Restored alarms of codes this core version does not evaluate (see engine.initialState). */
  orphans: readonly ActiveAlarm[];
  /** Key of the last emitted snapshot, for change detection. */
  lastKey: string | null;
}

/** What every rule evaluation needs besides the lift: tunings, debounce holds, ids. */
export interface Env {
  tune(code: AlarmCode): Tuning;
  trappedTunings: TrappedTunings;
  holds: HoldLookup;
  ids: IdSource;
}

export function viewOf(lift: LiftCore): LiftView {
  return deriveView(stableValues(lift.tracks), lift.comm.link, lift.landings);
}

/** Evaluates the lift at `at`: due debounce commits, the comm-lost check, then the rules. */
export function evaluateLift(env: Env, lift: LiftCore, at: Instant): { lift: LiftCore; events: AlarmEvent[] } {
  const events: AlarmEvent[] = [];
  const tracks = commitDue(lift.tracks, at, env.holds);
  let l: LiftCore = tracks === lift.tracks ? lift : { ...lift, tracks };
  const c = checkLost(l.comm, at, env.tune('CONTROLLER_COMM_LOST'), env.ids, l.id);
  events.push(...c.events);
  if (c.st !== l.comm) l = { ...l, comm: c.st };
  if (c.lost) l = holdAll(l);
  if (l.comm.link !== 'ok') return { lift: l, events };

  const view = viewOf(l);
  // PASSENGER_TRAPPED first: the critical, never-self-clearing alarm (EN 81-28).
  const tr = stepTrapped(l.trapped, view, at, env.ids, l.id, env.trappedTunings);
  events.push(...tr.events);
  if (tr.st !== l.trapped) l = { ...l, trapped: tr.st };
  let timed = l.timed;
  for (const rule of CONDITION_RULES) {
    const st = timed[rule.code] ?? { phase: 'idle' };
    const r = stepTimed(rule, env.tune(rule.code), st, view, at, env.ids, l.id, l.comm.failures > 0);
    events.push(...r.events);
    if (r.st !== st) timed = { ...timed, [rule.code]: r.st };
  }
  if (timed !== l.timed) l = { ...l, timed };
  return { lift: l, events };
}

/** Link lost: hold every rule (no clear, no raise from stale data). domain.md cross-cutting rules. */
function holdAll(l: LiftCore): LiftCore {
  const timed: Partial<Record<AlarmCode, TimedState>> = {};
  for (const [code, st] of Object.entries(l.timed) as Array<[AlarmCode, TimedState]>) timed[code] = holdOnLinkLoss(st);
  return { ...l, timed, trapped: trappedOnLinkLoss(l.trapped) };
}

/** The earliest instant at which this lift must be evaluated without new input. */
export function liftDeadline(env: Env, lift: LiftCore): Instant | null {
  const c: Array<Instant | null> = [nextDue(lift.tracks, env.holds), commDeadline(lift.comm, env.tune('CONTROLLER_COMM_LOST'))];
  if (lift.comm.link === 'ok') {
    c.push(trappedDeadline(lift.trapped, env.trappedTunings));
    for (const rule of CONDITION_RULES) {
      const st = lift.timed[rule.code];
      if (st !== undefined) c.push(timedDeadline(st, env.tune(rule.code), lift.comm.failures > 0));
    }
  }
  let best: Instant | null = null;
  for (const d of c) if (d !== null && (best === null || d.mono < best.mono)) best = d;
  return best;
}

/** Every active alarm of the lift, in a fixed order. */
export function activeAlarms(lift: LiftCore): ActiveAlarm[] {
  const out: ActiveAlarm[] = [];
  if (lift.trapped.active !== null) out.push(lift.trapped.active);
  for (const rule of CONDITION_RULES) {
    const st = lift.timed[rule.code];
    if (st?.phase === 'active') out.push(st.alarm);
  }
  if (lift.comm.active !== null) out.push(lift.comm.active);
  out.push(...lift.orphans);
  return out;
}

export function snapshotOf(lift: LiftCore): LiftSnapshot {
  const alarms = activeAlarms(lift).map((a) => ({
    alarmId: a.alarmId, code: a.code, severity: a.severity, since: a.occurredAt,
  }));
  return toSnapshot(lift.id, viewOf(lift), alarms, lift.comm.lastSampleWall);
}

/** Marks an active alarm acknowledged; null if the lift has no such unacknowledged alarm. */
export function acknowledgeIn(lift: LiftCore, alarmId: string): { lift: LiftCore; alarm: ActiveAlarm } | null {
  const ack = (a: ActiveAlarm): ActiveAlarm => ({ ...a, acknowledged: true });
  const hit = (a: ActiveAlarm | null): a is ActiveAlarm => a !== null && a.alarmId === alarmId && !a.acknowledged;
  if (hit(lift.trapped.active)) {
    const alarm = ack(lift.trapped.active);
    return { lift: { ...lift, trapped: { ...lift.trapped, active: alarm } }, alarm };
  }
  if (hit(lift.comm.active)) {
    const alarm = ack(lift.comm.active);
    return { lift: { ...lift, comm: { ...lift.comm, active: alarm } }, alarm };
  }
  for (const [code, st] of Object.entries(lift.timed) as Array<[AlarmCode, TimedState]>) {
    if (st.phase === 'active' && hit(st.alarm)) {
      const alarm = ack(st.alarm);
      return { lift: { ...lift, timed: { ...lift.timed, [code]: { ...st, alarm } } }, alarm };
    }
  }
  const i = lift.orphans.findIndex(hit);
  const o = lift.orphans[i];
  if (o === undefined) return null;
  const alarm = ack(o);
  return { lift: { ...lift, orphans: lift.orphans.map((x, j) => (j === i ? alarm : x)) }, alarm };
}
