/**
 * Controller fault codes: SAFETY_DEVICE_TRIP, DRIVE_FAULT and any other code a profile maps.
 *
 * The taxonomy (docs/taxonomy.md): SAFETY_DEVICE_TRIP when the controller reports overspeed,
 * governor, final limit or unintended car movement, immediate; DRIVE_FAULT for a controller fault
 * code (drive, brake, contactor, motor temperature), raw code passed through, controller-defined.
 * The device profile's `faultCodes` table (the controller manual's fault list) maps a raw code to
 * a taxonomy code; a non-zero code that is not listed is DRIVE_FAULT. The raw code always
 * travels as `controllerCode`.
 *
 * One incident per raw code: the mapped code's tuning gives its confirm/clear times; a change
 * to another non-zero code clears the old incident and starts the new one.
 */
import type { AlarmCode, AlarmEvent, IdSource, Instant } from '../types.js';
import type { LiftView } from '../lift-state.js';
import { contextOf, lifecycleEvent, pick, plus, raise, type ActiveAlarm } from './alarm.js';
import type { Tuning } from './tuning.js';

export type FaultState =
  | { phase: 'idle' }
  | { phase: 'pending'; raw: number; since: Instant }
  | { phase: 'active'; raw: number; alarm: ActiveAlarm; falseSince: Instant | null }
  | { phase: 'suppressed'; raw: number };

export const FAULT_IDLE: FaultState = { phase: 'idle' };

/** Raw controller code -> taxonomy code (from the profile's `faultCodes`). */
export type FaultCodeMap = Readonly<Record<number, AlarmCode>>;

/** Codes inspection suppresses: door and out-of-service alarms (docs/taxonomy.md, INSPECTION_MODE). */
export const INSPECTION_SUPPRESSES: ReadonlySet<AlarmCode> = new Set<AlarmCode>([
  'DOORS_WONT_OPEN', 'DOOR_OPEN_FAULT', 'DOOR_CLOSE_FAULT', 'OUT_OF_SERVICE',
]);

export function mappedCode(map: FaultCodeMap, raw: number): AlarmCode {
  return map[raw] ?? 'DRIVE_FAULT';
}

function currentRaw(view: LiftView): number {
  const c = view.values.faultCode;
  return c === undefined || !Number.isInteger(c) ? 0 : c;
}

export function stepFault(
  st: FaultState,
  view: LiftView,
  at: Instant,
  map: FaultCodeMap,
  tune: (code: AlarmCode) => Tuning,
  ids: IdSource,
  liftId: string,
  stale: boolean,
): { st: FaultState; events: AlarmEvent[] } {
  const raw = currentRaw(view);
  const ctx = contextOf(view.values, view.floor);
  const events: AlarmEvent[] = [];
  let cur = st;
  if (cur.phase === 'active' && raw !== cur.raw) {
    const t = tune(cur.alarm.code);
    const falseSince = cur.falseSince ?? at;
    // A different non-zero code replaces the incident at once; 0 clears after clearMs.
    const replaced = raw !== 0;
    if (!replaced && (at.mono - falseSince.mono < t.clearMs || stale)) {
      return { st: cur.falseSince === falseSince ? cur : { ...cur, falseSince }, events };
    }
    const detail = replaced ? `controller code ${cur.raw} replaced by ${raw}` : `controller code ${cur.raw} gone for ${at.mono - falseSince.mono} ms`;
    events.push(lifecycleEvent(cur.alarm, 'cleared', at, { ...ctx, controllerCode: cur.raw }, { detail }));
    cur = FAULT_IDLE;
  } else if (cur.phase === 'active') {
    return { st: cur.falseSince === null ? cur : { ...cur, falseSince: null }, events };
  }
  if (raw === 0) return { st: FAULT_IDLE, events };
  if (cur.phase === 'suppressed' && cur.raw === raw && view.values.inspection === true) return { st: cur, events };
  const code = mappedCode(map, raw);
  const t = tune(code);
  if (!t.enabled) return { st: FAULT_IDLE, events };
  const since = cur.phase === 'pending' && cur.raw === raw ? cur.since : at;
  const heldMs = at.mono - since.mono;
  if (heldMs < t.confirmMs) return { st: cur.phase === 'pending' && cur.raw === raw ? cur : { phase: 'pending', raw, since }, events };
  const mapped = map[raw] !== undefined;
  const evidence = {
    rule: mapped ? `controller fault code ${raw} mapped to ${code} by the profile` : `controller fault code ${raw} not in the profile's table: ${code}`,
    heldMs,
    signals: pick(view.values, ['faultCode', 'moving', 'doorZone', 'safetyChain', 'inspection']),
  };
  if (view.values.inspection === true && INSPECTION_SUPPRESSES.has(code)) {
    const { alarm, event } = raise({ ids, code, severity: 'info', liftId, since, at, ctx, evidence, detail: 'suppressed: inspection' });
    events.push(event, lifecycleEvent(alarm, 'cleared', at, ctx, { detail: 'suppressed: inspection' }));
    return { st: { phase: 'suppressed', raw }, events };
  }
  const { alarm, event } = raise({ ids, code, severity: t.severity, liftId, since, at, ctx, evidence, detail: `controller code ${raw}` });
  events.push(event);
  return { st: { phase: 'active', raw, alarm, falseSince: null }, events };
}

export function faultDeadline(st: FaultState, tune: (code: AlarmCode) => Tuning, map: FaultCodeMap, stale: boolean): Instant | null {
  if (st.phase === 'pending') return plus(st.since, tune(mappedCode(map, st.raw)).confirmMs);
  if (st.phase === 'active' && st.falseSince !== null && !stale) return plus(st.falseSince, tune(st.alarm.code).clearMs);
  return null;
}

/** Link lost: no raise from stale data, no clear (docs/taxonomy.md, cross-cutting rules). */
export function faultOnLinkLoss(st: FaultState): FaultState {
  if (st.phase === 'pending' || st.phase === 'suppressed') return FAULT_IDLE;
  if (st.phase === 'active' && st.falseSince !== null) return { ...st, falseSince: null };
  return st;
}
