/**
 * Restoring alarms that were active when the agent last stopped. They continue with the same
 * alarmId and no new 'raised' event, so PASSENGER_TRAPPED survives a restart (EN 81-28: an
 * alarm must not be lost when the supply fails).
 */
import type { AlarmCode, AlarmEvent, Instant } from '../types.js';
import { isSignalName, type SignalName } from '../signals.js';
import type { ActiveAlarm } from './alarm.js';
import { CONDITION_RULES } from './catalog.js';
import type { LiftCore } from './lift.js';
import { causeKey, counts, repeatedKeyOf, type RepeatState } from './repeated.js';
import type { TimedState } from './timed.js';

/** Latest event per alarmId (by `at`, later in the list wins a tie), still-active ones only. */
export function activeFromEvents(events: readonly AlarmEvent[]): AlarmEvent[] {
  const latest = new Map<string, AlarmEvent>();
  for (const e of events) {
    const prev = latest.get(e.alarmId);
    if (prev === undefined || e.at >= prev.at) latest.set(e.alarmId, e);
  }
  return [...latest.values()].filter(
    (e) => e.lifecycle !== 'cleared' && e.lifecycle !== 'end_of_alarm' && e.code !== 'ALARM_FILTERED',
  );
}

function toActive(e: AlarmEvent, acknowledged: boolean): ActiveAlarm {
  return {
    alarmId: e.alarmId, code: e.code, severity: e.severity, liftId: e.liftId,
    occurredAt: e.occurredAt, confirmedAt: e.confirmedAt, acknowledged, evidence: e.evidence,
  };
}

/** The mono instant of a wall time in the past, seen from `at`. */
function monoOf(wall: number, at: Instant): Instant {
  return { mono: at.mono - (at.wall - wall), wall };
}

/**
 * The REPEATED_FAULT history of one lift, rebuilt from the raises its store still holds (the
 * latest event of every alarm raised recently, `history`): one entry per incident, at the
 * instant it was raised (confirmedAt). Raises from before a wall-clock step back are kept in
 * their order; the window then prunes them as usual.
 */
function historyOf(liftId: string, history: readonly AlarmEvent[], at: Instant): Record<string, RepeatState> {
  const seen = new Set<string>();
  const out: Record<string, { times: Instant[]; active: null }> = {};
  for (const e of history) {
    if (e.liftId !== liftId || e.confirmedAt === null || e.confirmedAt > at.wall || !counts(e) || seen.has(e.alarmId)) continue;
    seen.add(e.alarmId);
    const key = causeKey(e);
    (out[key] ??= { times: [], active: null }).times.push(monoOf(e.confirmedAt, at));
  }
  for (const st of Object.values(out)) st.times.sort((a, b) => a.mono - b.mono);
  return out;
}

/**
 * Puts the restored alarms into their lifts, each under the rule that raised it, so that rule
 * decides when it clears:
 * - PASSENGER_TRAPPED, the controller fault code, CONTROLLER_COMM_LOST and the condition rules
 *   continue as they were;
 * - SIGNAL_CHATTERING is put back on its signal as chattering since the restart: held, and
 *   cleared once the signal has been calm for a whole window;
 * - LEVELLING_FAULT continues as an incident with one event at the restart: it clears after a
 *   quiet window;
 * - REPEATED_FAULT continues on the fault its detail names, with the history rebuilt from
 *   `history` (the store's recent raises): it clears when that history drops below the limit.
 * Only an alarm of a code without any rule in this version becomes an orphan: listed and
 * acknowledgeable; a non-critical one clears at the first good sample, a critical one ends
 * only by end of alarm.
 */
function chatterSignal(e: AlarmEvent): SignalName | null {
  const name = Object.keys(e.evidence?.signals ?? {})[0];
  return name !== undefined && isSignalName(name) ? name : null;
}

export function restoreInto(lifts: LiftCore[], all: readonly AlarmEvent[], history: readonly AlarmEvent[] = [], at?: Instant): LiftCore[] {
  const acked = new Set(all.filter((e) => e.lifecycle === 'acknowledged').map((e) => e.alarmId));
  const ruleCodes = new Set<AlarmCode>(CONDITION_RULES.map((r) => r.code));
  return lifts.map((lift) => {
    let l = lift;
    const now = at ?? lift.lastTest;
    const reps: Record<string, RepeatState | undefined> = historyOf(l.id, history, now);
    if (Object.keys(reps).length > 0) l = { ...l, repeats: reps };
    for (const e of activeFromEvents(all)) {
      if (e.liftId !== l.id) continue;
      const a = toActive(e, acked.has(e.alarmId));
      if (e.code === 'PASSENGER_TRAPPED' && l.trapped.active === null) {
        l = { ...l, trapped: { ...l.trapped, active: a } };
      } else if ((e.code === 'SAFETY_DEVICE_TRIP' || e.code === 'DRIVE_FAULT') && e.controllerCode !== null && l.fault.phase === 'idle') {
        // Continues while the controller still reports the same code; clears otherwise.
        l = { ...l, fault: { phase: 'active', raw: e.controllerCode, alarm: a, falseSince: null } };
      } else if (e.code === 'CONTROLLER_COMM_LOST' && l.comm.active === null) {
        l = { ...l, comm: { ...l.comm, active: a } };
      } else if (ruleCodes.has(e.code) && l.timed[e.code] === undefined) {
        const st: TimedState = { phase: 'active', alarm: a, falseSince: null };
        l = { ...l, timed: { ...l.timed, [e.code]: st } };
      } else if (e.code === 'SIGNAL_CHATTERING' && chatterSignal(e) !== null && l.chatter[chatterSignal(e)!] === undefined) {
        const name = chatterSignal(e)!;
        // A stub track the first sample rebuilds from (debounce.rebuild keeps flips and the mark).
        const track = { value: undefined, since: now, raw: undefined, candidate: null, flips: [now.mono], bursts: [], chattering: true, prev: undefined };
        l = { ...l, chatter: { ...l.chatter, [name]: a }, tracks: { ...l.tracks, [name]: track } };
      } else if (e.code === 'LEVELLING_FAULT' && l.edges.levelling === null) {
        l = { ...l, edges: { ...l.edges, levelling: a, levels: [now] } };
      } else if (e.code === 'REPEATED_FAULT' && !Object.values(l.repeats).some((r) => r?.active?.alarmId === a.alarmId)) {
        const key = repeatedKeyOf(e) ?? `restored ${e.alarmId}`;
        const prev = l.repeats[key];
        l = { ...l, repeats: { ...l.repeats, [key]: { times: prev?.times ?? [], active: prev?.active ?? a } } };
      } else {
        l = { ...l, orphans: [...l.orphans, a] };
      }
    }
    return l;
  });
}
