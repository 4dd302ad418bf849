/**
 * TEST_CALL: the EN 81-28 periodic test call ("a test call at least every 3 days"; "the lift
 * identifies itself on every call, test calls included"). liftwatch sends it through its whole
 * chain (core -> store -> MQTT) as one info event, raised and cleared at the same instant like
 * ALARM_FILTERED, so a store never keeps it active. Its instant restarts the ALARM_DEVICE_FAULT
 * test clock (rules/lift.ts, Facts.testOverdue).
 */
import type { AlarmEvent, CoreInput, IdSource } from '../types.js';
import { lifecycleEvent, raise, type EventContext } from './alarm.js';
import type { Tuning } from './tuning.js';

export function testCallEvents(
  tuning: Tuning,
  input: Extract<CoreInput, { kind: 'testCall' }>,
  ids: IdSource,
  ctx: EventContext,
): AlarmEvent[] {
  if (!tuning.enabled) return [];
  const { alarm, event } = raise({
    ids, code: 'TEST_CALL', severity: 'info', liftId: input.liftId, since: input.at, at: input.at, ctx,
    evidence: { rule: 'EN 81-28 periodic test call (at least every 3 days)', heldMs: 0, signals: {} },
    detail: `test call (${input.source})`,
  });
  return [event, lifecycleEvent(alarm, 'cleared', input.at, ctx, { detail: 'test call completed' })];
}
