/**
 * One lift's core state and the evaluation of every rule for it at one instant. Pure: each
 * function returns a new LiftCore (unchanged parts keep their identity) and the events.
 */
import type { AlarmCode, AlarmEvent, IdSource, Instant, LiftSnapshot } from '../types.js';
import { commitDue, nextDue, stableValues, type HoldLookup, type Tracks } from '../debounce.js';
import { deriveView, toSnapshot, type LiftView } from '../lift-state.js';
import { contextOf, plus, type ActiveAlarm } from './alarm.js';
import { CONDITION_RULES } from './catalog.js';
import { chatterDeadline, isChattering, stepChatter, type ChatterAlarms } from './chatter.js';
import { checkLost, commDeadline, type CommState } from './comm-lost.js';
import { chainPresumedDoor, chainPresumptionDeadline } from './chain-doors.js';
import { edgesDeadline, reopenCount, stepEdges, type EdgeCounts } from './edge-counts.js';
import { faultDeadline, faultOnLinkLoss, stepFault, type FaultCodeMap, type FaultState } from './fault-code.js';
import { stepTrapped, trappedDeadline, trappedOnLinkLoss, type TrappedState, type TrappedTunings } from './passenger-trapped.js';
import { activeRepeats, repeatsDeadline, stepRepeats, type Repeats } from './repeated.js';
import { holdOnLinkLoss, IDLE, stepTimed, timedDeadline, type Facts, type TimedState } from './timed.js';
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
  /** SIGNAL_CHATTERING incidents by signal (rules/chatter.ts). */
  chatter: ChatterAlarms;
  /** The controller fault-code incident (rules/fault-code.ts). */
  fault: FaultState;
  /** Raise history and REPEATED_FAULT incidents by code (rules/repeated.ts). */
  repeats: Repeats;
  /** Reopen cycles and levelling events (rules/edge-counts.ts). */
  edges: EdgeCounts;
  /** Last successful EN 81-28 test call (the core's start counts as one: docs/alarms.md). */
  lastTest: Instant;
  /** Mono instant of the last evaluation (a time-only deadline is armed only after it). */
  lastEval: number;
  /** Key of the last emitted snapshot, for change detection. */
  lastKey: string | null;
}

/** What every rule evaluation needs besides the lift: tunings, debounce holds, ids. */
export interface Env {
  /** The lift's effective tuning: taxonomy default < site `rules` < the lift's `rules`. */
  tune(code: AlarmCode): Tuning;
  trappedTunings: TrappedTunings;
  holds: HoldLookup;
  ids: IdSource;
  /** The lift's controller fault-code table (profile `faultCodes`). */
  faultCodes: FaultCodeMap;
}

/**
 * Views memoized per tracks object (tracks are immutable; a rule evaluation derives the same
 * view up to four times, a measurable cost in the field-bus benchmark). Frozen, so a rule that
 * tried to modify a shared view would throw instead of corrupting the next evaluation.
 */
const viewMemo = new WeakMap<Tracks, { link: LiftCore['comm']['link']; landings: number; view: LiftView }>();

export function viewOf(lift: LiftCore): LiftView {
  return viewOfTracks(lift.tracks, lift.comm.link, lift.landings);
}

/** viewOf for tracks not yet in a lift (a sample's, before the link state is updated). */
export function viewOfTracks(tracks: Tracks, link: LiftCore['comm']['link'], landings: number): LiftView {
  const m = viewMemo.get(tracks);
  if (m !== undefined && m.link === link && m.landings === landings) return m.view;
  const view = Object.freeze(deriveView(Object.freeze(stableValues(tracks)), link, landings, tracks));
  viewMemo.set(tracks, { link, landings, view });
  return view;
}

function factsOf(env: Env, lift: LiftCore, at: Instant): Facts {
  const adf = env.tune('ALARM_DEVICE_FAULT');
  return {
    testOverdue: adf.windowMs > 0 && at.mono - lift.lastTest.mono >= adf.windowMs,
    reopens: reopenCount(lift.edges),
    reopenLimit: env.tune('DOOR_CLOSE_FAULT').count,
    chainOpenedInTravel: lift.edges.chainInTravel,
    chainPresumedDoor: chainPresumedDoor(lift.tracks, at),
    lockLostInTravel: lift.edges.lockInTravel,
  };
}

/** Evaluates the lift at `at`: due debounce commits, the comm-lost check, then the rules. */
export function evaluateLift(env: Env, lift: LiftCore, at: Instant): { lift: LiftCore; events: AlarmEvent[] } {
  const events: AlarmEvent[] = [];
  const tracks = commitDue(lift.tracks, at, env.holds);
  let l: LiftCore = { ...lift, tracks, lastEval: at.mono };
  const c = checkLost(l.comm, at, env.tune('CONTROLLER_COMM_LOST'), env.ids, l.id);
  events.push(...c.events);
  if (c.st !== l.comm) l = { ...l, comm: c.st };
  if (c.lost) l = holdAll(l);
  if (l.comm.link !== 'ok') return finish(env, l, at, events);

  // Chatter first: a rule whose input chatters is held below.
  const before = viewOf(l);
  const ch = stepChatter(l.tracks, l.chatter, at, env.tune('SIGNAL_CHATTERING'), env.ids, l.id, contextOf(before.values, before.floor));
  events.push(...ch.events);
  if (ch.tracks !== l.tracks || ch.alarms !== l.chatter) l = { ...l, tracks: ch.tracks, chatter: ch.alarms };

  const view = viewOf(l);
  // PASSENGER_TRAPPED first: the critical, never-self-clearing alarm (EN 81-28). Never held by chatter.
  const tr = stepTrapped(l.trapped, view, at, env.ids, l.id, env.trappedTunings);
  events.push(...tr.events);
  if (tr.st !== l.trapped) l = { ...l, trapped: tr.st };
  const held = {
    open: isChattering(l.tracks, ['doorOpenCommand', 'doorOpenLimit', 'doorClosedLimit', 'doorZone']),
    move: isChattering(l.tracks, ['moving', 'doorZone', 'doorClosedLimit']),
  };
  const ed = stepEdges(l.edges, view, at, env.tune('DOOR_CLOSE_FAULT'), env.tune('LEVELLING_FAULT'), env.ids, l.id, held, ch.judged);
  events.push(...ed.events);
  if (ed.st !== l.edges) l = { ...l, edges: ed.st };
  const facts = factsOf(env, l, at);
  const stale = l.comm.failures > 0;
  let timed = l.timed;
  for (const rule of CONDITION_RULES) {
    const st = timed[rule.code] ?? IDLE;
    if (isChattering(l.tracks, rule.inputs)) {
      // SIGNAL_CHATTERING: the alarms of a chattering signal are held (not raised, not cleared).
      const h = holdOnLinkLoss(st);
      if (h !== st) timed = { ...timed, [rule.code]: h };
      continue;
    }
    const r = stepTimed(rule, env.tune(rule.code), st, view, at, env.ids, l.id, stale, facts);
    events.push(...r.events);
    if (r.st !== st) timed = { ...timed, [rule.code]: r.st };
  }
  if (timed !== l.timed) l = { ...l, timed };
  const f = stepFault(l.fault, view, at, env.faultCodes, env.tune, env.ids, l.id, stale);
  events.push(...f.events);
  if (f.st !== l.fault) l = { ...l, fault: f.st };
  return finish(env, l, at, events);
}

/** REPEATED_FAULT bookkeeping over everything raised at this instant. */
function finish(env: Env, l: LiftCore, at: Instant, events: AlarmEvent[]): { lift: LiftCore; events: AlarmEvent[] } {
  const view = viewOf(l);
  const ok = l.comm.link === 'ok';
  const r = stepRepeats(l.repeats, events, at, env.tune('REPEATED_FAULT'), env.ids, l.id, contextOf(view.values, view.floor), ok);
  if (r.reps === l.repeats) return { lift: l, events };
  return { lift: { ...l, repeats: r.reps }, events: [...events, ...r.events] };
}

/** Link lost: hold every rule (no clear, no raise from stale data); docs/taxonomy.md, cross-cutting rules. */
function holdAll(l: LiftCore): LiftCore {
  const timed: Partial<Record<AlarmCode, TimedState>> = {};
  for (const [code, st] of Object.entries(l.timed) as Array<[AlarmCode, TimedState]>) timed[code] = holdOnLinkLoss(st);
  return { ...l, timed, trapped: trappedOnLinkLoss(l.trapped), fault: faultOnLinkLoss(l.fault) };
}

/** The earliest instant at which this lift must be evaluated without new input. */
export function liftDeadline(env: Env, lift: LiftCore): Instant | null {
  // A running minimum rather than an array of candidates: this runs for every lift object a step
  // creates (samejob benchmark). Ties keep the first candidate, as the order below lists them.
  let best = earlier(nextDue(lift.tracks, env.holds), commDeadline(lift.comm, env.tune('CONTROLLER_COMM_LOST')));
  if (lift.comm.link === 'ok') {
    const stale = lift.comm.failures > 0;
    best = earlier(best, trappedDeadline(lift.trapped, env.trappedTunings));
    for (const rule of CONDITION_RULES) {
      const st = lift.timed[rule.code];
      if (st !== undefined && !isChattering(lift.tracks, rule.inputs)) best = earlier(best, timedDeadline(st, env.tune(rule.code), stale));
    }
    best = earlier(best, chatterDeadline(lift.tracks, env.tune('SIGNAL_CHATTERING')));
    best = earlier(best, faultDeadline(lift.fault, env.tune, env.faultCodes, stale));
    best = earlier(best, edgesDeadline(lift.edges, env.tune('DOOR_CLOSE_FAULT'), env.tune('LEVELLING_FAULT')));
    best = earlier(best, repeatsDeadline(lift.repeats, env.tune('REPEATED_FAULT')));
    best = earlier(best, chainPresumptionDeadline(lift.tracks, lift.lastEval));
    const adf = env.tune('ALARM_DEVICE_FAULT');
    if (adf.enabled && adf.windowMs > 0) {
      const st = lift.timed.ALARM_DEVICE_FAULT;
      // Only until the rule has seen the overdue instant; after that the timed state takes over.
      if ((st === undefined || st.phase === 'idle') && lift.lastTest.mono + adf.windowMs > lift.lastEval) best = earlier(best, plus(lift.lastTest, adf.windowMs));
    }
  }
  return best;
}

/** The earlier of two deadlines; `a` on a tie. */
function earlier(a: Instant | null, b: Instant | null): Instant | null {
  return b !== null && (a === null || b.mono < a.mono) ? b : a;
}

/** Every active alarm of the lift, in a fixed order. */
export function activeAlarms(lift: LiftCore): ActiveAlarm[] {
  const out: ActiveAlarm[] = [];
  if (lift.trapped.active !== null) out.push(lift.trapped.active);
  for (const rule of CONDITION_RULES) {
    const st = lift.timed[rule.code];
    if (st?.phase === 'active') out.push(st.alarm);
  }
  for (const a of Object.values(lift.chatter)) if (a) out.push(a);
  if (lift.fault.phase === 'active') out.push(lift.fault.alarm);
  if (lift.edges.levelling !== null) out.push(lift.edges.levelling);
  out.push(...activeRepeats(lift.repeats));
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
  for (const [sig, a] of Object.entries(lift.chatter)) {
    if (a !== undefined && hit(a)) {
      const alarm = ack(a);
      return { lift: { ...lift, chatter: { ...lift.chatter, [sig]: alarm } }, alarm };
    }
  }
  if (lift.fault.phase === 'active' && hit(lift.fault.alarm)) {
    const alarm = ack(lift.fault.alarm);
    return { lift: { ...lift, fault: { ...lift.fault, alarm } }, alarm };
  }
  if (hit(lift.edges.levelling)) {
    const alarm = ack(lift.edges.levelling);
    return { lift: { ...lift, edges: { ...lift.edges, levelling: alarm } }, alarm };
  }
  for (const [key, st] of Object.entries(lift.repeats)) {
    if (st !== undefined && hit(st.active)) {
      const alarm = ack(st.active);
      return { lift: { ...lift, repeats: { ...lift.repeats, [key]: { ...st, active: alarm } } }, alarm };
    }
  }
  const i = lift.orphans.findIndex(hit);
  const o = lift.orphans[i];
  if (o === undefined) return null;
  const alarm = ack(o);
  return { lift: { ...lift, orphans: lift.orphans.map((x, j) => (j === i ? alarm : x)) }, alarm };
}
