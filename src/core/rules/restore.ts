/**
 * Restoring alarms that were active when the agent last stopped. They continue with the same
 * alarmId and no new 'raised' event, so PASSENGER_TRAPPED survives a restart (EN 81-28: an
 * alarm must not be lost when the supply fails).
 */
import type { AlarmCode, AlarmEvent } from '../types.js';
import type { ActiveAlarm } from './alarm.js';
import { CONDITION_RULES } from './catalog.js';
import type { LiftCore } from './lift.js';
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

/**
 * Puts the restored alarms into their lifts. Codes whose state cannot be rebuilt from an event
 * (SIGNAL_CHATTERING, LEVELLING_FAULT, REPEATED_FAULT: their counts live in memory) and codes
 * without a rule in this version become orphans: listed and acknowledgeable; non-critical ones
 * clear at the first good sample (and are raised again if still true), critical ones end only
 * by end of alarm.
 */
export function restoreInto(lifts: LiftCore[], all: readonly AlarmEvent[]): LiftCore[] {
  const acked = new Set(all.filter((e) => e.lifecycle === 'acknowledged').map((e) => e.alarmId));
  const ruleCodes = new Set<AlarmCode>(CONDITION_RULES.map((r) => r.code));
  return lifts.map((lift) => {
    let l = lift;
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
      } else {
        l = { ...l, orphans: [...l.orphans, a] };
      }
    }
    return l;
  });
}
