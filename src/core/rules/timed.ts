/**
 * The generic confirm/clear state machine of a self-clearing, condition-based alarm:
 * idle -> pending (condition true) -> active after confirmMs -> idle after the condition has
 * been false for clearMs. Persistence filters like this are industry practice (MCE flags "door
 * lock clipped" only after > 300 ms, Kleemann needs 10 s on the emergency-call fault input;
 * docs/taxonomy.md).
 */
import type { SignalName } from '../signals.js';
import type { AlarmCode, AlarmEvent, IdSource, Instant } from '../types.js';
import type { LiftView } from '../lift-state.js';
import { contextOf, lifecycleEvent, pick, plus, raise, type ActiveAlarm } from './alarm.js';
import type { Tuning } from './tuning.js';

/** Lift-level facts some rules read besides the signals (computed by rules/lift.ts). */
export interface Facts {
  /** No successful test call within the ALARM_DEVICE_FAULT window (EN 81-28: every 3 days). */
  testOverdue: boolean;
  /** Door reopen cycles counted within the DOOR_CLOSE_FAULT window. */
  reopens: number;
  /** The DOOR_CLOSE_FAULT reopen threshold (`count`). */
  reopenLimit: number;
  /** The safety chain / door lock opened while the car was running and is still open (rules/edge-counts.ts). */
  chainOpenedInTravel: boolean;
  /**
   * No door contact is wired and the chain opened right after the car arrived in the door zone:
   * presumably the landing-door contacts in the chain, i.e. the door opening (chain-doors.ts).
   */
  chainPresumedDoor: boolean;
  lockLostInTravel: boolean;
}

export const NO_FACTS: Facts = { testOverdue: false, reopens: 0, reopenLimit: Infinity, chainOpenedInTravel: false, chainPresumedDoor: false, lockLostInTravel: false };

/** A condition rule: data plus one predicate over the lift view (evaluated only while the link is ok). */
export interface ConditionRule {
  code: AlarmCode;
  /** Short human-readable rule text, copied into the evidence. */
  text: string;
  /** Signals recorded as evidence. */
  signals: readonly SignalName[];
  /** Signals the condition depends on: while one of them chatters the rule is held (no raise, no clear). */
  inputs: readonly SignalName[];
  condition(view: LiftView, facts: Facts): boolean;
  /** When true, the condition raises at once instead of after confirmMs (e.g. a counted threshold). */
  immediate?(view: LiftView, facts: Facts): boolean;
  /** Door and out-of-service alarms: in inspection they are recorded as suppressed, never raised (docs/taxonomy.md). */
  suppressedInInspection?: boolean;
  /** Extra text for the evidence/detail when the condition holds (e.g. which part of an OR fired). */
  describe?(view: LiftView, facts: Facts): string | undefined;
}

export type TimedState =
  | { phase: 'idle' }
  | { phase: 'pending'; since: Instant }
  | { phase: 'active'; alarm: ActiveAlarm; falseSince: Instant | null }
  /** Confirmed during inspection and recorded as suppressed; re-armed when inspection ends. */
  | { phase: 'suppressed'; since: Instant };

export const IDLE: TimedState = { phase: 'idle' };

/** An idle rule whose condition is absent stays idle: most rules of most evaluations (frozen: shared). */
const STAY_IDLE: { st: TimedState; events: AlarmEvent[] } = Object.freeze({ st: IDLE, events: Object.freeze([]) as unknown as AlarmEvent[] });

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
  facts: Facts = NO_FACTS,
): { st: TimedState; events: AlarmEvent[] } {
  const cond = tuning.enabled && rule.condition(view, facts);
  const inspection = rule.suppressedInInspection === true && view.values.inspection === true;
  if (st.phase === 'suppressed') {
    if (!cond) return { st: IDLE, events: [] };
    // Inspection ended with the condition still present: it has to hold confirmMs again.
    if (!inspection) return stepTimed(rule, tuning, { phase: 'pending', since: at }, view, at, ids, liftId, stale, facts);
    return { st, events: [] };
  }
  if (st.phase === 'active') {
    if (cond) return { st: st.falseSince === null ? st : { ...st, falseSince: null }, events: [] };
    const falseSince = st.falseSince ?? at;
    // No clear on a stale view: while the last poll failed, a due clear waits for the next good
    // sample to confirm the condition is still absent (no critical alarm is cleared while the
    // link is in doubt: docs/taxonomy.md, cross-cutting rules).
    if (at.mono - falseSince.mono < tuning.clearMs || stale) {
      return { st: st.falseSince === falseSince ? st : { ...st, falseSince }, events: [] };
    }
    const detail = `condition false for ${at.mono - falseSince.mono} ms`;
    return { st: IDLE, events: [lifecycleEvent(st.alarm, 'cleared', at, contextOf(view.values, view.floor), { detail })] };
  }
  if (!cond) return st === IDLE ? STAY_IDLE : { st: IDLE, events: [] };
  const since = st.phase === 'pending' ? st.since : at;
  const heldMs = at.mono - since.mono;
  const now = rule.immediate?.(view, facts) === true;
  if (heldMs < tuning.confirmMs && !now) return { st: st.phase === 'pending' ? st : { phase: 'pending', since }, events: [] };
  const extra = rule.describe?.(view, facts);
  const ctx = contextOf(view.values, view.floor);
  const evidence = { rule: extra === undefined ? rule.text : `${rule.text}: ${extra}`, heldMs, signals: pick(view.values, rule.signals) };
  if (inspection) {
    // Inspection suppresses door and out-of-service alarms, recorded as suppressed, not published
    // as raised (docs/taxonomy.md, docs/alarms.md): one info record (raised and cleared at once,
    // like ALARM_FILTERED) that a receiver logs and never pages.
    const { alarm, event } = raise({
      ids, code: rule.code, severity: 'info', liftId, since, at, ctx, evidence, detail: 'suppressed: inspection',
    });
    return { st: { phase: 'suppressed', since }, events: [event, lifecycleEvent(alarm, 'cleared', at, ctx, { detail: 'suppressed: inspection' })] };
  }
  const { alarm, event } = raise({
    ids, code: rule.code, severity: tuning.severity, liftId, since, at, ctx, evidence,
    ...(extra === undefined ? {} : { detail: extra }),
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
 * Link lost (docs/taxonomy.md, cross-cutting rules): the state is unknown, so a pending condition is
 * dropped (no alarm from stale data) and an alarm that was about to clear stays active.
 */
export function holdOnLinkLoss(st: TimedState): TimedState {
  if (st.phase === 'pending' || st.phase === 'suppressed') return IDLE;
  if (st.phase === 'active' && st.falseSince !== null) return { ...st, falseSince: null };
  return st;
}
