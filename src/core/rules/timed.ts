/**
 * The generic confirm/clear state machine of a self-clearing, condition-based alarm:
 * idle -> pending (condition true) -> active after confirmMs -> idle after the condition has
 * been false for clearMs. Persistence filters like this are industry practice (domain.md:
 * MCE "door lock clipped" > 300 ms, Kleemann 10 s on the emergency-call fault input).
 */
import type { SignalName } from '../signals.js';
import type { AlarmCode, AlarmEvent, IdSource, Instant } from '../types.js';
import type { LiftView } from '../lift-state.js';
import { contextOf, lifecycleEvent, pick, plus, raise, type ActiveAlarm } from './alarm.js';
import type { Tuning } from './tuning.js';

/** A condition rule: data plus one predicate over the lift view (evaluated only while the link is ok). */
export interface ConditionRule {
  code: AlarmCode;
  /** Short human-readable rule text, copied into the evidence. */
  text: string;
  /** Signals recorded as evidence. */
  signals: readonly SignalName[];
  condition(view: LiftView): boolean;
}

export type TimedState =
  | { phase: 'idle' }
  | { phase: 'pending'; since: Instant }
  | { phase: 'active'; alarm: ActiveAlarm; falseSince: Instant | null };

export const IDLE: TimedState = { phase: 'idle' };

/** Evaluates one rule at `at` (link ok). Returns the new state and at most one event. */
export function stepTimed(
  rule: ConditionRule,
  tuning: Tuning,
  st: TimedState,
  view: LiftView,
  at: Instant,
  ids: IdSource,
  liftId: string,
  stale: boolean,
): { st: TimedState; events: AlarmEvent[] } {
  const cond = tuning.enabled && rule.condition(view);
  const ctx = contextOf(view.values, view.floor);
  if (st.phase === 'active') {
    if (cond) return { st: st.falseSince === null ? st : { ...st, falseSince: null }, events: [] };
    const falseSince = st.falseSince ?? at;
    // No clear on a stale view: while the last poll failed, a due clear waits for the next good
    // sample to confirm the condition is still absent (domain.md: no critical alarm is cleared
    // while the link is in doubt).
    if (at.mono - falseSince.mono < tuning.clearMs || stale) {
      return { st: st.falseSince === falseSince ? st : { ...st, falseSince }, events: [] };
    }
    const detail = `condition false for ${at.mono - falseSince.mono} ms`;
    return { st: IDLE, events: [lifecycleEvent(st.alarm, 'cleared', at, ctx, { detail })] };
  }
  if (!cond) return { st: IDLE, events: [] };
  const since = st.phase === 'pending' ? st.since : at;
  const heldMs = at.mono - since.mono;
  if (heldMs < tuning.confirmMs) return { st: st.phase === 'pending' ? st : { phase: 'pending', since }, events: [] };
  const { alarm, event } = raise({
    ids, code: rule.code, severity: tuning.severity, liftId, since, at, ctx,
    evidence: { rule: rule.text, heldMs, signals: pick(view.values, rule.signals) },
  });
  return { st: { phase: 'active', alarm, falseSince: null }, events: [event] };
}

/** When this rule next needs to be evaluated without new input, or null. */
export function timedDeadline(st: TimedState, tuning: Tuning, stale: boolean): Instant | null {
  if (st.phase === 'pending') return plus(st.since, tuning.confirmMs);
  if (st.phase === 'active' && st.falseSince !== null) {
    const due = plus(st.falseSince, tuning.clearMs);
    return stale ? null : due;
  }
  return null;
}

/**
 * Link lost (domain.md cross-cutting rules): the state is unknown, so a pending condition is
 * dropped (no alarm from stale data) and an alarm that was about to clear stays active.
 */
export function holdOnLinkLoss(st: TimedState): TimedState {
  if (st.phase === 'pending') return IDLE;
  if (st.phase === 'active' && st.falseSince !== null) return { ...st, falseSince: null };
  return st;
}
