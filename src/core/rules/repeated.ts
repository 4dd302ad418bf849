/**
 * REPEATED_FAULT (domain.md taxonomy: "the same code raised >= 3 times in 24 h", severity "one
 * level up", rolling 24 h; issue 3: both numbers configurable as `rules.REPEATED_FAULT.count`
 * and `.windowMs`).
 *
 * Every raise of a non-info code is counted per code. When a code reaches `count` raises within
 * `windowMs`, one REPEATED_FAULT incident is raised for it, one severity above the repeated
 * code's (critical stays critical), naming the code. It clears when the rolling count drops
 * below `count` again (the oldest raise leaves the window). The raise history is kept in
 * memory: a restart starts counting afresh (documented in docs/alarms.md).
 */
import type { AlarmCode, AlarmEvent, IdSource, Instant, Severity } from '../types.js';
import { lifecycleEvent, plus, raise, type ActiveAlarm, type EventContext } from './alarm.js';
import type { Tuning } from './tuning.js';

export interface RepeatState {
  /** Instants of the raises still inside the window, oldest first. */
  times: readonly Instant[];
  active: ActiveAlarm | null;
}

export type Repeats = Readonly<Partial<Record<AlarmCode, RepeatState>>>;

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
  let next: Partial<Record<AlarmCode, RepeatState>> | null = null;
  const put = (code: AlarmCode, st: RepeatState): void => {
    next ??= { ...reps };
    next[code] = st;
  };
  // 1. Raises in this step (at this instant).
  if (tuning.enabled) {
    for (const e of events) {
      if (e.lifecycle !== 'raised' || e.severity === 'info' || e.code === 'REPEATED_FAULT' || e.code === 'TEST_CALL') continue;
      const prev = next?.[e.code] ?? reps[e.code] ?? { times: [], active: null };
      const times = [...inWindow(prev.times, at.mono, tuning.windowMs), at];
      let active = prev.active;
      if (active === null && times.length >= tuning.count) {
        const first = times[0]!;
        const r = raise({
          ids, code: 'REPEATED_FAULT', severity: oneLevelUp(e.severity), liftId, since: first, at, ctx,
          evidence: {
            rule: `${e.code} raised ${times.length} times within ${tuning.windowMs} ms (limit ${tuning.count}): one severity level up`,
            heldMs: at.mono - first.mono,
            signals: e.evidence?.signals ?? {},
          },
          detail: `${e.code} repeated ${times.length} times`,
        });
        active = r.alarm;
        out.push(r.event);
      }
      put(e.code, { times, active });
    }
  }
  // 2. Expiry: the rolling count drops below the limit.
  for (const [code, st] of Object.entries(next ?? reps) as Array<[AlarmCode, RepeatState]>) {
    const times = inWindow(st.times, at.mono, tuning.windowMs);
    if (times.length === st.times.length) continue;
    if (st.active !== null && times.length < tuning.count && mayClear) {
      out.push(lifecycleEvent(st.active, 'cleared', at, ctx, { detail: `${code} raised ${times.length} times within the window` }));
      put(code, { times, active: null });
    } else if (st.active === null || mayClear) {
      put(code, { times, active: st.active });
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
