/**
 * PASSENGER_TRAPPED and ALARM_FILTERED: the car alarm button, the EN 81-28 alarm filter and
 * end of alarm.
 *
 * - Raise: the button is held >= confirmMs (3 s against misuse, vendor practice) while the car
 *   is stationary and the press is not filtered; or a press held >= bypassMs (default 30 s,
 *   Esse-Ti and others: 15-30 s) while stationary, filtered or not.
 * - Filter (vendor manuals): the press is ignored while the car is in the door zone with the
 *   doors open, or arriving with the doors opening (door zone + door-open command).
 * - A filtered press released before raising logs one ALARM_FILTERED (info) incident: a
 *   'raised' event immediately followed by its 'cleared' event, both at the release instant,
 *   so a store never keeps it active.
 * - It never clears by itself (EN 81-28: end of alarm is given on site by a competent
 *   person, remote reset also possible): only an endOfAlarm input or a rising edge of the
 *   endOfAlarm signal ends it. Inspection does not suppress it; link loss does not clear it.
 * - After a raise or an end of alarm the current press is consumed: the button must be
 *   released before a new press counts (a stuck button does not re-raise in a loop).
 */
import type { SignalName } from '../signals.js';
import type { AlarmEvent, EndOfAlarmSource, IdSource, Instant } from '../types.js';
import { isStationary, type LiftView } from '../lift-state.js';
import { contextOf, lifecycleEvent, pick, plus, raise, type ActiveAlarm, type EventContext } from './alarm.js';
import type { Tuning } from './tuning.js';

export interface Press {
  since: Instant;
  /** Since when the press has been held unfiltered with the car stationary, or null. */
  unfilteredSince: Instant | null;
  /** The car was stationary at the last evaluation (gates the bypass deadline). */
  stationary: boolean;
  filteredSeen: boolean;
  consumed: boolean;
}

export interface TrappedState {
  press: Press | null;
  active: ActiveAlarm | null;
  /** Last known endOfAlarm signal, for edge detection; undefined before the first sample. */
  eoaPrev: boolean | undefined;
}

export const TRAPPED_IDLE: TrappedState = { press: null, active: null, eoaPrev: undefined };

const EVIDENCE_SIGNALS: readonly SignalName[] = [
  'alarmButton', 'moving', 'doorZone', 'doorOpenLimit', 'doorClosedLimit', 'doorOpenCommand', 'inspection',
];
const TRAPPED_RULE = 'alarm button held while the car is stationary and the press is not filtered (EN 81-28)';
const BYPASS_RULE = 'alarm button held past the filter bypass time while the car is stationary (EN 81-28)';
const FILTERED_RULE = 'alarm press at a landing with doors open or opening: filtered (EN 81-28 alarm filter)';

/** Vendor alarm filter: at a floor with doors open, or arriving with doors opening. */
export function isFiltered(view: LiftView): boolean {
  return view.values.doorZone === true && (view.doors === 'open' || view.values.doorOpenCommand === true);
}

export interface TrappedTunings {
  trapped: Tuning;
  filtered: Tuning;
}

/** Evaluates the button at `at` (link ok). */
export function stepTrapped(
  st: TrappedState,
  view: LiftView,
  at: Instant,
  ids: IdSource,
  liftId: string,
  t: TrappedTunings,
): { st: TrappedState; events: AlarmEvent[] } {
  const events: AlarmEvent[] = [];
  const ctx = contextOf(view.values, view.floor);
  let next: TrappedState = st;
  // On-site end-of-alarm input: a rising edge only (a level held through a restart is no edge).
  const eoa = view.values.endOfAlarm;
  if (st.eoaPrev === false && eoa === true) {
    const r = endAlarm(next, at, ctx, 'input');
    next = r.st;
    events.push(...r.events);
  }
  if (eoa !== next.eoaPrev) next = { ...next, eoaPrev: eoa };

  if (view.values.alarmButton !== true) {
    const p = next.press;
    if (p !== null && !p.consumed && p.filteredSeen && t.filtered.enabled) {
      const { alarm, event } = raise({
        ids, code: 'ALARM_FILTERED', severity: t.filtered.severity, liftId, since: p.since, at, ctx,
        evidence: { rule: FILTERED_RULE, heldMs: at.mono - p.since.mono, signals: pick(view.values, EVIDENCE_SIGNALS) },
        detail: 'press filtered and released before the bypass time',
      });
      events.push(event, lifecycleEvent(alarm, 'cleared', at, ctx, { detail: 'filtered press: logged, not paged' }));
    }
    return { st: p === null ? next : { ...next, press: null }, events };
  }

  const prev = next.press;
  const stationary = isStationary(view);
  const filtered = isFiltered(view);
  const unfiltered = stationary && !filtered;
  const press: Press = {
    since: prev?.since ?? at,
    unfilteredSince: unfiltered ? (prev?.unfilteredSince ?? at) : null,
    stationary,
    filteredSeen: (prev?.filteredSeen ?? false) || filtered,
    consumed: (prev?.consumed ?? false) || next.active !== null,
  };
  if (!press.consumed && t.trapped.enabled) {
    const confirmed = press.unfilteredSince !== null && at.mono - press.unfilteredSince.mono >= t.trapped.confirmMs;
    const bypassed = stationary && at.mono - press.since.mono >= t.trapped.bypassMs;
    if (confirmed || bypassed) {
      const { alarm, event } = raise({
        ids, code: 'PASSENGER_TRAPPED', severity: t.trapped.severity, liftId, since: press.since, at, ctx,
        evidence: {
          rule: confirmed ? TRAPPED_RULE : BYPASS_RULE,
          heldMs: at.mono - press.since.mono,
          signals: pick(view.values, EVIDENCE_SIGNALS),
        },
        detail: confirmed ? undefined : 'alarm filter bypassed: button held past the bypass time',
      });
      events.push(event);
      return { st: { ...next, press: { ...press, consumed: true }, active: alarm }, events };
    }
  }
  return { st: { ...next, press }, events };
}

/** Ends an active PASSENGER_TRAPPED (EN 81-28 end of alarm). Consumes a press in progress. */
export function endAlarm(
  st: TrappedState,
  at: Instant,
  ctx: EventContext,
  source: EndOfAlarmSource,
  by?: string,
): { st: TrappedState; events: AlarmEvent[] } {
  const press = st.press === null ? null : { ...st.press, consumed: true };
  if (st.active === null) return { st: press === st.press ? st : { ...st, press }, events: [] };
  const detail = by === undefined ? `end of alarm (${source})` : `end of alarm (${source}) by ${by}`;
  const event = lifecycleEvent(st.active, 'end_of_alarm', at, ctx, { endOfAlarmSource: source, detail });
  return { st: { ...st, press, active: null }, events: [event] };
}

export function trappedDeadline(st: TrappedState, t: TrappedTunings): Instant | null {
  const p = st.press;
  if (p === null || p.consumed || !t.trapped.enabled) return null;
  const candidates: Instant[] = [];
  if (p.unfilteredSince !== null) candidates.push(plus(p.unfilteredSince, t.trapped.confirmMs));
  if (p.stationary) candidates.push(plus(p.since, t.trapped.bypassMs));
  let best: Instant | null = null;
  for (const c of candidates) if (best === null || c.mono < best.mono) best = c;
  return best;
}

/** Link lost: a press in progress is forgotten (no raise from stale data); the alarm stays. */
export function trappedOnLinkLoss(st: TrappedState): TrappedState {
  return st.press === null ? st : { ...st, press: null };
}
