/**
 * REPEATED_FAULT (docs/alarms.md): the same fault raised `count` times (3) within `windowMs`
 * (24 h), each time after it had cleared; severity one level up. Both numbers are tunable as
 * `rules.REPEATED_FAULT.count` and `.windowMs`.
 *
 * "The same fault" is the same code and the same cause (`causeKey`): the same chattering
 * signal, the same raw controller code. Three different contacts chattering once each are three
 * sensor problems, not one fault repeating. Every raise of a non-info code is a new incident,
 * so it always follows the clear of the one before. When a fault reaches `count` raises within
 * the window, one REPEATED_FAULT incident is raised for it, naming it; it clears when the
 * rolling count drops below `count` again (the oldest raise leaves the window).
 *
 * The history survives a restart: the agent hands the core the raises it finds in its store
 * (engine.initialState, restore.ts), so a fault that repeats across restarts is still counted.
 */
import type { AlarmEvent, IdSource, Instant, Severity } from '../types.js';
import { lifecycleEvent, plus, raise, type ActiveAlarm, type EventContext } from './alarm.js';
import type { Tuning } from './tuning.js';

export interface RepeatState {
  /** Instants of the raises still inside the window, oldest first. */
  times: readonly Instant[];
  active: ActiveAlarm | null;
}

/** By fault (`causeKey`). */
export type Repeats = Readonly<Record<string, RepeatState | undefined>>;

/**
 * The fault a raise belongs to: its code, and its cause where the code has several (the
 * chattering signal, the controller's raw fault code). The key is also how REPEATED_FAULT's
 * detail names the fault, so a restored incident finds its history again.
 */
export function causeKey(e: Pick<AlarmEvent, 'code' | 'controllerCode' | 'evidence'>): string {
  if (e.code === 'SIGNAL_CHATTERING') {
    const signal = Object.keys(e.evidence?.signals ?? {})[0];
    return signal === undefined ? e.code : `${e.code} (${signal})`;
  }
  if (e.code === 'DRIVE_FAULT' || e.code === 'SAFETY_DEVICE_TRIP') {
    const raw = (e.evidence?.signals as { faultCode?: unknown } | undefined)?.faultCode ?? e.controllerCode;
    return typeof raw === 'number' ? `${e.code} (controller code ${raw})` : e.code;
  }
  return e.code;
}

/** Whether a raise counts toward REPEATED_FAULT at all. */
export function counts(e: Pick<AlarmEvent, 'code' | 'severity'>): boolean {
  return e.severity !== 'info' && e.code !== 'REPEATED_FAULT' && e.code !== 'TEST_CALL' && e.code !== 'ALARM_FILTERED';
}

const REPEATED_DETAIL = / repeated \d+ times$/;

/** The fault a REPEATED_FAULT event names (its detail), or null. */
export function repeatedKeyOf(e: Pick<AlarmEvent, 'detail'>): string | null {
  const d = e.detail;
  return d !== undefined && REPEATED_DETAIL.test(d) ? d.replace(REPEATED_DETAIL, '') : null;
}

const UP: Record<Severity, Severity> = { info: 'minor', minor: 'major', major: 'critical', critical: 'critical' };

export function oneLevelUp(s: Severity): Severity {
  return UP[s];
}

function inWindow(times: readonly Instant[], now: number, windowMs: number): Instant[] {
  return times.filter((x) => now - x.mono < windowMs);
}

/** Counts the raises among `events` and drops expired ones at `at`. */
export function stepRepeats(
  reps: Repeats,
  events: readonly AlarmEvent[],
  at: Instant,
  tuning: Tuning,
  ids: IdSource,
  liftId: string,
  ctx: EventContext,
  mayClear: boolean,
): { reps: Repeats; events: AlarmEvent[] } {
  const out: AlarmEvent[] = [];
  let next: Record<string, RepeatState | undefined> | null = null;
  const put = (key: string, st: RepeatState): void => {
    next ??= { ...reps };
    next[key] = st;
  };
  // 1. Raises in this step (at this instant).
  if (tuning.enabled) {
    for (const e of events) {
      if (e.lifecycle !== 'raised' || !counts(e)) continue;
      const key = causeKey(e);
      const prev = next?.[key] ?? reps[key] ?? { times: [], active: null };
      const times = [...inWindow(prev.times, at.mono, tuning.windowMs), at];
      let active = prev.active;
      if (active === null && times.length >= tuning.count) {
        const first = times[0]!;
        const r = raise({
          ids, code: 'REPEATED_FAULT', severity: oneLevelUp(e.severity), liftId, since: first, at, ctx,
          evidence: {
            rule: `${key} raised ${times.length} times within ${tuning.windowMs} ms, each after a clear (limit ${tuning.count}): one severity level up`,
            heldMs: at.mono - first.mono,
            signals: e.evidence?.signals ?? {},
          },
          detail: `${key} repeated ${times.length} times`,
        });
        active = r.alarm;
        out.push(r.event);
      }
      put(key, { times, active });
    }
  }
  // 2. Expiry: the rolling count drops below the limit.
  for (const [key, st] of Object.entries(next ?? reps)) {
    if (st === undefined) continue;
    const times = inWindow(st.times, at.mono, tuning.windowMs);
    const restoredStale = st.active !== null && times.length < tuning.count;
    if (times.length === st.times.length && !restoredStale) continue;
    if (st.active !== null && times.length < tuning.count && mayClear) {
      out.push(lifecycleEvent(st.active, 'cleared', at, ctx, { detail: `${key} raised ${times.length} times within the window` }));
      put(key, { times, active: null });
    } else if (times.length !== st.times.length && (st.active === null || mayClear)) {
      put(key, { times, active: st.active });
    }
  }
  return { reps: next ?? reps, events: out };
}

/** The next instant an active REPEATED_FAULT's rolling count drops below the limit, or null. */
export function repeatsDeadline(reps: Repeats, tuning: Tuning): Instant | null {
  let best: Instant | null = null;
  for (const st of Object.values(reps)) {
    if (!st?.active) continue;
    const pivot = st.times[st.times.length - tuning.count];
    if (pivot === undefined) continue;
    const due = plus(pivot, tuning.windowMs);
    if (best === null || due.mono < best.mono) best = due;
  }
  return best;
}

export function activeRepeats(reps: Repeats): ActiveAlarm[] {
  return Object.values(reps).flatMap((s) => (s?.active ? [s.active] : []));
}
