/**
 * An active alarm incident and the lifecycle events it produces. One alarmId per incident,
 * taken from the injected IdSource at raise and reused by every later event, so a receiver can
 * open exactly one case per incident (docs/taxonomy.md, "What the facility system does with an
 * alarm").
 */
import type { SignalName, SignalValues } from '../signals.js';
import type { AlarmCode, AlarmEvent, EndOfAlarmSource, Evidence, IdSource, Instant, Lifecycle, Severity } from '../types.js';

export interface ActiveAlarm {
  alarmId: string;
  code: AlarmCode;
  severity: Severity;
  liftId: string;
  occurredAt: number;
  confirmedAt: number | null;
  acknowledged: boolean;
  evidence: Evidence | null;
}

/** Where the car is and what the controller says, at the moment of an event. */
export interface EventContext {
  floor: number | null;
  controllerCode: number | null;
}

export function contextOf(values: SignalValues, floor: number | null): EventContext {
  const code = values.faultCode;
  return { floor, controllerCode: code !== undefined && code !== 0 ? code : null };
}

/** The subset of `values` a rule looks at, for the evidence. */
export function pick(values: SignalValues, names: readonly SignalName[]): SignalValues {
  const out: Record<string, unknown> = {};
  for (const n of names) if (values[n] !== undefined) out[n] = values[n];
  return out;
}

export interface RaiseArgs {
  ids: IdSource;
  code: AlarmCode;
  severity: Severity;
  liftId: string;
  /** First edge of the condition. */
  since: Instant;
  /** Confirmation instant (= now). */
  at: Instant;
  ctx: EventContext;
  evidence: Evidence;
  detail?: string;
}

export function raise(a: RaiseArgs): { alarm: ActiveAlarm; event: AlarmEvent } {
  const alarm: ActiveAlarm = {
    alarmId: a.ids.newId(),
    code: a.code,
    severity: a.severity,
    liftId: a.liftId,
    occurredAt: a.since.wall,
    confirmedAt: a.at.wall,
    acknowledged: false,
    evidence: a.evidence,
  };
  return { alarm, event: lifecycleEvent(alarm, 'raised', a.at, a.ctx, { detail: a.detail }) };
}

export interface EventExtra {
  detail?: string | undefined;
  endOfAlarmSource?: EndOfAlarmSource;
}

export function lifecycleEvent(
  alarm: ActiveAlarm,
  lifecycle: Lifecycle,
  at: Instant,
  ctx: EventContext,
  extra: EventExtra = {},
): AlarmEvent {
  const ends = lifecycle === 'cleared' || lifecycle === 'end_of_alarm';
  const ev: AlarmEvent = {
    alarmId: alarm.alarmId,
    lifecycle,
    code: alarm.code,
    severity: alarm.severity,
    liftId: alarm.liftId,
    floor: ctx.floor,
    occurredAt: alarm.occurredAt,
    confirmedAt: alarm.confirmedAt,
    clearedAt: ends ? at.wall : null,
    at: at.wall,
    controllerCode: ctx.controllerCode,
    evidence: alarm.evidence,
  };
  if (extra.endOfAlarmSource !== undefined) ev.endOfAlarmSource = extra.endOfAlarmSource;
  if (extra.detail !== undefined) ev.detail = extra.detail;
  return ev;
}

/** Adds `ms` to an instant (both clocks advance together over a duration). */
export function plus(at: Instant, ms: number): Instant {
  return { mono: at.mono + ms, wall: at.wall + ms };
}
